"""The next step is prepared while the learner reads this one (main.MainScreen._prepare_next):
its View, every panel's text, drawing and new lines' strips, and at an epoch's last sub-step
the next epoch's sub-steps. A key press then only shows what is ready. What it shows must be
exactly what the same press shows with nothing prepared, and a View prepared for a state the
learner has since left must never be shown.
"""

from __future__ import annotations

import pytest

from bptui.tui.loss import LossPanel
from tests.tui.helpers import make_app

BODIES = ("equation", "network", "values", "updates")


def shown(app) -> dict[str, str]:
    """Every panel's text, the status line and the loss caption."""
    main = app.main
    out = {name: main.query_one(f"#{name}-body").plain for name in BODIES}
    out["status"] = main.query_one("#status").plain
    out["loss"] = main.query_one(LossPanel).caption
    return out


async def walk(name: str, presses: int, prepare: bool, mistake: str | None = None,
               keys: str = "n", start: int = 0) -> list[dict[str, str]]:
    """What the screen shows after each of ``presses`` presses of the keys in ``keys`` (in
    turn) from sub-step ``start`` of epoch 1, with the next step prepared before each press
    (and checked to be the View the press shows), or with nothing ever prepared."""
    app = make_app(name, mistake=mistake)
    seen = []
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        prepare_next = main._prepare_next
        main._prepare_next = lambda: None  # only when this test says
        await pilot.pause()
        main._move(lambda: main.cursor.goto(1, start))
        await pilot.pause()
        for n in range(presses):
            key = keys[n % len(keys)]
            ahead = None
            if prepare:
                prepare_next()
                assert main._prepared is not None
                ahead = main._prepared[1]
            await pilot.press(key)
            if ahead is not None and key == "n":
                assert main.view is ahead  # the prepared View was the one shown
            if ahead is not None and key == "p":
                assert main.view is not ahead  # prepared for n: never shown after p
            seen.append(shown(app))
    return seen


@pytest.mark.parametrize(("name", "start", "presses", "mistake"), [
    ("mazur_2_2_2", 0, 42, None),  # every step of epoch 1, into epoch 2
    ("mazur_2_2_2", 30, 12, "gradient-ascent"),  # the correct curve beside, into epoch 2
    ("batch_relu_1000_100_10", 12, 20, None),  # blocks, two epoch crossings, the plot
    ("micrograd_neuron", 0, 12, None),  # a computational graph, across epochs
])
async def test_a_prepared_step_shows_what_the_key_press_would_have_made(name, start, presses,
                                                                        mistake):
    assert await walk(name, presses, True, mistake, start=start) == await walk(
        name, presses, False, mistake, start=start)


async def test_a_step_prepared_for_n_is_not_shown_after_another_key():
    """n p n p ...: each p comes after a View was prepared for n; it shows the step back."""
    assert await walk("two_three_one", 12, True, keys="nnp") == await walk(
        "two_three_one", 12, False, keys="nnp")


async def test_nothing_is_prepared_in_quiz_mode():
    """(Nor during a run: test_screen_speed.test_a_run_swaps_the_footer_for_the_run_bar...)"""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await pilot.pause()
        main._prepare_next()
        assert main._prepared is not None
        await pilot.press("k")  # quiz mode: arriving at a step opens its question
        await pilot.pause()
        main._prepare_next()
        assert main._prepared is None


def public_state(widget) -> dict:
    """What a panel shows and what its lines are (its public attributes)."""
    return {k: v for k, v in vars(widget).items() if not k.startswith("_")}


async def test_preparing_the_next_step_leaves_the_shown_one_as_it_is():
    """Building the next step's text wrote the values' refs (what each line is, for picking)
    while the learner picked among the shown step's lines: at an epoch's last step, enter on
    the values' ▶ line (w4⁺) opened where net_h1 comes from, and y copied 0.3775."""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await pilot.pause()
        for key in ("n", "n", "n", "e"):
            await pilot.press(key)
            bodies = [box.body for box in main.boxes] + [main.query_one("#status")]
            before = [public_state(body) for body in bodies]
            main._prepare_next()
            assert main._prepared is not None
            assert [public_state(body) for body in bodies] == before
        main.query_one("#values").focus()
        await pilot.pause()
        await pilot.press("enter")  # the current value is picked first
        await pilot.pause()
        assert app.screen.prov.event is main.cursor.event  # w4⁺, the epoch's last step
