"""The gradient check's pass rule: every built-in passes and every gradient-changing mistake
fails, at every ε a learner may choose (bptui.gradcheck.tolerance)."""

from __future__ import annotations

import hashlib

import pytest

from bptui import gradcheck, mistakes
from bptui import scenario as scn
from bptui.graph import check as graph_check
from bptui.graph import mistakes as graph_mistakes

LOW, HIGH = gradcheck.EPSILON_RANGE
EPSILONS = [LOW, 1e-6, 1e-5, 1e-4, 1e-3, HIGH]


@pytest.fixture()
def each_probe_once(monkeypatch):
    """The finite differences always differentiate the TRUE loss, so they are the same with
    every mistake: each probed loss is computed once per test, not once per mistake (the
    1000-100-10 net took 35 s of CPU without this, 15 s with). Keyed by a digest of every
    parameter, so a probe is reused only for exactly the same numbers."""
    real = gradcheck.sample_loss
    memo: dict[tuple, float] = {}

    def once(s, params, sample):
        digest = hashlib.blake2b(digest_size=16)
        for array in (*params.weights, *params.biases):
            digest.update(b"-" if array is None else array.tobytes())
        key = (id(s), sample, digest.digest())
        if key not in memo:
            memo[key] = real(s, params, sample)
        return memo[key]

    monkeypatch.setattr(gradcheck, "sample_loss", once)


@pytest.mark.parametrize("name", scn.builtin_names())
def test_every_builtin_passes_and_every_gradient_changing_mistake_fails(name, each_probe_once):
    s = scn.load(name)
    # a [graph] built-in is checked by bptui.graph's check against the graph's own mistakes
    is_graph = getattr(s, "is_graph", False)
    check = graph_check.check if is_graph else gradcheck.check
    table = graph_mistakes.MISTAKES if is_graph else mistakes.MISTAKES
    changing = 0
    for eps in EPSILONS:
        tol = gradcheck.tolerance(eps)
        right = check(s, epsilon=eps, tolerance=tol)
        assert right.ok, (name, eps, [(r.name, r.rel_error) for r in right.failed])
        for mname, m in table.items():
            if m.applies(s):
                continue
            wrong = check(s, epsilon=eps, tolerance=tol, mistake=mname)
            if all(a.backprop == b.backprop for a, b in zip(wrong.rows, right.rows,
                                                            strict=True)):
                continue  # this mistake does not change a gradient of this sample
            changing += 1
            assert not wrong.ok, (name, mname, eps)
    if is_graph and all(m.applies(s) for m in table.values()):
        return  # no graph mistake applies to this graph (bptui --mistakes says why)
    assert changing > 0


def test_the_tolerance_grows_with_epsilon_squared_and_refuses_outside_the_range():
    assert gradcheck.tolerance(1e-4) == 1e-6
    assert gradcheck.tolerance(HIGH) == pytest.approx(gradcheck.CURVATURE * HIGH ** 2)
    assert gradcheck.tolerance(LOW) == pytest.approx(gradcheck.ROUNDING / LOW)
    for bad in (LOW / 2, HIGH * 2, 0.1):
        with pytest.raises(ValueError, match="between"):
            gradcheck.tolerance(bad)
