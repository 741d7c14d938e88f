"""Computational graphs on the screen, driven by the real keys (issue 16).

The numbers asserted are the published ones (micrograd's lecture, CS231n's notes); the
gradient check and the quiz are checked against central differences and the step's own value.
"""

from __future__ import annotations

import re

import pytest

from bptui import scenario as scn
from bptui.tui.app import BackpropApp
from tests.tui.helpers import n_presses, panel, result_of, screen_text, status

BIG = (120, 40)


def graph_app(name: str) -> BackpropApp:
    return BackpropApp(scn.load(name))


async def test_micrograd_expression_published_numbers_at_their_steps():
    app = graph_app("micrograd_expression")
    seen: dict[str, float] = {}
    networks: dict[str, str] = {}
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        while True:
            symbol, value = result_of(app)
            seen[symbol] = value
            networks[symbol] = panel(app, "network")
            if app.main.cursor.at_end:
                break
            await pilot.press("n")
            await pilot.pause()
        assert "graph, output L" in status(app)
    # micrograd: L = (a*b + c) * f with a = 2, b = -3, c = 10, f = -2
    assert seen["L"] == -8
    assert seen["∂L/∂a"] == 6 and seen["∂L/∂b"] == -4
    assert seen["∂L/∂c"] == -2 and seen["∂L/∂f"] == 4
    # the drawn graph fills in: at ∂L/∂a's step a's box shows its gradient, lit (heavy box)
    drawn = networks["∂L/∂a"]
    assert "━a━" in drawn and re.search(r"grad +6┃", drawn)
    # before the backward pass no gradient is known: every grad line is a dot
    assert not re.search(r"grad +-?\d", networks["L"])


async def test_forward_step_lights_the_node_and_its_input_edges():
    app = graph_app("micrograd_expression")
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        assert result_of(app) == ("n1", -6.0)  # n1 = a * b
        pic = app.main.query_one("#network-body").picture
        lit = {key for key, _ in _lit_edges(pic)}
        assert lit == {("a", "n1"), ("b", "n1")}


def _lit_edges(pic):
    """(edge ref, cells) of the edges drawn lit (heavy lines) in a Picture."""
    found = {}
    for y, tags in enumerate(pic.tags):
        for x, tag in enumerate(tags):
            if tag == "line*":
                ref = pic.ref_at(x, y)
                if ref is not None and ref[0] == "edge":
                    found.setdefault(ref[1:], []).append((x, y))
    return found.items()


async def test_micrograd_neuron_run_finish_and_home():
    app = graph_app("micrograd_neuron")
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("e")  # finish epoch 1: the three updates are done
        await pilot.pause()
        assert app.main.cursor.epoch == 1 and app.main.cursor.event.kind == "update"
        updates = panel(app, "updates")
        assert "leaf⁺ = leaf - η · ∂o/∂leaf" in updates
        # micrograd: ∂o/∂w1 = 1.0, ∂o/∂w2 = 0, ∂o/∂b = 0.5 at the start
        rows = {r[0]: r[1:] for r in (line.lstrip("▶ ").split() for line in updates.splitlines()[2:])}
        assert float(rows["w1"][1]) == pytest.approx(1.0)
        assert float(rows["w2"][1]) == 0
        assert float(rows["b"][1]) == pytest.approx(0.5)
        await pilot.press("r")
        for _ in range(400):
            await pilot.pause(0.05)
            if not app.main.running:
                break
        assert app.main.cursor.at_end and app.main.cursor.epoch == 20
        await pilot.press("home")
        await pilot.pause()
        assert app.main.cursor.at_start
        assert result_of(app)[0] == "n1"


async def test_cs231n_gradient_check_every_leaf_passes():
    app = graph_app("cs231n_sigmoid_gate")
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        text = panel(app, "gradcheck")
        assert "5 of 5 gradients agree ✓" in text
        for leaf in ("w0", "x0", "w1", "x1", "w2"):
            assert re.search(rf"{leaf} +ok ✓", text), leaf


async def test_cs231n_quiz_asks_node_values_and_gradients():
    app = graph_app("cs231n_sigmoid_gate")
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("k")  # quiz on: the next step is a question
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        asked = app.main.quiz.open
        assert asked is not None and asked.kind == "node"
        assert "? (quiz)" in panel(app, "values") or "?" in result_of_line(app)
        await pilot.press("ctrl+t")  # hint 1: the rule, from the step's tree
        await pilot.pause()
        assert "hint 1 of 3, the rule" in app.main.quiz.message
        await pilot.click("#quiz-input")
        await pilot.press(*str(asked.value))
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.quiz.message.startswith("✓ right")
        # the backward steps are asked too: local derivatives, shares, gradients (all three
        # by the 9th step after the first; the 34 after it ask the same kinds again)
        kinds = set()
        for _ in range(60):
            await pilot.press("ctrl+s")  # reveal, then move on (press waits for the screen)
            app.main.set_focus(None)
            await pilot.press("n")
            if app.main.quiz.open is not None:
                kinds.add(app.main.quiz.open.kind)
            if app.main.cursor.at_end or {"local", "chain", "grad"} <= kinds:
                break
        assert {"local", "chain", "grad"} <= kinds


def result_of_line(app) -> str:
    return panel(app, "equation")


async def test_cs231n_provenance_reaches_the_leaves():
    from bptui.provenance import trace
    from bptui.tui.provenance import ProvenanceScreen

    app = graph_app("cs231n_sigmoid_gate")
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("e")  # the last step: ∂f/∂x1 or similar, a leaf's gradient
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceScreen)
        assert "Where" in screen_text(app)
        c = app.main.cursor
        leaves: set[str] = set()

        def walk(index: int) -> None:
            for src in trace(c.scenario, c.events, c.start_params, index).sources:
                if src.origin == "step":
                    walk(src.index)
                else:
                    assert src.origin == "leaf", src
                    leaves.add(src.symbol)

        walk(c.index)
        assert leaves == set(c.scenario.leaves)


async def test_cs231n_export_writes_a_markdown_file(tmp_path):
    app = graph_app("cs231n_sigmoid_gate")
    app.export_folder = str(tmp_path)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
    written = list(tmp_path.iterdir())
    assert len(written) == 1 and written[0].suffix == ".md"
    text = written[0].read_text()
    assert text.startswith("# CS231n") and "0.73" in text


async def test_a_layered_scenario_toggles_to_its_graph_and_back():
    app = BackpropApp(scn.load("mazur_2_2_2"))
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        app.main.action_toggle_graph()
        await pilot.pause()
        assert getattr(app.main.cursor.scenario, "is_graph", False)
        assert "graph, output E_total" in status(app)
        assert "╭─w1" in panel(app, "network")
        app.main.action_toggle_graph()
        await pilot.pause()
        assert not getattr(app.main.cursor.scenario, "is_graph", False)
        assert "sample 1 of 1" in status(app) or "epoch 1" in status(app)


#: presses of n, reached as tests.tui.helpers.n_presses does (the same SVGs, fewer keys),
#: with as many of the last ones real as the drawing's scroll needs at each size
GRAPHS = {"micrograd_expression": (15, {(120, 40): 1, (80, 24): 7}),
          "cs231n_sigmoid_gate": (10, {(120, 40): 2, (80, 24): 2})}


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_drawn_graph(snap_compare, name, size):
    presses, real = GRAPHS[name]
    assert snap_compare(graph_app(name), **n_presses(presses, real=real[size]),
                        terminal_size=size)
