"""The graph engine and its events: sums over uses, the event contract, the cursor's needs."""

from __future__ import annotations

import math

import pytest

from bptui.graph import engine, steps
from bptui.graph.tree import Sum, evaluate, symbols

from .graph_helpers import builtin, epoch, graph, leaf_grads

THRICE = """
[graph]
values = { a = 1.5 }
expression = "L = a*a + exp(a)"
"""


def test_a_node_used_three_times_gets_three_contributions():
    g = graph(THRICE)
    events = epoch(g)
    chains = [ev for ev in events if ev.kind == "chain" and ev.node == "a"]
    assert len(chains) == 3
    total = [ev for ev in events if ev.kind == "grad" and ev.node == "a"]
    assert len(total) == 1
    assert isinstance(total[0].tree, Sum) and len(total[0].tree.terms) == 3
    assert total[0].value == pytest.approx(sum(ev.value for ev in chains), rel=1e-15)
    # by hand: d/da (a² + e^a) = 2a + e^a
    assert total[0].value == pytest.approx(2 * 1.5 + math.exp(1.5), rel=1e-14)
    assert total[0].equation.count("+") == 2 and "via n1.1" in total[0].equation


def test_every_step_evaluates_its_tree_and_names_what_it_reads():
    for name in ("micrograd_expression", "micrograd_neuron", "cs231n_sigmoid_gate"):
        for ev in epoch(builtin(name), epochs=2 if name == "micrograd_neuron" else 1):
            assert evaluate(ev.tree) == pytest.approx(ev.value, rel=1e-12, abs=1e-15), ev.symbol
            assert ev.uses == symbols(ev.tree)
            assert ev.phase in ("forward", "backward", "update")
            assert ev.kind in steps.GRAPH_KINDS
            if ev.phase != "forward":
                assert ev.node is not None


def test_substituted_evaluates_to_value():
    # full-precision numbers in the text: evaluating the substituted rule gives the value
    for ev in epoch(builtin("micrograd_expression")):
        rhs = ev.substituted.split(" = ", 1)[1].replace("·", "*")
        assert eval(rhs, {"__builtins__": {}}) == pytest.approx(ev.value)  # noqa: S307


def test_backward_order_output_first_and_local_before_chain():
    events = epoch(builtin("micrograd_expression"))
    back = [ev for ev in events if ev.phase == "backward"]
    assert back[0].kind == "grad" and back[0].node == "L" and back[0].value == 1.0
    for k, ev in enumerate(back):
        if ev.kind == "chain":
            assert back[k - 1].kind == "local" and back[k - 1].via == ev.via
    # every node and every leaf has exactly one total-gradient step
    grads = [ev.node for ev in back if ev.kind == "grad"]
    assert sorted(grads) == sorted(["L", "n2", "n1", "a", "b", "c", "f"])


def test_events_and_fast_path_agree_over_epochs():
    g = builtin("micrograd_neuron")
    params = engine.GraphParams.initial(g)
    fast = engine.train(g, params.copy(), 3, chunk=2)
    p = params
    outs = []
    for e in range(1, 4):
        result = steps.epoch_events(g, p, e)
        assert steps.apply_updates(p, result.events).values == result.params.values
        p = result.params
        outs.append(engine.output(g, p))
    assert fast.losses == outs
    assert fast.params.values == p.values


def test_training_lowers_the_output():
    g = builtin("micrograd_neuron")
    result = engine.train(g, engine.GraphParams.initial(g), 5)
    assert result.losses == sorted(result.losses, reverse=True)


def test_untrained_graph_has_no_update_steps():
    events = epoch(builtin("micrograd_expression"))
    assert not [ev for ev in events if ev.kind == "update"]


def test_staged_names_skip_names_already_used():
    g = graph('[graph]\nvalues = { n1 = 2.0, b = 3.0 }\nexpression = "L = (n1 + b) * b"\n')
    assert [n.name for n in g.nodes] == ["n2", "L"]
    assert leaf_grads(epoch(g), g) == {"n1": 3.0, "b": 5.0 + 3.0}


def test_power_rule_reads_as_by_hand():
    g = graph('[graph]\nvalues = { a = 3.0 }\nexpression = "L = a ** 2 + a ** 3 + a ** -1"\n')
    local = {ev.symbol: ev for ev in epoch(g) if ev.kind == "local" and ev.node == "a"}
    assert local["dn1/da"].equation == "∂n1/∂a = 2·a" and local["dn1/da"].value == 6.0
    assert local["dn2/da"].equation == "∂n2/∂a = 3·a²" and local["dn2/da"].value == 27.0
    assert local["dn4/da"].equation == "∂n4/∂a = (-1)·a^(-2)"
    assert local["dn4/da"].value == pytest.approx(-1 / 9)


def test_markdown_latex_is_balanced():
    from bptui.graph.export import markdown

    from .test_export import balanced, math_blocks

    for name in ("micrograd_expression", "micrograd_neuron", "cs231n_sigmoid_gate"):
        text = markdown(builtin(name), epochs=2 if name == "micrograd_neuron" else 1,
                        mistake="tanh-prime-of-input" if name == "micrograd_neuron" else None)
        blocks = math_blocks(text)
        assert blocks
        for tex in blocks:
            assert balanced(tex), (name, tex)
