"""Property, on computational graphs: any subset of a correct trace is all right; one perturbed
value is the only wrong one, and every later value computed consistently from it is carried
forward.

"Consistently" is defined here, independently of bptui.marking and of the steps' trees, by a
small hand-written evaluator of the graph's rules: a node applies its operation, a local
derivative is the operation's slope at its inputs, a chain step multiplies the consumer's
gradient by it, a gradient adds the shares of every use, an update steps against it.
"""

from __future__ import annotations

import math
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptui import scenario
from bptui.graph.steps import grad_symbol, local_symbol, share_symbol
from bptui.learner import Given
from bptui.marking import close, correct_events, mark

from .graph_helpers import graph

SHARED = graph("""
[graph]
values = { a = 0.5, b = -1.5 }
expression = \"\"\"
c = a * a
L = sqrt(c + exp(a * b)) / (1 + a) - log(2 + b * b)
\"\"\"
[training]
learning_rate = 0.1
epochs = 3
train = ["a", "b"]
""", "shared")
GRAPHS = {"micrograd_expression": (1,), "micrograd_neuron": (2,), "cs231n_sigmoid_gate": (1,),
          "shared": (2,)}

FORWARD = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
    "/": lambda x, y: x / y, "**": lambda x, p: x ** p, "neg": lambda x: -x,
    "exp": math.exp, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "relu": lambda x: max(x, 0.0),
}
SLOPE = {  # (inputs, output, slot) -> ∂output/∂input
    "+": lambda a, o, k: 1.0, "-": lambda a, o, k: 1.0 if k == 0 else -1.0,
    "*": lambda a, o, k: a[1 - k], "/": lambda a, o, k: 1 / a[1] if k == 0 else -a[0] / a[1] ** 2,
    "**": lambda a, o, k: a[1] * a[0] ** (a[1] - 1), "neg": lambda a, o, k: -1.0,
    "exp": lambda a, o, k: o, "log": lambda a, o, k: 1 / a[0], "tanh": lambda a, o, k: 1 - o * o,
    "sqrt": lambda a, o, k: 0.5 / o, "sigmoid": lambda a, o, k: o * (1 - o),
    "relu": lambda a, o, k: 1.0 if a[0] >= 0 else 0.0,
}


def load(name: str):
    return SHARED if name == "shared" else scenario.load(name)


@cache
def events(name: str):
    return tuple(correct_events(load(name), GRAPHS[name][0]))


def chain(name: str, perturb: int | None = None, by: float = 0.0) -> list[float]:
    """Every value of the trace from the hand-written rules, with value ``perturb`` moved."""
    g = load(name)
    vals = dict(g.leaves)
    by_symbol: dict[str, tuple] = {}  # what each backward symbol is, from the graph itself
    for node in g.nodes:
        for use in (u for i in node.inputs if isinstance(i, str) for u in g.uses(i)
                    if u.consumer == node.name):
            by_symbol[local_symbol(g, use)] = ("local", node, use)
            by_symbol[share_symbol(g, use)] = ("chain", node, use)
    for name_ in [*g.leaves, *(n.name for n in g.nodes)]:
        by_symbol[grad_symbol(g, name_)] = ("grad", name_)
    out = []
    for k, ev in enumerate(events(name)):
        args = None
        what = by_symbol.get(ev.symbol)
        if ev.kind == "node":
            node = g.node(ev.symbol)
            args = [vals[i] if isinstance(i, str) else i for i in node.inputs]
            v = FORWARD[node.op](*args)
        elif ev.kind == "local":
            _, node, use = what
            args = [vals[i] if isinstance(i, str) else i for i in node.inputs]
            v = SLOPE[node.op](args, vals[node.name], use.slot)
        elif ev.kind == "chain":
            _, node, use = what
            v = vals[grad_symbol(g, node.name)] * vals[local_symbol(g, use)]
        elif ev.kind == "grad":
            uses = g.uses(what[1])
            v = 1.0 if what[1] == g.output else sum(vals[share_symbol(g, u)] for u in uses)
        else:  # update
            leaf = ev.symbol[:-1]
            v = vals[leaf] - g.learning_rate * vals[grad_symbol(g, leaf)]
        if k == perturb:
            v += by * max(abs(v), 0.01)
        vals[ev.symbol] = v
        if ev.kind == "update":
            vals[ev.symbol[:-1]] = v
        out.append(v)
    return out


def _givens(name: str, chosen: list[int], values: list[float]) -> list[Given]:
    evs = events(name)
    return [Given(evs[k].symbol, values[k], evs[k].epoch, None, "f", k + 1) for k in chosen]


def _same(ev, value: float) -> bool:
    base = float(ev.old) if ev.kind == "update" else 0.0
    return close(value - base, float(ev.value) - base)


def test_the_hand_written_rules_give_the_trace():
    for name in GRAPHS:
        got = chain(name)
        assert all(close(v, ev.value, 1e-12) for v, ev in zip(got, events(name), strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(GRAPHS)), st.data())
def test_random_subsets_of_a_correct_trace_are_all_right(name, data):
    evs = events(name)
    chosen = data.draw(st.lists(st.integers(0, len(evs) - 1), min_size=1, unique=True))
    marking = mark(load(name), _givens(name, chosen, [float(e.value) for e in evs]))
    assert [m.mark for m in marking.marks] == ["right"] * len(chosen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(GRAPHS)), st.data(),
       st.floats(0.05, 0.5) | st.floats(-0.5, -0.05))
def test_one_perturbed_value_is_wrong_and_its_successors_carried_forward(name, data, by):
    evs = events(name)
    k = data.draw(st.integers(0, len(evs) - 1), label="perturbed")
    later = data.draw(st.lists(st.integers(0, len(evs) - 1), unique=True), label="subset")
    chosen = sorted({k, *later})
    values = chain(name, k, by)
    marking = mark(load(name), _givens(name, chosen, values))
    got = {m.given.line - 1: m.mark for m in marking.marks}
    expected = {i: "wrong" if i == k else "right" if _same(evs[i], values[i])
                else "carried_forward" for i in chosen}
    assert got == expected
    assert all(math.isfinite(v) for v in values)
