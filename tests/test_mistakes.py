"""The mistake lab: each bug computes what the tutorials' buggy code computes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bptui import backprop as bp
from bptui import gradcheck, mistakes, scenario
from bptui.engine import epoch_events

from .conftest import run_cli_inprocess

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
    "transposed-weights": HIDDEN,
}
#: mistakes that do not apply to the 2-2-2 network (tested on a scenario of their own)
ELSEWHERE = {"sum-for-mean"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], capture_output=True, text=True,
                          timeout=120)


def run_inprocess(*args: str):
    """The same in this interpreter (no start-up): for what an option prints."""
    return run_cli_inprocess(*args, cwd=Path.cwd())


def test_every_mistake_is_listed_with_its_explanation() -> None:
    assert set(TOUCHES) | ELSEWHERE == set(mistakes.MISTAKES)
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
    done = run_inprocess("mazur_2_2_2", "--train", "10000", "--json", "--mistake", "stale-weights")
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
    done = run_inprocess("linear_chain_1_1_1", "--gradcheck", "--mistake", "missing-sum")
    assert done.returncode == 2 and "does not apply" in done.stderr


# ----------------------------------------------------------------------------- changed values
# Every expected number below is derived by hand from the published 2-2-2 walkthrough
# (Mazur: w5..w8 = 0.40, 0.45, 0.50, 0.55; δ_o1 = 0.138498562, δ_o2 = -0.0380982366) or from
# the batch-mean scenario's notes, never copied from bptui's output.

D_O1, D_O2 = 0.138498562, -0.0380982366


def _first_sample(name: str | None):
    s = scenario.load("mazur_2_2_2")
    return {e.symbol: e for e in epoch_events(s, bp.Params.initial(s), 1, name).events
            if e.sample == 1}


def test_transposed_weights_sends_the_error_back_along_the_rows_of_w() -> None:
    ev = _first_sample("transposed-weights")
    h1, h2 = ev["dE/dout_h1"], ev["dE/dout_h2"]
    # W instead of Wᵀ: h1 gets δ_o1·w5 + δ_o2·w6, h2 gets δ_o1·w7 + δ_o2·w8
    assert h1.value == pytest.approx(D_O1 * 0.40 + D_O2 * 0.45, abs=1e-9)
    assert h2.value == pytest.approx(D_O1 * 0.50 + D_O2 * 0.55, abs=1e-9)
    # the right values, from the walkthrough: δ_o1·w5 + δ_o2·w7 and δ_o1·w6 + δ_o2·w8
    assert h1.correct_value == pytest.approx(0.036350306, abs=1e-9)
    assert h2.correct_value == pytest.approx(D_O1 * 0.45 + D_O2 * 0.55, abs=1e-9)
    assert h1.equation == "∂E/∂out_h1 = Σ_k δ_k · w_k,h1 = δ_o1 · w5 + δ_o2 · w6"
    assert h1.mistake == "transposed-weights" and "BUG (transposed-weights)" in h1.why
    assert ev["dE/dw5"].mistake is None  # the output layer's gradients are untouched


def test_transposed_weights_applies_only_where_shapes_allow() -> None:
    m = mistakes.MISTAKES["transposed-weights"]
    assert m.applies(scenario.load("mazur_2_2_2")) is None
    why = m.applies(scenario.load("softmax_xor_2_3_2"))
    assert why and "W2 is 2×3" in why and "shape error" in why
    # 1×1 weights: W and Wᵀ are the same matrix, so nothing of the first epoch changes
    assert "changes no value" in m.applies(scenario.load("linear_chain_1_1_1"))


BATCH_MEAN = "tests/data/batch_mean_1_1_1.toml"


def test_sum_for_mean_steps_n_times_too_far() -> None:
    s = scenario.load(BATCH_MEAN)
    assert mistakes.MISTAKES["sum-for-mean"].applies(s) is None
    right = epoch_events(s, bp.Params.initial(s), 1).events
    wrong = epoch_events(s, bp.Params.initial(s), 1, "sum-for-mean").events
    final = {e.symbol: e for e in right if e.kind == "update"}
    bug = {e.symbol: e for e in wrong if e.kind == "update"}
    # by hand: mean gradients 0.75 (w1) and 0.375 (w2); sums 1.5 and 0.75; η = 0.1
    assert final["w1+"].value == pytest.approx(0.425, abs=1e-12)
    assert final["w2+"].value == pytest.approx(0.9625, abs=1e-12)
    assert bug["w1+"].value == pytest.approx(0.35, abs=1e-12)
    assert bug["w2+"].value == pytest.approx(0.925, abs=1e-12)
    assert bug["w1+"].correct_value == pytest.approx(0.425, abs=1e-12)
    assert "BUG" in bug["w1+"].equation
    # the update shows the sum over the samples and (for the mean) the N it is divided by
    assert final["w1+"].substituted == "w1⁺ = 0.5 - 0.1 · ((-0.5) + 2) / 2"
    assert bug["w1+"].substituted == "w1⁺ = 0.5 - 0.1 · ((-0.5) + 2)"
    # the loss is still the mean: (½·0.5² + ½·1²) / 2
    e_bug = next(e for e in wrong if e.symbol == "E_batch")
    assert e_bug.value == pytest.approx(0.3125, abs=1e-12) and e_bug.mistake is None
    result = bp.train(s, bp.Params.initial(s), 1, mistake="sum-for-mean")
    assert result.params.weights[0][0, 0] == pytest.approx(0.35, abs=1e-12)


def test_sum_for_mean_does_not_apply_to_sample_mode_or_summed_batches() -> None:
    m = mistakes.MISTAKES["sum-for-mean"]
    assert "after each sample" in m.applies(scenario.load("mazur_2_2_2"))
    assert "sums the per-sample losses" in m.applies(scenario.load("batch_relu_1000_100_10"))


def test_mistakes_with_a_scenario_say_which_apply_and_why_not() -> None:
    done = run_inprocess(BATCH_MEAN, "--mistakes")
    assert done.returncode == 0, done.stderr
    assert "sum-for-mean: A batch gradient" in done.stdout
    lines = done.stdout.splitlines()
    status = {}
    name = None
    for line in lines:
        if not line.startswith(" "):
            name = line.split(":")[0]
        elif "batch_mean_1_1_1:" in line:
            status[name] = line.split("batch_mean_1_1_1:")[1].strip()
    assert status["sum-for-mean"] == "applies"
    assert status["transposed-weights"].startswith("does not apply (switching it on changes no")
    assert status["sigmoid-prime-of-net"] == "does not apply (the network has no sigmoid unit)"
    assert set(status) == set(mistakes.MISTAKES)


def test_gradient_ascent_flips_the_published_output_error() -> None:
    ev = _first_sample("gradient-ascent")
    # published: ∂E/∂out_o1 = -(0.01 - 0.75136507) = 0.74136507
    assert ev["dE/dout_o1"].value == pytest.approx(-0.74136507, abs=1e-8)
    assert ev["dE/dout_o1"].correct_value == pytest.approx(0.74136507, abs=1e-8)


def test_loss_as_gradient_puts_the_published_loss_term_in_place_of_the_error() -> None:
    ev = _first_sample("loss-as-gradient")
    # published: E_o1 = ½(0.01 - 0.75136507)² = 0.274811083
    assert ev["dE/dout_o1"].value == pytest.approx(0.274811083, abs=1e-9)


def test_missing_and_wrong_weight_sums_by_hand() -> None:
    assert _first_sample("missing-sum")["dE/dout_h1"].value == pytest.approx(D_O1 * 0.40,
                                                                            abs=1e-9)
    assert _first_sample("wrong-weight-in-sum")["dE/dout_h1"].value == pytest.approx(
        (D_O1 + D_O2) * 0.40, abs=1e-9)


def test_sigmoid_slope_mistakes_by_hand() -> None:
    # published: net_o1 = 1.105905967, out_o1 = 0.75136507
    net, out = 1.105905967, 0.75136507
    assert _first_sample("sigmoid-prime-of-net")["dout_o1/dnet_o1"].value == pytest.approx(
        net * (1 - net), abs=1e-8)
    assert _first_sample("tanh-prime-for-sigmoid")["dout_o1/dnet_o1"].value == pytest.approx(
        1 - out * out, abs=1e-8)


def test_loss_as_gradient_under_softmax_keeps_the_softmax_cross_terms() -> None:
    """Only dE/dout is wrong; δ then follows the chain rule through the softmax Jacobian."""
    s = scenario.load("softmax_xor_2_3_2")
    ev = {e.symbol: e for e in epoch_events(s, bp.Params.initial(s), 1,
                                            "loss-as-gradient").events if e.sample == 1}
    out_a, out_b = ev["out_a"].value, ev["out_b"].value
    # sample 1's target is (1, 0): the wrong dE/dout are the loss terms -ln(out_a) and 0
    err_a = -math.log(out_a)
    assert ev["dE/dout_a"].value == pytest.approx(err_a, rel=1e-12)
    assert ev["dE/dout_b"].value == 0.0
    # δ_k = out_k (err_k - Σ_j err_j out_j): δ_b = out_b (0 - err_a out_a) ≈ -0.135, not 0
    assert ev["delta_b"].value == pytest.approx(-out_b * err_a * out_a, rel=1e-12)
    assert ev["delta_b"].value == pytest.approx(-0.1352623599, abs=1e-9)
    assert ev["delta_a"].value == pytest.approx(out_a * (err_a - err_a * out_a), rel=1e-12)
    assert "dout_b/dnet_b" not in ev  # the diagonal alone is never used


ONE_UNIT = """
title = "one output unit with a per-unit bias list"
[input]
size = 1
[[layers]]
size = 1
activation = "sigmoid"
weights = [[0.5]]
[[layers]]
size = 1
activation = "sigmoid"
weights = [[0.5]]
bias = BIAS
train_bias = true
[training]
loss = "half_sse"
learning_rate = 0.5
epochs = 1
[data]
inputs = [[1.0]]
targets = [[1.0]]
"""


@pytest.mark.parametrize(("bias", "name", "shared"), [("[0.0]", "b2[1]", False),
                                                      ("0.0", "b2", True)])
def test_one_unit_layer_keeps_what_the_file_said_about_its_bias(bias, name, shared) -> None:
    """Issue 11 item 7: `bias = [0.0]` is a per-unit bias even on a one-unit layer."""
    s = scenario.parse(ONE_UNIT.replace("BIAS", bias), file="one.toml", name="one")
    assert s.layers[1].bias_mode == ("shared" if shared else "unit")
    grad = next(e for e in epoch_events(s, bp.Params.initial(s), 1).events
                if e.symbol == f"dE/d{name}")
    assert ("added to the net of every unit" in grad.why) == shared
    assert (grad.unit is None) == shared
