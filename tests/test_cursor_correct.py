"""With a mistake on, the cursor also knows correct backprop's loss curve, to plot beside it."""

import math

from bptui import backprop as bp
from bptui import scenario
from bptui.cursor import Cursor


def test_correct_curve_beside_the_buggy_one() -> None:
    s = scenario.load("two_three_one")
    buggy = Cursor(s, mistake="gradient-ascent")
    buggy.run()
    correct = bp.train(s, bp.Params.initial(s), s.epochs).losses
    assert buggy.correct_losses() == correct[: len(buggy.losses)]
    assert len(buggy.losses) == s.epochs
    assert buggy.losses[-1] > buggy.losses[0] and correct[-1] < correct[0]


def test_without_a_mistake_the_curves_are_one() -> None:
    c = Cursor(scenario.load("mazur_2_2_2"))
    c.run(50)
    assert c.correct_losses() is c.losses


def test_run_never_goes_past_the_epoch_where_training_diverged(tmp_path) -> None:
    text = (scenario.BUILTIN_FOLDER / "linear_chain_1_1_1.toml").read_text()
    path = tmp_path / "diverging.toml"
    path.write_text(text.replace("learning_rate = 0.05", "learning_rate = 10"))
    c = Cursor(scenario.load(str(path)))
    c.run(1)  # lands on epoch 2, still finite
    c.run(1)  # lands on epoch 3, the one whose loss is no longer finite
    assert c.diverged_at == 3 and c.epoch == 3
    c.run()
    assert c.epoch == 3 and c.diverged_at == 3
    assert all(map(math.isfinite, c.losses)) and len(c.losses) == 2
