"""What the command line does with a graph scenario: check, trace, train, gradcheck, export.

bptui/cli.py dispatches here when the scenario has a [graph] table (or --graph turned a
layered one into its graph); the options mean the same as for a layered network.
"""

from __future__ import annotations

import argparse
import json
import sys

from bptui.errors import BptuiError
from bptui.graph import engine, steps
from bptui.graph.mistakes import MISTAKES
from bptui.graph.model import GraphScenario
from bptui.notation import fmt
from bptui.visible import visible


def mistake_problem(graph: GraphScenario, name: str | None) -> str | None:
    """Why the mistake ``name`` cannot be switched on for this graph, or None."""
    if name is None:
        return None
    if name not in MISTAKES:
        from bptui.mistakes import MISTAKES as LAYERED

        if name in LAYERED:
            return (f"mistake '{name}' is a mistake of layered networks (net, out, δ); "
                    f"{visible(graph.name, keep_newlines=False)} is a computational graph. "
                    f"Graph mistakes: {', '.join(MISTAKES)}")
        return f"unknown mistake '{name}'. Graph mistakes: {', '.join(MISTAKES)}"
    why = MISTAKES[name].applies(graph)
    if why:
        return (f"mistake '{name}' does not apply to "
                f"{visible(graph.name, keep_newlines=False)}: {why}")
    return None


#: A graph's export is built in memory whole (about 1.3 kB a step): at most this many steps.
MAX_EXPORT_STEPS = 100_000


def refuse_a_long_export(graph: GraphScenario, epochs: int, mistake: str | None) -> None:
    """Refuse up front an export whose document would not fit in a bounded memory (issue 13:
    no request may grow memory without bound; --trace streams any number of epochs)."""
    per_epoch = len(steps.epoch_events(graph, engine.GraphParams.initial(graph), 1,
                                       mistake).events)
    if per_epoch * epochs > MAX_EXPORT_STEPS:
        raise BptuiError(f"--epochs {epochs}: a graph's export is built in memory whole, at "
                         f"most {MAX_EXPORT_STEPS:,} steps; {per_epoch} steps an epoch allow "
                         f"at most {MAX_EXPORT_STEPS // per_epoch:,} epochs (--trace streams "
                         "any number)")


def dispatch(graph: GraphScenario, args: argparse.Namespace) -> int:
    problem = mistake_problem(graph, args.mistake)
    if problem:
        raise BptuiError(problem)
    if getattr(args, "sample", None) is not None:
        raise BptuiError("--sample: a graph has no samples (its leaves are its inputs); leave "
                         "--sample out")
    if (args.trace or args.export) and args.epochs > 1 and not graph.trained:
        raise BptuiError(f"--epochs {args.epochs}: {visible(graph.name, keep_newlines=False)} "
                         "has no [training] table, so it has one forward and one backward "
                         "pass only")
    if args.check:
        print(summary(graph))
        return 0
    if args.trace:
        return trace(graph, args.epochs, args.mistake)
    if args.train is not None:
        return train(graph, args.train, args.mistake, args.json)
    if args.gradcheck:
        from bptui.gradcheck import EPSILON
        from bptui.graph import check

        report = check.check(graph, mistake=args.mistake, epsilon=args.epsilon or EPSILON)
        print(check.render(report, graph))
        return 0 if report.ok else 1
    if args.export:
        from bptui import export as layered_export
        from bptui.graph import export

        refuse_a_long_export(graph, args.epochs, args.mistake)
        text = export.render(graph, args.export, args.epochs, args.mistake)
        if args.output is None or args.output == "-":
            sys.stdout.write(text)
            return 0
        path = layered_export.write(args.output, text, force=args.force)
        print(f"wrote {args.export} to {path}", file=sys.stderr)
        return 0
    for flag in ("serve", "worksheet", "symbols", "compare"):
        if getattr(args, flag, None):
            raise BptuiError(f"--{flag} does not work on computational graphs yet: use the "
                             "screen, --check, --trace, --train N, --gradcheck or --export")
    from bptui.cli import _open_screen

    return _open_screen(graph, args)


def summary(g: GraphScenario) -> str:
    """A short description of a valid graph, for --check."""
    from bptui.graph.ops import node_tree
    from bptui.graph.tree import Num, Sym, text

    v = lambda s: visible(s, keep_newlines=False)  # noqa: E731
    lines = [f"{v(g.path)}: ok", f"title: {v(g.title)}", f"shape: {g.shape}"]
    if g.source:
        lines.append(f"source: {v(g.source)}")
    lines.append("leaves: " + ", ".join(f"{k} = {fmt(x)}" for k, x in g.leaves.items()))
    for n in g.nodes:
        rule = text(node_tree(n.op, [Sym(i, 0.0) if isinstance(i, str) else Num(float(i))
                                     for i in n.inputs]))
        lines.append(f"node {n.name} = {rule}" + ("  (staged)" if n.staged else ""))
    lines.append(f"output: {g.output}")
    shared = [f"{n} ({len(g.uses(n))} uses)" for n in [*g.leaves, *(x.name for x in g.nodes)]
              if len(g.uses(n)) > 1]
    lines.append("used more than once: " + (", ".join(shared) if shared else "nothing"))
    if g.trained:
        lines.append(f"training: learning rate {fmt(g.learning_rate)}, epochs {g.epochs}, "
                     f"trains {', '.join(g.train) or 'nothing'}")
    else:
        lines.append("training: none (one forward and one backward pass)")
    return "\n".join(lines)


def trace(graph: GraphScenario, epochs: int, mistake: str | None) -> int:
    from bptui.jsonout import FORMAT
    from bptui.jsonout import finite_or_null as _finite_or_null

    diverged = None
    for ev in steps.iter_epochs(graph, epochs, mistake):
        data = {"format": FORMAT, **ev.as_dict()}
        try:
            line = json.dumps(data, ensure_ascii=False, allow_nan=False)
        except ValueError:
            diverged = diverged or ev.epoch
            line = json.dumps(_finite_or_null(data), ensure_ascii=False, allow_nan=False)
        sys.stdout.write(line + "\n")
    if diverged is not None:
        print(f"bptui: training diverged at epoch {diverged}: non-finite numbers are written "
              "as null (try a smaller learning rate)", file=sys.stderr)
        return 1
    return 0


def train(graph: GraphScenario, epochs: int, mistake: str | None, as_json: bool) -> int:
    if not graph.trained:
        raise BptuiError(f"--train: {visible(graph.name, keep_newlines=False)} has no "
                         "[training] table (learning_rate, epochs, train)")
    from bptui.graph.mistakes import MISTAKES as GM

    params = engine.GraphParams.initial(graph)
    before = engine.output(graph, params)
    stream = None
    if as_json:  # the outputs streamed a chunk at a time: memory does not grow with epochs
        from bptui.jsonout import FORMAT, strict

        out = sys.stdout
        out.write('{"format": ' + str(FORMAT) + ', "scenario": ' + json.dumps(graph.name)
                  + ', "mistake": ' + json.dumps(mistake) + ', "initial_output": '
                  + strict(before) + ', "output": [')
        sep = [""]

        def stream(done: int, outputs: list[float], p) -> None:
            out.write(sep[0] + ", ".join(map(repr, outputs)))
            sep[0] = ", "

    result = engine.train(graph, params, epochs, mistake=GM[mistake] if mistake else None,
                          on_chunk=stream, keep_losses=False)
    if as_json:
        out.write('], "epochs": ' + str(result.epochs_done) + ', "leaves": '
                  + strict(result.params.as_dict()) + ', "diverged_at": '
                  + strict(result.diverged_at) + "}\n")
    else:
        print(f"{visible(graph.title, keep_newlines=False)}: trained {result.epochs_done} "
              "epochs" + (f" with mistake {mistake}" if mistake else ""))
        if result.last is not None:
            print(f"{graph.output}: {fmt(before)} before, {fmt(result.last)} after")
        for leaf in graph.train:
            print(f"{leaf} = {fmt(result.params.values[leaf])}")
    if result.diverged_at is not None:
        print(f"bptui: training diverged at epoch {result.diverged_at}: the output is no "
              f"longer a finite number; the last finite state is after epoch "
              f"{result.diverged_at - 1} (try a smaller learning rate)", file=sys.stderr)
        return 1
    return 0


def dispatch_scenario(scenario, args: argparse.Namespace) -> int:
    """The command line's entry: a graph scenario, or a layered one with --graph (or with a
    graph mistake, which is refused with the reason)."""
    if not getattr(scenario, "is_graph", False):
        if not args.graph:
            raise BptuiError(f"mistake '{args.mistake}' is a mistake of computational graphs; "
                             f"{visible(scenario.name, keep_newlines=False)} is a layered "
                             "network (use a [graph] scenario, or add --graph)")
        from bptui.graph.convert import from_layered

        scenario = from_layered(scenario)
    return dispatch(scenario, args)


def list_mistakes(graph: GraphScenario | None) -> int:
    """--mistakes: the graph lab's entries (and, for a graph, which apply to it)."""
    if graph is None:
        print("mistakes of computational graphs ([graph] scenarios, or --graph):")
    for m in MISTAKES.values():
        print(f"{m.name}: {m.title}")
        print(f"    wrong:  {m.wrong}")
        print(f"    right:  {m.right}")
        print(f"    breaks: {m.breaks}")
        print(f"    from:   {m.source}")
        if graph is not None:
            why_not = m.applies(graph)
            print(f"    {visible(graph.name, keep_newlines=False)}: "
                  + (f"does not apply ({why_not})" if why_not else "applies"))
    return 0
