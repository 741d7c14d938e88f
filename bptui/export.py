"""A worked example as a document: Markdown with LaTeX for people, JSON for other tools.

The document is written from the same events the screen shows, so a teacher's handout and the
screen can never disagree. Files are written atomically (a temporary file, then a rename) and
never over an existing file unless the caller says so.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np

from bptui import backprop as bp
from bptui import expr, files
from bptui.engine import epoch_events
from bptui.events import Event, shown_why
from bptui.expr import FORMAT
from bptui.i18n import N_, _, local
from bptui.jsonout import strict
from bptui.notation import fmt, summary
from bptui.scenario import Scenario
from bptui.visible import visible

# ----------------------------------------------------------------------------- LaTeX

_SIMPLE = {
    "σ": r"\sigma", "Σ": r"\sum", "δ": r"\delta", "η": r"\eta", "·": r"\cdot", "⊙": r"\odot",
    "×": r"\times", "←": r"\leftarrow", "≥": r"\geq", "²": "^{2}", "⁺": "^{+}", "ᵀ": r"^{\top}",
    "½": r"\tfrac{1}{2}", "‖": r"\|", "∞": r"\infty",
}
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(?:\[[0-9, ]+\])?")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_SPECIAL = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "%": r"\%", "^": r"\hat{}", "~": r"\sim ", "_": r"\_"}
_WORDS = {"if", "else", "max", "tanh", "relu", "elementwise", "over", "values", "sum", "of",
          "terms", "not", "updated", "linear", "sigmoid"}


def latex(text: str) -> str:
    """An equation from an event, in LaTeX that MathJax and KaTeX both render."""
    # ∂A/∂B, where a name may hold a bracketed index with a comma: ∂E/∂W2[1,1]
    name = r"(?:\[[^\]]*\]|[^/\s·,()\[])+"
    text = re.sub(rf"∂({name})/∂({name})", lambda m: "\x00" + m.group(1) + "\x01"
                  + m.group(2) + "\x02", text)
    text = re.sub(r"\bw_k,([A-Za-z0-9\[\]]+)", lambda m: "\x03" + m.group(1) + "\x04", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\x03":
            k = text.index("\x04", i)
            out.append("w_{k," + _escape(text[i + 1:k]) + "}")
            i = k + 1
            continue
        ch = text[i]
        if ch == "\x00":
            j = text.index("\x01", i)
            k = text.index("\x02", j)
            out.append(r"\frac{\partial " + _ident(text[i + 1:j]) + r"}{\partial "
                       + _ident(text[j + 1:k]) + "}")
            i = k + 1
            continue
        m = _NUMBER.match(text, i)
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_[,")):
            out.append(_number(m.group(0)))
            i = m.end()
            continue
        m = _IDENT.match(text, i)
        if m:
            out.append(_ident(m.group(0)))
            i = m.end()
            continue
        if ch in ("δ", "Σ") and text[i + 1:i + 2] == "_":
            m = re.match(r"_([A-Za-z0-9]+)(?:,([A-Za-z0-9]+))?", text[i + 1:])
            if m:
                sub = m.group(1) + ("," + m.group(2) if m.group(2) else "")
                out.append(_SIMPLE[ch] + "_{" + _escape(sub) + "}")
                i += 1 + m.end()
                continue
        if ch in _SIMPLE:
            out.append(_SIMPLE[ch] + (" " if _SIMPLE[ch][-1].isalpha() else ""))
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        else:
            out.append(ch)
        i += 1
    return "".join(out).replace("  ", " ").strip()


def _number(s: str) -> str:
    if "e" in s:
        mant, exp = s.split("e")
        return f"{mant}" + r"\times 10^{" + str(int(exp)) + "}"
    return s


def _escape(s: str) -> str:
    return "".join(_SPECIAL.get(c, c) for c in s)


def _ident(name: str) -> str:
    """net_h1 -> \\mathrm{net}_{h1}; w5 -> w_{5}; E_total -> E_{\\mathrm{total}}."""
    if name.startswith("δ_"):
        return r"\delta_{" + _escape(name[2:]) + "}"
    bracket = ""
    if "[" in name:
        name, bracket = name[: name.index("[")], name[name.index("["):]
    if "_" in name:
        base, sub = name.split("_", 1)
        sub_tex = _escape(sub)
        if len(sub) > 2 and sub.isalpha():
            sub_tex = r"\mathrm{" + sub_tex + "}"
        return _base(base) + "_{" + sub_tex + "}" + _escape(bracket)
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}" + _escape(bracket)
    return _base(name) + _escape(bracket)


def _base(name: str) -> str:
    if len(name) == 1:
        return name
    if name == "max":
        return r"\max"
    if name in _WORDS:
        return r"\text{ " + name + " }"
    return r"\mathrm{" + _escape(name) + "}"


# ----------------------------------------------------------------------------- documents


def _numbers_tex(ev: Event) -> str:
    """The step with its numbers in, in LaTeX: from the step's tree (a layer-level step, whose
    numbers are matrices, shows their shapes from its substituted text)."""
    if ev.tree is not None and not ev.is_matrix:
        return expr.latex(ev.tree, numbers=True, number=_number)
    return latex(_rhs(ev))


def _rhs(ev: Event) -> str:
    """The substituted equation without its left-hand side (that is in the rule already)."""
    return ev.substituted.split(" = ", 1)[1] if " = " in ev.substituted else ev.substituted


def _value_tex(ev: Event) -> str:
    return latex(fmt(ev.value)) if not ev.is_matrix else ""


#: a step's kind and a phase as the Markdown names them (the events keep their English words)
KIND_WORDS = {"net": N_("net"), "out": N_("out"), "loss": N_("loss"), "dE_dout": N_("dE dout"),
              "dout_dnet": N_("dout dnet"), "delta": N_("delta"), "dE_din": N_("dE din"),
              "grad": N_("grad"), "update": N_("update")}
PHASE_HEADINGS = {"forward": N_("Forward"), "loss": N_("Loss"), "backward": N_("Backward"),
                  "update": N_("Update")}


def _event_markdown(ev: Event) -> list[str]:
    lines = [f"**{ev.position + 1}. {_(KIND_WORDS[ev.kind])}: `{ev.symbol}`**", ""]
    if ev.is_matrix:
        lines += [f"$${latex(ev.equation)}$$", "",
                  _("Shapes: `{shapes}`. Values: {values}.", shapes=ev.substituted,
                    values=summary(np.asarray(ev.value))), ""]
    else:
        tex = f"{latex(ev.equation)} = {_numbers_tex(ev)} = {_value_tex(ev)}"
        lines += [f"$${tex}$$", ""]
    if ev.mistake is not None and ev.correct_equation is not None:
        right = latex(ev.correct_equation)
        val = "" if ev.is_matrix else f" = {latex(fmt(ev.correct_value))}"
        lines += [_("> **Mistake `{name}`:** the step above is the buggy one. Correct "
                    "backpropagation computes $${right}$$", name=ev.mistake, right=right + val), ""]
    if ev.why:
        lines += [f"*{_md_escape(shown_why(ev))}.*", ""]
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>$])", r"\\\1", text)


class Outcome:
    """What streaming a document found out by its end: the epoch training diverged at."""

    def __init__(self) -> None:
        self.diverged_at: int | None = None


def _finite(ev: Event) -> bool:
    values = (ev.value, ev.old, ev.grad, ev.correct_value)
    return all(v is None or bool(np.isfinite(v).all()) for v in values)


def _loss_before(scenario: Scenario) -> float:
    """The loss before training; it may overflow (a diverging file): no raw warning then."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return bp.dataset_loss(scenario, bp.Params.initial(scenario))


def checked_epochs(
    scenario: Scenario, epochs: int, mistake: str | None, outcome: Outcome | None = None
) -> Iterator[tuple[int, list[Event], float]]:
    """(epoch, its events, the loss after it) for the first ``epochs`` epochs, one epoch in
    memory at a time: what both document formats and --trace are written from.

    ``outcome.diverged_at`` becomes the first epoch in which a number (a value, parameter or
    the loss after it) is no longer finite; the epochs go on, as --trace's do, with nulls."""
    params = bp.Params.initial(scenario)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for e in range(1, epochs + 1):
            result = epoch_events(scenario, params, e, mistake)
            params = result.params
            loss = bp.dataset_loss(scenario, params)
            if outcome is not None and outcome.diverged_at is None and not (
                    np.isfinite(loss) and all(_finite(ev) for ev in result.events)):
                outcome.diverged_at = e
            yield e, result.events, loss


def markdown(scenario: Scenario, epochs: int = 1, mistake: str | None = None) -> str:
    """The worked example, unit by unit (or layer by layer for large nets), as Markdown."""
    return "".join(markdown_chunks(scenario, epochs, mistake))[:-1]


def markdown_chunks(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
                    outcome: Outcome | None = None) -> Iterator[str]:
    """The Markdown document in pieces (the head, then one epoch at a time, then the loss
    table), each ending in a newline: streamed, so memory does not grow with ``epochs``.
    Control characters from the scenario are written out visibly (``\\x1b``)."""
    s = scenario
    lines = [f"# {_md_escape(local(s.title, s.title_zh))}", ""]
    if s.source:
        lines += [_("Source: {source}", source=_md_escape(s.source)), ""]
    notes = local(s.notes, s.notes_zh)
    if notes.strip():
        lines += [_md_escape(notes.strip()), ""]
    if mistake:
        from bptui.mistakes import MISTAKES

        m = MISTAKES[mistake]
        lines += [_("> **Mistake lab: `{name}`** ({title}). Wrong: {wrong}. Right: {right}. It "
                    "breaks {breaks}.", name=mistake, title=_(m.title), wrong=_(m.wrong),
                    right=_(m.right), breaks=_(m.breaks)), ""]
    lines += [_("## The network"), ""]
    rows = []
    for n, la in enumerate(s.layers, start=1):
        bias = _({"none": N_("none"), "shared": N_("one shared"),
                  "unit": N_("one per unit")}[la.bias_mode])
        if la.bias is not None:
            bias = _("{bias}, trained", bias=bias) if la.train_bias \
                else _("{bias}, not trained", bias=bias)
        units = ", ".join(la.names) if la.size <= 12 else _("{n} units", n=la.size)
        rows.append([str(n), _md_escape(la.name), _md_escape(units), la.activation, bias])
    lines += _table([_("layer"), _("name"), _("units"), _("activation"), _("bias")], rows)
    values = {"loss": s.loss, "eta": fmt(s.learning_rate), "mode": s.mode, "n": s.samples}
    if s.mode != "batch":
        lines += [_("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}`; {n} "
                    "sample(s).", **values), ""]
    elif s.reduction == "sum":
        lines += [_("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` (per-sample "
                    "losses summed); {n} sample(s).", **values), ""]
    else:
        lines += [_("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` (per-sample "
                    "losses averaged); {n} sample(s).", **values), ""]
    lines += [_("### Starting parameters"), ""]
    if s.unit_by_unit:
        rows = []
        for n, la in enumerate(s.layers, start=1):
            src = s.unit_names(n - 1)
            for j in range(la.size):
                for i in range(la.inputs):
                    rows.append([f"`{la.weight_name(j, i, n)}`", _md_escape(f"{src[i]} → "
                                 f"{la.names[j]}"), fmt(la.weights[j, i])])
            if la.bias is not None:
                for j in range(la.bias.size):
                    to = _("every unit") if la.bias_mode == "shared" else la.names[j]
                    rows.append([f"`{la.bias_name(j, n)}`", _("bias → {to}", to=_md_escape(to)),
                                 fmt(la.bias[j])])
        lines += _table([_("parameter"), _("connects"), _("value")], rows)
        rows = [[str(k + 1), ", ".join(fmt(v) for v in s.inputs[k]),
                 ", ".join(fmt(v) for v in s.targets[k])] for k in range(s.samples)]
        lines += _table([_("sample"), _("inputs"), _("targets")], rows)
    else:
        for n, la in enumerate(s.layers, start=1):
            lines += [f"- `W{n}` ({la.name}): {summary(la.weights)}"]
            if la.bias is not None:
                kind = _("one shared") if la.bias_mode == "shared" else _("one per unit")
                kind = _("{bias}, trained", bias=kind) if la.train_bias \
                    else _("{bias}, not trained", bias=kind)
                lines += [f"- `b{n}` ({kind}): {summary(la.bias)}"]
        lines += [_("- inputs `X`: {summary}", summary=summary(s.inputs)),
                  _("- targets `T`: {summary}", summary=summary(s.targets)), ""]

    yield visible("\n".join(lines) + "\n")
    losses = array("d")
    for e, events, loss in checked_epochs(s, epochs, mistake, outcome):
        lines = [_("## Epoch {epoch}", epoch=e), ""]
        current: tuple[Any, str] | None = None
        for ev in events:
            key = (ev.sample, ev.phase)
            if key != current:
                current = key
                who = _("the whole batch") if ev.sample is None \
                    else _("sample {k}", k=ev.sample)
                lines += [_("### {phase} ({who})", phase=_(PHASE_HEADINGS[ev.phase]), who=who), ""]
            lines += _event_markdown(ev)
        losses.append(loss)
        yield visible("\n".join(lines) + "\n")
    lines = [_("## Loss"), ""]
    lines += [_("Before training: {loss}.", loss=fmt(_loss_before(s))), ""]
    lines += _table([_("after epoch"), _("loss")],
                    [[str(k + 1), fmt(v)] for k, v in enumerate(losses)])
    if outcome is not None and outcome.diverged_at is not None:
        lines += [_("**Training diverged at epoch {epoch}**: numbers from then on are no longer "
                    "finite (try a smaller learning rate).", epoch=outcome.diverged_at), ""]
    yield visible("\n".join(lines) + "\n")


def _scenario_data(s: Scenario) -> dict:
    layers = []
    for la in s.layers:
        layers.append({
            "name": la.name, "size": la.size, "activation": la.activation,
            "units": list(la.names), "weights": la.weights.tolist(),
            "bias": None if la.bias is None else la.bias.tolist(), "train_bias": la.train_bias,
            "weight_names": None if la.weight_names is None else [list(r) for r in la.weight_names],
            "bias_names": None if la.bias_names is None else list(la.bias_names),
        })
    return {
        "name": s.name, "title": s.title, "source": s.source, "notes": s.notes,
        "shape": s.shape, "input_size": s.input_size, "input_names": list(s.input_names),
        "layers": layers, "loss": s.loss, "learning_rate": s.learning_rate,
        "epochs": s.epochs, "mode": s.mode, "reduction": s.reduction,
        "inputs": s.inputs.tolist(), "targets": s.targets.tolist(),
    }


def json_chunks(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
                outcome: Outcome | None = None) -> Iterator[str]:
    """The JSON document in pieces, one event at a time: strict JSON (a non-finite number is
    null), streamed so that memory does not grow with ``epochs`` (46 MB an epoch on the
    1000-100-10 net if held whole). Keys: scenario, mistake, epochs, events, loss_before,
    losses, diverged_at (the first epoch with a non-finite number, or null)."""
    s = scenario
    outcome = outcome if outcome is not None else Outcome()
    head = strict({"format": FORMAT, "scenario": _scenario_data(s), "mistake": mistake,
                   "epochs": epochs},
                  ensure_ascii=False)
    yield head[:-1] + ', "events": ['
    sep = ""
    losses = array("d")
    for _epoch, events, loss in checked_epochs(s, epochs, mistake, outcome):
        for ev in events:
            yield sep + strict(ev.as_dict(), ensure_ascii=False)
            sep = ", "
        losses.append(loss)
    yield ("], " + strict({"loss_before": _loss_before(s),
                          "losses": losses.tolist(), "diverged_at": outcome.diverged_at})[1:]
           + "\n")


def json_document(scenario: Scenario, epochs: int = 1, mistake: str | None = None) -> dict:
    """The trace events and the scenario as plain data, for other tools (in memory: for a
    long document use :func:`json_chunks`)."""
    return json.loads("".join(json_chunks(scenario, epochs, mistake)))


def chunks(scenario: Scenario, fmt_name: str, epochs: int = 1, mistake: str | None = None,
           outcome: Outcome | None = None) -> Iterator[str]:
    """The document in ``fmt_name`` ("markdown" or "json"), streamed piece by piece."""
    if fmt_name == "markdown":
        return markdown_chunks(scenario, epochs, mistake, outcome)
    return json_chunks(scenario, epochs, mistake, outcome)


def render(scenario: Scenario, fmt_name: str, epochs: int = 1, mistake: str | None = None) -> str:
    return "".join(chunks(scenario, fmt_name, epochs, mistake))


# ----------------------------------------------------------------------------- writing
# (kept here for callers of export.write / export.free_path; the writing is bptui.files')

write = files.write
free_path = files.free_path
