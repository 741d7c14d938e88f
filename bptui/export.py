"""A worked example as a document: Markdown with LaTeX for people, JSON for other tools.

The document is written from the same events the screen shows, so a teacher's handout and the
screen can never disagree. Files are written atomically (a temporary file, then a rename) and
never over an existing file unless the caller says so.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bptui import backprop as bp
from bptui import expr
from bptui.activations import ACTIVATIONS
from bptui.engine import epoch_events
from bptui.errors import BptuiError
from bptui.events import Event
from bptui.expr import FORMAT
from bptui.notation import fmt, summary
from bptui.scenario import Scenario

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


def _event_markdown(ev: Event) -> list[str]:
    lines = [f"**{ev.position + 1}. {ev.kind.replace('_', ' ')}: `{ev.symbol}`**", ""]
    if ev.is_matrix:
        lines += [f"$${rule_tex(ev)}$$", "",
                  f"Shapes: `{ev.substituted}`. Values: {summary(np.asarray(ev.value))}.", ""]
    else:
        lines += [f"$${event_latex(ev)}$$", ""]
    if ev.mistake is not None and ev.correct_equation is not None:
        val = "" if ev.is_matrix else f" = {fmt(ev.correct_value)}"
        lines += [f"> **Mistake `{ev.mistake}`:** the step above is the buggy one. Correct "
                  f"backpropagation computes `{ev.correct_equation}{val}`", ""]
    if ev.why:
        lines += [f"*{_md_escape(ev.why)}.*", ""]
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>$])", r"\\\1", text)


def start_params(scenario: Scenario, first_epoch: int, mistake: str | None) -> bp.Params:
    """The parameters epoch ``first_epoch`` starts from: the earlier epochs trained on the
    fast path, under the same mistake. A training that diverged before it is an error."""
    params = bp.Params.initial(scenario)
    if first_epoch <= 1:
        return params
    from bptui.training import train

    result = train(scenario, params, first_epoch - 1, mistake=mistake, keep_losses=False)
    if result.diverged_at is not None:
        raise BptuiError(f"training diverged at epoch {result.diverged_at}, before epoch "
                         f"{first_epoch}: nothing to export from there")
    return result.params


def _with_params(scenario: Scenario, params: bp.Params) -> Scenario:
    """The scenario with its starting weights and biases replaced by ``params``."""
    layers = []
    for lay, layer in enumerate(scenario.layers):
        bias = params.biases[lay]
        layers.append(dataclasses.replace(layer, weights=params.weights[lay].copy(),
                                          bias=None if bias is None else bias.copy()))
    return dataclasses.replace(scenario, layers=tuple(layers))


def _epochs(
    scenario: Scenario, epochs: int, mistake: str | None, first_epoch: int = 1,
    params: bp.Params | None = None,
) -> Iterator[tuple[int, list[Event], float]]:
    """(epoch, its events, the loss after it) for ``epochs`` epochs from ``first_epoch``
    (starting from ``params``, by default the file's): what both formats are written from."""
    if params is None:
        params = start_params(scenario, first_epoch, mistake)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for e in range(first_epoch, first_epoch + epochs):
            result = epoch_events(scenario, params, e, mistake)
            params = result.params
            yield e, result.events, bp.dataset_loss(scenario, params)


def _fenced(lines: list[str]) -> list[str]:
    """A fenced text block longer than any run of backticks inside (names may hold some)."""
    body = "\n".join(lines)
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * max(3, 1 + max(runs, default=0))
    return [fence + "text", *lines, fence, ""]


def markdown(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
             first_epoch: int = 1) -> str:
    """The worked example, unit by unit (or layer by layer for large nets), as Markdown:
    ``epochs`` epochs from ``first_epoch`` (its starting parameters are those the earlier
    epochs trained to, under the same mistake; epochs keep their own numbers)."""
    params = start_params(scenario, first_epoch, mistake)
    s = _with_params(scenario, params) if first_epoch > 1 else scenario
    lines = [f"# {_md_escape(s.title)}", ""]
    if first_epoch > 1:
        lines += [f"> Exported from epoch {first_epoch}: the parameters below are those epoch "
                  f"{first_epoch} starts from.", ""]
    if s.source:
        lines += [f"Source: {_md_escape(s.source)}", ""]
    if s.notes.strip():
        lines += [_md_escape(s.notes.strip()), ""]
    if mistake:
        from bptui.mistakes import MISTAKES

        m = MISTAKES[mistake]
        lines += [f"> **Mistake lab: `{mistake}`** ({m.title}). Wrong: {m.wrong}. Right: "
                  f"{m.right}. It breaks {m.breaks}.", ""]
    lines += ["## The network", ""]
    rows = []
    for n, la in enumerate(s.layers, start=1):
        bias = {"none": "none", "shared": "one shared", "unit": "one per unit"}[la.bias_mode]
        if la.bias is not None:
            bias += ", trained" if la.train_bias else ", not trained"
        units = ", ".join(la.names) if la.size <= 12 else f"{la.size} units"
        rows.append([str(n), _md_escape(la.name), _md_escape(units), la.activation, bias])
    lines += _table(["layer", "name", "units", "activation", "bias"], rows)
    lines += [
        f"Loss: `{s.loss}`; learning rate η = {fmt(s.learning_rate)}; update mode: `{s.mode}`"
        + (f" (per-sample losses {'summed' if s.reduction == 'sum' else 'averaged'})"
           if s.mode == "batch" else "")
        + f"; {s.samples} sample(s).", "",
    ]
    lines += ["### Starting parameters", ""]
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
                    to = "every unit" if la.bias_mode == "shared" else la.names[j]
                    rows.append([f"`{la.bias_name(j, n)}`", f"bias → {_md_escape(to)}",
                                 fmt(la.bias[j])])
        lines += _table(["parameter", "connects", "value"], rows)
        rows = [[str(k + 1), ", ".join(fmt(v) for v in s.inputs[k]),
                 ", ".join(fmt(v) for v in s.targets[k])] for k in range(s.samples)]
        lines += _table(["sample", "inputs", "targets"], rows)
        from bptui.netdraw import network_text

        lines += ["### The drawn network", ""]
        lines += _fenced(network_text(s, params.copy()))
    else:
        for n, la in enumerate(s.layers, start=1):
            lines += [f"- `W{n}` ({la.name}): {summary(la.weights)}"]
            if la.bias is not None:
                kind = "one shared" if la.bias_mode == "shared" else "one per unit"
                trained = "trained" if la.train_bias else "not trained"
                lines += [f"- `b{n}` ({kind}, {trained}): {summary(la.bias)}"]
        lines += [f"- inputs `X`: {summary(s.inputs)}", f"- targets `T`: {summary(s.targets)}",
                  ""]

    losses = []
    for e, events, loss in _epochs(s, epochs, mistake, first_epoch, params.copy()):
        lines += [f"## Epoch {e}", ""]
        current: tuple[Any, str] | None = None
        for ev in events:
            key = (ev.sample, ev.phase)
            if key != current:
                current = key
                who = "the whole batch" if ev.sample is None else f"sample {ev.sample}"
                lines += [f"### {ev.phase.capitalize()} ({who})", ""]
            lines += _event_markdown(ev)
        losses.append(loss)
    lines += ["## Loss", ""]
    before = "Before training" if first_epoch == 1 else f"Before epoch {first_epoch}"
    lines += [f"{before}: {fmt(bp.dataset_loss(s, params))}.", ""]
    lines += _table(["after epoch", "loss"],
                    [[str(first_epoch + k), fmt(v)] for k, v in enumerate(losses)])
    return "\n".join(lines)


def json_document(scenario: Scenario, epochs: int = 1, mistake: str | None = None,
                  first_epoch: int = 1) -> dict:
    """The trace events and the scenario as plain data, for other tools (from
    ``first_epoch``: the scenario's weights are then those that epoch starts from)."""
    params = start_params(scenario, first_epoch, mistake)
    s = _with_params(scenario, params) if first_epoch > 1 else scenario
    events: list[dict] = []
    losses: list[float] = []
    for _, epoch, loss in _epochs(s, epochs, mistake, first_epoch, params.copy()):
        events += [ev.as_dict() for ev in epoch]
        losses.append(loss)
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
        "format": FORMAT,
        "scenario": {
            "name": s.name, "title": s.title, "source": s.source, "notes": s.notes,
            "shape": s.shape, "input_size": s.input_size, "input_names": list(s.input_names),
            "layers": layers, "loss": s.loss, "learning_rate": s.learning_rate,
            "epochs": s.epochs, "mode": s.mode, "reduction": s.reduction,
            "inputs": s.inputs.tolist(), "targets": s.targets.tolist(),
        },
        "mistake": mistake,
        "epochs": epochs,
        "first_epoch": first_epoch,
        "events": events,
        "loss_before": bp.dataset_loss(s, params),
        "losses": losses,
    }


def render(scenario: Scenario, fmt_name: str, epochs: int = 1, mistake: str | None = None,
           first_epoch: int = 1) -> str:
    if fmt_name == "markdown":
        return markdown(scenario, epochs, mistake, first_epoch) + "\n"
    return json.dumps(json_document(scenario, epochs, mistake, first_epoch),
                      ensure_ascii=False) + "\n"


# ----------------------------------------------------------------------------- writing


def write(path: str | os.PathLike, text: str, *, force: bool = False) -> Path:
    """Write ``text`` atomically; refuse to replace an existing file unless ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise BptuiError(f"{target}: already exists; not overwritten (use --force to replace it)")
    if target.is_dir():
        raise BptuiError(f"{target}: is a folder, expected a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BptuiError(f"{target}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a handout, readable as any new file would be
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the file appeared meanwhile: never overwrite
            except FileExistsError:
                raise
            except OSError:  # a file system without hard links
                if target.exists():
                    raise FileExistsError(str(target)) from None
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise BptuiError(f"{target}: already exists; not overwritten (use --force to replace it)"
                         ) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def free_path(folder: str | os.PathLike, stem: str, suffix: str = ".md") -> Path:
    """``stem.md`` in ``folder``, or ``stem-2.md``, ``stem-3.md``... whichever does not exist yet."""
    folder = Path(folder)
    candidate = folder / f"{stem}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate
