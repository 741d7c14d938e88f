"""Pilot tests: press the real keys and read what the panels show."""

from __future__ import annotations

import pytest

from bptui.tui.screens import HelpScreen, NotesScreen
from tests.tui.helpers import (
    BRACKETS,
    long_run_app,
    make_app,
    panel,
    result_of,
    screen_text,
    settle,
    status,
    type_fast,
    until,
)

# Mazur's published numbers (shared/sources/003), compared at the digits published.
PUBLISHED = {
    "E_total": (0.298371109, 9),
    "∂E/∂w5": (0.082167041, 9),
    "w5⁺": (0.35891648, 8),
    "w6⁺": (0.408666186, 9),
    "w7⁺": (0.511301270, 9),
    "w8⁺": (0.561370121, 9),
    "w1⁺": (0.149780716, 9),
    "w2⁺": (0.19956143, 8),
    "w3⁺": (0.24975114, 8),
    "w4⁺": (0.29950229, 8),
}


async def test_first_epoch_shows_published_numbers_at_their_sub_steps():
    app = make_app()
    seen: dict[str, tuple[float, str]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "step 1 of 39" in status(app)
        for step in range(1, 40):
            symbol, value = result_of(app)
            seen[symbol] = (value, status(app))
            if step < 39:
                await type_fast(pilot, ["n"])  # the panels are written as the key is handled
        assert "step 39 of 39" in status(app)
    for symbol, (published, digits) in PUBLISHED.items():
        value, where = seen[symbol]
        assert round(value, digits) == published, (symbol, value)
    # each number appears in its phase: the error in the loss phase, the gradient going
    # backwards, the new weights in the update phase (output layer first, as Mazur does)
    assert "│ loss │" in seen["E_total"][1]
    assert "│ backward │" in seen["∂E/∂w5"][1]
    assert "│ update │" in seen["w5⁺"][1] and "│ update │" in seen["w1⁺"][1]
    steps = {s: int(w.split("step ")[1].split(" ")[0]) for s, (_, w) in seen.items()}
    assert steps["E_total"] < steps["∂E/∂w5"] < steps["w5⁺"] < steps["w1⁺"]


async def test_weight_gradient_shows_the_chain_rule_and_its_numbers():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while result_of(app)[0] != "∂E/∂w5":
            await type_fast(pilot, ["n"])  # handled before the next (no idle wait)
        await pilot.pause()
        text = panel(app, "equation")
        assert "∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5" in text
        rule, numbers = text.splitlines()[0], text.splitlines()[1]
        assert rule.startswith("rule") and numbers.startswith("numbers")
        factors = [float(x) for x in numbers.split("=")[1].split("·")]
        assert round(factors[0] * factors[1] * factors[2], 9) == 0.082167041
        # the network panel lights the edge of w5 (its label drawn as the current one)
        body = app.main.query_one("#network-body")
        lit = [text for y in range(len(body.picture.chars))
               for text, tag in body.picture.runs(y) if tag == "label*"]
        assert lit == [" w5 0.4 "] and "o1" in panel(app, "network")
        # the newest value is marked in the values panel
        assert [line for line in panel(app, "values").splitlines() if "▶" in line][0] \
            .split()[1] == "∂E/∂w5"


async def test_stepping_back_restores_every_sub_step_exactly():
    """(Keys typed with type_fast: each is handled, panels written, before the next; without
    pilot.press's idle waits, 78 of them were most of this test's time.)"""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = []
        for _ in range(39):
            shown.append(tuple(panel(app, p) for p in ("equation", "network", "values",
                                                       "updates")) + (status(app),))
            await type_fast(pilot, ["n"])
        # now in epoch 2, sub-step 1; stepping back crosses into epoch 1
        assert "epoch 2 of" in status(app)
        for k in range(38, -1, -1):
            await type_fast(pilot, ["p"])
            now = tuple(panel(app, p) for p in ("equation", "network", "values", "updates"))
            assert now + (status(app),) == shown[k], k
        assert app.main.check_action("prev", ()) is None  # dimmed at the very start


async def test_phase_and_finish_keys():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("right_square_bracket")
        assert "│ loss │" in status(app) and result_of(app)[0] == "E_o1"
        await pilot.press("right_square_bracket")
        assert "│ backward │" in status(app)
        await pilot.press("left_square_bracket")
        assert "│ loss │" in status(app) and result_of(app)[0] == "E_o1"
        await pilot.press("s")
        assert "step 39 of 39" in status(app)
        await pilot.press("e")  # already at the epoch's end: the next epoch's end
        assert "epoch 2 of" in status(app) and "step 39 of 39" in status(app)
        await pilot.press("home")
        assert "epoch 1 of" in status(app) and "step 1 of 39" in status(app)


async def test_goto_epoch_asks_for_a_number():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"25", "enter")
        await pilot.pause()
        assert "epoch 25 of 10000" in status(app) and "step 1 of 39" in status(app)


async def test_run_to_the_end_and_the_loss_falls():
    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        cursor = app.cursor
        assert cursor.epoch == cursor.scenario.epochs and cursor.at_end
        assert len(cursor.losses) == cursor.scenario.epochs
        assert cursor.losses[-1] < cursor.initial_loss
        caption = app.main.query_one("#loss").caption
        assert f"after epoch {cursor.scenario.epochs}:" in caption
        # the learner can step again afterwards
        await pilot.press("p")
        assert f"step {app.cursor.index + 1} of" in status(app)


async def test_run_then_step_through_the_next_epoch():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.action_run(3)
        await settle(pilot)
        # exactly three epochs (1, 2, 3) from step 1 of epoch 1: step 1 of epoch 4
        assert "epoch 4 of 10000" in status(app) and "step 1 of 39" in status(app)
        for _ in range(5):
            await pilot.press("n")
        assert "step 6 of 39" in status(app)
        assert app.cursor.losses[2] < app.cursor.losses[0]


async def test_escape_stops_a_run_and_the_screen_stays_responsive():
    """(Keys during the run are typed with type_fast and waited for with until: pilot.press
    and pilot.pause() would each wait a full second for the training thread to go idle.)"""
    app = long_run_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_fast(pilot, ["r"])
        await pilot.pause(0.3)
        assert app.main.running
        assert app.main.check_action("next", ()) is None  # stepping is off while running
        await type_fast(pilot, ["question_mark"])  # still answers keys: help opens over the run
        assert await until(pilot, lambda: isinstance(app.screen, HelpScreen)), app.screen
        assert app.main.running
        await type_fast(pilot, ["escape"])
        assert await until(pilot, lambda: app.screen is app.main), app.screen_stack
        assert app.main.running  # the escape closed the help, not the run
        await type_fast(pilot, ["escape"])
        await settle(pilot)
        assert not app.main.running
        epoch = app.cursor.epoch
        assert 2 < epoch < 1_000_000
        assert app.cursor.losses[-1] < app.cursor.initial_loss
        await pilot.press("n")
        assert "step 2 of 15" in status(app)


async def test_question_mark_opens_help():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "next sub-step" in text and "gradient check" in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_large_network_opens_and_steps_without_drawing_edges():
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for step in range(15):
            net = panel(app, "network")
            assert "too large to draw unit by unit" in net
            assert len(net.splitlines()) < 40  # blocks, never 100,000 edges
            if step < 14:
                await pilot.press("n")
        assert "64×1000" in net and "W1" in net and "‖·‖" in net
        assert result_of(app)[0] == "W1⁺"
        assert "‖change‖" in panel(app, "updates")
        await pilot.press("p", "p")  # back past the update of W2
        assert result_of(app)[0] == "∂E/∂W1"
        assert any(set(line.strip()) <= set("·░▒▓█") and line.strip()
                   for line in panel(app, "network").splitlines())  # the heat strip


async def test_names_with_square_brackets_show_literally():
    app = make_app(BRACKETS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(2):
            await pilot.press("n")
        text = screen_text(app)
        assert "Brackets [bold]everywhere[/]: x[1], W[2]" in text
        assert "W[1]" in text and "W[2]" in text and "x[1]" in text and "b[/]" in text
        while result_of(app)[0] != "∂E/∂V[/]":
            await type_fast(pilot, ["n"])  # handled before the next (no idle wait)
        await pilot.pause()
        assert "∂E/∂V[/]" in screen_text(app)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, NotesScreen)
        notes = screen_text(app)
        assert "[/] and an opening one: [bold]" in notes
        assert "[link=nowhere]not a link[/link]" in notes


@pytest.mark.parametrize("size", [(40, 12), (20, 8)])
async def test_tiny_terminal_says_it_is_too_small(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "terminal too small" in screen_text(app)
        await pilot.press("n", "e", "r", "c", "k")  # behind the message only q acts
        assert app.main.check_action("next", ()) is False and not app.main.running
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        text = screen_text(app)
        assert "terminal too small" not in text and "step 1 of 39" in text
        assert not app.main.checking and not app.main.quiz.on
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert "terminal too small" in screen_text(app)


async def test_small_terminal_switches_panels_with_tabs():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.main.compact
        assert "net_h1" in screen_text(app) and "Network" in screen_text(app)
        await pilot.press("tab")
        assert app.main.tab == "values"
        await pilot.press("3")
        await pilot.pause()
        assert "w⁺ = w - η · ∂E/∂w" in screen_text(app)


async def test_footer_dims_next_at_the_end_and_palette_lists_commands():
    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.main.check_action("prev", ()) is None
        assert app.main.check_action("stop", ()) is False
        app.main.action_run()
        await settle(pilot)
        assert app.cursor.at_end
        assert app.main.check_action("finish_epoch", ()) is None
        await pilot.press("n")  # n stays lit at the end: it says training is at its end
        await pilot.pause()
        assert any("training is at its end" in str(n.message)
                   for n in app._notifications)
        assert app.main.check_action("prev", ()) is True
        from bptui.tui.commands import StepCommands

        provider = StepCommands(app.main)
        names = [hit.text async for hit in provider.discover()]
        assert "Previous sub-step" in names and "Next phase" not in names
        assert "Gradient check" in names and "Mistake lab" in names


async def test_a_new_epochs_values_show_from_their_first_line():
    """At the first step of epoch 2 the Values box stayed scrolled where epoch 1 ended: its
    first lines (the sample's heading and inputs) were out of view above an empty box."""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        box = app.main.query_one("#values")
        assert box.scroll_y > 0  # the end of epoch 1: scrolled down to its last value
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        assert app.cursor.epoch == 2 and box.scroll_y == 0
        assert panel(app, "values").splitlines()[0] == "── sample 1 ──"


async def test_the_tab_line_shows_no_tab_while_the_gradient_check_has_the_panel():
    """At 80x24, c put the gradient check in the Loss tab's place while the tab line still
    said "▶4 Loss"."""
    from bptui.tui.main import TabLine

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("4", "c")
        await pilot.pause()
        line = app.main.query_one(TabLine).render().plain
        assert "▶" not in line and "c closes the check" in line
        await pilot.press("c")
        await pilot.pause()
        line = app.main.query_one(TabLine).render().plain
        assert "▶4 Loss" in line and "tab switches" in line


async def test_a_notice_does_not_cover_the_too_small_message():
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        app.notify("wrote the worked example to a file with a long name")
        await pilot.pause()
        assert app._notifications
        await pilot.resize_terminal(40, 10)
        await pilot.pause()
        assert app.main.tiny and not app._notifications


async def test_more_epochs_than_the_screen_runs_say_where_it_stops():
    """A file's 10^23 epochs: the status line said "of 99999999999999999999999" while the
    run bar's percentage was of the screen's cap and the last step was at the cap."""
    from bptui import scenario as scn
    from bptui.cursor import MAX_EPOCHS
    from bptui.tui.app import BackpropApp

    text = scn.resolve("sigmoid_chain_1_1_1")[1]
    text = "\n".join("epochs = 99999999999999999999999" if line.startswith("epochs")
                     else line for line in text.splitlines())
    app = BackpropApp(scn.parse(text, file="big.toml", name="big"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        line = app.main.query_one("#status").line(app.main.view).plain
        assert f"epoch 1 of {MAX_EPOCHS}" in line and "9999999999" not in line
