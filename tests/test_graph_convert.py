"""``--graph`` on a layered scenario: the graph's leaf gradients are the layered engine's ∂E/∂w
of the first epoch, and both agree with central differences of the layered loss.

One sample: that sample's loss. A batch: the whole batch's loss (sum or mean over the samples,
as the scenario says), every weight one leaf used by every sample. Samples one at a time: the
graph of sample 1, and the title, notes and every command say which sample and why. The
central differences perturb the LAYERED scenario's parameters and read its loss
(:func:`bptui.backprop.dataset_loss`, :func:`bptui.backprop.sample_losses`), so they depend on
neither backward pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from bptui import backprop as bp
from bptui import scenario as scn
from bptui.engine import iter_epochs
from bptui.graph import engine
from bptui.graph.convert import MAX_NODES, from_layered, shown_note

from .conftest import run_cli_inprocess

ROOT = Path(__file__).resolve().parent.parent
EPS = 1e-6


def variant(tmp_path: Path, base: str, *, mode: str, reduction: str | None = None,
            inputs: str | None = None, targets: str | None = None) -> scn.Scenario:
    """A built-in with its [training] mode (and data) changed, written as a file."""
    text = (ROOT / "scenarios" / f"{base}.toml").read_text(encoding="utf-8")
    text = re.sub(r'^mode = ".*"$', f'mode = "{mode}"'
                  + (f'\nreduction = "{reduction}"' if reduction else ""), text, flags=re.M)
    if inputs is not None:
        text = re.sub(r"^inputs = \[.*?\]\]$", f"inputs = {inputs}", text, flags=re.M | re.S)
        text = re.sub(r"^targets = \[.*?\]\]$", f"targets = {targets}", text,
                      flags=re.M | re.S)
    path = tmp_path / f"{base}_{mode}.toml"
    path.write_text(text, encoding="utf-8")
    return scn.load(str(path))


def parameters(s: scn.Scenario):
    """(leaf name, layer, kind, row, col) of every parameter, by the scenario's own names."""
    for n, la in enumerate(s.layers, start=1):
        for j in range(la.size):
            for i in range(la.inputs):
                yield la.weight_name(j, i, n), n, "weight", j, i
        if la.bias is not None:
            for j in range(la.bias.size):
                yield la.bias_name(j, n), n, "bias", j, 0


def layered_loss(s: scn.Scenario, params: bp.Params, whole: bool) -> float:
    return bp.dataset_loss(s, params) if whole else float(bp.sample_losses(s, params)[0])


def central(s: scn.Scenario, whole: bool) -> dict[str, float]:
    out = {}
    for name, n, kind, j, i in parameters(s):
        p = bp.Params.initial(s)
        x = p.value(n, kind, j, i)
        p.set(n, kind, j, i, x + EPS)
        up = layered_loss(s, p, whole)
        p.set(n, kind, j, i, x - EPS)
        down = layered_loss(s, p, whole)
        out[name] = (up - down) / (2 * EPS)
    return out


def layered_grads(s: scn.Scenario) -> dict[str, float]:
    """The layered engine's gradient of the first update of the first epoch (trained
    parameters only: an untrained bias has no update step)."""
    out: dict[str, float] = {}
    for ev in iter_epochs(s, 1):
        if ev.kind == "update" and ev.sample in (None, 1) and ev.symbol[:-1] not in out:
            out[ev.symbol[:-1]] = float(ev.grad)
    return out


def graph_grads(s: scn.Scenario) -> dict[str, float]:
    """Each parameter's gradient in the graph, by its layered name (W1[1,2], not W1_1_2)."""
    g = from_layered(s)
    values = engine.forward(g, g.leaves)
    grads = engine.backward(g, values).grads
    return {name: grads[leaf] for name, leaf in g.extra["leaf_of"].items()}


def cases(tmp_path: Path):
    two_by_three = "[[0.4, 0.5], [0.1, -0.3], [0.9, 0.2]]", "[[1.0], [0.0], [0.5]]"
    return {
        "two_three_one": (scn.load("two_three_one"), False),
        "mazur_2_2_2": (scn.load("mazur_2_2_2"), False),
        "two_three_one batch mean": (variant(tmp_path, "two_three_one", mode="batch",
                                             reduction="mean", inputs=two_by_three[0],
                                             targets=two_by_three[1]), True),
        "two_three_one batch sum": (variant(tmp_path, "two_three_one", mode="batch",
                                            reduction="sum", inputs=two_by_three[0],
                                            targets=two_by_three[1]), True),
        "softmax_xor batch": (variant(tmp_path, "softmax_xor_2_3_2", mode="batch"), True),
        "softmax_xor one at a time": (scn.load("softmax_xor_2_3_2"), False),
        "linear_chain one at a time": (scn.load("linear_chain_1_1_1"), False),
    }


CASES = ["two_three_one", "mazur_2_2_2", "two_three_one batch mean", "two_three_one batch sum",
         "softmax_xor batch", "softmax_xor one at a time", "linear_chain one at a time"]


@pytest.mark.parametrize("case", CASES)
def test_leaf_gradients_are_the_layered_gradients_and_central_differences(case, tmp_path):
    s, whole = cases(tmp_path)[case]
    grads = graph_grads(s)
    numeric = central(s, whole)
    layered = layered_grads(s)
    assert layered, "the layered engine updated nothing"
    for name, value in numeric.items():
        assert grads[name] == pytest.approx(value, rel=1e-6, abs=1e-9), name
        if name in layered:
            assert grads[name] == pytest.approx(layered[name], rel=1e-9, abs=1e-12), name


def test_a_batch_graph_is_the_whole_loss_with_shared_weights(tmp_path):
    s, _ = cases(tmp_path)["two_three_one batch mean"]
    g = from_layered(s)
    assert g.output == "E_batch" and shown_note(g) is None
    assert engine.forward(g, g.leaves)["E_batch"] == pytest.approx(
        bp.dataset_loss(s, bp.Params.initial(s)), rel=1e-12)
    assert len(g.uses("V11")) == 3  # one weight, one use per sample: the gradient adds up
    assert {"x1_s1", "x1_s2", "x1_s3", "target_y_s3"} <= set(g.leaves)
    assert "all 3 samples" in g.title and "mean" in g.notes


def test_training_the_batch_graph_is_the_layered_batch_training(tmp_path):
    s, _ = cases(tmp_path)["two_three_one batch mean"]
    g = from_layered(s)
    trained = engine.train(g, engine.GraphParams.initial(g), 7).params.values
    layered = bp.train(s, bp.Params.initial(s), 7).params
    for name, n, kind, j, i in parameters(s):
        expected = layered.value(n, kind, j, i)
        assert trained[g.extra["leaf_of"][name]] == pytest.approx(expected, rel=1e-10), name


def test_one_sample_at_a_time_shows_sample_one_and_says_why():
    g = from_layered(scn.load("softmax_xor_2_3_2"))
    assert "sample 1 of 4" in g.title and "sample 1 of 4" in g.notes
    note = shown_note(g)
    assert note is not None and "sample 1 of 4" in note and "after every sample" in note
    for args in (("--trace",), ("--train", "2", "--json"), ("--gradcheck",)):
        r = run_cli_inprocess("softmax_xor_2_3_2", "--graph", *args)
        assert r.returncode == 0, r.stderr
        assert "--graph shows sample 1 of 4" in r.stderr, args
    r = run_cli_inprocess("softmax_xor_2_3_2", "--graph", "--check")
    assert "shown: --graph shows sample 1 of 4" in r.stdout
    r = run_cli_inprocess("mazur_2_2_2", "--graph", "--trace")
    assert r.returncode == 0 and "note" not in r.stderr  # one sample: nothing to say


def test_a_batch_too_big_to_follow_shows_sample_one_and_says_why(tmp_path):
    inputs = "[" + ", ".join(f"[{k / 10}, {1 - k / 10}]" for k in range(12)) + "]"
    targets = "[" + ", ".join(f"[{k % 2}.0]" for k in range(12)) + "]"
    s = variant(tmp_path, "two_three_one", mode="batch", reduction="mean", inputs=inputs,
                targets=targets)
    g = from_layered(s)
    assert g.output == "E_total" and len(g.nodes) < MAX_NODES
    note = shown_note(g)
    assert note is not None and "sample 1 of 12" in note and "node by node" in note
    r = run_cli_inprocess(str(tmp_path / "two_three_one_batch.toml"), "--graph", "--trace")
    assert r.returncode == 0 and "--graph shows sample 1 of 12" in r.stderr


def test_every_graph_output_carries_the_format_version(tmp_path):
    import json

    s_path = str(tmp_path / "two_three_one_batch.toml")
    cases(tmp_path)  # writes the batch file
    for args in (("--trace",), ("--train", "2", "--json"), ("--export", "json")):
        r = run_cli_inprocess(s_path, "--graph", *args)
        assert r.returncode == 0, r.stderr
        for line in r.stdout.splitlines():
            assert json.loads(line)["format"] == 2, args
    assert np.isfinite(from_layered(scn.load(s_path)).leaves["V11"])
