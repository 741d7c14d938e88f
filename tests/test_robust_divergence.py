"""Issue 13, finding 1: every path sees a training diverge at the same epoch.

Divergence is a loss, parameter or output that is no longer finite. The event stream (one
sample at a time), numpy over the whole batch, and the generated scalar code for tiny nets all
compute the same epochs; they must also agree once a sum overflows, where the order of its
terms decides between inf, -inf and nan (:mod:`bptui.ordered`)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bptui import backprop as bp
from bptui import ordered, scalar
from bptui import scenario as scn
from bptui.activations import ACTIVATIONS
from bptui.scalar import _sig

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "data" / "diverge_blas_order_2_2_2.toml"


def bptui(*args: str) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, "-m", "bptui", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def strict(text: str):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON: {c}"))


def test_an_overflowing_sum_diverges_at_the_same_epoch_on_every_output() -> None:
    """After epoch 1, sample 2's net_o1 is -4.3e174·1.1e175 + (-5.0e175)·(-6.1e175): the
    terms overflow to -inf and +inf, so the net is nan and the loss after epoch 1 is not
    finite. BLAS's batch product met the infinities in another order and gave -inf, relu
    made that 0: --train said "not diverged", exit 0, where --trace said epoch 2 (its
    per-sample events saw the nan, its batch loss did not)."""
    code, out, err = bptui(str(CASE), "--trace", "--epochs", "4")
    [line.startswith("{") and strict(line) for line in out.splitlines()]
    assert code == 1 and "diverged at epoch 1" in err
    code, out, err = bptui(str(CASE), "--train", "4", "--json")
    assert code == 1 and strict(out)["diverged_at"] == 1 and "Traceback" not in err
    code, out, err = bptui(str(CASE), "--export", "json", "--epochs", "4")
    assert code == 1 and strict(out)["diverged_at"] == 1
    code, out, err = bptui(str(CASE), "--train", "300")
    assert code == 1 and re.search(r"diverged at epoch 1\b", err)
    assert "trained 0 epochs" in out  # the last finite state: the starting one


def test_numpy_scalar_and_events_agree_on_the_case(monkeypatch) -> None:
    s = scn.load(str(CASE))
    assert scalar.supported(s, None)
    fast = bp.train(s, bp.Params.initial(s), 4)
    with monkeypatch.context() as m:
        m.setattr(scalar, "supported", lambda *a: False)
        slow = bp.train(s, bp.Params.initial(s), 4)
    assert fast.diverged_at == slow.diverged_at == 1
    assert fast.losses == slow.losses == []


def test_a_product_that_may_overflow_is_summed_in_order() -> None:
    """The same numbers for one row as for a batch, bit for bit, inf and nan included; the
    order is first term to last (as the scalar code writes the sum)."""
    w = np.array([[-4.34456184e174, -5.02572352e175], [-8.3e173, -4.5e175]])
    x = np.array([[1.95860903e175, 2.88320734e175], [1.06935369e175, -6.08405139e175]])
    batch = ordered.matmul(x, w.T)
    for k in range(2):
        row = ordered.matmul(x[k], w.T)
        np.testing.assert_array_equal(row, batch[k])
        for j in range(2):
            with np.errstate(all="ignore"):
                terms = [float(x[k, i]) * float(w[j, i]) for i in range(2)]
            expected = terms[0] + terms[1]
            assert (math.isnan(expected) and math.isnan(row[j])) or expected == row[j]
    assert math.isnan(batch[1, 0])  # -inf + inf
    assert batch[0, 0] == -math.inf
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(5, 7)), rng.normal(size=(7, 3))
    np.testing.assert_allclose(ordered.matmul(a, b), a @ b, rtol=1e-14)  # the safe case
    out = np.empty((5, 3))
    assert ordered.in_order(a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-14)


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if ACTIVATIONS[a].code])
def test_the_scalar_code_keeps_nan_and_inf_as_numpy_does(name) -> None:
    """relu's scalar code once turned a nan net into 0 where numpy's maximum keeps nan, so the
    scalar path missed a divergence the other paths saw."""
    act = ACTIVATIONS[name]
    env = {"sig": _sig, "tanh": math.tanh, "exp": math.exp, "log1p": math.log1p}
    for n in (math.nan, math.inf, -math.inf, 0.0, -0.0, 2.5, -2.5):
        with np.errstate(all="ignore"):
            want = float(act.forward(np.array([n]))[0])
        got = eval(act.code.format(n="n"), env, {"n": n})  # noqa: S307
        assert (math.isnan(want) and math.isnan(got)) or want == got, (name, n, got, want)
        with np.errstate(all="ignore"):
            want_slope = float(act.prime(np.array([n]), np.array([want]))[0])
        slope = eval(act.code_prime.format(n="n", a="a"), env, {"n": n, "a": got})  # noqa: S307
        assert (math.isnan(want_slope) and math.isnan(slope)) or want_slope == slope, (name, n)


def test_carried_bounds_choose_as_the_measured_maxima_do() -> None:
    """The batch loop carries upper bounds on max|x| instead of scanning its largest arrays
    every epoch (ordered.matmul_within). Any bound at or above the true maximum must choose
    BLAS or the in-order sum exactly as the measured maxima do, so the bits never differ from
    the reference path's: here on products straddling the overflow guard's threshold."""
    rng = np.random.default_rng(7)
    for trial in range(300):
        k = int(rng.integers(1, 6))
        a = rng.normal(size=(3, k)) * 10.0 ** rng.uniform(140, 160)
        b = rng.normal(size=(k, 2)) * 10.0 ** rng.uniform(140, 160)
        loose = 1.0 + float(rng.uniform(0, 1)) ** 8 * 1e6  # from exact to far above
        got = ordered.matmul_within(a, b, ordered.largest(a) * loose, ordered.largest(b))
        want = ordered.matmul(a, b)
        np.testing.assert_array_equal(got, want, err_msg=f"trial {trial}")


def test_the_batch_loop_and_the_reference_agree_bit_for_bit_across_the_threshold(
        tmp_path) -> None:
    """Weights that grow towards the overflow guard's threshold at several speeds: the
    preallocated batch loop (carried bounds) and the reference path (measured maxima) keep
    identical bits at every epoch, up to and past the divergence."""
    from bptui.training import BatchBuffers, ReferenceEpochs

    crossed = 0
    for lr, scale in [(-10, 0), (2, 20), (50, 40), (26, 60), (80, 100), (100, 98)]:
        case = tmp_path / f"grow_{lr}_{scale}.toml"
        case.write_text(CASE.read_text().replace("1e+175", f"1e{lr:+d}").replace(
            "[[-1.488, 1.43], [-0.489, -1.779]]",
            f"[[-1.488e{scale}, 1.43e{scale}], [-0.489e{scale}, -1.779e{scale}]]"))
        s = scn.load(str(case))
        fast, slow = bp.Params.initial(s), bp.Params.initial(s)
        buffers, ref = BatchBuffers(s), ReferenceEpochs(s, None)
        with np.errstate(all="ignore"):
            for _ in range(10):
                first = 2 * ordered.largest(s.inputs) * ordered.largest(fast.weights[0])
                crossed += fast.finite() and not first < ordered.SAFE
                loss = buffers.epoch(fast)
                slow, want = ref.epoch(slow)
                assert loss == want or (math.isnan(loss) and math.isnan(want)), (lr, scale)
                for w, v in zip(fast.weights, slow.weights, strict=True):
                    np.testing.assert_array_equal(w, v, err_msg=f"{lr} {scale}")
    assert crossed, "no finite weights reached the threshold: the case tests nothing"
