"""Property: any subset of a correct trace is all right; one perturbed value is the only wrong
one, and every later value computed consistently from it is carried forward.

"Consistently" is defined here, independently of bptui.marking, by a small hand-written
evaluator of the rules of sigmoid/linear networks with a squared-error loss.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptui import scenario
from bptui.learner import Given
from bptui.marking import close, correct_events, mark

NAMES = ("mazur_2_2_2", "two_three_one", "sigmoid_chain_1_1_1", "linear_chain_1_1_1")


@cache
def events(name: str):
    return tuple(correct_events(scenario.load(name), 1))


def _rule(ev, vals: dict, s) -> float:
    """The step's rule on ``vals``, written out by hand for these four networks."""
    u = [vals[n] for n in ev.uses]
    act = s.layers[ev.layer - 1].activation if ev.layer else None
    two = 2.0 if s.loss == "sse" else 1.0
    if ev.kind in ("net", "dE_din"):
        total = sum(u[k] * u[k + 1] for k in range(0, len(u) - 1, 2))
        return total + (u[-1] if len(u) % 2 else 0.0)
    if ev.kind == "out":
        return 1 / (1 + math.exp(-u[0])) if act == "sigmoid" else u[0]
    if ev.kind == "loss":
        return sum(u) if ev.symbol == "E_total" else two / 2 * (u[0] - u[1]) ** 2
    if ev.kind == "dE_dout":
        return two * (u[1] - u[0])
    if ev.kind == "dout_dnet":
        return u[0] * (1 - u[0]) if act == "sigmoid" else 1.0
    if ev.kind in ("delta", "grad"):
        return u[0] * u[1] if len(u) == 2 else sum(u)
    if ev.kind == "update":
        return u[0] - s.learning_rate * u[1]
    raise AssertionError(ev.kind)


def chain(name: str, perturb: int | None = None, by: float = 0.0) -> list[float]:
    """Every value of the trace, recomputed from the rules, with value ``perturb`` moved."""
    s = scenario.load(name)
    vals: dict = {}
    for n, la in enumerate(s.layers, start=1):
        for j in range(la.size):
            for i in range(la.inputs):
                vals[la.weight_name(j, i, n)] = float(la.weights[j, i])
            if la.bias is not None:
                vals[la.bias_name(j, n)] = float(la.bias[0 if la.bias.size == 1 else j])
    out = []
    for k, ev in enumerate(events(name)):
        x, t = s.inputs[ev.sample - 1], s.targets[ev.sample - 1]
        vals.update(zip(s.input_names, map(float, x), strict=True))
        vals.update({f"target_{u}": float(v) for u, v in zip(s.layers[-1].names, t,
                                                              strict=True)})
        v = _rule(ev, vals, s)
        if k == perturb:
            v += by * max(abs(v), 0.01)
        vals[ev.symbol] = v
        if ev.kind == "update":
            vals[ev.symbol[:-1]] = v
        out.append(v)
    return out


def _givens(name: str, chosen: list[int], values: list[float]) -> list[Given]:
    evs = events(name)
    return [Given(evs[k].symbol, values[k], evs[k].epoch, evs[k].sample, "f", k + 1)
            for k in chosen]


def _same(ev, value: float) -> bool:
    base = float(ev.old) if ev.kind == "update" else 0.0
    return close(value - base, float(ev.value) - base)


def test_the_hand_written_rules_give_the_trace():
    for name in NAMES:
        assert all(close(v, ev.value, 1e-12) for v, ev in zip(chain(name), events(name),
                                                             strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.data())
def test_random_subsets_of_a_correct_trace_are_all_right(name, data):
    evs = events(name)
    chosen = data.draw(st.lists(st.integers(0, len(evs) - 1), min_size=1, unique=True))
    marking = mark(scenario.load(name), _givens(name, chosen, [float(e.value) for e in evs]))
    assert [m.mark for m in marking.marks] == ["right"] * len(chosen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.data(),
       st.floats(0.05, 0.5) | st.floats(-0.5, -0.05))
def test_one_perturbed_value_is_wrong_and_its_successors_carried_forward(name, data, by):
    evs = events(name)
    k = data.draw(st.integers(0, len(evs) - 1), label="perturbed")
    later = data.draw(st.lists(st.integers(0, len(evs) - 1), unique=True), label="subset")
    chosen = sorted({k, *later})
    values = chain(name, k, by)
    marking = mark(scenario.load(name), _givens(name, chosen, values))
    got = {m.given.line - 1: m.mark for m in marking.marks}
    expected = {i: "wrong" if i == k else "right" if _same(evs[i], values[i])
                else "carried_forward" for i in chosen}
    assert got == expected
    assert sum(1 for m in got.values() if m == "wrong") == 1
    assert np.isfinite(values).all()
