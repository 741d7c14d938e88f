"""The softmax classifier on XOR: it learns, and its output delta is out - target as its own step."""

from __future__ import annotations

import math

import numpy as np

from bptui import backprop as bp
from bptui import scenario
from bptui.engine import epoch_events

XOR_CLASS = {(0.0, 0.0): 0, (0.0, 1.0): 1, (1.0, 0.0): 1, (1.0, 1.0): 0}


def test_the_loss_falls_and_every_point_is_classified() -> None:
    s = scenario.load("softmax_xor_2_3_2")
    start = bp.dataset_loss(s, bp.Params.initial(s))
    result = bp.train(s, bp.Params.initial(s), s.epochs)
    assert result.diverged_at is None and len(result.losses) == s.epochs <= 500
    assert result.losses[-1] < start / 10
    # mostly downhill: sample-by-sample updates may wobble, but not often
    rises = sum(b > a for a, b in zip(result.losses, result.losses[1:], strict=False))
    assert rises < s.epochs // 10
    outs = bp.forward(s, result.params, s.inputs).outs[-1]
    for x, row in zip(s.inputs, outs, strict=True):
        assert int(np.argmax(row)) == XOR_CLASS[tuple(x)]
        assert math.isclose(row.sum(), 1.0, rel_tol=1e-12)  # probabilities


def test_the_output_delta_is_out_minus_target_with_its_reason() -> None:
    s = scenario.load("softmax_xor_2_3_2")
    events = epoch_events(s, bp.Params.initial(s), 1).events
    first = [e for e in events if e.sample == 1]
    outs = {e.symbol: e.value for e in first if e.kind == "out"}
    delta_a = next(e for e in first if e.symbol == "delta_a")
    assert delta_a.equation.endswith("= (out_a - target_a)")
    assert "targets sum to 1" in delta_a.why
    assert delta_a.value == outs["out_a"] - 1.0  # sample 1 is class a: target (1, 0)
    # no separate ∂out/∂net step for the softmax layer: the simplification replaces it
    assert not any(e.symbol == "dout_a/dnet_a" for e in first)
    # softmax needs every net of its layer before any out
    kinds = [e.symbol for e in first if e.layer == 2 and e.phase == "forward"]
    assert kinds == ["net_a", "net_b", "out_a", "out_b"]
