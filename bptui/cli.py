"""The command line: open the screen, or validate, trace, train, check and export for scripts.

Only opening the screen imports Textual, so the non-interactive options start as fast as
numpy does. Every user error ends as one message on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bptui import __version__, i18n
from bptui.errors import BptuiError, OutputError, ScenarioError
from bptui.i18n import LANGUAGES, _, ngettext

if TYPE_CHECKING:  # argparse is imported only when a command line needs it (see parse)
    import argparse

DEFAULT_SCENARIO = "mazur_2_2_2"


def _argparse_classes():
    """argparse's parser and formatter as bptui uses them, made when first needed: argparse
    (with gettext, locale and their regular expressions) costs milliseconds of start-up, and
    a plain command line does not need it (see :func:`parse`)."""
    import argparse

    __import__("bptui.argwords").argwords.install(argparse)  # its own words in the language

    class _Parser(argparse.ArgumentParser):
        """argparse, but a wrong option is one line like every other error (usage is on
        --help)."""

        def error(self, message: str):  # type: ignore[override]
            from bptui.visible import visible

            try:
                print(_("bptui: error: {message} (see bptui --help)",
                        message=visible(message, keep_newlines=False)), file=sys.stderr)
            except (OSError, ValueError):  # stderr cannot be written: the status says it
                pass
            raise SystemExit(2)

        def _print_message(self, message: str, file=None) -> None:
            """--help and --version: argparse ignores a failed write (exit 0, nothing shown
            on a full disk); here it is an error like any other write to standard output."""
            if not message:
                return
            out = file or sys.stderr
            try:
                out.write(message)
                out.flush()
            except (OSError, ValueError) as exc:
                from bptui import files

                if out is not sys.stdout:  # stderr: nowhere to say it, the status does
                    raise SystemExit(2) from None
                files.quiet_broken_pipe()
                raise SystemExit(fail(_("cannot write to standard output: {why}",
                                        why=files.why(exc)))) from None

        def format_help(self) -> str:
            """argparse's help, with a Chinese section title ending in a full-width colon
            (argparse writes every title followed by an ASCII one)."""
            text = super().format_help()
            for group in self._action_groups:
                title = group.title or ""
                if not title.isascii():
                    text = text.replace(f"\n{title}:\n", f"\n{title}：\n")
            return text

    class _Formatter(argparse.HelpFormatter):
        """argparse's formatter, told the terminal's width so that it does not import shutil
        for it: shutil brings bz2, lzma and zlib, milliseconds of start-up on every command."""

        def __init__(self, prog: str) -> None:
            import os

            try:
                columns = int(os.environ["COLUMNS"])
            except (KeyError, ValueError):
                try:
                    columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
                except (AttributeError, ValueError, OSError):
                    columns = 80
            super().__init__(prog, width=max(columns, 20) - 2)

    return _Parser, _Formatter


SERVE_HINT = "pip install '.[serve]' (from bptui's folder)"


def build_parser() -> argparse.ArgumentParser:
    _Parser, _Formatter = _argparse_classes()
    p = _Parser(
        prog="bptui", formatter_class=_Formatter,
        description=_("Step through backpropagation one sub-step at a time. With no option, "
        "opens the interactive screen."),
        epilog=_("SCENARIO is a path to a .toml file or the name of a built-in scenario "
        "(see --list). Exit status: 0 ok, 1 a check failed or training diverged, 2 bad input."),
    )
    p.add_argument("scenario", nargs="?", default=None,
                   help=_("scenario file or built-in name (default: {default})",
                          default=DEFAULT_SCENARIO))
    p.add_argument("--version", action="version", version=f"bptui {__version__}")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help=_("the language of messages and reports: en or zh (default: from "
                   "LANGUAGE, LC_ALL, LC_MESSAGES, LANG); --trace and JSON stay English"))
    what = p.add_argument_group(_("what to do (default: open the screen)"))
    what.add_argument("--list", action="store_true", help=_("list the built-in scenarios"))
    what.add_argument("--mistakes", action="store_true", help=_("list the mistake lab's mistakes"))
    what.add_argument("--check", action="store_true", help=_("validate and summarise the scenario"))
    what.add_argument("--trace", action="store_true",
                      help=_("print every event of the first --epochs epochs as JSON Lines"))
    what.add_argument("--train", type=_positive, metavar="N",
                      help=_("train N epochs on the fast path and print the result"))
    what.add_argument("--gradcheck", action="store_true",
                      help=_("compare backprop with central finite differences (exit 1 on a "
                      "failure)"))
    what.add_argument("--export", choices=("markdown", "json"), metavar="FORMAT",
                      help=_("write the worked example as markdown (with LaTeX) or json"))
    what.add_argument("--serve", action="store_true",
                      help=_("serve the screen to a web browser (needs textual-serve: {hint})",
                             hint=SERVE_HINT.replace('%', '%%')))
    opts = p.add_argument_group(_("options"))
    opts.add_argument("-o", "--output", metavar="FILE",
                      help=_("with --export: the file to write (default: standard output)"))
    opts.add_argument("--force", action="store_true",
                      help=_("with --export: replace FILE if it exists"))
    opts.add_argument("--host", default=None,
                      help=_("with --serve: the address to listen on (default 127.0.0.1)"))
    opts.add_argument("--port", type=_port, default=None,
                      help=_("with --serve: the port (default 8000)"))
    opts.add_argument("--epochs", type=_positive, default=None, metavar="N",
                      help=_("epochs for --trace and --export (default 1)"))
    opts.add_argument("--json", action="store_true", help=_("with --train: one JSON object"))
    opts.add_argument("--mistake", metavar="NAME",
                      help=_("switch on a mistake from the lab (see --mistakes)"))
    opts.add_argument("--quiz", metavar="KINDS", type=_quiz_kinds,
                      help=_("open the screen in quiz mode, asking these kinds of sub-step, "
                      "comma-separated (e.g. grad,update; all for every kind)"))
    opts.add_argument("--epsilon", type=_positive_float, default=None, metavar="EPS",
                      help=_("with --gradcheck: the finite-difference step (default 1e-4)"))
    opts.add_argument("--sample", type=_positive, default=None, metavar="K",
                      help=_("with --gradcheck: which sample to check (default 1)"))
    opts.add_argument("--graph", action="store_true",
                      help=_("show a layered scenario as its computational graph (a batch's "
                             "whole loss, or one sample)"))
    from bptui import compare_cli  # issue 15: --worksheet, --symbols, --compare

    compare_cli.add_arguments(what, opts, _quiz_kinds, _positive_float)
    return p


def parse(argv: Sequence[str]):
    """The command line's namespace: read directly when it is a plain one
    (:mod:`bptui.quick_args`, no argparse to import), else by argparse, whose messages,
    help and exit statuses are the reference."""
    from bptui import quick_args

    args = quick_args.parse(argv)
    return args if args is not None else build_parser().parse_args(argv)


def _type_error(message: str) -> Exception:
    """argparse's way for a type to refuse a value (argparse is loaded by then)."""
    import argparse

    return argparse.ArgumentTypeError(message)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise _type_error(_("expected a whole number, found {found}", found=repr(text))) from None
    if n < 1:
        raise _type_error(_("expected a number of at least 1, found {found}", found=n))
    return n


def _port(text: str) -> int:
    n = _positive(text)
    if n > 65535:
        raise _type_error(_("expected a port from 1 to 65535, found {found}", found=n))
    return n


def _quiz_kinds(text: str) -> frozenset[str]:
    from bptui.events import KINDS
    from bptui.quiz import parse_kinds

    if text.strip() == "all":
        return frozenset(KINDS)
    try:
        return parse_kinds(text)
    except ValueError as exc:
        raise _type_error(str(exc)) from None


def _positive_float(text: str) -> float:
    from bptui.gradcheck import EPSILON_RANGE

    try:
        x = float(text)
    except ValueError:
        raise _type_error(_("expected a number, found {found}", found=repr(text))) from None
    if not EPSILON_RANGE[0] <= x <= EPSILON_RANGE[1]:
        raise _type_error(_(
            "expected a finite-difference step from {low} to {high}, found {found} (smaller "
            "steps drown in rounding error, larger ones in the curvature)",
            low=f"{EPSILON_RANGE[0]:g}", high=f"{EPSILON_RANGE[1]:g}", found=text))
    return x



def fail(message: str) -> int:
    """Clean messages on stderr, one a line (a scenario's problems are all listed); the status
    every kind of bad input gets. Control characters from a file are written visibly."""
    from bptui.i18n import _
    from bptui.visible import visible

    for line in message.splitlines() or [""]:
        try:
            print(_("bptui: error: {message}", message=visible(line, keep_newlines=False)),
                  file=sys.stderr)
        except (OSError, ValueError):  # stderr cannot be written: the status still says it
            break
    return 2


class _ClosedOutput:
    """Standard output when the process was started with it closed (``bptui ... >&-``):
    writing to it fails as writing to a closed file does, so that a command that prints
    reports "cannot write to standard output" with status 2 (Python had set it to None, and
    every print was a traceback). A command that prints nothing is not disturbed."""

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:  # nothing is ever held back
        return None

    def fileno(self) -> int:
        raise OSError("standard output is closed")

    def isatty(self) -> bool:
        return False


def guard_standard_streams() -> None:
    """Standard output or error closed at start (``>&-``, ``2>&-``): Python leaves them as
    None, and ``print(file=None)`` writes to standard output, so an error message went into
    the JSON on standard output. A closed error stream becomes /dev/null (there is nowhere
    to say anything), a closed output stream :class:`_ClosedOutput`."""
    import os

    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()  # type: ignore[assignment]


def language_from_argv(argv: Sequence[str]) -> str | None:
    """The ``--lang`` value, read before argparse runs so that even its messages are in it."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            value = arg.partition("=")[2]
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        return value if value in LANGUAGES else None  # argparse reports a bad value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    import gc

    from bptui import codecache

    # Start-up (numpy's import and bptui's) allocates tens of thousands of objects and makes
    # no garbage cycles, yet Python's cyclic collector runs every 700 of them: about 15 million
    # instructions, a tenth of a 2-2-2 command line beyond numpy. It is off until the work
    # proper begins (:func:`start_work`), and put back as it was however main ends.
    global _collecting
    guard_standard_streams()
    _collecting = gc.isenabled()
    gc.disable()
    codecache.speed_up_dataclasses()  # before bptui's modules define their classes
    try:
        return _main(argv)
    finally:
        codecache.save()
        gc.unfreeze()  # a caller in the same process (the tests) collects as before
        if _collecting:
            gc.enable()


def run() -> int:
    """The ``bptui`` command (and ``python -m bptui``): :func:`main`, then leave the collector
    off, since the process ends next. At exit Python runs one last full collection over every
    object still alive (numpy's included) when the collector is on, about 30 million
    instructions spent looking for garbage in a process that is about to end."""
    import gc

    try:
        status = main()
    except KeyboardInterrupt:  # ctrl+c before main's own handling began (the first ms)
        status = 130
    gc.disable()
    end_now(status)  # returns only when the process must end the ordinary way
    return status


def end_now(status: int) -> None:
    """End the process at once, skipping the interpreter's teardown, when that is safe.

    Python's last step at exit frees every object one by one (numpy's modules, bptui's, the
    scenario's arrays): about 10 ms of a command line that is otherwise done, a quarter of
    the 2-2-2's ``--train 10000 --json`` beyond ``import numpy``. The operating system takes
    the whole process back at once. Everything the ordinary exit does that anyone can see is
    done first, in its order: other threads have ended (or this returns), the atexit handlers
    run (a served session removes its folder), then standard output and error are flushed
    (a failure there returns too, so that Python reports it as before). Files bptui writes are
    closed where they are written. Instagram's web servers end the same way, for the same
    reason (``atexit.register(os._exit, 0)``)."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1 or type(status) is not int or not 0 <= status <= 255:
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):  # closed, a broken pipe, a full disk
        return
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass  # where it would be reported: the status says what happened
    os._exit(status)


#: Whether the cyclic collector was on when :func:`main` began (a caller may have turned it off).
_collecting = True


def start_work() -> None:
    """The end of start-up: the cyclic collector runs again (see :func:`main`), so that a long
    --trace, --export or screen session collects its garbage as any program does. What
    start-up made is frozen first (Python's own recipe: disable early, freeze, enable):
    otherwise the first collection after this point would walk every object made so far."""
    import gc

    if _collecting and not gc.isenabled():
        gc.freeze()
        gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(language_from_argv(argv) or i18n.language_from_env())
    args = parse(argv)
    from bptui import files

    try:
        status = _dispatch(args)
        files.flush_stdout()  # a full disk is reported here, not by Python at exit
        return status
    except ScenarioError as exc:
        return fail(str(exc))
    except BptuiError as exc:
        if isinstance(exc, OutputError):
            files.quiet_broken_pipe()  # what is still buffered must not fail again at exit
        return fail(str(exc))
    except BrokenPipeError:  # `bptui --trace | head` is a normal thing to do
        files.quiet_broken_pipe()
        return 0
    except OSError as exc:  # writing to standard output failed (> /dev/full)
        files.quiet_broken_pipe()
        return fail(_("cannot write to standard output: {why}", why=files.why(exc)))
    except MemoryError:
        return fail("out of memory: the request is too large for this machine")
    except KeyboardInterrupt:
        return 130


#: The actions, and the options that mean something with each ("screen" = no action).
ACTIONS = ("list", "mistakes", "check", "trace", "train", "gradcheck", "export", "serve")
OPTIONS = {
    "epochs": ("--epochs", {"trace", "export"}),
    "json": ("--json", {"train"}),
    "output": ("--output", {"export"}),
    "force": ("--force", {"export"}),
    "host": ("--host", {"serve"}),
    "port": ("--port", {"serve"}),
    "epsilon": ("--epsilon", {"gradcheck"}),
    "sample": ("--sample", {"gradcheck"}),
    "quiz": ("--quiz", {"screen", "serve"}),
    "mistake": ("--mistake", {"trace", "train", "gradcheck", "export", "serve", "screen"}),
    "graph": ("--graph", {"check", "trace", "train", "gradcheck", "export", "screen", "serve"}),
}


def _add_compare_options() -> None:
    """Issue 15's actions and where the shared options go with them (bptui.compare_cli)."""
    global ACTIONS
    from bptui import compare_cli

    ACTIONS += compare_cli.ACTIONS
    for attr, ours in compare_cli.OPTIONS.items():
        flag, valid = OPTIONS.get(attr, ("--" + attr, set()))
        OPTIONS[attr] = (flag, valid | ours)


_add_compare_options()


def check_options(args: argparse.Namespace) -> str:
    """The one action asked for; an option that would be silently ignored is an error."""
    chosen = [a for a in ACTIONS if getattr(args, a) not in (None, False)]
    if len(chosen) > 1:
        raise BptuiError(_("choose one of {actions}: found {found}",
                           actions=", ".join("--" + a for a in ACTIONS),
                           found=_(" and ").join("--" + a for a in chosen)))
    action = chosen[0] if chosen else "screen"
    for attr, (flag, valid) in OPTIONS.items():
        if getattr(args, attr) not in (None, False) and action not in valid:
            where = _("opening the screen") if action == "screen" else f"--{action}"
            uses = ", ".join(_("the screen") if v == "screen" else f"--{v}"
                             for v in sorted(valid))
            raise BptuiError(_("{flag} means nothing with {where}; it goes with {uses}",
                               flag=flag, where=where, uses=uses))
    args.epochs = args.epochs or 1
    args.host = args.host or "127.0.0.1"
    args.port = args.port or 8000
    return action


def _dispatch(args: argparse.Namespace) -> int:
    if check_options(args) == "screen" or getattr(args, "screen", False):  # --compare --screen
        _one_blas_thread()

    if args.list:
        return _list()
    if args.mistakes:
        return _list_mistakes(args)
    if args.mistake is not None:
        from bptui import mistakes
        from bptui.graph.mistakes import MISTAKES as GRAPH_MISTAKES

        known = [*mistakes.MISTAKES, *GRAPH_MISTAKES]
    if args.mistake is not None and args.mistake not in known:
        from bptui.errors import closest

        hint = closest(args.mistake, known)
        did = _(" Did you mean '{hint}'?", hint=hint) if hint else ""
        raise BptuiError(_("unknown mistake '{name}'.{did} Mistakes: {mistakes}",
                           name=args.mistake, did=did, mistakes=", ".join(known)))
    from bptui import scenario as scn

    scenario = scn.load(DEFAULT_SCENARIO if args.scenario is None else args.scenario)
    start_work()
    # Computational graphs (bptui.graph): a [graph] file, or --graph on a layered one.
    if (args.graph or getattr(scenario, "is_graph", False)
            or (args.mistake is not None and args.mistake in GRAPH_MISTAKES)):
        from bptui.graph.cli import dispatch_scenario

        return dispatch_scenario(scenario, args)
    if args.mistake is not None:
        why_not = mistakes.MISTAKES[args.mistake].applies(scenario)
        if why_not:
            raise BptuiError(_("mistake '{name}' does not apply to {graph}: {why}",
                               name=args.mistake, graph=scenario.name, why=why_not))
    if args.check:
        print(summary(scenario))
        return 0
    if args.trace:
        return _trace(scenario, args)
    if args.train is not None:
        return _train(scenario, args)
    if args.gradcheck:
        return _gradcheck(scenario, args)
    if args.export:
        return _export(scenario, args)
    if args.serve:
        return _serve(scenario, args)
    if args.worksheet or args.symbols or args.compare:
        from bptui import compare_cli

        return compare_cli.run(scenario, args)
    return _open_screen(scenario, args)


def _one_blas_thread() -> None:
    """The screen's numpy work is small and bursty: with BLAS worker threads, a key press that
    crosses into a new epoch waits for threads waking on a busy core (p95 latency). One thread,
    set before numpy loads (the scenario loads it), unless the user chose otherwise."""
    import os

    for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")


def _list() -> int:
    from bptui import scenario as scn
    from bptui.i18n import local
    from bptui.notation import shape_words
    from bptui.visible import cells

    names = scn.builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        shape, title, title_zh, source = scn.listing(name)
        shown = shape_words(shape)
        pad = " " * max(0, 12 - cells(shown))  # a Chinese character takes two cells
        print(f"{name:<{width}}  {shown}{pad}  {local(title, title_zh)}")
        print(f"{'':<{width}}  {'':<12}  " + _("source: {source}", source=source))
    return 0


def _list_mistakes(args: argparse.Namespace) -> int:
    from bptui import mistakes

    scenario = None
    if args.scenario is not None:
        from bptui import scenario as scn

        scenario = scn.load(args.scenario)
    if getattr(scenario, "is_graph", False) or scenario is None:
        from bptui.graph.cli import list_mistakes

        if scenario is not None:
            return list_mistakes(scenario)
    for m in mistakes.MISTAKES.values():
        print(f"{m.name}: {_(m.title)}")
        print(_("    wrong:  {text}", text=_(m.wrong)))
        print(_("    right:  {text}", text=_(m.right)))
        print(_("    breaks: {text}", text=_(m.breaks)))
        print(_("    from:   {text}", text=_(m.source)))
        if scenario is not None:
            why_not = m.applies(scenario)
            print(f"    {scenario.name}: " + (_("does not apply ({why})", why=_(why_not))
                                              if why_not else _("applies")))
    if scenario is None:
        list_mistakes(None)
    return 0


def summary(s) -> str:
    """A short description of a valid scenario, for --check (in the learner's language)."""
    from bptui.i18n import language, local, ngettext
    from bptui.notation import layer_word, shape_words

    zh = language() == "zh"
    lines = [_("{path}: ok", path=s.path), _("title: {title}", title=local(s.title, s.title_zh)),
             _("shape: {shape}", shape=shape_words(s.shape))]
    if s.source:
        lines.append(_("source: {source}", source=s.source))
    for n, la in enumerate(s.layers, start=1):
        bias = {"none": _("no bias"), "shared": _("one shared bias"),
                "unit": _("a bias per unit")}[la.bias_mode]
        trained = "" if la.bias is None else (_(" (trained)") if la.train_bias else
                                              _(" (not trained)"))
        # "1 linear unit", "4 weights": plural only when plural
        units = ngettext("{n} {activation} unit", "{n} {activation} units", la.size,
                         activation=la.activation)
        weights = ngettext("{n} weight", "{n} weights", la.weights.size)
        lines.append(_("layer {layer} ({name}): {units}, {weights}, {bias}{trained}",
                       layer=n, name=layer_word(la.name), units=units, weights=weights, bias=bias,
                       trained=trained))
    if s.mode != "batch":
        mode = _("mode: {mode} (one update after each sample)", mode=s.mode)
    elif s.reduction == "sum":
        mode = _("mode: {mode} (per-sample losses summed)", mode=s.mode)
    else:
        mode = _("mode: {mode} (per-sample losses averaged)", mode=s.mode)
    lines += [
        _("parameters: {count} trained", count=f"{s.parameter_count:,}"),
        _("loss: {loss}, learning rate: {rate}, epochs: {epochs}", loss=s.loss,
          rate=f"{s.learning_rate:g}", epochs=s.epochs),
        mode,
        _("samples: {n}", n=s.samples),
        _("steps: unit by unit") if s.unit_by_unit
        else _("steps: layer by layer (too large to show unit by unit)"),
    ]
    notes = local(s.notes, s.notes_zh)
    if zh and notes:  # the English summary never showed the notes; the Chinese one does
        lines.append(_("notes:"))
        lines += ["  " + line for line in notes.strip().splitlines()]
    from bptui.visible import visible  # titles, names and paths come from the file

    return "\n".join(visible(line, keep_newlines=False) for line in lines)


def _trace(scenario, args: argparse.Namespace) -> int:
    from bptui.epochs import Outcome, checked_epochs
    from bptui.expr import FORMAT
    from bptui.jsonout import strict

    out = sys.stdout
    outcome = Outcome()  # the training paths' rule: a non-finite loss or parameter after an epoch
    for _epoch, events, _loss in checked_epochs(scenario, args.epochs, args.mistake, outcome):
        out.write("".join(strict({"format": FORMAT, **ev.as_dict()}) + "\n" for ev in events))
    if outcome.diverged_at is not None:
        _say_diverged(outcome.diverged_at)
        return 1
    return 0


def _say_diverged(epoch: int) -> None:
    print(_("bptui: training diverged at epoch {epoch}: non-finite numbers are written as null "
            "(try a smaller learning rate)", epoch=epoch), file=sys.stderr)


def _train(scenario, args: argparse.Namespace) -> int:
    """Train on the fast path. Memory stays bounded for any N: the losses are never all kept;
    with --json they are streamed into the object's "loss" array a chunk at a time."""
    import numpy as np

    from bptui import backprop as bp
    from bptui.jsonout import strict

    out = sys.stdout
    params = bp.Params.initial(scenario)
    stream = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        initial_loss = bp.dataset_loss(scenario, params)
    if args.json:
        from bptui.jsonout import FORMAT

        out.write('{"format": ' + str(FORMAT) + ', "scenario": ' + strict(scenario.name)
                  + ', "mistake": ' + strict(args.mistake) + ', "initial_loss": '
                  + strict(initial_loss) + ', "loss": [')
        first = [True]

        def stream(done: int, losses: list[float], p) -> None:
            if losses:  # finite: training hands over no loss of a diverged epoch
                text = ", ".join(map(repr, losses))
                out.write(text if first[0] else ", " + text)
                first[0] = False

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        result = bp.train(scenario, params, args.train, mistake=args.mistake, on_chunk=stream,
                          keep_losses=False)
        outputs = bp.forward(scenario, result.params, scenario.inputs).outs[-1]
    if args.json:
        out.write('], "epochs": ' + str(result.epochs_done) + ', "parameters": '
                  + strict(result.params.as_dict())
                  + ', "outputs": ' + strict(outputs.tolist())
                  + ', "diverged_at": ' + strict(result.diverged_at) + "}\n")
    else:
        from bptui.i18n import local
        from bptui.notation import fmt
        from bptui.visible import visible

        title = visible(local(scenario.title, scenario.title_zh), keep_newlines=False)
        print(_("{title}: trained {n} epochs with mistake {name}", title=title,
                n=result.epochs_done, name=args.mistake) if args.mistake
              else _("{title}: trained {n} epochs", title=title, n=result.epochs_done))
        if result.last_loss is not None:
            print(_("loss: {before} before, {after} after", before=fmt(initial_loss),
                    after=fmt(result.last_loss)))
        if scenario.samples <= 16 and outputs.shape[1] <= 8:
            for k in range(scenario.samples):
                outs = ", ".join(fmt(v) for v in outputs[k])
                tgts = ", ".join(fmt(v) for v in scenario.targets[k])
                print(_("sample {k}: out [{outs}]  target [{targets}]", k=k + 1, outs=outs,
                        targets=tgts))
    if result.diverged_at is not None:
        print(_("bptui: training diverged at epoch {epoch}: a loss, parameter or output is no "
                "longer a finite number; the last finite state is after epoch {last} (try a "
                "smaller learning rate)", epoch=result.diverged_at, last=result.diverged_at - 1),
              file=sys.stderr)
        return 1
    return 0


def _quiet_numpy():
    import numpy as np

    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _gradcheck(scenario, args: argparse.Namespace) -> int:
    from bptui import gradcheck

    if args.sample is not None and scenario.mode == "batch":
        raise BptuiError(_("--sample: {name} trains in batch mode, so the check is of the "
                           "whole batch's gradient (leave --sample out)", name=scenario.name))
    args.sample = args.sample or 1
    if args.sample > scenario.samples:
        raise BptuiError(ngettext("--sample {sample}: the scenario has {n} sample",
                                  "--sample {sample}: the scenario has {n} samples",
                                  scenario.samples, sample=args.sample))
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        report = gradcheck.check(
            scenario, sample=args.sample, mistake=args.mistake,
            epsilon=args.epsilon or gradcheck.EPSILON,
        )
    print(gradcheck.render(report))
    return 0 if report.ok else 1


def _export(scenario, args: argparse.Namespace) -> int:
    """Stream the document to stdout or to a file (atomically), never over the scenario."""
    from bptui import export, files

    outcome = export.Outcome()
    chunks = export.chunks(scenario, args.export, args.epochs, args.mistake, outcome)
    if args.output is None or args.output == "-":
        files.to_stdout(chunks)
    else:
        files.check_target(args.output, force=args.force, protect=_read_files(args))
        path = files.write(args.output, chunks, force=args.force, protect=_read_files(args))
        from bptui.visible import visible

        print(_("wrote {format} to {path}", format=args.export,
                path=visible(str(path), keep_newlines=False)), file=sys.stderr)
    if outcome.diverged_at is not None:
        _say_diverged(outcome.diverged_at)
        return 1
    return 0


def _read_files(args: argparse.Namespace) -> list[str]:
    """The files this run reads, which it must never write (the scenario, built-in or not)."""
    from pathlib import Path

    from bptui import scenario as scn

    name = args.scenario or DEFAULT_SCENARIO
    found = [name] if Path(name).exists() else []
    return found + [str(scn.BUILTIN_FOLDER / f"{name}.toml")]


def _serve(scenario, args: argparse.Namespace) -> int:
    from bptui.tui.serve import serve

    check_address(args.host, args.port)
    target = DEFAULT_SCENARIO if args.scenario is None else args.scenario
    return serve(target, scenario.title, host=args.host, port=args.port, mistake=args.mistake,
                 quiz=args.quiz, graph=bool(getattr(args, "graph", False)))


def check_address(host: str, port: int) -> None:
    """Refuse, in one line, an address --serve could not listen on: a host that is not a name
    or address, an address that is not this machine's, a port in use."""
    import errno
    import socket

    from bptui.visible import visible

    shown = visible(host, keep_newlines=False)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        raise BptuiError(_("--host {host}: not a host name or IP address", host=shown)) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BptuiError(_("--port {port}: already in use on {host} (choose another "
                                   "port, or stop what listens there)", port=port, host=shown)
                                 ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise BptuiError(_("--host {host}: not an address of this machine",
                                   host=shown)) from None
            if exc.errno == errno.EACCES:
                raise BptuiError(_("--port {port}: needs privileges (use a port above 1023)",
                                   port=port)) from None
            raise BptuiError(_("--serve: cannot listen on {host}:{port}: {why}", host=shown,
                               port=port, why=exc.strerror or exc)) from None


def _has_terminal() -> bool:
    """Whether the screen can run here: Textual reads keys from standard input and draws on
    standard error, unless a driver is named (a served session's, through TEXTUAL_DRIVER).
    Without a terminal (``bptui < /dev/null``, a cron job) it waited for ever, busy."""
    import os

    if os.environ.get("TEXTUAL_DRIVER"):
        return True
    try:
        return sys.__stdin__.isatty() and sys.__stderr__.isatty()
    except (AttributeError, ValueError, OSError):  # closed or missing
        return False


def need_terminal() -> None:
    """Before the screen opens (here and for --compare --screen): refuse where it cannot
    run (:func:`_has_terminal`)."""
    if not _has_terminal():
        raise BptuiError(_("the screen needs a terminal, and standard input or error is not "
                           "one (for scripts: --trace, --train, --export, --compare)"))


def _open_screen(scenario, args: argparse.Namespace) -> int:
    try:
        from bptui.tui.app import BackpropApp
    except ImportError as exc:  # pragma: no cover - only without the screen installed
        raise BptuiError(_("the screen is not available: {why}", why=exc)) from None
    from bptui.events import KINDS
    from bptui.quiz import default_kinds, kinds_problem

    if args.quiz == frozenset(KINDS):  # --quiz all: every kind of step this scenario makes
        args.quiz = default_kinds(scenario)
    problem = kinds_problem(scenario, args.quiz)
    if problem:
        raise BptuiError(problem)
    need_terminal()
    app = BackpropApp(scenario, mistake=args.mistake, quiz_kinds=args.quiz)
    app.run()
    if app.score_line:
        print(app.score_line)
    return app.return_code or 0
