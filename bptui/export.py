"""A worked example as a document: Markdown with LaTeX for people, JSON for other tools.

The document is written from the same events the screen shows, so a teacher's handout and the
screen can never disagree. Files are written atomically (a temporary file, then a rename) and
never over an existing file unless the caller says so.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from typing import Any

import numpy as np

from bptui import expr, files
from bptui.activations import ACTIVATIONS
from bptui.epochs import Outcome, checked_epochs, loss_of, start_params, with_params  # noqa: F401
from bptui.errors import BptuiError
from bptui.events import Event, shown_why
from bptui.expr import FORMAT
from bptui.i18n import N_, _, local, ngettext
from bptui.jsonout import strict
from bptui.notation import fmt, summary
from bptui.scenario import Scenario
from bptui.steps import shown_numbers
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
#: Words written upright in :func:`latex`: the activations' names (from their registry) and
#: the few English words rules use.
_WORDS = {"if", "else", "max", "elementwise", "over", "values", "sum", "of", "terms", "not",
          "updated", *ACTIVATIONS}


def latex(text: str) -> str:
    """A Unicode equation in LaTeX that MathJax and KaTeX both render. The export itself
    renders every step from its tree (:func:`event_latex`); this reads free text only (the
    screen's copy-as-LaTeX still calls it)."""
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


def sym_tex(name: str) -> str:
    """An ASCII symbol (as in --trace) in LaTeX: dE/dw5 -> a fraction of partials, delta_o1
    -> \\delta_{o1}, w5+ -> w_{5}^{+}, net_h1 -> \\mathrm{net}_{h1}."""
    m = re.fullmatch(r"d(.+)/d(.+)", name)
    if m:
        return (r"\frac{\partial " + sym_tex(m.group(1)) + r"}{\partial " + sym_tex(m.group(2))
                + "}")
    if name.endswith("+"):
        return sym_tex(name[:-1]) + "^{+}"
    if name.startswith("delta_"):
        return r"\delta_{" + _escape(name[6:]) + "}"
    if name == "eta":
        return r"\eta"
    return _ident(name)


def number_tex(v: float) -> str:
    """A number in LaTeX, written as the screen writes it (ten significant digits)."""
    s = fmt(v)
    return {"nan": r"\mathrm{nan}", "∞": r"\infty", "-∞": r"-\infty"}.get(s) or _number(s)


def rule_tex(ev: Event) -> str:
    """The step's rule in LaTeX, from its tree: its symbol = the tree in symbols."""
    return sym_tex(ev.symbol) + " = " + expr.latex(ev.tree, numbers=False, ident=sym_tex,
                                                   number=_number)


def event_latex(ev: Event) -> str:
    """The step in LaTeX, from its tree: rule = numbers = value (rule only for a matrix)."""
    if ev.is_matrix:
        return rule_tex(ev)
    return f"{rule_tex(ev)} = {_numbers_tex(ev)} = {number_tex(ev.value)}"


def _numbers_tex(ev: Event) -> str:
    """The step with its numbers in, in LaTeX, from the step's tree (a matrix stays a symbol)."""
    return expr.latex(ev.tree, numbers=True, ident=sym_tex, number=_number)


#: a step's kind and a phase as the Markdown names them (the events keep their English words)
KIND_WORDS = {"net": N_("net"), "out": N_("out"), "loss": N_("loss"), "dE_dout": N_("dE dout"),
              "dout_dnet": N_("dout dnet"), "delta": N_("delta"), "dE_din": N_("dE din"),
              "grad": N_("grad"), "update": N_("update")}
PHASE_HEADINGS = {"forward": N_("Forward"), "loss": N_("Loss"), "backward": N_("Backward"),
                  "update": N_("Update")}


def _event_markdown(ev: Event) -> list[str]:
    lines = [f"**{ev.position + 1}. {_(KIND_WORDS[ev.kind])}: `{ev.symbol}`**", ""]
    if ev.is_matrix:
        lines += [f"$${rule_tex(ev)}$$", "",
                  _("Shapes: `{shapes}`. Values: {values}.", shapes=shown_numbers(ev),
                    values=summary(np.asarray(ev.value))), ""]
    else:
        lines += [f"$${event_latex(ev)}$$", ""]
    if ev.mistake is not None and ev.correct_equation is not None:
        val = "" if ev.is_matrix else f" = {fmt(ev.correct_value)}"
        lines += [_("> **Mistake `{name}`:** the step above is the buggy one. Correct "
                    "backpropagation computes `{right}`", name=ev.mistake,
                    right=f"{ev.correct_equation}{val}"), ""]
    if ev.why:
        lines += [_("*{why}.*", why=_md_escape(shown_why(ev))), ""]
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>$])", r"\\\1", text)


#: Losses a :class:`LossSpool` keeps in memory before it moves them to its temporary file.
SPOOL_CHUNK = 4096


class LossSpool:
    """Every epoch's loss, in order, in bounded memory: the last :data:`SPOOL_CHUNK` in a
    list, the earlier ones in an anonymous temporary file (8 bytes each, deleted when closed).

    A document ends with its table (or JSON array) of every epoch's loss, but it is streamed
    epoch by epoch; keeping the losses in memory until the end would make memory grow with
    ``--epochs`` without bound. On disk they cost a few bytes beside the kilobytes an epoch
    the document itself takes."""

    def __init__(self, chunk: int | None = None) -> None:
        self.chunk = chunk or SPOOL_CHUNK
        self.recent = array("d")
        self.file: Any = None
        self.count = 0

    def append(self, loss: float) -> None:
        self.recent.append(loss)
        self.count += 1
        if len(self.recent) >= self.chunk:
            if self.file is None:
                import tempfile

                try:
                    self.file = tempfile.TemporaryFile()
                except OSError as exc:
                    raise BptuiError(_("cannot keep the list of losses in a temporary file: "
                                       "{why}", why=files.why(exc))) from None
            self.recent.tofile(self.file)
            self.recent = array("d")

    def chunks(self) -> Iterator[list[float]]:
        """The losses in order, at most ``chunk`` at a time; then the spool is closed."""
        if self.file is not None:
            self.file.seek(0)
            while block := self.file.read(8 * self.chunk):
                part = array("d")
                part.frombytes(block)
                yield part.tolist()
            self.file.close()
            self.file = None
        if self.recent:
            yield self.recent.tolist()
        self.recent = array("d")


def _fenced(lines: list[str]) -> list[str]:
    """A fenced text block longer than any run of backticks inside (names may hold some)."""
    body = "\n".join(lines)
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * max(3, 1 + max(runs, default=0))
    return [fence + "text", *lines, fence, ""]


def markdown(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
             first_epoch: int = 1) -> str:
    """The worked example, unit by unit (or layer by layer for large nets), as Markdown."""
    return "".join(markdown_chunks(scenario, epochs, mistake, first_epoch=first_epoch))[:-1]


def markdown_chunks(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
                    outcome: Outcome | None = None, first_epoch: int = 1) -> Iterator[str]:
    """The Markdown document in pieces (the head, then one epoch at a time, then the loss
    table), each ending in a newline: streamed, so memory does not grow with ``epochs``.
    ``epochs`` epochs from ``first_epoch`` (its starting parameters are those the earlier
    epochs trained to, under the same mistake; epochs keep their own numbers). Control
    characters from the scenario are written out visibly (``\\x1b``)."""
    params = start_params(scenario, first_epoch, mistake)
    s = with_params(scenario, params) if first_epoch > 1 else scenario
    lines = [f"# {_md_escape(local(s.title, s.title_zh))}", ""]
    if first_epoch > 1:
        lines += [_("> Exported from epoch {epoch}: the parameters below are those epoch "
                    "{epoch} starts from.", epoch=first_epoch), ""]
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
    values = {"loss": s.loss, "eta": fmt(s.learning_rate), "mode": s.mode}
    if s.mode != "batch":
        lines += [ngettext("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}`; {n} "
                           "sample.", "Loss: `{loss}`; learning rate η = {eta}; update mode: "
                           "`{mode}`; {n} samples.", s.samples, **values), ""]
    elif s.reduction == "sum":
        lines += [ngettext("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` "
                           "(per-sample losses summed); {n} sample.",
                           "Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` "
                           "(per-sample losses summed); {n} samples.", s.samples, **values), ""]
    else:
        lines += [ngettext("Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` "
                           "(per-sample losses averaged); {n} sample.",
                           "Loss: `{loss}`; learning rate η = {eta}; update mode: `{mode}` "
                           "(per-sample losses averaged); {n} samples.", s.samples, **values), ""]
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
        from bptui.netdraw import network_text

        lines += [_("### The drawn network"), ""]
        lines += _fenced(network_text(s, params.copy()))
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
    losses = LossSpool()
    for e, events, loss in checked_epochs(s, epochs, mistake, outcome, first_epoch,
                                          params.copy()):
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
    loss0 = fmt(loss_of(s, params))
    lines += [_("Before training: {loss}.", loss=loss0) if first_epoch == 1
              else _("Before epoch {epoch}: {loss}.", epoch=first_epoch, loss=loss0), ""]
    yield visible("\n".join(lines) + "\n")
    header = _table([_("after epoch"), _("loss")], [])
    yield "\n".join(header[:-1]) + "\n"
    epoch = first_epoch
    for part in losses.chunks():
        yield "".join(f"| {epoch + k} | {fmt(v)} |\n" for k, v in enumerate(part))
        epoch += len(part)
    lines = [""]
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
                outcome: Outcome | None = None, first_epoch: int = 1) -> Iterator[str]:
    """The JSON document in pieces, one event at a time: strict JSON (a non-finite number is
    null), streamed so that memory does not grow with ``epochs`` (46 MB an epoch on the
    1000-100-10 net if held whole). Keys: format, scenario (its weights are those
    ``first_epoch`` starts from), mistake, epochs, first_epoch, events, loss_before, losses,
    diverged_at (the first epoch after which the loss or a parameter is not finite, or null)."""
    params = start_params(scenario, first_epoch, mistake)
    s = with_params(scenario, params) if first_epoch > 1 else scenario
    outcome = outcome if outcome is not None else Outcome()
    head = strict({"format": FORMAT, "scenario": _scenario_data(s), "mistake": mistake,
                   "epochs": epochs, "first_epoch": first_epoch}, ensure_ascii=False)
    yield head[:-1] + ', "events": ['
    sep = ""
    losses = LossSpool()
    for _epoch, events, loss in checked_epochs(s, epochs, mistake, outcome, first_epoch,
                                               params.copy()):
        for ev in events:
            yield sep + strict(ev.as_dict(), ensure_ascii=False)
            sep = ", "
        losses.append(loss)
    yield "], " + strict({"loss_before": loss_of(s, params)})[1:-1] + ', "losses": ['
    sep = ""
    for part in losses.chunks():
        yield sep + strict(part)[1:-1]
        sep = ", "
    yield "], " + strict({"diverged_at": outcome.diverged_at})[1:] + "\n"


def json_document(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
                  first_epoch: int = 1) -> dict:
    """The trace events and the scenario as plain data, for other tools (in memory: for a
    long document use :func:`json_chunks`)."""
    import json  # not at the top: --trace imports this module, and json costs its start-up

    return json.loads("".join(json_chunks(scenario, epochs, mistake, first_epoch=first_epoch)))


def chunks(scenario: Scenario, fmt_name: str, epochs: int = 1, mistake: str | None = None,
           outcome: Outcome | None = None, first_epoch: int = 1) -> Iterator[str]:
    """The document in ``fmt_name`` ("markdown" or "json"), streamed piece by piece."""
    if fmt_name == "markdown":
        return markdown_chunks(scenario, epochs, mistake, outcome, first_epoch)
    return json_chunks(scenario, epochs, mistake, outcome, first_epoch)


def render(scenario: Scenario, fmt_name: str, epochs: int = 1, mistake: str | None = None,
           first_epoch: int = 1) -> str:
    return "".join(chunks(scenario, fmt_name, epochs, mistake, first_epoch=first_epoch))


# ----------------------------------------------------------------------------- writing
# (kept here for callers of export.write / export.free_path; the writing is bptui.files')

write = files.write
free_path = files.free_path
