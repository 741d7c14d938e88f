"""The fast path's training loop: divergence found at the same epoch by every engine, numbers
bit-identical to the plain algorithm, and memory that does not grow with the number of epochs.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptui import backprop as bp
from bptui import scalar, training
from bptui import scenario as scn
from bptui.engine import epoch_events

from .conftest import run_cli_inprocess

ROOT = Path(__file__).resolve().parent.parent
DIVERGING = ROOT / "tests" / "data" / "diverge_linear_relu_2_3_2.toml"


def run_cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


def strict_json(text: str):
    def refuse(token: str):
        raise AssertionError(f"non-strict JSON token {token}")
    return json.loads(text, parse_constant=refuse)


# -- issue 13, finding 1: relu hides NaN from the scalar path's loss --------------------------

def test_scalar_relu_nan_is_reported_as_divergence_by_train_json():
    done = run_cli(str(DIVERGING), "--train", "1", "--json")
    assert done.returncode == 1, done.stderr
    data = strict_json(done.stdout)
    assert data["diverged_at"] == 1
    assert data["epochs"] == 0 and data["loss"] == []
    # the last finite state is the initial one, and the outputs are its outputs
    s = scn.load(str(DIVERGING))
    assert data["parameters"][0]["weights"] == s.layers[0].weights.tolist()
    flat = [v for row in data["outputs"] for v in row]
    assert all(isinstance(v, float) and math.isfinite(v) for v in flat)
    assert "diverged at epoch 1" in done.stderr


def test_scalar_relu_nan_plain_train_exits_1_without_nan_outputs():
    done = run_cli_inprocess(str(DIVERGING), "--train", "300")
    assert done.returncode == 1
    assert "nan" not in done.stdout.lower()
    assert "diverged at epoch 1" in done.stderr
    trace = run_cli_inprocess(str(DIVERGING), "--trace")
    assert trace.returncode == 1 and "diverged at epoch 1" in trace.stderr


def test_the_scalar_path_is_the_one_that_runs_this_scenario():
    """The file above is meant to exercise the generated scalar code, not only numpy."""
    assert scalar.supported(scn.load(str(DIVERGING)), None)


# -- every engine finds the same epoch --------------------------------------------------------

def events_divergence(s: scn.Scenario, epochs: int) -> tuple[int | None, list[float]]:
    """The event engine's verdict, as the cursor reaches it: loss and parameters after each."""
    params = bp.Params.initial(s)
    losses: list[float] = []
    with np.errstate(all="ignore"):
        for e in range(1, epochs + 1):
            result = epoch_events(s, params, e)
            loss = bp.dataset_loss(s, result.params)
            if not (math.isfinite(loss) and result.params.finite()):
                return e, losses
            losses.append(loss)
            params = result.params
    return None, losses


def numpy_only(s: scn.Scenario, epochs: int, monkeypatch) -> bp.TrainResult:
    with monkeypatch.context() as m:
        m.setattr(scalar, "supported", lambda *a: False)
        return bp.train(s, bp.Params.initial(s), epochs)


OUTPUTS = {  # output activation -> losses it may be trained with
    "sigmoid": ("half_sse", "sse", "mse", "binary_cross_entropy"),
    "tanh": ("half_sse", "sse", "mse"),
    "relu": ("half_sse", "sse", "mse"),
    "linear": ("half_sse", "sse", "mse"),
    "softmax": ("cross_entropy",),
}
HIDDEN = ("sigmoid", "tanh", "relu", "linear")


@st.composite
def diverging_scenarios(draw) -> str:
    hidden = draw(st.sampled_from(HIDDEN))
    out = draw(st.sampled_from(sorted(OUTPUTS)))
    loss = draw(st.sampled_from(OUTPUTS[out]))
    mode = draw(st.sampled_from(("sample", "batch")))
    rate = 10.0 ** draw(st.integers(0, 300))
    n_in, n_hid, n_out = 2, draw(st.integers(1, 3)), 2
    weight = st.floats(-2, 2, allow_nan=False).map(lambda x: round(x, 3))
    w1 = [[draw(weight) for _ in range(n_in)] for _ in range(n_hid)]
    w2 = [[draw(weight) for _ in range(n_hid)] for _ in range(n_out)]
    samples = draw(st.integers(1, 3))
    inputs = [[draw(weight) for _ in range(n_in)] for _ in range(samples)]
    if out == "softmax":
        targets = [[1.0, 0.0] if draw(st.booleans()) else [0.0, 1.0] for _ in range(samples)]
    else:
        targets = [[draw(st.sampled_from((0.0, 0.5, 1.0))) for _ in range(n_out)]
                   for _ in range(samples)]
    bias = draw(st.booleans())
    extra = "bias = 0.1\ntrain_bias = true\n" if bias else ""
    return f"""
title = "generated"
[input]
size = {n_in}
[[layers]]
name = "hidden"
size = {n_hid}
activation = "{hidden}"
weights = {w1}
{extra}
[[layers]]
name = "output"
size = {n_out}
activation = "{out}"
weights = {w2}
{extra}
[training]
loss = "{loss}"
learning_rate = {rate!r}
epochs = 8
mode = "{mode}"
[data]
inputs = {inputs}
targets = {targets}
"""


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=diverging_scenarios())
def test_fast_paths_and_events_agree_on_the_divergence_epoch(text, monkeypatch):
    """The same epoch of divergence on every path. The losses agree to 1e-6: at learning rates
    near divergence training is chaotic, and the scalar path's math.tanh and numpy's tanh may
    differ in the last bit, which 8 such epochs grew to 1.65e-8 in one generated case."""
    s = scn.parse(text, file="generated.toml", name="generated")
    epochs = s.epochs
    expected, losses = events_divergence(s, epochs)
    fast = bp.train(s, bp.Params.initial(s), epochs)
    slow = numpy_only(s, epochs, monkeypatch)
    for result in (fast, slow):
        assert result.diverged_at == expected
        assert len(result.losses) == len(losses) == result.epochs_done
        assert result.params.finite()
        assert result.losses == pytest.approx(losses, rel=1e-6)
    assert fast.losses == pytest.approx(slow.losses, rel=1e-6)


def test_a_blow_up_in_the_middle_of_a_checked_stretch_is_found_at_its_epoch(monkeypatch):
    """The numpy loop checks parameters every few epochs; a replay names the exact one."""
    text = (scn.BUILTIN_FOLDER / "linear_chain_1_1_1.toml").read_text()
    assert "learning_rate = 0.05" in text
    s = scn.parse(text.replace("learning_rate = 0.05", "learning_rate = 10"), name="chain")
    expected, losses = events_divergence(s, 160)
    assert expected is not None and expected > 2
    for every in (1, 3, 64):
        monkeypatch.setattr(training, "CHECK_EVERY", every)
        result = numpy_only(s, 160, monkeypatch)
        assert result.diverged_at == expected
        assert result.losses == pytest.approx(losses, rel=1e-12)


# -- issue 14: the buffered batch epoch is bit-identical to the plain algorithm ---------------

def plain_relu_batch(s: scn.Scenario, epochs: int):
    """The algorithm as the code before the buffers had it, written out plainly."""
    x, t = s.inputs, s.targets
    w1, w2 = s.layers[0].weights.copy(), s.layers[1].weights.copy()
    lr = s.learning_rate
    losses = []
    net1 = x @ w1.T
    out1 = np.maximum(net1, 0.0)
    out2 = np.array(out1 @ w2.T, copy=True)
    for _ in range(epochs):
        err2 = 2.0 * (out2 - t) * 1.0
        delta2 = err2 * np.ones_like(out2)
        gw2 = delta2.T @ out1
        err1 = delta2 @ w2
        delta1 = err1 * np.where(net1 < 0, 0.0, 1.0)
        gw1 = delta1.T @ x
        w1 -= lr * gw1
        w2 -= lr * gw2
        net1 = x @ w1.T
        out1 = np.maximum(net1, 0.0)
        out2 = np.array(out1 @ w2.T, copy=True)
        d = t - out2
        losses.append(float((d * d).sum()) * 1.0)
    return w1, w2, losses


def test_batch_relu_fast_path_is_bit_identical_to_the_plain_algorithm():
    s = scn.load("batch_relu_1000_100_10")
    epochs = 5
    w1, w2, losses = plain_relu_batch(s, epochs)
    result = bp.train(s, bp.Params.initial(s), epochs)
    assert result.losses == losses  # exact equality, not approx
    assert np.array_equal(result.params.weights[0], w1)
    assert np.array_equal(result.params.weights[1], w2)


def test_batch_relu_fast_path_matches_the_tutorial_loop_exactly():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from reference_loops import relu_raw_numpy
    finally:
        sys.path.pop(0)
    s = scn.load("batch_relu_1000_100_10")
    p = bp.Params.initial(s)
    w1, w2, loss = relu_raw_numpy(s.inputs, s.targets, p.weights[0].T.copy(),
                                  p.weights[1].T.copy(), 3)
    result = bp.train(s, bp.Params.initial(s), 3)
    # the tutorial multiplies in the transposed layout, so its bits may differ by rounding
    np.testing.assert_allclose(result.params.weights[0], w1.T, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(result.params.weights[1], w2.T, rtol=1e-9, atol=1e-15)
    assert result.losses[1] == pytest.approx(float(loss), rel=1e-12)  # loss before epoch 3


# -- issue 13, finding 4: memory does not grow with N -----------------------------------------

def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("args", [
    ("mazur_2_2_2", "--train", "1000000000000"),
    ("mazur_2_2_2", "--train", "1000000000000", "--json"),
    ("linear_chain_1_1_1", "--train", "1000000000000", "--json"),
    ("two_three_one", "--train", "1000000000000"),
])
def test_a_huge_train_runs_in_bounded_memory(args):
    """The old loop kept every loss: tens of MB a second on these nets (about a million
    epochs a second; 8 bytes an epoch, the least a kept loss costs, is 8 MB a second).
    Once started (its memory held still for 0.2 s, within 256 kB: the imports are done, as
    they are after 0.3 s on a quiet machine), the training's memory may not grow 1 MB in
    0.8 s: an 8-byte loss array growing at a quarter of that speed would (an array growing
    7 MB a second, tried, never held still and then grew 5.8 MB). It slept 1 s and allowed
    8 MB in the next 1.5 s: 2.5 s of a core each, and by the arithmetic it would miss the
    8-byte array on a machine busy enough to halve the speed."""
    child = subprocess.Popen([sys.executable, "-m", "bptui", *args], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             preexec_fn=limit_memory)
    try:
        before = rss_kib(child.pid)
        deadline = time.monotonic() + 10
        while True:
            time.sleep(0.2)
            assert child.poll() is None, child.stderr.read().decode()
            now = rss_kib(child.pid)
            if now - before < 256 or time.monotonic() > deadline:
                break
            before = now
        before = now
        time.sleep(0.8)
        assert child.poll() is None, child.stderr.read().decode()
        after = rss_kib(child.pid)
    finally:
        child.kill()
        child.wait()
    assert after - before < 1024, (before, after)


# -- issue 14: the compiled scalar code is cached, and the cache is only ever a speed-up ------

def train_json(cache: str) -> tuple[int, str, str]:
    import os

    env = dict(os.environ, XDG_CACHE_HOME=cache)
    done = run_cli("mazur_2_2_2", "--train", "50", "--json", env=env)
    return done.returncode, done.stdout, done.stderr


def test_the_scalar_code_cache_is_written_reused_and_survives_damage(tmp_path):
    first = train_json(str(tmp_path))
    assert first[0] == 0 and first[2] == ""
    files = list((tmp_path / "bptui").iterdir())  # also the dataclass and TOML caches
    assert len([f for f in files if f.name.startswith("scalar-")]) == 1
    assert train_json(str(tmp_path)) == first
    for f in files:
        f.write_bytes(b"\x00garbage")
    assert train_json(str(tmp_path)) == first


def test_an_unwritable_cache_is_skipped_silently(tmp_path):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    reference = train_json(str(tmp_path / "ok"))
    assert train_json(str(blocker)) == reference
    assert not list(tmp_path.glob("**/scalar-*.tmp"))


def test_a_cache_entry_for_other_source_is_not_used(tmp_path, monkeypatch):
    import marshal

    from bptui import codecache

    monkeypatch.setattr(codecache, "cache_dir", lambda: str(tmp_path))
    source = "def run():\n    return 1\n"
    scalar._code(source)
    (entry,) = tmp_path.iterdir()
    entry.write_bytes(marshal.dumps(("def run():\n    return 2\n",
                                     compile("def run():\n    return 2\n", "x", "exec"))))
    env: dict = {}
    exec(scalar._code(source), env)
    assert env["run"]() == 1


def test_the_screen_process_limits_blas_to_one_thread_before_numpy_loads():
    probe = ("import os, sys\n"
             "from bptui import cli\n"
             "def fake(scenario, args):\n"
             "    print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
             "    return 0\n"
             "cli._open_screen = fake\n"
             "assert 'numpy' not in sys.modules\n"
             "sys.exit(cli.main(['mazur_2_2_2']))\n")
    import os

    env = {k: v for k, v in os.environ.items() if "NUM_THREADS" not in k}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
