"""Defects a review found: each test fails on the code before its fix."""

from __future__ import annotations

import pytest

from bptui import backprop as bp
from bptui import scenario
from bptui.engine import epoch_events
from bptui.errors import ScenarioError
from tests.conftest import run_cli_inprocess

PUBLISHED_AFTER_ONE_UPDATE = {"w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270,
                              "w8": 0.561370121}


def test_stale_weights_shows_the_new_value_of_each_updated_weight() -> None:
    """With the walkthrough's own bug the output weights still get the published updates."""
    s = scenario.load("mazur_2_2_2")
    events = epoch_events(s, bp.Params.initial(s), 1, "stale-weights").events
    updates = {e.symbol[:-1]: e for e in events if e.kind == "update"}
    for name, published in PUBLISHED_AFTER_ONE_UPDATE.items():
        assert round(updates[name].value, 9) == pytest.approx(published, abs=1e-9)
        assert updates[name].mistake is None  # the output layer's update is not the bug
    # the hidden weights are the ones the bug changes, and they are flagged with the right value
    assert updates["w1"].mistake == "stale-weights"
    assert round(updates["w1"].correct_value, 9) == 0.149780716
    # each shown value is what its substituted equation computes
    for ev in updates.values():
        assert ev.value == pytest.approx(ev.old - s.learning_rate * ev.grad, rel=1e-12)


@pytest.mark.parametrize("mistake", ["missing-sum", "gradient-ascent", "wrong-weight-in-sum"])
def test_layer_level_steps_carry_the_correct_twin(mistake: str) -> None:
    s = scenario.load("batch_relu_1000_100_10")
    events = epoch_events(s, bp.Params.initial(s), 1, mistake).events
    flagged = {e.symbol for e in events if e.mistake == mistake}
    assert {"dE/dW1", "W1+"} <= flagged
    sent_back = next(e for e in events if e.symbol == "dE/dout_1")
    if mistake != "gradient-ascent":
        assert "BUG" in sent_back.equation and "BUG" not in sent_back.correct_equation


DUPLICATE = """
[input]
size = 1
names = ["x"]
[[layers]]
size = 1
activation = "linear"
weights = [[0.5]]
weight_names = [["w"]]
[[layers]]
size = 1
activation = "linear"
weights = [[0.5]]
weight_names = [["w"]]
[training]
loss = "sse"
learning_rate = 0.1
[data]
inputs = [[1.0]]
targets = [[1.0]]
"""


def test_two_parameters_cannot_share_a_name() -> None:
    with pytest.raises(ScenarioError, match="parameter name 'w' is already used") as info:
        scenario.parse(DUPLICATE, file="dup.toml")
    assert info.value.key == "layers[2].weight_names" and info.value.line is not None


@pytest.mark.parametrize("args, says", [
    (["--check", "--train", "2"], "found --check and --train"),
    (["--trace", "--gradcheck"], "found --trace and --gradcheck"),
    (["--check", "--epochs", "3"], "--epochs means nothing with --check"),
    (["--json"], "--json means nothing with opening the screen"),
    (["--trace", "--force"], "--force means nothing with --trace"),
    (["--check", "--quiz", "grad"], "--quiz means nothing with --check"),
    (["--train", "2", "--port", "9000"], "--port means nothing with --train"),
    (["batch_relu_1000_100_10", "--gradcheck", "--sample", "2"], "batch mode"),
])
def test_options_that_would_be_ignored_are_errors(args: list[str], says: str) -> None:
    run = run_cli_inprocess(*args)
    assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr
