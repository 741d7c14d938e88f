"""Every step's expression tree: it evaluates to the step's value, its symbols are the step's
``uses``, and --trace writes it (with the format version) so other tools need not parse text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui import expr, mistakes, scenario
from bptui.engine import iter_epochs
from bptui.expr import Num, Op, Sum, Sym, call, evaluate, symbols, to_json
from bptui.graph import steps as graph_steps

from .conftest import run_cli_inprocess

RUNS = [(name, m) for name in scenario.builtin_names() for m in [None, *mistakes.MISTAKES]
        if m is None or mistakes.MISTAKES[m].applies(scenario.load(name)) is None]
RUNS.append(("tests/data/batch_mean_1_1_1.toml", None))
RUNS.append(("tests/data/batch_mean_1_1_1.toml", "sum-for-mean"))


@pytest.mark.parametrize(("name", "mistake"), RUNS, ids=[f"{n}-{m}" for n, m in RUNS])
def test_every_tree_evaluates_to_its_steps_value(name: str, mistake: str | None) -> None:
    s = scenario.load(name)
    # a [graph] built-in's steps come from bptui.graph, with trees of the same node types
    walk = graph_steps.iter_epochs if getattr(s, "is_graph", False) else iter_epochs
    with np.errstate(all="ignore"):
        for ev in walk(s, 2, mistake):
            assert ev.tree is not None, ev.symbol
            assert symbols(ev.tree) == ev.uses, ev.symbol
            got = np.asarray(evaluate(ev.tree), dtype=np.float64)
            want = np.asarray(ev.value, dtype=np.float64)
            if got.size == 1:  # a constant rule (a linear unit's slope 1) holds elementwise
                got = np.broadcast_to(got.reshape(()), want.shape)
            assert got.size == want.size, ev.symbol
            np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-12, atol=1e-14,
                                       err_msg=f"{ev.symbol} ({ev.equation})")


def test_evaluate_puts_a_learners_numbers_in() -> None:
    tree = Sum((Op("*", (Sym("w5", 0.4), Sym("out_h1", 0.5))), Sym("b2", 0.6)))
    assert evaluate(tree) == pytest.approx(0.8)
    assert evaluate(tree, {"out_h1": 1.0}) == pytest.approx(1.0)
    assert symbols(tree) == ("w5", "out_h1", "b2")
    assert evaluate(Op("neg", (Num(2.0),))) == -2.0
    assert evaluate(call("sigmoid", Num(0.0))) == 0.5
    assert expr.parts(Op("*", (Sym("a", 2.0), Sym("b", 3.0))))[0] == "factor"


def test_json_round_trip() -> None:
    tree = Op("-", (Sym("w5", 0.4), Op("*", (Num(0.5), Sym("dE/dw5", 0.08)))))
    data = to_json(tree)
    assert data == {"op": "-", "args": [{"sym": "w5", "value": 0.4}, {"op": "*", "args": [
        {"num": 0.5}, {"sym": "dE/dw5", "value": 0.08}]}]}
    assert expr.from_json(json.loads(json.dumps(data))) == tree


def test_trace_lines_carry_the_format_and_a_tree_other_tools_can_evaluate() -> None:
    done = run_cli_inprocess("mazur_2_2_2", "--trace")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(d["format"] == expr.FORMAT for d in lines)
    w5 = next(d for d in lines if d["symbol"] == "w5+")
    # published: w5+ = 0.35891648
    assert evaluate(expr.from_json(w5["tree"])) == pytest.approx(0.35891648, abs=1e-8)
    train = json.loads(run_cli_inprocess("mazur_2_2_2", "--train", "1", "--json").stdout)
    assert train["format"] == expr.FORMAT
