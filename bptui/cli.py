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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bptui", formatter_class=_Formatter,
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
                      help="serve the screen to a web browser (needs bptui[serve])")
    opts = p.add_argument_group("options")
    opts.add_argument("-o", "--output", metavar="FILE",
                      help="with --export: the file to write (default: standard output)")
    opts.add_argument("--force", action="store_true",
                      help="with --export: replace FILE if it exists")
    opts.add_argument("--host", default=None,
                      help="with --serve: the address to listen on (default 127.0.0.1)")
    opts.add_argument("--port", type=_positive, default=None,
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
    opts.add_argument("--graph", action="store_true",
                      help="show a layered scenario as its computational graph (one sample)")
    from bptui import compare_cli  # issue 15: --worksheet, --symbols, --compare

    compare_cli.add_arguments(what, opts, _quiz_kinds, _positive_float)
    return p


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal's width so that it does not import shutil for
    it: shutil brings bz2, lzma and zlib, milliseconds of start-up on every command."""

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


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, found {n}")
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
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found {text!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, found {text}")
    return x


def fail(message: str) -> int:
    """Clean messages on stderr, one a line (a scenario's problems are all listed); the status
    every kind of bad input gets. Control characters from a file are written visibly."""
    from bptui.visible import visible

    for line in message.splitlines() or [""]:
        print(f"bptui: error: {visible(line, keep_newlines=False)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ScenarioError as exc:
        return fail(str(exc))
    except BptuiError as exc:
        return fail(str(exc))
    except BrokenPipeError:  # `bptui --trace | head` is a normal thing to do
        sys.stderr.close()
        return 0
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
    "graph": ("--graph", {"check", "trace", "train", "gradcheck", "export"}),
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
    if check_options(args) == "screen":
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
        did = f" Did you mean '{hint}'?" if hint else ""
        raise BptuiError(
            f"unknown mistake '{args.mistake}'.{did} Mistakes: {', '.join(known)}"
        )
    from bptui import scenario as scn

    scenario = scn.load(DEFAULT_SCENARIO if args.scenario is None else args.scenario)
    # Computational graphs (bptui.graph): a [graph] file, or --graph on a layered one.
    if (args.graph or getattr(scenario, "is_graph", False)
            or (args.mistake is not None and args.mistake in GRAPH_MISTAKES)):
        from bptui.graph.cli import dispatch_scenario

        return dispatch_scenario(scenario, args)
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

    names = scn.builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        shape, title, source = scn.listing(name)
        print(f"{name:<{width}}  {shape:<12}  {title}")
        print(f"{'':<{width}}  {'':<12}  source: {source}")
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
        print(f"{m.name}: {m.title}")
        print(f"    wrong:  {m.wrong}")
        print(f"    right:  {m.right}")
        print(f"    breaks: {m.breaks}")
        print(f"    from:   {m.source}")
        if scenario is not None:
            why_not = m.applies(scenario)
            print(f"    {scenario.name}: " + (f"does not apply ({why_not})" if why_not
                                              else "applies"))
    if scenario is None:
        list_mistakes(None)
    return 0


def summary(s) -> str:
    """A short description of a valid scenario, for --check."""
    lines = [f"{s.path}: ok", f"title: {s.title}", f"shape: {s.shape}"]
    if s.title_zh:
        lines.insert(2, f"title_zh: {s.title_zh}")
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
    from bptui.visible import visible  # titles, names and paths come from the file

    return "\n".join(visible(line, keep_newlines=False) for line in lines)


def _trace(scenario, args: argparse.Namespace) -> int:
    import json
    import math

    import numpy as np

    from bptui import backprop as bp
    from bptui.engine import epoch_events
    from bptui.expr import FORMAT

    out = sys.stdout
    diverged: int | None = None
    params = bp.Params.initial(scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(1, args.epochs + 1):
            result = epoch_events(scenario, params, epoch, args.mistake)
            for ev in result.events:
                data = {"format": FORMAT, **ev.as_dict()}
                try:
                    line = json.dumps(data, ensure_ascii=False, allow_nan=False)
                except ValueError:  # a non-finite number: strict JSON has no spelling for it
                    line = json.dumps(_finite_or_null(data), ensure_ascii=False,
                                      allow_nan=False)
                out.write(line)
                out.write("\n")
            params = result.params
            # the training paths' rule (bptui.training): after the epoch, a non-finite dataset
            # loss or parameter is divergence; an inf inside a step (a net overflowing under
            # tanh, say) is not, when the epoch ends finite
            if diverged is None and not (
                    math.isfinite(bp.dataset_loss(scenario, params)) and params.finite()):
                diverged = epoch
    if diverged is not None:
        print(f"bptui: training diverged at epoch {diverged}: non-finite numbers are written "
              "as null (try a smaller learning rate)", file=sys.stderr)
        return 1
    return 0


def _finite_or_null(value):
    """JSON-ready data with every inf and nan replaced by null."""
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite_or_null(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite_or_null(v) for k, v in value.items()}
    return value


def _train(scenario, args: argparse.Namespace) -> int:
    """Train on the fast path. Memory stays bounded for any N: the losses are never all kept;
    with --json they are streamed into the object's "loss" array a chunk at a time."""
    import math

    from bptui import backprop as bp

    out = sys.stdout
    params = bp.Params.initial(scenario)
    with _quiet_numpy():  # an overflow is reported as a number (null), never as a warning
        initial_loss = bp.dataset_loss(scenario, params)
    stream = None
    if args.json:
        import json

        def number(x: float) -> str:  # strict JSON: null for a non-finite number
            return repr(x) if math.isfinite(x) else "null"

        from bptui.expr import FORMAT

        out.write('{"format": ' + str(FORMAT) + ', "scenario": ' + json.dumps(scenario.name) + ', "mistake": '
                  + json.dumps(args.mistake) + ', "initial_loss": ' + number(initial_loss)
                  + ', "loss": [')
        first = [True]

        def stream(done: int, losses: list[float], p) -> None:
            if losses:  # finite: training hands over no loss of a diverged epoch
                text = ", ".join(map(repr, losses))
                out.write(text if first[0] else ", " + text)
                first[0] = False

    result = bp.train(scenario, params, args.train, mistake=args.mistake, on_chunk=stream,
                      keep_losses=False)
    with _quiet_numpy():
        outputs = bp.forward(scenario, result.params, scenario.inputs).outs[-1]
    if args.json:
        import json

        out.write('], "epochs": ' + str(result.epochs_done) + ', "parameters": '
                  + json.dumps(_finite_or_null(result.params.as_dict()))
                  + ', "outputs": ' + json.dumps(_finite_or_null(outputs.tolist()))
                  + ', "diverged_at": ' + json.dumps(result.diverged_at) + "}\n")
    else:
        from bptui.notation import fmt

        print(f"{scenario.title}: trained {result.epochs_done} epochs"
              + (f" with mistake {args.mistake}" if args.mistake else ""))
        if result.last_loss is not None:
            print(f"loss: {fmt(initial_loss)} before,"
                  f" {fmt(result.last_loss)} after")
        if scenario.samples <= 16 and outputs.shape[1] <= 8:
            for k in range(scenario.samples):
                outs = ", ".join(fmt(v) for v in outputs[k])
                tgts = ", ".join(fmt(v) for v in scenario.targets[k])
                print(f"sample {k + 1}: out [{outs}]  target [{tgts}]")
    if result.diverged_at is not None:
        print(f"bptui: training diverged at epoch {result.diverged_at}: a loss, parameter or "
              f"output is no longer a finite number; the last finite state is after epoch "
              f"{result.diverged_at - 1} (try a smaller learning rate)", file=sys.stderr)
        return 1
    return 0


def _quiet_numpy():
    import numpy as np

    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _gradcheck(scenario, args: argparse.Namespace) -> int:
    from bptui import gradcheck

    if args.sample is not None and scenario.mode == "batch":
        raise BptuiError(f"--sample: {scenario.name} trains in batch mode, so the check is of "
                         "the whole batch's gradient (leave --sample out)")
    args.sample = args.sample or 1
    if args.sample > scenario.samples:
        raise BptuiError(f"--sample {args.sample}: the scenario has {scenario.samples} "
                         "sample(s)")
    report = gradcheck.check(
        scenario, sample=args.sample, mistake=args.mistake,
        epsilon=args.epsilon or gradcheck.EPSILON,
    )
    print(gradcheck.render(report))
    return 0 if report.ok else 1


def _export(scenario, args: argparse.Namespace) -> int:
    from bptui import export

    text = export.render(scenario, args.export, args.epochs, args.mistake)
    if args.output is None or args.output == "-":
        sys.stdout.write(text)
        return 0
    path = export.write(args.output, text, force=args.force)
    print(f"wrote {args.export} to {path}", file=sys.stderr)
    return 0


def _serve(scenario, args: argparse.Namespace) -> int:
    from bptui.tui.serve import serve

    target = DEFAULT_SCENARIO if args.scenario is None else args.scenario
    return serve(target, scenario.title, host=args.host, port=args.port, mistake=args.mistake,
                 quiz=args.quiz)


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
