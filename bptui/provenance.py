"""Where a number comes from: the step that computed it and the earlier values it read.

Every event names the symbols it used (``Event.uses``); this module resolves each one to the
earlier event that produced it, or to the scenario itself (an input, a target, a starting
parameter), so that a learner can follow any number back to the data. A hidden unit's error is
broken into its terms, one per unit it feeds, because that sum is where most learners go wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bptui import backprop as bp
from bptui import expr
from bptui.events import Event
from bptui.i18n import _
from bptui.notation import fmt, pretty
from bptui.scenario import Scenario


@dataclass(frozen=True)
class Source:
    """One value a step read, and where it came from."""

    symbol: str
    value: float | np.ndarray | None
    origin: str  # "step", "input", "target", "parameter"
    index: int | None  # position of the step that computed it, for origin == "step"
    note: str

    @property
    def label(self) -> str:
        return pretty(self.symbol)


@dataclass(frozen=True)
class Term:
    """One term of a hidden unit's error: δ of a unit it feeds times the weight between."""

    unit: str
    weight: str
    delta: float
    weight_value: float
    product: float


@dataclass(frozen=True)
class Provenance:
    event: Event
    sources: tuple[Source, ...]
    terms: tuple[Term, ...] = ()

    def describe(self) -> str:
        """Plain text, for the command line and for tests."""
        ev = self.event
        lines = [f"{pretty(ev.symbol)} = {fmt(ev.value) if not ev.is_matrix else 'matrix'}",
                 f"  computed at step {ev.position + 1}: {ev.equation}", f"  {ev.substituted}"]
        for t in self.terms:
            lines.append(f"  term from {t.unit} through {t.weight}: δ_{t.unit} · {t.weight} = "
                         f"{fmt(t.delta)} · {fmt(t.weight_value)} = {fmt(t.product)}")
        for src in self.sources:
            where = f"step {src.index + 1}" if src.index is not None else src.origin
            val = "" if src.value is None or isinstance(src.value, np.ndarray) else \
                f" = {fmt(src.value)}"
            lines.append(f"  uses {src.label}{val} ({where}: {src.note})")
        return "\n".join(lines)


def trace(
    scenario: Scenario, events: list[Event], start: bp.Params, index: int
) -> Provenance:
    """The provenance of ``events[index]`` (one epoch's events, starting from ``start``)."""
    ev = events[index]
    sources = tuple(_resolve(scenario, events, start, index, sym) for sym in ev.uses)
    terms: tuple[Term, ...] = ()
    if ev.kind == "dE_din" and ev.unit is not None and not ev.is_matrix:
        # the δ·w terms, read off the step's tree: Σ_k δ_k · w_k
        by_symbol = {s.symbol: s for s in sources}
        made = []
        word, parts = expr.parts(ev.tree) if ev.tree is not None else ("", ())
        for part in parts if word == "term" else (ev.tree,) if ev.tree is not None else ():
            if isinstance(part, expr.Sum) and len(part.terms) == 1:
                part = part.terms[0]
            if not (isinstance(part, expr.Op) and part.op == "*" and len(part.args) == 2):
                continue
            dsym, wsym = (a.name if isinstance(a, expr.Sym) else "" for a in part.args)
            if dsym not in by_symbol or wsym not in by_symbol:
                continue
            d, w = by_symbol[dsym].value, by_symbol[wsym].value
            if isinstance(d, float) and isinstance(w, float):
                made.append(Term(dsym.removeprefix("delta_"), wsym, d, w, d * w))
        terms = tuple(made)
    return Provenance(ev, sources, terms)


def _resolve(
    scenario: Scenario, events: list[Event], start: bp.Params, index: int, symbol: str
) -> Source:
    here = events[index]
    # An earlier step of this sample (or of the whole batch) that produced the symbol.
    for k in range(index - 1, -1, -1):
        e = events[k]
        if e.symbol == symbol and (e.sample == here.sample or e.sample is None
                                   or here.sample is None):
            return Source(symbol, e.value, "step", k, e.equation)
    if getattr(scenario, "is_graph", False):  # a computational graph: a leaf, or η
        if symbol in scenario.leaves:
            return Source(symbol, start.values[symbol], "leaf", None,
                          _("a leaf of the graph: its value at the start of this epoch"))
        if symbol == "eta":
            return Source(symbol, scenario.learning_rate, "parameter", None,
                          _("the learning rate, from the scenario's [training] table"))
        return Source(symbol, None, "step", None, _("not computed in this epoch"))
    # A parameter: its latest update before this step, else its starting value.
    ref = _param_ref(scenario, symbol)
    if ref is not None:
        for k in range(index - 1, -1, -1):
            e = events[k]
            if e.kind == "update" and e.symbol == symbol + "+":
                return Source(symbol, e.value, "step", k, _("updated earlier in this epoch"))
        return Source(symbol, start.value(*ref), "parameter", None,
                      _("the parameter's value at the start of this epoch"))
    sample = (here.sample or 1) - 1
    if symbol in scenario.input_names:
        i = scenario.input_names.index(symbol)
        return Source(symbol, float(scenario.inputs[sample, i]), "input", None,
                      _("input of sample {k}, from the scenario's data", k=sample + 1))
    if symbol.startswith("target_"):
        unit = symbol.removeprefix("target_")
        names = scenario.layers[-1].names
        if unit in names:
            return Source(symbol, float(scenario.targets[sample, names.index(unit)]), "target",
                          None, _("target of sample {k}, from the scenario's data", k=sample + 1))
    if symbol in ("X", "x"):
        return Source(symbol, scenario.inputs, "input", None, _("the inputs, from the data"))
    if symbol == "T":
        return Source(symbol, scenario.targets, "target", None, _("the targets, from the data"))
    matrices = {f"W{lay}": lay for lay in range(1, len(scenario.layers) + 1)}
    if symbol in matrices:
        return Source(symbol, start.weights[matrices[symbol] - 1], "parameter", None,
                      _("the layer's weights at the start of this epoch"))
    biases = {f"b{lay}": lay for lay in range(1, len(scenario.layers) + 1)
              if start.biases[lay - 1] is not None}
    if symbol in biases and not scenario.unit_by_unit:
        return Source(symbol, start.biases[biases[symbol] - 1], "parameter", None,
                      _("the layer's biases at the start of this epoch"))
    return Source(symbol, None, "step", None, _("not computed in this epoch"))


def _param_ref(scenario: Scenario, symbol: str) -> tuple[int, str, int, int] | None:
    """(layer, kind, row, col) of the parameter a unit-level symbol names, if it is one."""
    if not scenario.unit_by_unit:
        return None
    for lay, la in enumerate(scenario.layers, start=1):
        for j in range(la.size):
            for i in range(la.inputs):
                if la.weight_name(j, i, lay) == symbol:
                    return (lay, "weight", j, i)
        if la.bias is not None:
            for j in range(la.bias.size):
                if la.bias_name(j, lay) == symbol:
                    return (lay, "bias", j, 0)
    return None
