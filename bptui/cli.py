"""The command line: open the screen, or validate, trace, train, check and export for scripts.

Only opening the screen imports Textual, so the non-interactive options start as fast as
numpy does. Every user error ends as one message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bptui import __version__
from bptui.errors import BptuiError, ScenarioError

DEFAULT_SCENARIO = "mazur_2_2_2"


class _Parser(argparse.ArgumentParser):
    """argparse, but a wrong option is one line like every other error (usage is on --help)."""

    def error(self, message: str):  # type: ignore[override]
        from bptui.visible import visible

        print(f"bptui: error: {visible(message, keep_newlines=False)} (see bptui --help)",
              file=sys.stderr)
        raise SystemExit(2)


SERVE_HINT = "pip install '.[serve]' (from bptui's folder) or pip install 'bptui[serve]'"


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="bptui",
        description="Step through backpropagation one sub-step at a time. With no option, "
        "opens the interactive screen.",
        epilog="SCENARIO is a path to a .toml file or the name of a built-in scenario "
        "(see --list). Exit status: 0 ok, 1 a check failed or training diverged, 2 bad input.",
    )
    p.add_argument("scenario", nargs="?", default=None,
                   help=f"scenario file or built-in name (default: {DEFAULT_SCENARIO})")
    p.add_argument("--version", action="version", version=f"bptui {__version__}")
    what = p.add_argument_group("what to do (default: open the screen)")
    what.add_argument("--list", action="store_true", help="list the built-in scenarios")
    what.add_argument("--mistakes", action="store_true", help="list the mistake lab's mistakes")
    what.add_argument("--check", action="store_true", help="validate and summarise the scenario")
    what.add_argument("--trace", action="store_true",
                      help="print every event of the first --epochs epochs as JSON Lines")
    what.add_argument("--train", type=_positive, metavar="N",
                      help="train N epochs on the fast path and print the result")
    what.add_argument("--gradcheck", action="store_true",
                      help="compare backprop with central finite differences (exit 1 on a "
                      "failure)")
    what.add_argument("--export", choices=("markdown", "json"), metavar="FORMAT",
                      help="write the worked example as markdown (with LaTeX) or json")
    what.add_argument("--serve", action="store_true",
                      help="serve the screen to a web browser (needs textual-serve: "
                      f"{SERVE_HINT.replace('%', '%%')})")
    opts = p.add_argument_group("options")
    opts.add_argument("-o", "--output", metavar="FILE",
                      help="with --export: the file to write (default: standard output)")
    opts.add_argument("--force", action="store_true",
                      help="with --export: replace FILE if it exists")
    opts.add_argument("--host", default=None,
                      help="with --serve: the address to listen on (default 127.0.0.1)")
    opts.add_argument("--port", type=_port, default=None,
                      help="with --serve: the port (default 8000)")
    opts.add_argument("--epochs", type=_positive, default=None, metavar="N",
                      help="epochs for --trace and --export (default 1)")
    opts.add_argument("--json", action="store_true", help="with --train: one JSON object")
    opts.add_argument("--mistake", metavar="NAME",
                      help="switch on a mistake from the lab (see --mistakes)")
    opts.add_argument("--quiz", metavar="KINDS", type=_quiz_kinds,
                      help="open the screen in quiz mode, asking these kinds of sub-step, "
                      "comma-separated (e.g. grad,update; all for every kind)")
    opts.add_argument("--epsilon", type=_positive_float, default=None, metavar="EPS",
                      help="with --gradcheck: the finite-difference step (default 1e-4)")
    opts.add_argument("--sample", type=_positive, default=None, metavar="K",
                      help="with --gradcheck: which sample to check (default 1)")
    return p


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, found {n}")
    return n


def _port(text: str) -> int:
    n = _positive(text)
    if n > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, found {n}")
    return n


def _quiz_kinds(text: str) -> frozenset[str]:
    from bptui.events import KINDS
    from bptui.quiz import parse_kinds

    if text.strip() == "all":
        return frozenset(KINDS)
    try:
        return parse_kinds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_float(text: str) -> float:
    from bptui.gradcheck import EPSILON_RANGE

    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not EPSILON_RANGE[0] <= x <= EPSILON_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"expected a finite-difference step from {EPSILON_RANGE[0]:g} to "
            f"{EPSILON_RANGE[1]:g}, found {text} (smaller steps drown in rounding error, "
            "larger ones in the curvature)")
    return x



def fail(message: str) -> int:
    """One clean message on stderr; the status every kind of bad input gets."""
    print(f"bptui: error: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from bptui import files

    try:
        status = _dispatch(args)
        files.flush_stdout()  # a full disk is reported here, not by Python at exit
        return status
    except ScenarioError as exc:
        return fail(str(exc))
    except BptuiError as exc:
        if "standard output" in str(exc):
            files.quiet_broken_pipe()  # what is still buffered must not fail again at exit
        return fail(str(exc))
    except BrokenPipeError:  # `bptui --trace | head` is a normal thing to do
        files.quiet_broken_pipe()
        return 0
    except OSError as exc:  # writing to standard output failed (> /dev/full)
        files.quiet_broken_pipe()
        return fail(f"cannot write to standard output: {files.why(exc)}")
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
}


def check_options(args: argparse.Namespace) -> str:
    """The one action asked for; an option that would be silently ignored is an error."""
    chosen = [a for a in ACTIONS if getattr(args, a) not in (None, False)]
    if len(chosen) > 1:
        raise BptuiError("choose one of --" + ", --".join(ACTIONS) + ": found "
                         + " and ".join("--" + a for a in chosen))
    action = chosen[0] if chosen else "screen"
    for attr, (flag, valid) in OPTIONS.items():
        if getattr(args, attr) not in (None, False) and action not in valid:
            where = "opening the screen" if action == "screen" else f"--{action}"
            uses = ", ".join("the screen" if v == "screen" else f"--{v}" for v in sorted(valid))
            raise BptuiError(f"{flag} means nothing with {where}; it goes with {uses}")
    args.epochs = args.epochs or 1
    args.host = args.host or "127.0.0.1"
    args.port = args.port or 8000
    return action


def _dispatch(args: argparse.Namespace) -> int:
    from bptui import mistakes

    check_options(args)

    if args.list:
        return _list()
    if args.mistakes:
        return _list_mistakes(args)
    if args.mistake is not None and args.mistake not in mistakes.MISTAKES:
        from bptui.errors import closest

        hint = closest(args.mistake, mistakes.MISTAKES)
        did = f" Did you mean '{hint}'?" if hint else ""
        raise BptuiError(
            f"unknown mistake '{args.mistake}'.{did} Mistakes: {', '.join(mistakes.MISTAKES)}"
        )
    from bptui import scenario as scn

    scenario = scn.load(args.scenario or DEFAULT_SCENARIO)
    if args.mistake is not None:
        why_not = mistakes.MISTAKES[args.mistake].applies(scenario)
        if why_not:
            raise BptuiError(f"mistake '{args.mistake}' does not apply to {scenario.name}: "
                             f"{why_not}")
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
    return _open_screen(scenario, args)


def _list() -> int:
    from bptui import scenario as scn

    names = scn.builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        s = scn.load(name)
        print(f"{name:<{width}}  {s.shape:<12}  {s.title}")
        print(f"{'':<{width}}  {'':<12}  source: {s.source}")
    return 0


def _list_mistakes(args: argparse.Namespace) -> int:
    from bptui import mistakes

    scenario = None
    if args.scenario is not None:
        from bptui import scenario as scn

        scenario = scn.load(args.scenario)
    for m in mistakes.MISTAKES.values():
        print(f"{m.name}: {m.title}")
        print(f"    wrong:  {m.wrong}")
        print(f"    right:  {m.right}")
        print(f"    breaks: {m.breaks}")
        print(f"    from:   {m.source}")
        if scenario is not None:
            why_not = m.applies(scenario)
            print(f"    {scenario.name}: " + (f"does not apply ({why_not})" if why_not
                                              else "applies"))
    return 0


def summary(s) -> str:
    """A short description of a valid scenario, for --check."""
    from bptui.visible import visible

    lines = [f"{s.path}: ok", f"title: {s.title}", f"shape: {s.shape}"]
    if s.source:
        lines.append(f"source: {s.source}")
    for n, la in enumerate(s.layers, start=1):
        bias = {"none": "no bias", "shared": "one shared bias", "unit": "a bias per unit"}[
            la.bias_mode]
        trained = "" if la.bias is None else (" (trained)" if la.train_bias else
                                              " (not trained)")
        lines.append(f"layer {n} ({la.name}): {la.size} {la.activation} units, "
                     f"{la.weights.size} weights, {bias}{trained}")
    lines += [
        f"parameters: {s.parameter_count:,} trained",
        f"loss: {s.loss}, learning rate: {s.learning_rate:g}, epochs: {s.epochs}",
        f"mode: {s.mode}" + (f" (per-sample losses {'summed' if s.reduction == 'sum' else 'averaged'})"
                             if s.mode == "batch" else " (one update after each sample)"),
        f"samples: {s.samples}",
        "steps: " + ("unit by unit" if s.unit_by_unit else "layer by layer (too large to show "
                                                              "unit by unit)"),
    ]
    return visible("\n".join(lines))


def _trace(scenario, args: argparse.Namespace) -> int:
    from bptui.export import Outcome, checked_epochs
    from bptui.jsonout import strict

    out = sys.stdout
    outcome = Outcome()
    for _, events, _loss in checked_epochs(scenario, args.epochs, args.mistake, outcome):
        out.write("".join(strict(ev.as_dict()) + "\n" for ev in events))
    if outcome.diverged_at is not None:
        _say_diverged(outcome.diverged_at)
        return 1
    return 0


def _say_diverged(epoch: int) -> None:
    print(f"bptui: training diverged at epoch {epoch}: non-finite numbers are written "
          "as null (try a smaller learning rate)", file=sys.stderr)


def _train(scenario, args: argparse.Namespace) -> int:
    import numpy as np

    from bptui import backprop as bp
    from bptui.jsonout import strict

    params = bp.Params.initial(scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        initial_loss = bp.dataset_loss(scenario, params)
        result = bp.train(scenario, params, args.train, mistake=args.mistake)
        outputs = bp.forward(scenario, result.params, scenario.inputs).outs[-1]
    if args.json:
        print(strict({
            "scenario": scenario.name,
            "mistake": args.mistake,
            "epochs": len(result.losses),
            "initial_loss": initial_loss,
            "loss": result.losses,
            "parameters": result.params.as_dict(),
            "outputs": outputs.tolist(),
            "diverged_at": result.diverged_at,
        }))
    else:
        from bptui.notation import fmt

        losses = result.losses
        print(f"{scenario.title}: trained {len(losses)} epochs"
              + (f" with mistake {args.mistake}" if args.mistake else ""))
        if losses:
            print(f"loss: {fmt(initial_loss)} before,"
                  f" {fmt(losses[-1])} after")
        if scenario.samples <= 16 and outputs.shape[1] <= 8:
            for k in range(scenario.samples):
                outs = ", ".join(fmt(v) for v in outputs[k])
                tgts = ", ".join(fmt(v) for v in scenario.targets[k])
                print(f"sample {k + 1}: out [{outs}]  target [{tgts}]")
    if result.diverged_at is not None:
        print(f"bptui: training diverged at epoch {result.diverged_at}: the loss is no longer a "
              f"finite number; the last finite state is after epoch {result.diverged_at - 1} "
              "(try a smaller learning rate)", file=sys.stderr)
        return 1
    return 0


def _gradcheck(scenario, args: argparse.Namespace) -> int:
    from bptui import gradcheck

    if args.sample is not None and scenario.mode == "batch":
        raise BptuiError(f"--sample: {scenario.name} trains in batch mode, so the check is of "
                         "the whole batch's gradient (leave --sample out)")
    args.sample = args.sample or 1
    if args.sample > scenario.samples:
        raise BptuiError(f"--sample {args.sample}: the scenario has {scenario.samples} "
                         "sample(s)")
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

        print(f"wrote {args.export} to {visible(str(path), keep_newlines=False)}",
              file=sys.stderr)
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
    import shlex
    from pathlib import Path

    try:
        from textual_serve.server import Server
    except ImportError:
        raise BptuiError(f"--serve needs textual-serve: {SERVE_HINT}") from None
    check_address(args.host, args.port)
    target = args.scenario or DEFAULT_SCENARIO
    if Path(target).exists():
        target = str(Path(target).resolve())
    command = [sys.executable, "-m", "bptui", target]
    if args.mistake:
        command += ["--mistake", args.mistake]
    if args.quiz:
        command += ["--quiz", ",".join(sorted(args.quiz))]
    from bptui.visible import visible

    title = visible(scenario.title, keep_newlines=False)
    print(f"bptui: serving {title} at http://{args.host}:{args.port} "
          "(Ctrl+C to stop)", flush=True)
    try:
        Server(shlex.join(command), host=args.host, port=args.port,
               title=f"bptui: {title}").serve()
    except OSError as exc:
        raise BptuiError(f"--serve: cannot listen on {args.host}:{args.port}: "
                         f"{exc.strerror or exc}") from None
    return 0


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
        raise BptuiError(f"--host {shown}: not a host name or IP address") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BptuiError(f"--port {port}: already in use on {shown} (choose another "
                                 "port, or stop what listens there)") from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise BptuiError(f"--host {shown}: not an address of this machine") from None
            if exc.errno == errno.EACCES:
                raise BptuiError(f"--port {port}: needs privileges (use a port above 1023)"
                                 ) from None
            raise BptuiError(f"--serve: cannot listen on {shown}:{port}: "
                             f"{exc.strerror or exc}") from None


def _open_screen(scenario, args: argparse.Namespace) -> int:
    try:
        from bptui.tui.app import BackpropApp
    except ImportError as exc:  # pragma: no cover - only without the screen installed
        raise BptuiError(f"the screen is not available: {exc}") from None
    app = BackpropApp(scenario, mistake=args.mistake, quiz_kinds=args.quiz)
    app.run()
    if app.score_line:
        print(app.score_line)
    return app.return_code or 0
