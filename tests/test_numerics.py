"""Numerical robustness: saturating units stay finite and silent, divergence is reported.

Every test here runs with warnings as errors, so an overflow in exp or an invalid value in a
derivative fails the test instead of printing a RuntimeWarning.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import numpy as np
import pytest

from bptui import backprop as bp
from bptui import scenario
from bptui.activations import ACTIVATIONS, sigmoid
from bptui.cursor import Cursor
from bptui.engine import epoch_events
from bptui.losses import LOSSES

from .conftest import run_cli_inprocess

pytestmark = pytest.mark.filterwarnings("error")

NETS = np.concatenate([np.linspace(-1e4, 1e4, 20001), [-1e4, -745.2, -710, -1, 0.0, 1, 710,
                                                       745.2, 1e4]])


@pytest.fixture(autouse=True)
def numpy_raises():
    """Any floating-point warning numpy would print (not underflow) is an error here too."""
    with np.errstate(over="raise", divide="raise", invalid="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_sigmoid_finite_and_bounded_for_large_nets():
    out = sigmoid(NETS)
    assert np.isfinite(out).all()
    assert ((out >= 0) & (out <= 1)).all()
    assert np.all(np.diff(sigmoid(np.sort(NETS))) >= 0)
    assert sigmoid(np.array([1e4]))[0] == 1.0 and sigmoid(np.array([-1e4]))[0] == 0.0
    assert sigmoid(np.array([0.0]))[0] == 0.5
    # the textbook value: σ(net_h1) in the Mazur walkthrough
    assert round(float(sigmoid(np.array([0.3775]))[0]), 9) == 0.593269992
    prime = ACTIVATIONS["sigmoid"].prime(NETS, out)
    assert np.isfinite(prime).all() and (prime >= 0).all() and prime.max() <= 0.25


def test_tanh_finite_and_bounded_for_large_nets():
    act = ACTIVATIONS["tanh"]
    out = act.forward(NETS)
    assert np.isfinite(out).all() and (np.abs(out) <= 1).all()
    prime = act.prime(NETS, out)
    assert np.isfinite(prime).all() and (prime >= 0).all() and prime.max() <= 1


@pytest.mark.skipif("softmax" not in ACTIVATIONS, reason="no softmax")
def test_softmax_finite_for_large_nets():
    nets = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [745.2, 710.0, -745.2]])
    out = ACTIVATIONS["softmax"].forward(nets)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def scaled_mazur(scale: float) -> scenario.Scenario:
    """Mazur's network with every weight and bias multiplied: nets in the thousands."""
    text = (scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml").read_text(
        encoding="utf-8")
    for old in ("0.15, 0.20", "0.25, 0.30", "0.40, 0.45", "0.50, 0.55"):
        a, b = (float(v) * scale for v in old.split(", "))
        text = text.replace(old, f"{a!r}, {b!r}")
    text = text.replace("bias = 0.35", f"bias = {0.35 * scale!r}")
    text = text.replace("inputs = [[0.05, 0.10]]", "inputs = [[1.0, -1.0]]")
    return scenario.parse(text, file="scaled.toml", name="scaled")


@pytest.mark.parametrize("scale", [1e3, 1e4, -1e4])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_network_trains_silently(scale, activation):
    s = scaled_mazur(scale)
    if activation == "tanh":
        s = replace(s, layers=tuple(replace(la, activation="tanh") for la in s.layers))
    p = bp.Params.initial(s)
    fw = bp.forward(s, p, s.inputs[0])
    assert max(abs(float(v)) for v in fw.nets[1]) >= 100  # really saturated
    events = epoch_events(s, p, 1).events
    for ev in events:
        assert np.isfinite(np.asarray(ev.value, dtype=float)).all(), ev.symbol
    result = bp.train(s, bp.Params.initial(s), 20)
    assert result.diverged_at is None
    assert np.isfinite(result.losses).all()
    assert result.params.finite()


@pytest.mark.parametrize(("activation", "loss"), [("softmax", "cross_entropy"),
                                                   ("sigmoid", "binary_cross_entropy")])
def test_saturated_cross_entropy_is_finite(activation, loss):
    if activation not in ACTIVATIONS or loss not in LOSSES:
        pytest.skip(f"{loss} not available")
    s = scaled_mazur(1e4)
    s = replace(s, loss=loss, layers=(*s.layers[:-1], replace(s.layers[-1],
                                                               activation=activation)))
    if loss == "cross_entropy":
        s = replace(s, targets=np.array([[0.0, 1.0]]))
    events = epoch_events(s, bp.Params.initial(s), 1).events
    for ev in events:
        assert np.isfinite(np.asarray(ev.value, dtype=float)).all(), ev.symbol
    assert np.isfinite(bp.dataset_loss(s, bp.Params.initial(s)))


# ----------------------------------------------------------------------------- divergence


def reference_divergence(lr: float, epochs: int = 1000) -> int | None:
    """First epoch whose loss is not finite, training the linear chain by hand (per sample)."""
    w1, w2, w3 = np.float64(0.2333), np.float64(-0.233), np.float64(-0.52133)
    data = [(1.0, -1.0), (-1.0, 1.0)]
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            for x, t in data:
                y = w1 * x
                z = w2 * y
                d = w3 * z - t  # dL/de for L = ½(e - t)²
                w1, w2, w3 = w1 - lr * d * w3 * w2 * x, w2 - lr * d * w3 * y, w3 - lr * d * z
            loss = sum(0.5 * (w3 * w2 * w1 * x - t) ** 2 for x, t in data)
            if not (np.isfinite(loss) and np.isfinite([w1, w2, w3]).all()):
                return epoch
    return None


def diverging_chain(tmp_path, lr: float):
    text = (scenario.BUILTIN_FOLDER / "linear_chain_1_1_1.toml").read_text(encoding="utf-8")
    assert "learning_rate = 0.05" in text
    path = tmp_path / f"chain_lr{lr}.toml"
    path.write_text(text.replace("learning_rate = 0.05", f"learning_rate = {lr}"),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("lr", [10, 2])
def test_train_reports_divergence_epoch(tmp_path, lr):
    expected = reference_divergence(lr)
    assert expected is not None and expected > 1
    path = diverging_chain(tmp_path, lr)
    run = run_cli_inprocess(str(path), "--train", "160")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"diverged at epoch {expected}" in run.stderr
    assert "RuntimeWarning" not in run.stderr
    run = run_cli_inprocess(str(path), "--train", "160", "--json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert data["diverged_at"] == expected
    assert data["epochs"] == expected - 1 == len(data["loss"])
    assert all(np.isfinite(data["loss"]))


def test_stable_rate_does_not_diverge():
    assert reference_divergence(0.05, 160) is None
    s = scenario.load("linear_chain_1_1_1")
    assert bp.train(s, bp.Params.initial(s), 160).diverged_at is None


@pytest.mark.parametrize("lr", [10, 2])
def test_cursor_run_sets_diverged_at(tmp_path, lr):
    expected = reference_divergence(lr)
    s = scenario.load(str(diverging_chain(tmp_path, lr)))
    c = Cursor(s)
    result = c.run()
    assert result.diverged_at == expected
    assert c.diverged_at == expected
    assert c.last_epoch == expected
    assert c.epoch == expected and c.index == 0
    assert len([x for x in c.losses if np.isfinite(x)]) >= expected - 1
    assert all(np.isfinite(c.losses[: expected - 1]))
    # the learner cannot step past the epoch where it blew up
    c.goto(expected + 50)
    assert c.epoch == expected
    c.finish_epoch()
    assert not c.next()


def test_trace_of_diverging_run_is_valid_json(tmp_path):
    """--trace keeps going past the blow-up as strict JSON (null for a non-finite number),
    then says where it diverged and exits 1."""
    path = diverging_chain(tmp_path, 10)
    run = run_cli_inprocess(str(path), "--trace", "--epochs", "4")
    assert run.returncode == 1, run.stderr
    assert "diverged at epoch 3" in run.stderr
    assert "RuntimeWarning" not in run.stderr and "Traceback" not in run.stderr

    def strict(token: str):
        raise AssertionError(f"non-standard JSON number {token}")

    values = [json.loads(line, parse_constant=strict)["value"] for line in run.stdout.splitlines()]
    assert None in values
