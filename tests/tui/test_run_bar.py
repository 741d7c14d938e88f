"""The run bar keeps how to stop a run in view, and a large network draws without colour."""

from __future__ import annotations

from bptui.tui.runbar import RunBar, fit
from tests.tui.helpers import make_app, screen_text


def test_a_long_label_gives_way_in_the_middle_and_keeps_how_to_stop():
    label = "epoch 769/1000000  loss 2.08308e-11  esc stops"
    assert fit(label, 60) == label
    assert fit(label, 38) == "epoch 769/1000000  …  esc stops"
    assert fit("第 868/1000000 轮  损失 2.44193e-13  esc 停止", 30).endswith("…  esc 停止")
    short = fit(label, 12)
    assert short.endswith("…") and len(short) == 12  # cut, and said to be cut


async def test_at_sixty_columns_a_run_says_how_to_stop_it():
    """At 60 columns the progress label ran past its room and was cut at its end, where
    "esc stops" is (the only hint on the screen that escape stops the run)."""
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        bar = app.main.query_one(RunBar)
        bar.show("epoch 769/1000000  loss 2.08308e-11  esc stops", done=769, total=1000000)
        app.main.running = True  # the bar shows in the footer's line
        await pilot.pause()
        line = screen_text(app).splitlines()[-1]
        assert "esc stops" in line and line.rstrip().endswith("0%")
        app.main.running = False
        await pilot.pause()


async def test_a_large_network_draws_without_colour(monkeypatch):
    """NO_COLOR=1 ended the app with a traceback on the 1000-100-10: a block line's plain
    part was a segment without a style, which Textual's no-colour filter cannot read."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert "X" in app.main.query_one("#network-body").plain
        assert "inputs: 1000 values per sample" in screen_text(app)
