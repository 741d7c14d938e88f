"""The loss panel keeps pace with the learner: completed epochs only, and the outputs after them."""

from __future__ import annotations

import math
import re

from tests.tui.helpers import make_app, settle, status, type_fast

# Mazur (shared/sources/003): inputs, biases (not trained) and the weights after one update
I1, I2, B1, B2 = 0.05, 0.10, 0.35, 0.60
W_AFTER_1 = dict(w1=0.149780716, w2=0.19956143, w3=0.24975114, w4=0.29950229,
                 w5=0.35891648, w6=0.408666186, w7=0.511301270, w8=0.561370121)
OUTPUTS_AFTER_10000 = (0.0159136204, 0.9840642735)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def mazur_outputs(w: dict[str, float]) -> tuple[float, float]:
    h1 = sigmoid(w["w1"] * I1 + w["w2"] * I2 + B1)
    h2 = sigmoid(w["w3"] * I1 + w["w4"] * I2 + B1)
    return (sigmoid(w["w5"] * h1 + w["w6"] * h2 + B2), sigmoid(w["w7"] * h1 + w["w8"] * h2 + B2))


def outputs_in(caption: str, epoch: int) -> tuple[float, float]:
    tail = caption.split(f"outputs after epoch {epoch}:")[1]
    o1 = re.search(r"o1 (\S+)", tail).group(1)
    o2 = re.search(r"o2 (\S+)", tail).group(1)
    return float(o1), float(o2)


async def test_the_epochs_loss_appears_on_its_last_sub_step_with_the_outputs_after_it():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        loss = app.main.query_one("#loss")
        assert "after epoch 1" not in loss.caption and "outputs after" not in loss.caption
        await type_fast(pilot, ["n"] * 37)  # in one burst, each handled in turn
        await pilot.pause()
        assert "step 38 of 39" in status(app)
        assert "after epoch 1" not in loss.caption  # w4 is not updated yet
        await pilot.press("n")
        assert "step 39 of 39" in status(app)
        assert "after epoch 1" in loss.caption
        after = float(loss.caption.split("after epoch 1 ")[1].split(".\n")[0].rstrip("."))
        assert after < 0.298371109  # the first update lowered the total error
        o1, o2 = outputs_in(loss.caption, 1)
        e1, e2 = mazur_outputs(W_AFTER_1)
        assert abs(o1 - e1) < 1e-8 and abs(o2 - e2) < 1e-8
        # in epoch 2, epoch 1 is complete and stays shown; epoch 2's loss is not yet
        await pilot.press("n")
        assert "epoch 2 of" in status(app) and "after epoch 1" in loss.caption
        assert "after epoch 2" not in loss.caption
        await pilot.press("p", "p")
        assert "after epoch 1" not in loss.caption  # back before the end of epoch 1


async def test_after_training_the_outputs_are_the_published_ones():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot, timeout=120)
        await pilot.pause()
        assert app.cursor.at_end
        caption = app.main.query_one("#loss").caption
        assert "after epoch 10000:" in caption
        o1, o2 = outputs_in(caption, 10000)
        assert (round(o1, 10), round(o2, 10)) == OUTPUTS_AFTER_10000


async def test_a_mistakes_run_plots_the_correct_curve_beside_it():
    """The 2-3-1 tutorial's sign bug climbs the loss; correct backprop, drawn beside it, falls."""
    app = make_app("two_three_one", mistake="gradient-ascent")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        loss = app.main.query_one("#loss")
        caption = loss.caption
        buggy = float(re.search(r"after epoch 100: (\S+)", caption).group(1))
        correct = float(re.search(r"correct: (\S+)", caption).group(1))
        assert "gradient-ascent" in caption
        start = app.cursor.initial_loss
        assert buggy > start > correct  # the bug climbs, correct backprop descends
        plotted = loss.query_one("#loss-plot").plt._active.monitor.y
        assert len(plotted) == 2  # both curves are drawn


def test_a_sparkline_follows_the_curve_and_marks_the_epoch():
    import numpy as np

    from bptui.tui.loss import BARS, Spark, sparkline

    x = np.arange(11)
    y = np.log10(1e6 * 10.0 ** -x)  # a loss falling by ten each epoch, log scale
    spark = Spark(x, y, "1e6", "1e-4", True, 4, "loss")
    text = sparkline(spark, 11, 2)
    bars, words = text.plain.split("\n")
    assert bars[0] == BARS[-1] and bars[-1] == BARS[0]
    assert [BARS.index(b) for b in bars] == sorted((BARS.index(b) for b in bars), reverse=True)
    assert words == "epochs 0–10, loss 1e6 … 1e-4 (log scale)"
    marked = [span for span in text.spans if "reverse" in str(span.style)]
    assert [(s.start, s.end) for s in marked] == [(4, 5)]  # epoch 4's bar
    # five columns: epochs 0, 2, 5, 8, 10 (log loss 6, 4, 1, -2, -4), heights 7·(y + 4)/10
    # = 7, 5.6, 3.5, 1.4, 0, rounded (half to even)
    assert sparkline(spark, 5, 1).plain == BARS[7] + BARS[6] + BARS[4] + BARS[1] + BARS[0]
    flat = Spark(x, np.full(11, 0.25), "0.25", "0.25", False, None, "loss")
    assert sparkline(flat, 11, 1).plain == BARS[0] * 11


async def test_a_loss_tab_too_short_for_the_plot_shows_a_sparkline():
    """At 60x18 the Loss tab leaves the plot four rows: plotext drew an empty frame, its
    y ticks upside down (1e-6 at the top, 1e6 at the bottom)."""
    from bptui.tui.loss import BARS, PLOT_MIN_ROWS

    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("4")
        await pilot.pause()
        plot = app.main.query_one("#loss-plot")
        assert 0 < plot.size.height < PLOT_MIN_ROWS
        shown = "\n".join(line.rstrip() for line in plot.render().plain.split("\n"))
        bars, words = shown.split("\n")[:2]
        assert len(bars) == plot.size.width and set(bars) <= set(BARS)
        assert bars[0] == BARS[-1] and bars[-1] == BARS[0]  # the loss falls, from 3e7 to 4e-6
        assert words == "epochs 0–500, loss 1e8 … 1e-6 (log scale)"
        assert "┌" not in shown
        await pilot.resize_terminal(80, 24)  # tall enough: the plot again
        await pilot.pause()
        assert plot.size.height >= PLOT_MIN_ROWS
        assert "1e-6" in "\n".join(s.text for s in plot.render_lines(plot.region.reset_offset))


async def test_a_scenario_of_one_epoch_promises_no_plot():
    """micrograd's expression is worked once (one epoch, nothing trained): the Loss panel
    said the plot would appear once more epochs had run and that r runs them."""
    for name, promised in (("micrograd_expression", False), ("mazur_2_2_2", True)):
        app = make_app(name)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("e")
            await pilot.pause()
            caption = app.main.query_one("#loss").caption
            assert ("The plot appears" in caption) == promised, caption
            assert ("r runs them" in caption) == promised
