"""The built-in graphs against their published numbers (micrograd, CS231n, Mazur via --graph).

Published values are typed in from the sources, never copied from bptui's output.
"""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli, run_cli_inprocess
from .graph_helpers import builtin, epoch, leaf_grads


def test_micrograd_expression():
    g = builtin("micrograd_expression")
    events = epoch(g)
    forward = [ev for ev in events if ev.phase == "forward"]
    assert forward[-1].symbol == "L" and forward[-1].value == -8.0
    assert leaf_grads(events, g) == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def test_micrograd_neuron():
    g = builtin("micrograd_neuron")
    events = epoch(g)
    out = [ev for ev in events if ev.phase == "forward"][-1]
    assert out.symbol == "o" and round(out.value, 4) == 0.7071
    grads = leaf_grads(events, g)
    published = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    assert grads.keys() == published.keys()
    for k, v in published.items():
        assert grads[k] == pytest.approx(v, abs=1e-9), k


def test_cs231n_sigmoid_gate():
    g = builtin("cs231n_sigmoid_gate")
    events = epoch(g)
    assert round([ev for ev in events if ev.phase == "forward"][-1].value, 2) == 0.73
    grads = leaf_grads(events, g)
    published = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}
    assert {k: round(v, 2) for k, v in grads.items()} == published


def test_sigmoid_gate_notes_explain_the_shortcut():
    g = builtin("cs231n_sigmoid_gate")
    assert "σ(1 - σ)" in g.notes or "σ(1-σ)" in g.notes


def test_staged_names_are_the_lectures_steps():
    g = builtin("micrograd_expression")
    assert [(n.name, n.op, n.inputs) for n in g.nodes] == [
        ("n1", "*", ("a", "b")), ("n2", "+", ("n1", "c")), ("L", "*", ("n2", "f"))]


def test_mazur_as_a_graph_has_the_published_numbers():
    # Mazur: total error 0.298371109; after one update w5 = 0.35891648, w1 = 0.149780716.
    r = run_cli("mazur_2_2_2", "--graph", "--train", "1", "--json")  # a real process
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert round(data["initial_output"], 9) == 0.298371109
    assert round(data["leaves"]["w5"], 8) == 0.35891648
    assert round(data["leaves"]["w1"], 9) == 0.149780716


def test_mazur_graph_gradient_of_w5():
    # Mazur: dE_total/dw5 = 0.082167041
    r = run_cli_inprocess("mazur_2_2_2", "--graph", "--trace")
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    grads = {e["node"]: e["value"] for e in events if e["kind"] == "grad"}
    assert round(grads["w5"], 9) == 0.082167041
    # the shared bias b1 feeds both hidden units: its gradient is a sum of two uses
    b1 = [e for e in events if e["kind"] == "grad" and e["node"] == "b1"][-1]
    assert b1["equation"] == "∂E_total/∂b1 = ∂E_total/∂b1|via net_h1 + ∂E_total/∂b1|via net_h2"
