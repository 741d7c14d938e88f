"""With a mistake on, the cursor also knows correct backprop's loss curve, to plot beside it."""

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
