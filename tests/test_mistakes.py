"""The mistake lab: each bug computes what the tutorials' buggy code computes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bptui import backprop as bp
from bptui import gradcheck, mistakes, scenario
from bptui.engine import epoch_events

HIDDEN = {"w1", "w2", "w3", "w4"}
ALL = HIDDEN | {"w5", "w6", "w7", "w8"}
TOUCHES = {
    "stale-weights": HIDDEN,
    "missing-sum": HIDDEN,
    "wrong-weight-in-sum": HIDDEN,
    "gradient-ascent": ALL,
    "loss-as-gradient": ALL,
    "sigmoid-prime-of-net": ALL,
    "tanh-prime-for-sigmoid": ALL,
    "no-hidden-update": set(),  # changes updates, not gradients
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], capture_output=True, text=True,
                          timeout=120)


def test_every_mistake_is_listed_with_its_explanation() -> None:
    assert set(TOUCHES) == set(mistakes.MISTAKES)
    done = run("--mistakes")
    assert done.returncode == 0
    for name, m in mistakes.MISTAKES.items():
        assert name in done.stdout
        assert m.wrong in done.stdout and m.right in done.stdout


@pytest.mark.parametrize("name", sorted(TOUCHES))
def test_gradcheck_fails_on_exactly_the_parameters_touched(name: str) -> None:
    report = gradcheck.check(scenario.load("mazur_2_2_2"), mistake=name)
    assert {r.name for r in report.failed} == TOUCHES[name]


def test_stale_weights_reproduces_the_walkthroughs_printed_outputs() -> None:
    done = run("mazur_2_2_2", "--train", "10000", "--json", "--mistake", "stale-weights")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)["outputs"][0]
    assert round(out[0], 9) == 0.015912196
    assert round(out[1], 9) == 0.984065734


def test_gradient_ascent_makes_the_2_3_1_loss_climb() -> None:
    s = scenario.load("two_three_one")
    result = bp.train(s, bp.Params.initial(s), 100, mistake="gradient-ascent")
    start = bp.dataset_loss(s, bp.Params.initial(s))
    assert all(b > a for a, b in zip([start, *result.losses], result.losses, strict=False))
    correct = bp.train(s, bp.Params.initial(s), 100)
    assert correct.losses[-1] < start < result.losses[-1]


def test_no_hidden_update_leaves_the_first_layer_alone() -> None:
    s = scenario.load("sigmoid_chain_1_1_1")
    result = bp.train(s, bp.Params.initial(s), 50, mistake="no-hidden-update")
    assert result.params.weights[0][0, 0] == s.layers[0].weights[0, 0]
    assert result.params.weights[1][0, 0] != s.layers[1].weights[0, 0]


def test_events_show_the_wrong_equation_beside_the_right_one() -> None:
    s = scenario.load("mazur_2_2_2")
    events = epoch_events(s, bp.Params.initial(s), 1, "wrong-weight-in-sum").events
    h1 = next(e for e in events if e.symbol == "dE/dout_h1")
    assert h1.mistake == "wrong-weight-in-sum"
    assert "w5" in h1.equation and "w7" not in h1.equation.split("=")[-1]
    assert "w7" in h1.correct_equation
    assert h1.value != h1.correct_value
    untouched = next(e for e in events if e.symbol == "dE/dw5")
    assert untouched.mistake is None


def test_mistakes_that_do_not_apply_say_why() -> None:
    chain = scenario.load("linear_chain_1_1_1")
    reasons = {n: m.applies(chain) for n, m in mistakes.MISTAKES.items()}
    assert reasons["sigmoid-prime-of-net"] and "sigmoid" in reasons["sigmoid-prime-of-net"]
    assert reasons["missing-sum"] and reasons["stale-weights"] is None
    done = run("linear_chain_1_1_1", "--gradcheck", "--mistake", "missing-sum")
    assert done.returncode == 2 and "does not apply" in done.stderr
