"""Pilot tests for issue 12 (numbers never cut, R N exact, the loss panel never stale, the
highlighted row in view) and issue 11's key declaration and run race."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bptui import scenario as scn
from bptui.cursor import Cursor
from bptui.tui import keys
from tests.tui.helpers import make_app, panel, screen_text, settle, status

README = Path(__file__).resolve().parents[2] / "README.md"


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:
    waited = 0.0
    while not condition() and waited < timeout:
        await pilot.pause(0.05)
        waited += 0.05
    assert condition()


def cut_lines(app) -> list[str]:
    """Lines of the screen with a … other than the status line's shortened title."""
    return [line for line in screen_text(app).splitlines()[1:] if "…" in line]


@pytest.mark.parametrize("name", ["mazur_2_2_2", "two_three_one", "softmax_xor_2_3_2"])
@pytest.mark.parametrize("size", [(120, 40), (60, 18)])
async def test_after_e_no_number_or_header_is_cut(name, size):
    app = make_app(name)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("e")
        if size == (60, 18):
            await pilot.press("3")
        await pilot.pause()
        assert cut_lines(app) == []
        assert "change" in screen_text(app)
        assert re.search(r"step \d+ of \d+", screen_text(app).splitlines()[0])


@pytest.mark.parametrize("name", ["two_three_one", "mazur_2_2_2", "linear_chain_1_1_1",
                                  "sigmoid_chain_1_1_1", "softmax_xor_2_3_2"])
async def test_after_e_every_update_row_reads_as_old_gradient_new_change(name):
    """A 16-character number (two_three_one's -0.0008833873178) pushed its row's columns
    sideways: the row must still read as old, gradient, new, change with new = old - η·grad."""
    app = make_app(name)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        rate = app.cursor.scenario.learning_rate
        rows = [line.lstrip("▶ ").split() for line in panel(app, "updates").splitlines()[2:]]
        assert rows
        for row in rows:
            assert len(row) == 5, row
            old, grad, new, change = map(float, row[1:])
            assert new == pytest.approx(old - rate * grad, rel=1e-8, abs=1e-9), row
            assert change == pytest.approx(new - old, rel=1e-8, abs=1e-9), row


async def test_R_N_runs_exactly_N_epochs_and_starts_empty():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        box = app.screen.query_one("#number-input")
        assert box.value == "" and "(1-10000)" in screen_text(app)  # what is left
        await pilot.press("3", "enter")
        await settle(pilot)
        assert "epoch 4 of 10000" in status(app) and "step 1 of 39" in status(app)
        assert len(app.cursor.losses) >= 3
        assert "after epoch 3:" in app.main.query_one("#loss").caption


async def test_R_N_onto_the_last_epoch_lands_on_its_first_step_and_past_it_on_the_end():
    """R N lands on step 1 of epoch k+N, the last epoch included (it had run the last epoch
    to its end); only an R that runs through the last epoch ends on its last step."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def run(n: str) -> None:
            await pilot.press("R")
            await pilot.pause()
            await pilot.press(*n, "enter")
            await wait_for(pilot, lambda: not app.main.running)
            await settle(pilot)

        await run("9998")
        assert "epoch 9999 of 10000" in status(app) and "step 1 of 39" in status(app)
        await run("1")
        assert "epoch 10000 of 10000" in status(app) and "step 1 of 39" in status(app)
        await run("1")  # the last epoch itself: through it, to the end
        assert "epoch 10000 of 10000" in status(app) and "step 39 of 39" in status(app)


async def test_loss_panel_describes_the_epochs_before_the_cursor_after_a_jump():
    s = scn.load("two_three_one")
    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("home", "R")
        await pilot.press("3", "enter")
        await settle(pilot)
        await pilot.press("g")
        await pilot.pause()
        assert app.screen.query_one("#number-input").value == ""
        await pilot.press("4", "2", "enter")
        await pilot.pause()
        caption = app.main.query_one("#loss").caption
        assert caption.startswith("after epoch 41:") and "now in epoch 42" in caption
        fresh = Cursor(s)
        fresh.goto(42)
        assert app.cursor.losses[40] == fresh.losses[40]


async def test_the_highlighted_update_row_is_always_in_view():
    app = make_app("softmax_xor_2_3_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.pause()
        box = app.main.query_one("#updates")
        region = box.body.current_region()
        assert region is not None
        assert box.scroll_y <= region.y < box.scroll_y + box.scrollable_content_region.height


def test_every_key_is_declared_once_and_the_readme_table_is_derived():
    text = README.read_text(encoding="utf-8")
    assert keys.readme_table() in text
    actions = [k.action for k in keys.KEYS]
    assert len(actions) == len(set(actions))
    from bptui.tui.main import MainScreen

    bound = {b.action for b in MainScreen.BINDINGS}
    for k in keys.KEYS:
        if k.scope == "screen" and k.keys and k.bound and "{key}" not in k.action:
            assert k.action in bound
        if k.palette or (k.scope == "screen" and k.bound):
            name = k.action.split("(")[0].removeprefix("app.")
            owner = MainScreen if not k.action.startswith("app.") else None
            if owner is not None:
                assert hasattr(owner, f"action_{name}"), k.action


async def test_k_during_a_run_with_gradient_ascent_keeps_the_correct_curve(tmp_path,
                                                                           monkeypatch):
    """The race of issue 11: k during r made make_view extend the correct-backprop curve
    while the worker changed the same cursor."""
    monkeypatch.chdir(tmp_path)  # x (export) writes into the working folder
    s = scn.load("two_three_one")
    app = make_app("two_three_one", mistake="gradient-ascent")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.action_run()
        for _ in range(20):
            await pilot.press("k", "w", "x", "c", "m", "escape")
            if not app.main.running:
                break
        await settle(pilot)
        if app.main.quiz.on:
            await pilot.press("k")
        fresh = Cursor(s, mistake="gradient-ascent")
        fresh.goto(app.cursor.epoch)
        assert app.cursor.losses[: len(fresh.losses)] == fresh.losses[: len(app.cursor.losses)]
        n = len(app.cursor.losses)
        assert app.cursor.correct_losses() == _correct(s, n)


def _correct(s, n: int) -> list[float]:
    from bptui import backprop as bp

    return bp.train(s, bp.Params.initial(s), n).losses


async def test_a_panel_brought_into_view_by_its_tab_shows_its_highlighted_row():
    """80x24 shows one panel at a time: at E_total (the 11th step), 2 brings the values in and
    focuses them for picking; their ▶ row, below the first screenful, must be in view (it
    was left at the top, the ▶ row out of sight)."""
    from bptui.tui.values import ValuesBody

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*["n"] * 10, "2")
        await pilot.pause()
        body = app.main.query_one(ValuesBody)
        box = body.parent
        lines = body.plain.split("\n")
        row = next(n for n, line in enumerate(lines) if line.startswith("▶"))
        assert row >= box.scrollable_content_region.height  # below the first screenful
        assert box.scroll_y <= row < box.scroll_y + box.scrollable_content_region.height
