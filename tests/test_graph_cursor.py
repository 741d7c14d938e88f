"""The Cursor walks a graph with the graph backend (bptui.graph.backend), picked by the
scenario (``is_graph``), with no patching."""

from __future__ import annotations

import pytest

from bptui import cursor as cursor_module
from bptui.graph import backend
from bptui.graph.steps import iter_epochs

from .graph_helpers import builtin


@pytest.fixture
def graph_cursor():
    return cursor_module.Cursor


def test_cursor_steps_through_graph_epochs(graph_cursor):
    g = builtin("micrograd_neuron")
    c = graph_cursor(g)
    expected = list(iter_epochs(g, 3))
    seen = [c.event]
    while c.epoch < 3 or c.index < len(c.events) - 1:
        assert c.next()
        seen.append(c.event)
    assert [(e.epoch, e.symbol, e.value) for e in seen] == \
        [(e.epoch, e.symbol, e.value) for e in expected]
    assert c.params_now().values == backend.train(
        g, backend.Params.initial(g), 3).params.values
    c.goto(1, 0)
    assert c.prev() is False
    c.goto(2, 0)
    assert c.prev() and c.epoch == 1 and c.event.kind == "update"


def test_cursor_runs_and_switches_a_graph_mistake(graph_cursor):
    g = builtin("micrograd_neuron")
    c = graph_cursor(g)
    c.run(epochs=5)  # epochs 2..6 on the fast path, then stop at the start of epoch 7
    assert c.epoch == 7 and c.index == 0
    fast = backend.train(g, backend.Params.initial(g), 6)
    assert c.losses[:6] == fast.losses
    c.goto(2, -1)
    c.set_mistake("grad-not-zeroed")
    assert c.epoch == 2
    changed = [e for e in c.events if e.mistake == "grad-not-zeroed"]
    assert changed and all(e.node in g.leaves for e in changed if e.kind == "grad")
