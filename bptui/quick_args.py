"""A plain command line read without argparse, to start as fast as numpy does.

argparse imports gettext, locale and their regular expressions, and building bptui's parser
adds some thirty options: milliseconds of CPU on every run, when most command lines are
``bptui NAME --train N --json`` and the like. :func:`parse` reads such a line itself and
gives up (returns None) on anything else: ``--help``, ``--version``, an abbreviated or
unknown option, a missing or refused value, a value that starts with ``-``, ``--``, two
scenarios, ``--compare``. bptui.cli then hands the line to argparse, so every message, the
help text and every exit status stay argparse's own. The result is the same namespace
argparse gives (tests/test_quick_args.py compares the two over many lines, and checks that
this table declares every option the parser has, with argparse's defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import SimpleNamespace

#: Options that take no value (store_true): attribute name -> the flag.
FLAGS = {
    "list": "--list", "mistakes": "--mistakes", "check": "--check", "trace": "--trace",
    "gradcheck": "--gradcheck", "serve": "--serve", "force": "--force", "json": "--json",
    "graph": "--graph", "worksheet": "--worksheet", "symbols": "--symbols", "screen": "--screen",
}

#: Options left to argparse always: their attribute names (default None).
ARGPARSE_ONLY = ("compare",)


def _values() -> dict[str, tuple[tuple[str, ...], Callable[[str], object] | None,
                                 tuple[str, ...] | None]]:
    """Options that take one value: attribute -> (flags, type, choices), as in the parser."""
    from bptui import cli, compare_cli
    from bptui.i18n import LANGUAGES

    return {
        "lang": (("--lang",), None, LANGUAGES),
        "train": (("--train",), cli._positive, None),
        "export": (("--export",), None, ("markdown", "json")),
        "output": (("-o", "--output"), None, None),
        "host": (("--host",), None, None),
        "port": (("--port",), cli._port, None),
        "epochs": (("--epochs",), cli._positive, None),
        "mistake": (("--mistake",), None, None),
        "quiz": (("--quiz",), cli._quiz_kinds, None),
        "epsilon": (("--epsilon",), cli._positive_float, None),
        "sample": (("--sample",), cli._positive, None),
        "format": (("--format",), None, ("markdown", "csv")),
        "kinds": (("--kinds",), cli._quiz_kinds, None),
        "tolerance": (("--tolerance",), compare_cli.tolerance_type, None),
    }


def parse(argv: Sequence[str]) -> SimpleNamespace | None:
    """The namespace argparse would give for ``argv``, or None when argparse must read it."""
    values = _values()
    by_flag = {flag: attr for attr, (flags, _, _) in values.items() for flag in flags}
    by_switch = {flag: attr for attr, flag in FLAGS.items()}
    found: dict[str, object] = {attr: False for attr in FLAGS}
    found.update({attr: None for attr in (*values, *ARGPARSE_ONLY, "scenario")})
    positional = 0
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if not arg:
            return None
        if not arg.startswith("-"):
            positional += 1
            if positional > 1:
                return None
            found["scenario"] = arg
            continue
        if arg in by_switch:
            found[by_switch[arg]] = True
            continue
        flag, eq, text = arg.partition("=")
        if flag not in by_flag or (eq and not flag.startswith("--")):
            return None
        if not eq:
            if i == len(argv) or not argv[i] or argv[i].startswith("-"):
                return None
            text = argv[i]
            i += 1
        attr = by_flag[flag]
        _, kind, choices = values[attr]
        if choices is not None and text not in choices:
            return None
        if kind is not None:
            try:
                found[attr] = kind(text)
            except Exception:  # argparse words the refusal
                return None
        else:
            found[attr] = text
    return SimpleNamespace(**found)
