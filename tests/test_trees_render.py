"""Every rule the learner reads is written from the step's expression tree, never by hand.

For every event of every built-in (layered and graph, under every mistake that applies, two
epochs, plus the batch-mean test scenario and a few networks that use what the built-ins do
not: mse, binary cross-entropy, leaky relu, softplus, relu unit by unit, a layer-level softmax
with biases and a mean): ``equation`` and ``substituted`` are exactly what the renderer writes
from ``tree`` (and the rule's forms, ``chain``), so a hand-written string fails here; the tree
evaluates to ``value``; and a form of the chain rule that carries values multiplies out to it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from bptui import expr, mistakes, scenario
from bptui.engine import iter_epochs
from bptui.expr_text import lines, text
from bptui.graph import steps as graph_steps
from bptui.graph.mistakes import MISTAKES as GRAPH_MISTAKES
from bptui.graph.tree import text as graph_text
from bptui.steps import written

DATA = Path(__file__).resolve().parent / "data"

#: networks that use what the built-ins do not (see each file's title)
EXTRA = sorted(str(p.relative_to(DATA.parent.parent)) for p in DATA.glob("render_*.toml"))


def _load(name: str):
    return scenario.load(name)


def _runs() -> list[tuple[str, str | None]]:
    runs = []
    for name in [*scenario.builtin_names(), "tests/data/batch_mean_1_1_1.toml",
                 "tests/data/dense_12_12.toml", *EXTRA]:
        s = _load(name)
        table = GRAPH_MISTAKES if getattr(s, "is_graph", False) else mistakes.MISTAKES
        runs += [(name, m) for m in [None, *table] if m is None or table[m].applies(s) is None]
    return runs


RUNS = _runs()


def _events(name: str, mistake: str | None):
    s = _load(name)
    walk = graph_steps.iter_epochs if getattr(s, "is_graph", False) else iter_epochs
    with np.errstate(all="ignore"):
        return s, list(walk(s, 2, mistake))


def _close(got, want, what: str) -> None:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.size == 1:  # a constant rule (a linear unit's slope 1) holds elementwise
        got = np.broadcast_to(got.reshape(()), want.shape)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-12, atol=1e-14,
                               err_msg=what)


@pytest.mark.parametrize(("name", "mistake"), RUNS, ids=[f"{n}-{m}" for n, m in RUNS])
def test_every_rule_is_rendered_from_its_tree(name: str, mistake: str | None) -> None:
    s, events = _events(name, mistake)
    for ev in events:
        if getattr(s, "is_graph", False):
            lhs = graph_steps.show(ev.symbol)
            want = (f"{lhs} = {graph_text(ev.tree, show=graph_steps.show)}",
                    f"{lhs} = {graph_text(ev.tree, numbers=True)}")
        else:
            want = written(ev.symbol, ev.kind, ev.tree, ev.value, ev.chain, ev.note)
        assert (ev.equation, ev.substituted) == want, ev.symbol
        # the tree gives the value; a form of the chain rule with values multiplies out to it
        _close(expr.evaluate(ev.tree), ev.value, f"{ev.symbol}: {ev.equation}")
        for form in ev.chain:
            if all(n.value is not None for n in expr.walk(form) if isinstance(n, expr.Sym)) \
                    and expr.symbols(form):
                _close(expr.evaluate(form), ev.value, f"{ev.symbol}: {ev.equation}")


@functools.cache
def _right_rules(name: str) -> frozenset[str]:
    """The equations of correct backprop's steps (computed once per scenario, not once per
    mistake: the dense 12-12's took a second each time)."""
    return frozenset(ev.equation for ev in _events(name, None)[1])


@pytest.mark.parametrize(("name", "mistake"), RUNS, ids=[f"{n}-{m}" for n, m in RUNS])
def test_a_mistakes_correct_rule_is_a_rendered_rule_too(name: str, mistake: str | None) -> None:
    """correct_equation is the equation of the same step under correct backprop."""
    if mistake is None:
        return
    s, wrong = _events(name, mistake)
    rules = _right_rules(name)
    for ev in wrong:
        if ev.correct_equation is not None:
            assert ev.correct_equation in rules, ev.symbol


def test_the_written_forms_by_hand() -> None:
    """The conventions, each on a tree built by hand (the numbers are the 2-2-2 walkthrough's
    and made-up negatives)."""
    S, N = expr.Sym, expr.Num
    t, o = S("target_o1", 0.01), S("out_o1", 0.7513650696)
    half = expr.mul(N(0.5), expr.Op("**", (expr.sub(t, o), N(2.0))))
    assert lines("E_o1", half, 0.27) == ("E_o1 = ½(target_o1 - out_o1)²",
                                         "E_o1 = ½(0.01 - 0.7513650696)²")
    slope = expr.mul(S("out_h1", -0.3), expr.sub(N(1.0), S("out_h1", -0.3)))
    assert text(slope) == "out_h1(1 - out_h1)"
    assert text(slope, numbers=True) == "(-0.3)(1 - (-0.3))"
    assert text(expr.neg(expr.Op("/", (S("target_a", 1.0), S("out_a", 0.5))))) == \
        "-target_a/out_a"
    assert text(expr.neg(expr.mul(N(2.0), expr.sub(t, o)))) == "-2(target_o1 - out_o1)"
    step = expr.sub(S("w7", 0.5), expr.mul(N(0.5, "η"), S("dE/dw7", -0.0226)))
    assert lines("w7⁺", step, 0.51) == ("w7⁺ = w7 - η · ∂E/∂w7", "w7⁺ = 0.5 - 0.5 · (-0.0226)")
    mean = expr.Op("/", (expr.Sum((S("E_total", 0.125), S("E_total", 0.5)), "s", S("E_s")),
                         N(2.0, "N")))
    assert lines("E_batch", mean, 0.3125) == ("E_batch = (Σ_s E_s) / N",
                                              "E_batch = (0.125 + 0.5) / 2")
    assert lines("out_y", S("net_y", -0.5), -0.5, bare=True)[1] == "out_y = -0.5"
    assert lines("w1⁺", S("w1", -0.5), -0.5)[1] == "w1⁺ = (-0.5)"
    assert text(expr.mul(S("delta_o1", 0.1), S("w5", 0.4, updated=True))) == "δ_o1 · w5⁺"
