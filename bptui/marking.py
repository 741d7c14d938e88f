"""Marking a learner's numbers the way a teacher marks an exam: right, wrong, or carried forward.

A value is *carried forward* when it is wrong only because an earlier value of the learner's
was wrong: the step's rule, evaluated on the learner's own earlier numbers, gives it. Where the
learner did not write an earlier value down, the value the rules give from their numbers is
used, so a slip early on is not counted again at every later step it flows into.

The correct computation is the engine's event stream (the same numbers the screen shows); the
learner's is that stream re-evaluated, step by step, on their numbers. The one place that knows
how to evaluate a step on other numbers is :func:`evaluate_step`.

Layered networks and computational graphs are marked by the same walk; what differs between
them (where the steps come from, what a step may read first, how a tree is evaluated, how a
symbol is written, which mistake lab applies) is one :class:`Side` each, chosen by
:func:`side`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bptui import backprop as bp
from bptui.engine import iter_epochs
from bptui.events import Event
from bptui.expr import evaluate, symbols
from bptui.i18n import _
from bptui.learner import Given, LearnerFileError, Spellings
from bptui.notation import pretty
from bptui.scenario import Scenario

TOLERANCE = 1e-3
#: Below this size a difference is measured absolutely: a value that should be 0 is right
#: when it is within this of 0 (a relative test would demand exactly 0).
FLOOR = 1e-9
MARKS = ("right", "wrong", "carried_forward", "unknown")
#: More epochs than this in a learner's file is surely a typo, and would take long to check.
MAX_EPOCHS = 1000
#: Context key of a gradient summed over the samples of the epoch so far (for batch updates).
SUMMED = "Σ_s "


def close(a: float | np.ndarray, b: float | np.ndarray, tolerance: float = TOLERANCE,
          floor: float = FLOOR) -> bool:
    """Equal within the relative tolerance, element by element, with an absolute floor."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape and a.size != b.size:
        return False
    a = a.reshape(b.shape)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor / max(tolerance, 1e-300))
    return bool(np.all(np.abs(a - b) <= tolerance * scale))


# ----------------------------------------------------------------------------- the adapter


def evaluate_step(event: Event, env: Mapping[str, object], scenario: Scenario
                  ) -> float | np.ndarray | None:
    """The value of ``event``'s rule with its symbols read from ``env``; None if unknown.

    ONE adapter per way of teaching: the step's expression tree (``Event.tree``) evaluated
    with the learner's numbers put in, by :func:`bptui.expr.evaluate` for a layered network
    (:func:`_evaluate_layered`) and with the graph's operations for a computational graph
    (:func:`bptui.graph.compare.evaluate_step`).
    """
    return side(scenario).evaluate(event, env, scenario)


def _evaluate_layered(event: Event, env: Mapping[str, object], scenario: Scenario
                      ) -> float | np.ndarray | None:
    """A layered step's tree on ``env`` (:func:`bptui.expr.evaluate`). None when ``env``
    lacks a symbol the tree reads or the numbers cannot be combined.

    The one place a tree cannot express the rule: a unit-by-unit network in batch mode, whose
    E_batch and parameter updates (``sample`` None) read every sample's E_total or gradient,
    summed so far under ``SUMMED`` keys; a tree names only the symbol, which ``env`` holds for
    the latest sample. Those two are recomputed in :func:`_batch_step`.
    """
    try:
        with np.errstate(all="ignore"):
            if event.sample is None and scenario.unit_by_unit and (
                    event.symbol == "E_batch" or event.kind == "update"):
                return _batch_step(event, env, scenario)
            if event.tree is None:
                return None
            names = symbols(event.tree)
            if any(name not in env or env[name] is None for name in names):
                return None
            value = evaluate(event.tree, {name: _number(env[name]) for name in names})
            if np.size(value) == 1 and np.size(event.value) > 1:  # a constant rule (slope 1)
                return np.broadcast_to(np.asarray(value, dtype=np.float64).reshape(()),
                                       np.shape(event.value)).copy()
            return value
    except (KeyError, IndexError, ValueError, TypeError, ArithmeticError):
        return None


def _number(value: object) -> np.float64 | np.ndarray:
    """numpy numbers, so a learner's huge value overflows to inf as the engine's would,
    instead of raising as a Python float's ** does."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64, copy=False)
    return np.float64(value)


def _batch_step(ev: Event, env: Mapping, s: Scenario) -> float:
    """E_batch and a batch update of a unit-by-unit network, from every sample so far."""
    if ev.symbol == "E_batch":  # every sample's E_total, summed or averaged
        total = float(env[SUMMED + "E_total"])
        return total if s.reduction == "sum" else total / s.samples
    old, _ = (float(env[name]) for name in ev.uses)  # the old value, and the symbol summed
    total = env.get(SUMMED + ev.uses[1])
    grad = float(ev.grad) if total is None else float(total) * bp.batch_scale(s)
    return old - s.learning_rate * grad


# ----------------------------------------------------------------------------- marking


@dataclass(frozen=True)
class Mark:
    """One value of the learner's, with its mark and what it was compared with."""

    given: Given
    symbol: str  # ASCII
    mark: str  # one of MARKS
    event: Event | None  # the correct step (None for a symbol only a mistake computes)
    expected: float | np.ndarray | None = None  # the rule on the learner's own numbers
    env: Mapping[str, object] = field(default_factory=dict)  # learner's numbers it read

    @property
    def epoch(self) -> int:
        return self.given.epoch

    @property
    def sample(self) -> int | None:
        if self.event is not None:
            return self.event.sample
        return 1 if self.given.sample is None else self.given.sample  # as the file means it

    @property
    def yours(self) -> float | np.ndarray:
        return self.given.value

    @property
    def correct(self) -> float | np.ndarray | None:
        return None if self.event is None else self.event.value


@dataclass
class Marking:
    """All of one file's marks, in computation order, and the correct steps they refer to."""

    scenario: Scenario
    marks: list[Mark]
    events: list[Event]
    tolerance: float
    #: (epoch, position) -> the correct values the step read: for trying slips on it
    contexts: dict[tuple[int, int], dict] = field(default_factory=dict)

    def count(self, mark: str) -> int:
        return sum(1 for m in self.marks if m.mark == mark)

    @property
    def first_wrong(self) -> Mark | None:
        return next((m for m in self.marks if m.mark == "wrong"), None)

    @property
    def any_wrong(self) -> bool:
        return any(m.mark in ("wrong", "carried_forward") for m in self.marks)


def correct_events(scenario: Scenario, epochs: int, mistake: str | None = None) -> list[Event]:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return side(scenario).events(scenario, epochs, mistake)


def mistake_only_symbols(scenario: Scenario, valid: set[str]) -> list[str]:
    """Symbols that only some lab mistake's trace has (one epoch is enough: every epoch has
    the same steps)."""
    extra: list[str] = []
    for m in side(scenario).mistakes().values():
        if m.applies(scenario) is None:
            extra += [ev.symbol for ev in correct_events(scenario, 1, m.name)
                      if ev.symbol not in valid]
    return list(dict.fromkeys(extra))


def spellings(scenario: Scenario, events: Sequence[Event] | None = None) -> Spellings:
    events = correct_events(scenario, 1) if events is None else events
    valid = [ev.symbol for ev in events]
    return Spellings(valid, mistake_only_symbols(scenario, set(valid)), side(scenario).show)


def mark(scenario: Scenario, givens: Sequence[Given], tolerance: float = TOLERANCE) -> Marking:
    """Mark every value in ``givens`` (one learner's file) against the correct steps."""
    epochs = max((g.epoch for g in givens), default=1)
    if epochs > MAX_EPOCHS:
        g = max(givens, key=lambda g: g.epoch)
        raise LearnerFileError(g.file, g.line, _("epoch: {epoch} is more than the {most} "
                                                 "epochs --compare checks", epoch=g.epoch,
                                                 most=MAX_EPOCHS))
    problem = side(scenario).epoch_problem(scenario, epochs)
    if problem is not None:
        g = max(givens, key=lambda g: g.epoch)
        raise LearnerFileError(g.file, g.line, problem)
    events = correct_events(scenario, epochs)
    names = Spellings([ev.symbol for ev in events], show=side(scenario).show)
    shapes = {(ev.epoch, ev.sample, ev.symbol): np.shape(ev.value) for ev in events}
    keys = set(shapes)
    known: dict[tuple, Given] = {}
    unknown: list[Mark] = []
    full: Spellings | None = None
    for g in givens:
        try:
            sym = names.resolve(g)
        except LearnerFileError:
            full = full or spellings(scenario, events)
            sym = full.resolve(g)  # raises for a symbol no step and no mistake computes
            unknown.append(Mark(g, sym, "unknown", None))
            continue
        key = _key(g, sym, keys, scenario)
        _check_shape(g, sym, shapes[key])
        if key in known:
            raise LearnerFileError(g.file, g.line, _(
                "{symbol} (epoch {epoch}, sample {sample}) is given twice; first on line {line}",
                symbol=sym, epoch=g.epoch, sample=key[1], line=known[key].line))
        known[key] = g
    marking = Marking(scenario, [], events, tolerance)
    marking.marks = _walk(scenario, events, known, tolerance, marking.contexts) + unknown
    return marking


def _check_shape(g: Given, sym: str, shape: tuple[int, ...]) -> None:
    """A value of another size than the step's (a matrix for a number, a number for the
    batch's 64×100) is a problem of the file, said with its line, not a mark: nothing can be
    compared or carried forward from it."""
    given = np.shape(g.value)
    if int(np.prod(given)) == int(np.prod(shape)):
        return

    def what(sh: tuple[int, ...]) -> str:
        if int(np.prod(sh)) == 1:
            return _("one number")
        return _("a {shape} matrix", shape="×".join(map(str, sh)))

    raise LearnerFileError(g.file, g.line, _("value: {symbol} is {expected}, found {found}",
                                             symbol=sym, expected=what(shape),
                                             found=what(given)))


def _key(g: Given, sym: str, keys: set, s: Scenario) -> tuple:
    for sample in ([g.sample] if g.sample is not None else [1, None]):
        if (g.epoch, sample, sym) in keys:
            return (g.epoch, sample, sym)
    if g.sample == 1 and (g.epoch, None, sym) in keys:
        return (g.epoch, None, sym)
    samples = sorted({k[1] for k in keys if k[0] == g.epoch and k[2] == sym and k[1]})
    if getattr(s, "is_graph", False) and (g.epoch, None, sym) in keys:
        return_msg = _("{symbol}: a graph has no samples (its inputs are leaves): leave sample "
                       "out", symbol=sym)
    elif samples and g.sample is not None:
        return_msg = _("{symbol} has no sample {sample} here (samples: {samples})", symbol=sym,
                       sample=g.sample, samples=", ".join(map(str, samples)))
    elif samples:
        return_msg = _("{symbol} has no epoch here (samples: {samples})", symbol=sym,
                       samples=", ".join(map(str, samples)))
    else:
        return_msg = _("{symbol} is a step of the whole batch: leave sample out", symbol=sym)
    raise LearnerFileError(g.file, g.line, return_msg)


def initial_context(s: Scenario) -> dict[str, object]:
    """The values every step may read before any is computed: parameters and η."""
    ctx: dict[str, object] = {"eta": s.learning_rate}
    params = bp.Params.initial(s)
    for lay, layer in enumerate(s.layers, start=1):
        w, b = params.weights[lay - 1], params.biases[lay - 1]
        ctx[f"W{lay}"] = w
        if b is not None:
            ctx[f"b{lay}"] = b
        if s.unit_by_unit:
            for j in range(layer.size):
                for i in range(layer.inputs):
                    ctx[layer.weight_name(j, i, lay)] = float(w[j, i])
            if b is not None:
                for j in range(b.size):
                    ctx[layer.bias_name(j, lay)] = float(b[j])
    return ctx


def _enter_sample(ctx: dict, s: Scenario, sample: int | None) -> None:
    """Inputs and targets of the sample (all samples for a step over the batch)."""
    rows = slice(None) if sample is None else slice(sample - 1, sample)
    ctx["X"] = s.inputs
    ctx["x"] = s.inputs[rows]
    ctx["T"] = s.targets[rows]
    if sample is not None:
        for i, name in enumerate(s.input_names):
            ctx[name] = float(s.inputs[sample - 1, i])
        for k, unit in enumerate(s.layers[-1].names):
            ctx[f"target_{unit}"] = ctx[f"t_{unit}"] = float(s.targets[sample - 1, k])


def _walk(s: Scenario, events: list[Event], given: dict, tol: float, contexts: dict
          ) -> list[Mark]:
    sd = side(s)
    right_ctx = sd.initial_context(s)
    yours_ctx = dict(right_ctx)
    current: tuple | None = None
    marks: list[Mark] = []
    for ev in events:
        if (ev.epoch, ev.sample) != current:
            if current is None or ev.epoch != current[0]:
                for ctx in (right_ctx, yours_ctx):
                    for key in [k for k in ctx if k.startswith(SUMMED)]:
                        del ctx[key]
            current = (ev.epoch, ev.sample)
            sd.enter_sample(right_ctx, s, ev.sample)
            sd.enter_sample(yours_ctx, s, ev.sample)
        contexts[(ev.epoch, ev.position)] = {u: right_ctx.get(u) for u in ev.uses}
        implied = evaluate_step(ev, yours_ctx, s)
        g = given.get((ev.epoch, ev.sample, ev.symbol))
        if g is not None:
            env = {u: yours_ctx.get(u) for u in ev.uses}
            verdict = _judge(ev, g.value, implied, right_ctx, yours_ctx, tol)
            marks.append(Mark(g, ev.symbol, verdict, ev, implied, env))
            mine = g.value
        else:
            mine = implied if implied is not None and _shape_ok(implied, ev.value) else ev.value
        _store(right_ctx, ev, ev.value)
        _store(yours_ctx, ev, mine)
    return marks


def _shape_ok(a: object, b: object) -> bool:
    return np.asarray(a).size == np.asarray(b).size


def _judge(ev: Event, yours: object, implied: object, right_ctx: dict, yours_ctx: dict,
           tol: float) -> str:
    if not _shape_ok(yours, ev.value):
        return "wrong"
    if ev.kind == "update":  # judged by the change, so a wrong small step shows
        old = _old(ev, right_ctx)
        if close(np.asarray(yours) - old, np.asarray(ev.value) - old, tol):
            return "right"
        if implied is not None:
            mine = _old(ev, yours_ctx)
            if close(np.asarray(yours) - mine, np.asarray(implied) - mine, tol):
                return "carried_forward"
        return "wrong"
    if close(yours, ev.value, tol):
        return "right"
    if implied is not None and _shape_ok(implied, ev.value) and close(yours, implied, tol):
        return "carried_forward"
    return "wrong"


def _old(ev: Event, ctx: dict) -> np.ndarray:
    return np.asarray(ctx.get(ev.uses[0], ev.old), dtype=np.float64)


def _store(ctx: dict, ev: Event, value: object) -> None:
    value = np.asarray(value, dtype=np.float64).reshape(np.shape(ev.value)) if isinstance(
        ev.value, np.ndarray) else float(np.asarray(value).reshape(-1)[0])
    ctx[ev.symbol] = value
    if ev.sample is not None and (ev.kind == "grad" or ev.symbol == "E_total"):
        ctx[SUMMED + ev.symbol] = ctx.get(SUMMED + ev.symbol, 0.0) + value
    if ev.kind == "update":
        ctx[ev.symbol[:-1]] = value  # w5+ is the w5 every later step reads


# ----------------------------------------------------------------------------- the two sides


@dataclass(frozen=True)
class Side:
    """What marking, the diagnosis and the worksheet need from one way of teaching: layered
    networks (net, out, δ) or computational graphs (:mod:`bptui.graph.compare`). Everything
    else about marking is the same for both."""

    events: Callable[[Scenario, int, str | None], list[Event]]  # the steps of N epochs
    initial_context: Callable[[Scenario], dict]  # what steps read before any is computed
    enter_sample: Callable[[dict, Scenario, int | None], None]  # a sample's inputs, targets
    evaluate: Callable[[Event, Mapping, Scenario], object]  # a step's tree on other numbers
    show: Callable[[str], str]  # a symbol's display form (the screen's spelling)
    mistakes: Callable[[], Mapping]  # the mistake lab that applies
    swappable: Callable[[Scenario], set[str]]  # values a slip may exchange
    rule_with: Callable[[Event, Mapping, float | None], str | None] | None = None  # the rule
    #: on a learner's numbers, where the side renders it from the tree itself
    epoch_problem: Callable[[Scenario, int], str | None] = lambda s, epochs: None  # why a
    #: file's epoch cannot be marked (a graph without [training] has one epoch only)
    values_before: Callable[[Scenario, list[Event], Event], dict] | None = None  # the values
    #: a step could have read by mistake in place of its own (a graph's leaves and nodes)


def _layered_mistakes() -> Mapping:
    from bptui.mistakes import MISTAKES

    return MISTAKES


def _weight_names(s: Scenario) -> set[str]:
    return {la.weight_name(j, i, n) for n, la in enumerate(s.layers, start=1)
            for j in range(la.size) for i in range(la.inputs)} if s.unit_by_unit else set()


LAYERED = Side(
    events=lambda s, epochs, mistake: list(iter_epochs(s, epochs, mistake)),
    initial_context=lambda s: initial_context(s),
    enter_sample=lambda ctx, s, sample: _enter_sample(ctx, s, sample),
    evaluate=lambda ev, env, s: _evaluate_layered(ev, env, s),
    show=pretty,
    mistakes=_layered_mistakes,
    swappable=_weight_names,
)
_GRAPH: list[Side] = []


def side(scenario: object) -> Side:
    """The side ``scenario`` is taught on: a computational graph or a layered network."""
    return graph_side() if getattr(scenario, "is_graph", False) else LAYERED


def graph_side() -> Side:
    """Built on first use: a layered scenario never imports the graph package."""
    if not _GRAPH:
        from bptui.graph import compare as g

        _GRAPH.append(Side(
            events=g.events, initial_context=g.initial_context,
            enter_sample=lambda ctx, s, sample: None,  # a graph's inputs are leaves
            evaluate=lambda ev, env, s: g.evaluate_step(ev, env), show=g.show,
            mistakes=g.mistakes, swappable=g.swappable,
            rule_with=lambda ev, env, eta: g.rule_with(ev, dict(env, eta=eta)),
            epoch_problem=g.epoch_problem, values_before=g.values_before))
    return _GRAPH[0]


def side_of(event: Event) -> Side:
    """The side a step belongs to (a graph's steps name their ``node``)."""
    return LAYERED if event.node is None else graph_side()


def find_mistake(name: str):
    """A mistake of either lab by its name (the two labs' names are distinct)."""
    return {**LAYERED.mistakes(), **graph_side().mistakes()}[name]


def marks_for_epoch(marking: Marking, epoch: int) -> dict[tuple[int | None, str], str]:
    """For the screen: the mark of every value the learner gave in ``epoch``, keyed by
    (sample, ASCII symbol)."""
    return {(m.sample, m.symbol): m.mark for m in marking.marks
            if m.epoch == epoch and m.event is not None}

