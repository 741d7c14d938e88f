"""Each graph mistake changes exactly what it names, checked against numbers worked by hand."""

from __future__ import annotations

import pytest

from .conftest import run_cli_inprocess
from .graph_helpers import builtin, epoch, graph

TWICE = '[graph]\nvalues = { a = 3.0 }\nexpression = "b = a + a"\n'


def _by_symbol(events):
    return {ev.symbol: ev for ev in events}


def test_grad_overwritten_is_the_lectures_b_equals_a_plus_a():
    g = graph(TWICE)
    right, wrong = _by_symbol(epoch(g)), _by_symbol(epoch(g, "grad-overwritten"))
    assert right["db/da"].value == 2.0  # by hand: d(a + a)/da = 2
    assert wrong["db/da"].value == 1.0  # the lecture's bug: one use's share survives
    assert wrong["db/da"].mistake == "grad-overwritten"
    assert wrong["db/da"].correct_value == 2.0
    changed = {s for s in right if (right[s].value, right[s].equation)
               != (wrong[s].value, wrong[s].equation)}
    assert changed == {"db/da"}


def test_grad_overwritten_leaves_single_use_values_alone():
    g = graph('[graph]\nvalues = { a = 2.0, c = 5.0 }\nexpression = "L = a*a*c"\n')
    right, wrong = _by_symbol(epoch(g)), _by_symbol(epoch(g, "grad-overwritten"))
    # n1 = a·a = 4, L = n1·c = 20; dL/dc = 4 (one use), dL/dn1 = 5 (one use)
    assert wrong["dL/dc"].value == right["dL/dc"].value == 4.0
    assert wrong["dL/dn1"].value == right["dL/dn1"].value == 5.0
    # dL/da: right 2·a·c = 20; wrong: only the second slot's share, 5·a = 10
    assert right["dL/da"].value == 20.0
    assert wrong["dL/da"].value == 10.0


def test_tanh_prime_of_input_changes_the_tanh_slope_and_what_flows_below():
    g = builtin("micrograd_neuron")
    right, wrong = _by_symbol(epoch(g)), _by_symbol(epoch(g, "tanh-prime-of-input"))
    n = 0.8813735870195432  # x1·w1 + x2·w2 + b
    assert right["do/dn4|local"].value == pytest.approx(0.5)
    assert wrong["do/dn4|local"].value == pytest.approx(1 - n * n)
    assert wrong["do/dn4|local"].equation == "∂o/∂n4 (local) = 1 - n4²"
    for sym, ev in right.items():
        if ev.kind in ("node", "local") and sym != "do/dn4|local":
            assert wrong[sym].value == ev.value, sym  # values and other slopes untouched
    # every gradient below the tanh is scaled by (1 - n²) / 0.5
    assert wrong["do/dw1"].value == pytest.approx(2 * (1 - n * n))
    assert wrong["do/db"].value == pytest.approx(1 - n * n)


def test_grad_not_zeroed_adds_last_epochs_gradient_from_epoch_two():
    g = graph("""
[graph]
values = { w = 1.0, x = 2.0 }
expression = "L = w * x"
[training]
learning_rate = 0.1
epochs = 3
train = ["w"]
""")
    right, wrong = epoch(g, None, 2), epoch(g, "grad-not-zeroed", 2)
    first = [ev for ev in wrong if ev.epoch == 1]
    assert [(e.value, e.equation) for e in first] == [
        (e.value, e.equation) for e in right if e.epoch == 1]
    two = _by_symbol(ev for ev in wrong if ev.epoch == 2)
    # by hand: epoch 1: dL/dw = x = 2, w = 1 - 0.1·2 = 0.8, dL/dx = w = 1.
    # epoch 2: dL/dw = 2 (left over) + 2 = 4, w = 0.8 - 0.4 = 0.4; dL/dx = 1 + 0.8 = 1.8
    assert two["dL/dw"].value == 4.0 and two["dL/dw"].correct_value == 2.0
    assert two["w+"].value == pytest.approx(0.4)
    assert two["dL/dx"].value == pytest.approx(1.8)
    assert two["dL/dL"].value == 1.0 and "mistake" not in two["dL/dL"].as_dict()


def test_layered_mistake_on_a_graph_is_refused_with_the_reason():
    r = run_cli_inprocess("micrograd_expression", "--mistake", "missing-sum", "--trace")
    assert r.returncode == 2
    assert "layered networks" in r.stderr and "Traceback" not in r.stderr


def test_graph_mistake_that_does_not_apply():
    r = run_cli_inprocess("micrograd_expression", "--mistake", "tanh-prime-of-input", "--trace")
    assert r.returncode == 2 and "no tanh node" in r.stderr


def test_graph_mistake_on_a_layered_scenario():
    r = run_cli_inprocess("mazur_2_2_2", "--mistake", "grad-overwritten", "--trace")
    assert r.returncode == 2 and "--graph" in r.stderr


def test_gradcheck_marks_what_the_mistake_breaks():
    r = run_cli_inprocess("micrograd_neuron", "--gradcheck", "--mistake", "tanh-prime-of-input")
    assert r.returncode == 1
    rows = {line.split()[0]: line.split()[-1] for line in r.stdout.splitlines()[3:-1]}
    # w2's gradient is 0 either way (x2 = 0); every other leaf is below the tanh
    assert rows == {"x1": "FAIL", "x2": "FAIL", "w1": "FAIL", "w2": "ok", "b": "FAIL"}
