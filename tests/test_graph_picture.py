"""The drawn graph: what each step lights, and the README's picture kept equal to the code."""

from __future__ import annotations

from pathlib import Path

from bptui.graph import engine, steps
from bptui.graph.picture import known, lit, readme_picture

from .graph_helpers import builtin

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_picture_is_the_drawn_graph():
    assert readme_picture(builtin("micrograd_neuron")) in README.read_text(encoding="utf-8")


def test_each_kind_of_step_lights_what_it_reads():
    g = builtin("micrograd_expression")  # L = (a*b + c) * f staged as n1 = a*b, n2 = n1 + c
    events = steps.epoch_events(g, engine.GraphParams.initial(g), 1).events
    by = {(e.kind, e.symbol): e for e in events}
    assert lit(g, by[("node", "n1")]) == ("n1", [("a", "n1"), ("b", "n1")], False)
    assert lit(g, by[("chain", "dL/da|n1")]) == (None, [("a", "n1")], True)
    assert lit(g, by[("local", "dn2/dc")]) == (None, [("c", "n2")], True)
    assert lit(g, by[("grad", "dL/dn1")]) == ("n1", [("n1", "n2")], True)


def test_gradients_appear_only_once_computed_and_a_quiz_question_stays_hidden():
    g = builtin("micrograd_expression")
    events = steps.epoch_events(g, engine.GraphParams.initial(g), 1).events
    n = next(i for i, e in enumerate(events) if e.symbol == "dL/da")
    values, grads = known(g, g.leaves, events[: n + 1])
    assert values["L"] == -8 and grads["a"] == 6 and "b" not in grads  # published numbers
    _, hidden = known(g, g.leaves, events[: n + 1], hidden=events[n])
    assert "a" not in hidden
