"""A graph's worked example as Markdown (LaTeX rendered from each step's tree) or JSON."""

from __future__ import annotations

import json
import re

from bptui.events import shown_why
from bptui.export import PHASE_HEADINGS, _md_escape, _table
from bptui.graph import engine, steps
from bptui.graph.model import GraphScenario
from bptui.graph.tree import latex
from bptui.i18n import N_, _, local
from bptui.notation import fmt

#: The kinds of step (bptui.graph.steps.GRAPH_KINDS) as the export's step headings say them.
KIND_WORDS = {"node": N_("node"), "local": N_("local"), "chain": N_("chain"),
              "grad": N_("grad"), "update": N_("update")}
_LATEX_D = re.compile(r"^d([^/]+)/d([^|]+?)(?:\|(.+))?$")


def tex_name(name: str) -> str:
    """n1 -> n_{1}, w0 -> w_{0}, net_h1 -> \\mathrm{net}_{h1}, dL/da|n1 -> ∂L/∂a via n1."""
    if name == "eta":
        return r"\eta"
    m = _LATEX_D.match(name)
    if m:
        frac = r"\frac{\partial " + tex_name(m.group(1)) + r"}{\partial " + \
            tex_name(m.group(2)) + "}"
        via = m.group(3)
        if via is None:
            return frac
        if via == "local":
            return frac + r"\big|_{\text{local}}"
        return frac + r"\Big|_{\text{via } " + _plain(via) + "}"
    if name.endswith("+"):
        return tex_name(name[:-1]) + "^{+}"
    base, _, index = name.partition(".")
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
    if m:
        out = f"{m.group(1)}_{{{m.group(2)}}}" if len(m.group(1)) == 1 else \
            r"\mathrm{" + m.group(1) + "}_{" + m.group(2) + "}"
    elif "_" in base:
        head, sub = base.split("_", 1)
        out = (head if len(head) == 1 else r"\mathrm{" + head + "}") + "_{" + _plain(sub) + "}"
    else:
        out = base if len(base) == 1 else r"\mathrm{" + _plain(base) + "}"
    return out + (f"^{{({index})}}" if index else "")


def _num(x: float) -> str:
    s = fmt(x)
    if "e" in s:
        mant, exp = s.split("e")
        return mant + r"\times 10^{" + str(int(exp)) + "}"
    return s.replace("∞", r"\infty")


def _plain(s: str) -> str:
    return re.sub(r"([_{}$&#%^\\])", r"\\\1", s)


def event_markdown(ev) -> list[str]:
    head = f"**{ev.position + 1}. {_(KIND_WORDS[ev.kind])}: `{ev.symbol}`**"
    tex = (f"{tex_name(ev.symbol)} = {latex(ev.tree, show=tex_name)} = "
           f"{latex(ev.tree, numbers=True)} = {_num(ev.value)}")
    lines = [head, "", f"$${tex}$$", ""]
    if ev.mistake is not None:
        lines += [_("> **Mistake `{name}`:** the step above is the buggy one. Correct "
                    "backpropagation computes {right}", name=ev.mistake,
                    right=f"{_md_escape(ev.correct_equation)} = {fmt(ev.correct_value)}"), ""]
    if ev.why:
        lines += [_("*{why}.*", why=_md_escape(shown_why(ev))), ""]
    return lines


def _epochs(graph: GraphScenario, epochs: int, mistake: str | None):
    params = engine.GraphParams.initial(graph)
    for e in range(1, epochs + 1):
        result = steps.epoch_events(graph, params, e, mistake)
        params = result.params
        yield e, result.events, engine.output(graph, params)


def markdown(graph: GraphScenario, epochs: int = 1, mistake: str | None = None) -> str:
    g = graph
    # the whole document passes visible() at the end
    lines = [f"# {_md_escape(local(g.title, g.title_zh))}", ""]
    if g.source:
        lines += [_("Source: {source}", source=_md_escape(g.source)), ""]
    notes = local(g.notes, g.notes_zh).strip()
    if notes:
        lines += [_md_escape(notes), ""]
    if mistake:
        from bptui.graph.mistakes import MISTAKES

        m = MISTAKES[mistake]
        lines += [_("> **Mistake lab: `{name}`** ({title}). Wrong: {wrong}. Right: {right}. It "
                    "breaks {breaks}.", name=mistake, title=_(m.title),
                    wrong=_md_escape(_(m.wrong)), right=_md_escape(_(m.right)),
                    breaks=_md_escape(_(m.breaks))), ""]
    lines += [_("## The graph"), "", "```", _md_code(g.expression.strip()), "```", ""]
    lines += _table([_("leaf"), _("value"), _("trained")],
                    [[f"`{k}`", fmt(v), _("yes") if k in g.train else _("no")]
                     for k, v in g.leaves.items()])
    if g.trained:
        lines += [_("Gradient descent on the output `{output}`: learning rate η = {eta}.",
                    output=g.output, eta=fmt(g.learning_rate)), ""]
    outputs = []
    for e, events, out in _epochs(g, epochs, mistake):
        lines += [_("## Epoch {epoch}", epoch=e), ""]
        phase = None
        for ev in events:
            if ev.phase != phase:
                phase = ev.phase
                lines += [f"### {_(PHASE_HEADINGS[phase])}", ""]
            lines += event_markdown(ev)
        outputs.append(out)
    if g.trained:
        lines += [_("## Output after each epoch"), ""]
        lines += _table([_("after epoch"), g.output],
                        [[str(k + 1), fmt(v)] for k, v in enumerate(outputs)])
    return "\n".join(lines)


def _md_code(text: str) -> str:
    return text.replace("```", "'''")


def json_document(graph: GraphScenario, epochs: int = 1, mistake: str | None = None) -> dict:
    g = graph
    events, outputs = [], []
    for _e, epoch, out in _epochs(g, epochs, mistake):
        events += [ev.as_dict() for ev in epoch]
        outputs.append(out)
    from bptui.jsonout import FORMAT

    return {
        "format": FORMAT,
        "scenario": {
            "name": g.name, "title": g.title, "source": g.source, "notes": g.notes,
            "kind": "graph", "leaves": dict(g.leaves), "expression": g.expression,
            "nodes": [{"name": n.name, "op": n.op, "inputs": list(n.inputs),
                       "staged": n.staged} for n in g.nodes],
            "output": g.output, "learning_rate": g.learning_rate, "epochs": g.epochs,
            "train": list(g.train),
        },
        "mistake": mistake,
        "epochs": epochs,
        "events": events,
        "output_before": engine.output(g, engine.GraphParams.initial(g)),
        "outputs": outputs,
    }


def render(graph: GraphScenario, fmt_name: str, epochs: int = 1, mistake: str | None = None
           ) -> str:
    if fmt_name == "markdown":
        from bptui.visible import visible

        return visible(markdown(graph, epochs, mistake)) + "\n"
    from bptui.jsonout import finite_or_null as _finite_or_null

    return json.dumps(_finite_or_null(json_document(graph, epochs, mistake)),
                      ensure_ascii=False, allow_nan=False) + "\n"
