"""The operation registry: every operation has every piece, and each piece is right."""

from __future__ import annotations

import pytest

from bptui.graph.mistakes import MISTAKES
from bptui.graph.ops import FUNCTIONS, OPERATIONS
from bptui.graph.tree import Num, Sym, evaluate

from .graph_helpers import builtin, graph

POINTS = {"log": 1.7, "sqrt": 2.3, "/": None, "**": None}


def _args(key):
    if key == "**":
        return [1.3, 3.0]
    if key == "/":
        return [0.7, -1.9]
    return [POINTS.get(key) or 0.6] * OPERATIONS[key].arity


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_every_operation_has_every_piece(key):
    o = OPERATIONS[key]
    assert o.key == key and o.python and o.label and o.why
    assert len(o.local) == len(o.local_rule) == len(o.why_local) == o.arity
    for k in range(o.arity):
        assert "{" + str(k) + "}" in o.text and "{" + str(k) + "}" in o.latex
    assert o.domain(_args(key)) is None
    assert all(w for w in o.why_local)


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_local_derivatives_match_central_differences_and_their_rules(key):
    o = OPERATIONS[key]
    args = _args(key)
    out = o.forward(*args)
    trees = [Sym(f"x{k}", v) for k, v in enumerate(args)]
    if key == "**":
        trees[1] = Num(args[1])
    for k in range(o.arity):
        if key == "**" and k == 1:
            continue  # the exponent is a constant, never differentiated
        h = 1e-6
        up, down = list(args), list(args)
        up[k] += h
        down[k] -= h
        numeric = (o.forward(*up) - o.forward(*down)) / (2 * h)
        assert o.local[k](args, out) == pytest.approx(numeric, rel=1e-6, abs=1e-8)
        rule = o.local_rule[k](trees, Sym("out", out))
        assert evaluate(rule) == pytest.approx(o.local[k](args, out), rel=1e-12)


def test_the_functions_the_issue_asks_for():
    assert set(FUNCTIONS) == {"exp", "log", "tanh", "sigmoid", "relu", "sqrt"}
    assert {"+", "-", "*", "/", "**", "neg"} <= set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_every_graph_mistake_has_every_piece(name):
    m = MISTAKES[name]
    assert m.name == name and m.title and m.wrong and m.right and m.breaks and m.source
    assert m.description
    assert m.local is not None or m.combine is not None or m.keeps_grads
    # it applies somewhere, and says why not elsewhere
    where = {"grad-overwritten": "micrograd_expression", "tanh-prime-of-input":
             "micrograd_neuron", "grad-not-zeroed": "micrograd_neuron"}[name]
    plain = graph('[graph]\nvalues = { a = 2.0 }\nexpression = "L = sigmoid(a)"\n')
    assert m.applies(plain)
    if name != "grad-overwritten":
        assert m.applies(builtin(where)) is None
    else:
        assert m.applies(builtin("micrograd_expression"))  # nothing used twice there
        assert m.applies(graph('[graph]\nvalues = { a = 2.0 }\nexpression = "L = a * a"\n')) \
            is None
