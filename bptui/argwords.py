"""argparse's own words (usage:, options:, -h's help, its error sentences) in the learner's language.

argparse translates its words through the ``gettext``/``ngettext`` functions it imported into
its own module, from the ``argparse`` domain, which no system ships in Chinese. :func:`install`
points those two names at bptui's catalogue instead, for a translated language only: English
keeps argparse exactly as it is and never imports this module's work (start-up time is
measured). The words are declared here with ``N_`` so that the catalogue carries them; their
``%s``/``%(name)s`` placeholders are argparse's and must be kept as they are
(tests/test_i18n_zh_screens.py checks that).
"""

from __future__ import annotations

from types import ModuleType

from bptui.i18n import N_, _, language, ngettext
from bptui.linebreak import wrap_cells

#: argparse's sentences that reach a bptui user (Python 3.11 to 3.13 spell them alike).
WORDS = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unexpected option string: %s"),
)
_KNOWN = frozenset(WORDS)


def _gettext(message: str) -> str:
    """argparse's ``_``: bptui's translation of a sentence declared above, else as it is."""
    return _(message) if message in _KNOWN else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return ngettext("expected %s argument", "expected %s arguments", n)
    return singular if n == 1 else plural


def _split_lines(self, text: str, width: int) -> list[str]:
    return wrap_cells(text, width)


def _fill_text(self, text: str, width: int, indent: str) -> str:
    return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))


def install(argparse: ModuleType) -> None:
    """Make ``argparse`` (the module, just imported) speak the language in force."""
    version = argparse._VersionAction.__init__
    formatter = argparse.HelpFormatter
    if language() == "en":
        if _english_defaults:  # a process that was Chinese before (tests switch languages)
            version.__defaults__ = _english_defaults.pop()
        for name in ("_split_lines", "_fill_text"):
            if name in _english_wrapping:
                setattr(formatter, name, _english_wrapping.pop(name))
        return
    # help text wrapped by terminal cells, not characters (textwrap counts a Chinese
    # character as one column and would run lines past the terminal's edge)
    for name, ours in (("_split_lines", _split_lines), ("_fill_text", _fill_text)):
        _english_wrapping.setdefault(name, getattr(formatter, name))
        setattr(formatter, name, ours)
    argparse._ = _gettext  # type: ignore[attr-defined]  (English through it stays English)
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]
    # Python 3.11's --version help is a default argument, never passed through gettext.
    defaults = _english_defaults[0] if _english_defaults else version.__defaults__
    if defaults and "show program's version number and exit" in defaults:
        _english_defaults[:] = [defaults]
        version.__defaults__ = tuple(_gettext(d) if isinstance(d, str) else d for d in defaults)


_english_defaults: list[tuple] = []
_english_wrapping: dict[str, object] = {}
