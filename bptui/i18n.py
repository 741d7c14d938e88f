"""The learner's language: English or Simplified Chinese, through gettext catalogues.

Every sentence bptui shows a person goes through :func:`_` (or :func:`ngettext` where a
count decides the form), with named placeholders, so that a translator sees whole sentences
and never pieces glued together in code. Machine-readable output (``--trace``, JSON, symbols)
never goes through here: it stays English and stable.

The language comes from ``--lang`` or else the environment (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, in that order), read as text: a learner's machine often has only
the C.UTF-8 locale installed, and Chinese must work there all the same, so the system's
locale machinery is never asked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # gettext is imported only for a translated language: see set_language
    import gettext as _gettext

LANGUAGES = ("en", "zh")
DOMAIN = "bptui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_ENV_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_current = "en"
#: The compiled catalogue in force; None for English, which needs none. Importing gettext
#: (and the locale module and regular expressions it brings) costs the command line's
#: start-up milliseconds, so English never imports it.
_catalogue: _gettext.NullTranslations | None = None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` when the first set variable names Chinese (zh_CN.UTF-8, zh_SG, zh), else ``en``.

    ``LANGUAGE`` may be a colon-separated priority list; its first entry decides, as it
    would for gettext.
    """
    env = os.environ if environ is None else environ
    for name in _ENV_ORDER:
        value = env.get(name, "")
        if not value:
            continue
        first = value.split(":")[0].strip()
        if not first:
            continue
        code = first.split(".")[0].split("@")[0].replace("-", "_").lower()
        if code == "zh" or code.startswith(("zh_cn", "zh_sg", "zh_hans")):
            return "zh"
        return "en"
    return "en"


def set_language(lang: str) -> None:
    """Switch every later message to ``lang`` (``en`` or ``zh``)."""
    global _current, _catalogue
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    _current = lang
    if lang == "en":
        _catalogue = None
    else:
        import gettext as _gettext

        # fallback=False: a missing compiled catalogue is a packaging bug, and the catalogue
        # test would have failed; silently showing English would hide it.
        _catalogue = _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang])


def language() -> str:
    """The language in force."""
    return _current


def _(message: str, /, **values: object) -> str:
    """``message`` in the learner's language, its ``{named}`` placeholders filled in."""
    text = message if _catalogue is None else _catalogue.gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural sentence for ``n``; ``{n}`` is always available to it."""
    if _catalogue is None:
        text = singular if n == 1 else plural
    else:
        text = _catalogue.ngettext(singular, plural, n)
    return text.format(n=n, **values)


def N_(message: str, /) -> str:
    """Mark ``message`` for translation where it is declared; :func:`_` translates it later.

    Registries (activations, losses, mistakes, keys) declare their sentences once, at import
    time, before the language is known; they are translated when shown.
    """
    return message


def local(english: str, chinese: str | None) -> str:
    """A scenario's own text (title, notes) in the learner's language: its ``*_zh`` twin when
    the language is Chinese and the file gives one, else the English."""
    return chinese if _current == "zh" and chinese else english
