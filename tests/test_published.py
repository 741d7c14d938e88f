"""The numbers the source tutorials publish, reproduced by the engine, the fast path and the CLI.

Every expected value below is copied from a tutorial (see scenarios/*.toml and
notes/CONTEXT.md), never from bptui's own output. Values are compared after rounding to as
many decimals as the tutorial prints.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from bptui import backprop as bp
from bptui import scenario
from bptui.cursor import Cursor
from bptui.engine import epoch_events

from .conftest import run_cli_inprocess

# Mazur 2-2-2, after one update (as printed: the number of digits is part of the claim).
MAZUR_AFTER_ONE = {
    "w5": "0.35891648", "w6": "0.408666186", "w7": "0.511301270", "w8": "0.561370121",
    "w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114", "w4": "0.29950229",
}
# where each named weight lives: (layer 1-based, row j, col i), weights[j][i] = from i into j
MAZUR_WHERE = {
    "w1": (1, 0, 0), "w2": (1, 0, 1), "w3": (1, 1, 0), "w4": (1, 1, 1),
    "w5": (2, 0, 0), "w6": (2, 0, 1), "w7": (2, 1, 0), "w8": (2, 1, 1),
}
MAZUR_E_TOTAL = "0.298371109"
MAZUR_DE_DW5 = "0.082167041"
MAZUR_10000 = ("0.0159136204", "0.9840642735")
MAZUR_10000_STALE = ("0.015912196", "0.984065734")


def assert_published(value: float, published: str, what: str = "") -> None:
    """``value`` rounded to the published number of decimals equals the published number."""
    decimals = len(published.split(".")[1])
    assert round(float(value), decimals) == float(published), (
        f"{what}: {value!r} rounds to {round(float(value), decimals)!r}, published {published}"
    )


@pytest.fixture(scope="module")
def mazur():
    return scenario.load("mazur_2_2_2")


@pytest.fixture(scope="module")
def mazur_epoch1(mazur):
    return epoch_events(mazur, bp.Params.initial(mazur), 1)


def by_symbol(events, symbol):
    found = [e for e in events if e.symbol == symbol]
    assert len(found) == 1, f"expected one {symbol} event, found {len(found)}"
    return found[0]


# ----------------------------------------------------------------------------- Mazur 2-2-2


def test_mazur_total_error_from_events(mazur_epoch1):
    ev = by_symbol(mazur_epoch1.events, "E_total")
    assert ev.epoch == 1 and ev.sample == 1 and ev.phase == "loss"
    assert_published(ev.value, MAZUR_E_TOTAL, "E_total event")


def test_mazur_total_error_from_dataset_loss(mazur):
    assert_published(bp.dataset_loss(mazur, bp.Params.initial(mazur)), MAZUR_E_TOTAL,
                     "dataset_loss")


def test_mazur_output_terms_add_up(mazur_epoch1):
    """The published total is the sum of the two output terms the walkthrough shows."""
    e1 = by_symbol(mazur_epoch1.events, "E_o1").value
    e2 = by_symbol(mazur_epoch1.events, "E_o2").value
    assert_published(e1 + e2, MAZUR_E_TOTAL, "E_o1 + E_o2")
    # Mazur prints E_o1 = 0.274811083 and E_o2 = 0.023560026
    assert_published(e1, "0.274811083", "E_o1")
    assert_published(e2, "0.023560026", "E_o2")


def test_mazur_dE_dw5(mazur_epoch1):
    ev = by_symbol(mazur_epoch1.events, "dE/dw5")
    assert ev.kind == "grad" and ev.phase == "backward"
    assert ev.param is not None and (ev.param.layer, ev.param.kind, ev.param.row,
                                     ev.param.col) == (2, "weight", 0, 0)
    assert_published(ev.value, MAZUR_DE_DW5, "dE/dw5")


@pytest.mark.parametrize("name", sorted(MAZUR_AFTER_ONE))
def test_mazur_one_update_from_events(mazur_epoch1, name):
    ev = by_symbol(mazur_epoch1.events, f"{name}+")
    assert ev.kind == "update"
    layer, row, col = MAZUR_WHERE[name]
    assert (ev.param.layer, ev.param.row, ev.param.col) == (layer, row, col)
    assert_published(ev.value, MAZUR_AFTER_ONE[name], f"{name}+ event")


@pytest.mark.parametrize("name", sorted(MAZUR_AFTER_ONE))
def test_mazur_one_update_fast_path(mazur, name):
    result = bp.train(mazur, bp.Params.initial(mazur), 1)
    layer, row, col = MAZUR_WHERE[name]
    assert_published(result.params.weights[layer - 1][row, col], MAZUR_AFTER_ONE[name],
                     f"{name} after bp.train(1)")


def test_mazur_one_update_engine_params(mazur_epoch1):
    for name, (layer, row, col) in MAZUR_WHERE.items():
        assert_published(mazur_epoch1.params.weights[layer - 1][row, col],
                         MAZUR_AFTER_ONE[name], f"{name} in EpochResult.params")


def test_mazur_biases_not_trained(mazur):
    """The walkthrough keeps b1 = 0.35 and b2 = 0.60 fixed."""
    result = bp.train(mazur, bp.Params.initial(mazur), 3)
    assert result.params.biases[0].tolist() == [0.35]
    assert result.params.biases[1].tolist() == [0.60]


def test_mazur_10000_epochs_fast_path(mazur):
    result = bp.train(mazur, bp.Params.initial(mazur), 10000)
    assert result.diverged_at is None and len(result.losses) == 10000
    out = bp.forward(mazur, result.params, mazur.inputs[0]).outs[-1]
    for value, published in zip(out, MAZUR_10000, strict=True):
        assert_published(value, published, "output after 10000 epochs")


def test_mazur_10000_epochs_cursor_run(mazur):
    cursor = Cursor(mazur)
    cursor.run()
    assert cursor.epoch == 10000 and cursor.at_end
    out = bp.forward(mazur, cursor.end_params, mazur.inputs[0]).outs[-1]
    for value, published in zip(out, MAZUR_10000, strict=True):
        assert_published(value, published, "output after cursor.run()")


@pytest.mark.parametrize(
    ("mistake", "published"), [(None, MAZUR_10000), ("stale-weights", MAZUR_10000_STALE)]
)
def test_mazur_10000_epochs_command_line(mistake, published):
    args = ["mazur_2_2_2", "--train", "10000", "--json"]
    if mistake:
        args += ["--mistake", mistake]
    run = run_cli_inprocess(*args)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["epochs"] == 10000
    assert len(data["loss"]) == 10000
    assert_published(data["initial_loss"], MAZUR_E_TOTAL, "initial_loss")
    outs = data["outputs"]
    assert len(outs) == 1 and len(outs[0]) == 2
    for value, pub in zip(outs[0], published, strict=True):
        assert_published(value, pub, f"--train 10000 output ({mistake})")


def test_stale_weights_differs_from_correct():
    """The two published results differ: the mistake must change the numbers."""
    s = scenario.load("mazur_2_2_2")
    right = bp.train(s, bp.Params.initial(s), 200).params
    wrong = bp.train(s, bp.Params.initial(s), 200, mistake="stale-weights").params
    assert not np.allclose(right.weights[0], wrong.weights[0], rtol=0, atol=1e-9)
    # stale weights only touch the hidden layer's gradient within an epoch
    one_right = bp.train(s, bp.Params.initial(s), 1).params
    one_wrong = bp.train(s, bp.Params.initial(s), 1, mistake="stale-weights").params
    np.testing.assert_array_equal(one_right.weights[1], one_wrong.weights[1])
    assert not np.array_equal(one_right.weights[0], one_wrong.weights[0])


# ----------------------------------------------------------------------------- 2-3-1


def test_two_three_one_hidden_nets_events():
    s = scenario.load("two_three_one")
    events = epoch_events(s, bp.Params.initial(s), 1).events
    for unit, published in zip(("h1", "h2", "h3"), ("0.24", "0.52", "0.80"), strict=True):
        ev = by_symbol(events, f"net_{unit}")
        assert ev.kind == "net" and ev.layer == 1
        assert_published(ev.value, published, f"net_{unit}")


def test_two_three_one_hidden_nets_forward():
    s = scenario.load("two_three_one")
    fw = bp.forward(s, bp.Params.initial(s), s.inputs[0])
    assert [round(float(v), 2) for v in fw.nets[1]] == [0.24, 0.52, 0.80]


# ----------------------------------------------------------------------------- linear chain


def _chain_outputs(s, params):
    return [float(bp.forward(s, params, np.array([x])).outs[-1][0]) for x in (1.0, -1.0)]


def test_linear_chain_learns_the_sign_flip():
    s = scenario.load("linear_chain_1_1_1")
    before = _chain_outputs(s, bp.Params.initial(s))
    # the starting weights map 1 to a positive number: the test must see training change that
    assert before[0] > 0 and before[1] < 0
    result = bp.train(s, bp.Params.initial(s), 160)
    assert result.diverged_at is None
    after = _chain_outputs(s, result.params)
    assert after[0] < 0, f"after 160 epochs, 1 maps to {after[0]}"
    assert after[1] > 0, f"after 160 epochs, -1 maps to {after[1]}"


def test_linear_chain_command_line():
    run = run_cli_inprocess("linear_chain_1_1_1", "--train", "160", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["epochs"] == 160
    (out_pos,), (out_neg,) = data["outputs"]
    assert out_pos < 0 < out_neg
