"""Randomly generated graphs: every leaf's gradient agrees with central differences.

The expressions are built over every operator and function, with the arguments of log,
sqrt, / and fractional powers kept inside their domains by construction. The reference is
Python evaluating the same text with the math module: independent of bptui's engine.
"""

from __future__ import annotations

import math
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bptui.graph.steps import iter_epochs

from .graph_helpers import graph, leaf_grads

LEAVES = ("a", "b", "c")
MATH = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "sqrt": math.sqrt,
        "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "relu": lambda x: max(x, 0.0)}


def _positive(e: str) -> str:
    return f"({e}) ** 2 + 0.5"


def _extend(inner):
    one = inner
    return st.one_of(
        st.tuples(one, one).map(lambda t: f"({t[0]} + {t[1]})"),
        st.tuples(one, one).map(lambda t: f"({t[0]} - {t[1]})"),
        st.tuples(one, one).map(lambda t: f"({t[0]} * {t[1]})"),
        st.tuples(one, one).map(lambda t: f"({t[0]} / ({_positive(t[1])}))"),
        one.map(lambda e: f"(-{e})"),
        st.tuples(one, st.sampled_from([2, 3])).map(lambda t: f"({t[0]}) ** {t[1]}"),
        st.tuples(one, st.sampled_from([-1, 0.5, 1.5])).map(
            lambda t: f"({_positive(t[0])}) ** {t[1]}"),
        one.map(lambda e: f"exp(tanh({e}))"),
        one.map(lambda e: f"log({_positive(e)})"),
        one.map(lambda e: f"sqrt({_positive(e)})"),
        one.map(lambda e: f"tanh({e})"),
        one.map(lambda e: f"sigmoid({e})"),
        one.map(lambda e: f"relu({e})"),
    )


EXPR = st.recursive(st.sampled_from(LEAVES + ("1.5",)), _extend, max_leaves=6)
VALUE = st.floats(min_value=-2, max_value=2, allow_nan=False).map(lambda x: round(x, 3))


def _relu_kink(expr: str, env: dict[str, float]) -> bool:
    """A relu whose input is near 0: its slope jumps there, no finite difference agrees."""
    seen = []
    safe = dict(MATH, relu=lambda x: seen.append(x) or max(x, 0.0))
    eval(expr, {"__builtins__": {}}, {**safe, **env})  # noqa: S307 - our own generated text
    return any(abs(x) < 1e-3 for x in seen)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPR, st.tuples(VALUE, VALUE, VALUE))
def test_every_leaf_gradient_matches_central_differences(expr, vals):
    used = [n for n in LEAVES if re.search(rf"\b{n}\b", expr)]
    assume(used)
    env = dict(zip(LEAVES, vals, strict=True))
    env = {k: v for k, v in env.items() if k in used}
    assume(not _relu_kink(expr, env))
    leaves = ", ".join(f"{k} = {v!r}" for k, v in env.items())
    g = graph(f'[graph]\nvalues = {{ {leaves} }}\nexpression = "L = {expr}"\n')
    grads = leaf_grads(iter_epochs(g, 1), g)

    def f(point):
        return eval(expr, {"__builtins__": {}}, {**MATH, **point})  # noqa: S307

    for leaf in used:
        h = 1e-6
        up, down = dict(env), dict(env)
        up[leaf] += h
        down[leaf] -= h
        numeric = (f(up) - f(down)) / (2 * h)
        assert abs(grads[leaf] - numeric) <= 1e-5 * max(1.0, abs(numeric)), (leaf, expr, env)
