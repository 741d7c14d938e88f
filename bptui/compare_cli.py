"""The command-line side of worksheets and ``--compare``: options, and one call per action.

Kept apart from :mod:`bptui.cli` so that the options of issue 15 live in one place; importing
this module is cheap (no numpy), because building the parser must stay fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bptui import i18n
from bptui.i18n import _

if TYPE_CHECKING:  # argparse is imported only when bptui.cli builds its parser
    import argparse

ACTIONS = ("worksheet", "symbols", "compare")
#: option attribute -> the actions (of ours) it goes with
OPTIONS = {
    "epochs": {"worksheet"},
    "output": {"worksheet"},
    "force": {"worksheet"},
    "json": {"compare"},
    "mistake": {"compare"},
    "kinds": {"worksheet"},
    "format": {"worksheet"},
    "tolerance": {"compare"},
    "screen": {"compare"},
    "graph": {"worksheet", "symbols", "compare"},  # a layered scenario as its graph
}


def add_arguments(what: argparse._ArgumentGroup, opts: argparse._ArgumentGroup,
                  kinds_type, positive_float) -> None:
    what.add_argument("--worksheet", action="store_true",
                      help=_("write a blank worksheet of the first --epochs epochs' steps"))
    what.add_argument("--symbols", action="store_true",
                      help=_("list the symbols a learner's file may use, with their kind"))
    what.add_argument("--compare", nargs="+", metavar="FILE",
                      help=_("mark a learner's values (JSON Lines or CSV; several files for a "
                      "class); exit 1 when something is wrong"))
    opts.add_argument("--format", choices=("markdown", "csv"), default=None,
                      help=_("with --worksheet: markdown for paper, csv for a spreadsheet "
                      "(default markdown)"))
    opts.add_argument("--kinds", metavar="KINDS", type=kinds_type,
                      help=_("with --worksheet: only these kinds of step (as for --quiz)"))
    opts.add_argument("--screen", action="store_true",
                      help=_("with --compare (one file): open the screen with the learner's "
                      "values beside the correct ones (J jumps to the first wrong value)"))
    del positive_float  # --epsilon's range (1e-7 to 3e-3) is not a tolerance's
    opts.add_argument("--tolerance", type=tolerance_type, default=None, metavar="REL",
                      help=_("with --compare: the relative tolerance (default 1e-3)"))


def tolerance_type(text: str) -> float:
    """A relative tolerance: a number above 0 and below 1 (0.02 for numbers published to two
    digits)."""
    import argparse
    import math

    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a number, found {text}",
                                           text=repr(text))) from None
    if not (math.isfinite(x) and 0 < x < 1):
        raise argparse.ArgumentTypeError(_("expected a relative tolerance above 0 and below 1 "
                                           "(such as 0.001), found {text}", text=text))
    return x


def run(scenario, args: argparse.Namespace) -> int:
    """Carry out --worksheet, --symbols or --compare; the exit status."""
    if args.symbols:
        from bptui.worksheet import symbols

        sys.stdout.write(symbols(scenario))
        return 0
    if args.worksheet:
        return _worksheet(scenario, args)
    return _compare(scenario, args)


def _worksheet(scenario, args: argparse.Namespace) -> int:
    from pathlib import Path

    from bptui import export, worksheet
    from bptui.errors import BptuiError

    fmt = args.format or "markdown"
    text = worksheet.render(scenario, fmt, args.epochs, args.kinds)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
        return 0
    if scenario.path and Path(args.output).resolve() == Path(scenario.path).resolve():
        raise BptuiError(_("{file}: is the scenario itself; choose another file name",
                           file=args.output))
    path = export.write(args.output, text, force=args.force)
    print(_("wrote the {format} worksheet to {path}", format=fmt, path=path), file=sys.stderr)
    return 0


def _compare(scenario, args: argparse.Namespace) -> int:
    from bptui import compare
    from bptui.marking import TOLERANCE

    tolerance = args.tolerance or TOLERANCE
    if args.screen:
        return _screen(scenario, args, tolerance)
    if args.json:  # machine-readable: the slips and mistake lines in it stay English
        i18n.set_language("en")
    results = [compare.check_file(scenario, f, tolerance, args.mistake) for f in args.compare]
    status = max(r.exit_code for r in results)
    if args.json:
        files = [compare.as_json(r) for r in results]
        doc = files[0] if len(files) == 1 else {
            "format": compare.FORMAT, "files": files, "total": compare.class_summary(results)}
        import json

        print(json.dumps(doc, ensure_ascii=False, allow_nan=False))
        return status
    for n, r in enumerate(results):
        if n:
            print()
        print(compare.report(r))
    if len(results) > 1:
        print()
        from bptui.marking import side

        print(compare.class_report(compare.class_summary(results), side(scenario).show))
    return status


def _screen(scenario, args: argparse.Namespace, tolerance: float) -> int:
    """``--compare FILE --screen``: the file is read and marked first (a bad file is a
    one-line error, exit 2, before the screen opens), then shown beside the correct values."""
    from bptui import compare
    from bptui.errors import BptuiError

    if len(args.compare) > 1:
        raise BptuiError(_("--screen shows one learner at a time: found {n} files after "
                           "--compare", n=len(args.compare)))
    if args.json:
        raise BptuiError(_("--json and --screen: choose one"))
    result = compare.check_file(scenario, args.compare[0], tolerance, args.mistake)
    from bptui.cli import need_terminal

    need_terminal()
    try:
        from bptui.tui.app import BackpropApp
    except ImportError as exc:  # pragma: no cover - only without the screen installed
        raise BptuiError(_("the screen is not available: {error}", error=exc)) from None
    app = BackpropApp(scenario, learner=result)
    app.run()
    return app.return_code or 0
