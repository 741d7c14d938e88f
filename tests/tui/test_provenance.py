"""Pilot tests of "where does this number come from" (w, or picking a value in a panel)."""

from __future__ import annotations

from bptui.tui.provenance import ProvenanceScreen
from tests.tui.helpers import make_app, result_of, screen_text, type_fast


async def step_to(pilot, symbol: str) -> None:
    """n until ``symbol``'s step, each key handled before the next (type_fast, without
    pilot.press's idle waits), then a pause as pilot.press ends with."""
    app = pilot.app
    for _ in range(60):
        if result_of(app)[0] == symbol:
            await pilot.pause()
            return
        await type_fast(pilot, ["n"])
    raise AssertionError(f"never reached {symbol}")


def shown(app) -> ProvenanceScreen:
    assert isinstance(app.screen, ProvenanceScreen), app.screen
    return app.screen


async def test_weight_gradient_comes_from_delta_and_the_input_and_back_again():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await step_to(pilot, "∂E/∂w1")
        await pilot.press("w")
        await pilot.pause()
        first = shown(app)
        assert first.prov.event.symbol == "dE/dw1"
        assert [s.symbol for s in first.prov.sources] == ["delta_h1", "i1"]
        text = screen_text(app)
        assert "Where ∂E/∂w1 comes from" in text
        assert "∂E/∂w1 = 0.03635030639 · 0.2413007086 · 0.05" in text  # numbers substituted
        assert "δ_h1 = 0.008771354689" in text and "← step 24" in text
        assert "i1 = 0.05" in text and "input" in text and "leaf" in text
        # δ_h1 is highlighted first; enter follows it
        await pilot.press("enter")
        await pilot.pause()
        second = shown(app)
        assert second is not first and second.prov.event.symbol == "delta_h1"
        assert "∂E/∂w1 ← δ_h1" in screen_text(app)  # the path so far
        assert [s.symbol for s in second.prov.sources] == ["dE/dout_h1", "dout_h1/dnet_h1"]
        # down to i1, a leaf of the first screen, after going back
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first
        await pilot.press("down", "enter")
        await pilot.pause()
        leaf = shown(app)
        assert leaf.prov is None and leaf.leaf.symbol == "i1" and leaf.leaf.value == 0.05
        assert "chain stops here" in screen_text(app)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert app.screen is app.main
        assert result_of(app)[0] == "∂E/∂w1"  # the learner is where they were


async def test_hidden_units_error_is_the_sum_over_the_units_it_feeds():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await step_to(pilot, "∂E/∂out_h1")
        await pilot.press("w")
        await pilot.pause()
        screen = shown(app)
        terms = [(t.unit, t.weight) for t in screen.prov.terms]
        assert terms == [("o1", "w5"), ("o2", "w7")]
        text = screen_text(app)
        assert "h1's error is the sum over every unit it feeds" in text
        # Mazur: δ_o1 = 0.138498562, w5 = 0.40; δ_o2 = -0.038098237, w7 = 0.50
        lines = [line for line in screen.plain.splitlines() if ":  δ_" in line]
        assert len(lines) == 2 and "through w5" in lines[0] and "through w7" in lines[1]
        for line, (delta, w) in zip(lines, [(0.138498562, 0.40), (-0.038098237, 0.50)],
                                    strict=True):
            product = float(line.split("=")[-1])
            assert round(product, 8) == round(delta * w, 8)
        await pilot.press("q")  # q closes every provenance screen at once, not the app
        await pilot.pause()
        assert app.screen is app.main and app.is_running


async def test_picking_values_and_updates_with_keys_and_the_mouse():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await step_to(pilot, "w5⁺")
        values = app.main.query_one("#values")
        values.focus()
        await pilot.pause()
        await pilot.press("enter")  # the current value (w5⁺) is picked first
        await pilot.pause()
        assert shown(app).prov.event.symbol == "w5+"
        assert [s.symbol for s in shown(app).prov.sources] == ["w5", "dE/dw5"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("up", "enter")  # the value above it: ∂E/∂w4
        await pilot.pause()
        assert shown(app).prov.event.symbol == "dE/dw4"
        await pilot.press("escape", "escape")  # back, then out of the panel
        await pilot.pause()
        assert app.focused is None
        # the updates panel: a click on w5's row opens its update
        body = app.main.query_one("#updates-body")
        row = next(n for n, line in enumerate(body.plain.splitlines())
                   if line[2:].split()[:1] == ["w5"])
        await pilot.click("#updates-body", offset=(4, row))
        await pilot.pause()
        assert shown(app).prov.event.symbol == "w5+"
        await pilot.press("escape")
        await pilot.pause()
        # a row not yet updated (w1) is its gradient, computed earlier
        row = next(n for n, line in enumerate(body.plain.splitlines())
                   if line[2:].split()[:1] == ["w1"])
        await pilot.click("#updates-body", offset=(4, row))
        await pilot.pause()
        assert shown(app).prov.event.symbol == "dE/dw1"


async def test_an_input_row_is_a_leaf_and_where_is_blocked_while_a_quiz_question_is_open():
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        body = app.main.query_one("#values-body")
        row = next(n for n, line in enumerate(body.plain.splitlines())
                   if line[2:].split()[:1] == ["target_o2"])
        await pilot.click("#values-body", offset=(4, row))
        await pilot.pause()
        leaf = shown(app)
        assert leaf.leaf.symbol == "target_o2" and leaf.leaf.value == 0.99
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("k")  # quiz mode: net_h1 is asked; its provenance would tell
        await pilot.press("escape", "w")
        await pilot.pause()
        assert app.screen is app.main
        assert any("answer or skip" in n.message for n in app._notifications)


async def test_tab_reaches_the_values_panel_on_a_wide_terminal_and_2_on_a_small_one():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await step_to(pilot, "E_total")
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert app.focused is app.main.query_one("#values")
        assert "Values this epoch  ↑↓ ⏎ where from ─" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert shown(app).prov.event.symbol == "E_total"
        assert [s.symbol for s in shown(app).prov.sources] == ["E_o1", "E_o2"]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("n")  # stepping still works with the panel focused
        assert result_of(app)[0] == "∂E/∂out_o1"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert app.focused is app.main.query_one("#values")
        await pilot.press("up", "enter")  # the row above net_h1: the target of o2 (data)
        await pilot.pause()
        assert shown(app).leaf.symbol == "target_o2"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("1")
        assert app.focused is None
