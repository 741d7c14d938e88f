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
from bptui.i18n import _, local
from bptui.notation import fmt, shape_words
from bptui.visible import visible


def mistake_problem(graph: GraphScenario, name: str | None) -> str | None:
    """Why the mistake ``name`` cannot be switched on for this graph, or None."""
    if name is None:
        return None
    if name not in MISTAKES:
        from bptui.mistakes import MISTAKES as LAYERED

        if name in LAYERED:
            return _("mistake '{name}' is a mistake of layered networks (net, out, δ); "
                     "{graph} is a computational graph. Graph mistakes: {mistakes}", name=name,
                     graph=visible(graph.name, keep_newlines=False), mistakes=", ".join(MISTAKES))
        return _("unknown mistake '{name}'. Graph mistakes: {mistakes}", name=name,
                 mistakes=", ".join(MISTAKES))
    why = MISTAKES[name].applies(graph)
    if why:
        return _("mistake '{name}' does not apply to {graph}: {why}", name=name,
                 graph=visible(graph.name, keep_newlines=False), why=_(why))
    return None


#: A graph's export is built in memory whole (about 1.3 kB a step): at most this many steps.
MAX_EXPORT_STEPS = 100_000


def refuse_a_long_export(graph: GraphScenario, epochs: int, mistake: str | None) -> None:
    """Refuse up front an export whose document would not fit in a bounded memory (issue 13:
    no request may grow memory without bound; --trace streams any number of epochs)."""
    per_epoch = len(steps.epoch_events(graph, engine.GraphParams.initial(graph), 1,
                                       mistake).events)
    if per_epoch * epochs > MAX_EXPORT_STEPS:
        raise BptuiError(_("--epochs {epochs}: a graph's export is built in memory whole, at "
                           "most {most} steps; {per_epoch} steps an epoch allow at most "
                           "{epochs_most} epochs (--trace streams any number)", epochs=epochs,
                           most=f"{MAX_EXPORT_STEPS:,}", per_epoch=per_epoch,
                           epochs_most=f"{MAX_EXPORT_STEPS // per_epoch:,}"))


def dispatch(graph: GraphScenario, args: argparse.Namespace) -> int:
    problem = mistake_problem(graph, args.mistake)
    if problem:
        raise BptuiError(problem)
    if getattr(args, "sample", None) is not None:
        raise BptuiError(_("--sample: a graph has no samples (its leaves are its inputs); "
                           "leave --sample out"))
    if (args.trace or args.export or args.worksheet) and args.epochs > 1 and not graph.trained:
        raise BptuiError(_("--epochs {epochs}: {graph} has no [training] table, so it has one "
                           "forward and one backward pass only", epochs=args.epochs,
                           graph=visible(graph.name, keep_newlines=False)))
    from bptui.graph.convert import shown_note

    note = shown_note(graph)  # a layered scenario's graph of one sample out of several
    if note is not None and not args.check:
        print(visible(_("bptui: note: {note}", note=note), keep_newlines=False),
              file=sys.stderr)
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
        print(_("wrote {format} to {path}", format=args.export, path=path), file=sys.stderr)
        return 0
    if args.worksheet or args.symbols or args.compare:
        from bptui import compare_cli  # the same worksheets and marking as layered networks

        return compare_cli.run(graph, args)
    if args.serve:  # the same screen in a browser: each viewer's process opens the graph
        from bptui.cli import _serve

        return _serve(graph, args)
    from bptui.cli import _open_screen

    return _open_screen(graph, args)


def summary(g: GraphScenario) -> str:
    """A short description of a valid graph, for --check."""
    from bptui.graph.ops import node_tree
    from bptui.graph.tree import Num, Sym, text

    v = lambda s: visible(s, keep_newlines=False)  # noqa: E731
    lines = [_("{path}: ok", path=v(g.path)), _("title: {title}", title=v(local(g.title, g.title_zh))),
             _("shape: {shape}", shape=shape_words(g.shape))]
    if g.source:
        lines.append(_("source: {source}", source=v(g.source)))
    lines.append(_("leaves: {leaves}", leaves=", ".join(f"{k} = {fmt(x)}"
                                                         for k, x in g.leaves.items())))
    for n in g.nodes:
        rule = text(node_tree(n.op, [Sym(i, 0.0) if isinstance(i, str) else Num(float(i))
                                     for i in n.inputs]))
        lines.append(_("node {name} = {rule}  (staged)", name=n.name, rule=rule) if n.staged
                     else _("node {name} = {rule}", name=n.name, rule=rule))
    lines.append(_("output: {output}", output=g.output))
    from bptui.graph.convert import shown_note

    note = shown_note(g)
    if note is not None:
        lines.append(_("shown: {note}", note=note))
    shared = [_("{name} ({n} uses)", name=n, n=len(g.uses(n)))
              for n in [*g.leaves, *(x.name for x in g.nodes)] if len(g.uses(n)) > 1]
    lines.append(_("used more than once: {values}", values=_(", ").join(shared)) if shared
                 else _("used more than once: nothing"))
    if g.trained:
        lines.append(_("training: learning rate {eta}, epochs {epochs}, trains {leaves}",
                       eta=fmt(g.learning_rate), epochs=g.epochs,
                       leaves=", ".join(g.train) or _("nothing")))
    else:
        lines.append(_("training: none (one forward and one backward pass)"))
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
        print(_("bptui: training diverged at epoch {epoch}: non-finite numbers are written "
                "as null (try a smaller learning rate)", epoch=diverged), file=sys.stderr)
        return 1
    return 0


def train(graph: GraphScenario, epochs: int, mistake: str | None, as_json: bool) -> int:
    if not graph.trained:
        raise BptuiError(_("--train: {graph} has no [training] table (learning_rate, epochs, "
                           "train)", graph=visible(graph.name, keep_newlines=False)))
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
        said = dict(title=visible(local(graph.title, graph.title_zh), keep_newlines=False),
                    n=result.epochs_done, mistake=mistake)
        print(_("{title}: trained {n} epochs with mistake {mistake}", **said) if mistake
              else _("{title}: trained {n} epochs", **said))
        if result.last is not None:
            print(_("{output}: {before} before, {after} after", output=graph.output,
                    before=fmt(before), after=fmt(result.last)))
        for leaf in graph.train:
            print(f"{leaf} = {fmt(result.params.values[leaf])}")
    if result.diverged_at is not None:
        print(_("bptui: training diverged at epoch {epoch}: the output is no longer a finite "
                "number; the last finite state is after epoch {last} (try a smaller learning "
                "rate)", epoch=result.diverged_at, last=result.diverged_at - 1), file=sys.stderr)
        return 1
    return 0


def dispatch_scenario(scenario, args: argparse.Namespace) -> int:
    """The command line's entry: a graph scenario, or a layered one with --graph (or with a
    graph mistake, which is refused with the reason)."""
    if not getattr(scenario, "is_graph", False):
        if not args.graph:
            raise BptuiError(_("mistake '{name}' is a mistake of computational graphs; {net} "
                               "is a layered network (use a [graph] scenario, or add --graph)",
                               name=args.mistake, net=visible(scenario.name, keep_newlines=False)))
        from bptui.graph.convert import from_layered

        scenario = from_layered(scenario)
    return dispatch(scenario, args)


def list_mistakes(graph: GraphScenario | None) -> int:
    """--mistakes: the graph lab's entries (and, for a graph, which apply to it)."""
    if graph is None:
        print(_("mistakes of computational graphs ([graph] scenarios, or --graph):"))
    for m in MISTAKES.values():
        print(f"{m.name}: {_(m.title)}")
        print(_("    wrong:  {text}", text=_(m.wrong)))
        print(_("    right:  {text}", text=_(m.right)))
        print(_("    breaks: {text}", text=_(m.breaks)))
        print(_("    from:   {text}", text=_(m.source)))
        if graph is not None:
            why_not = m.applies(graph)
            print(f"    {visible(graph.name, keep_newlines=False)}: "
                  + (_("does not apply ({why})", why=_(why_not)) if why_not else _("applies")))
    return 0
