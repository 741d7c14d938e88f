"""Shared helpers for the core tests: running the real command line, and a reference maths.

The reference forward pass and losses here are written from the textbook definitions, not
imported from bptui, so that finite differences in the tests check the engine against an
independent implementation of the loss.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# One BLAS thread per process, set before numpy is first imported (here, in the controller, so
# that the xdist workers and every `python -m bptui` they start inherit it): with OpenBLAS's
# own threads, two workers on two cores spin against each other and a 64x1000 @ 1000x100
# product cost 30 times the CPU (the 1000-100-10 net's tests, most of the suite's numpy time).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# Bytecode caches on, whatever the environment says (some containers set
# PYTHONDONTWRITEBYTECODE): without them every xdist worker compiles each test module again
# (after pytest rewrites its asserts) and every bptui module it imports, and every
# `python -m bptui` a test starts compiles what it imports: collection alone took 3.2 s of CPU
# a process instead of 0.7 s. The caches go to the usual (git-ignored) __pycache__ folders.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
    sys.dont_write_bytecode = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402

#: A timer due this soon is work still to do when the pilot waits for the app to be idle:
#: Textual applies a resize 1/120 s after its event.
_SOON = 0.010


def _pilot_waits_until_the_event_loop_is_idle() -> None:
    """Textual's Pilot waits after every key (and in every ``pilot.pause()``) until the app is
    idle, which it guesses from the process's CPU time: slices of sleep (20 ms in Textual, 5 ms
    here) until one in which the process used under 1 ms. Every wait ends with at least one
    such slice of doing nothing (three a key press and its pause: half of a press's time on
    two cores, where a sleeping worker leaves its core unused), and on a loaded machine a
    process that is not scheduled looks idle too, so a wait could end with the app's work
    still queued.

    The app runs in the test's event loop, so whether it has work to do can be read there
    instead: the wait ends once nothing in the loop is ready to run (no message queued for any
    widget, no callback) and no timer is due within ``_SOON``, over two turns of the loop in a
    row, and no thread of the loop's executor (a run's training) is at work. While one is (or
    a thread this process did not start with is alive), Textual's own CPU-time wait is used,
    in 5 ms slices. At most ``max_sleep`` (1 s), as Textual's."""
    try:
        import textual._wait as wait
    except ImportError:  # pragma: no cover - textual is a dependency
        return
    import asyncio
    import threading
    import time

    wait.SLEEP_GRANULARITY = 1 / 200  # the CPU-time wait's slices (while a thread works)
    cpu_time_wait = wait.wait_for_idle
    threads_at_start = set(threading.enumerate())

    def threads_at_work(loop) -> bool:
        executor = getattr(loop, "_default_executor", None)
        pool: set = set()
        if executor is not None:
            try:
                pool = set(executor._threads)
                # a thread is idle once it has released the semaphore after its last task
                if executor._work_queue.qsize() or executor._idle_semaphore._value < len(pool):
                    return True
            except AttributeError:  # another Python's executor: assume the worst
                return True
        return any(t not in threads_at_start and t not in pool and t.is_alive()
                   for t in threading.enumerate())

    def work_due(loop) -> float | None:
        """0 if something is ready to run, the seconds to the first timer due within _SOON,
        or None when the loop has nothing to do that soon."""
        if loop._ready:
            return 0.0
        now = loop.time()
        due = [h._when - now for h in loop._scheduled if not h._cancelled]
        soonest = min(due, default=None)
        return None if soonest is None or soonest >= _SOON else max(soonest, 0.0)

    async def wait_for_idle(min_sleep: float = 1 / 50, max_sleep: float = 1) -> None:
        loop = asyncio.get_running_loop()
        if not (hasattr(loop, "_ready") and hasattr(loop, "_scheduled")):  # not asyncio's loop
            await cpu_time_wait(min_sleep, max_sleep)
            return
        start = time.monotonic()
        quiet = 0
        while (elapsed := time.monotonic() - start) < max_sleep:
            if threads_at_work(loop):
                await cpu_time_wait(min_sleep, max_sleep - elapsed)
                return
            due = work_due(loop)
            if due is not None:
                quiet = 0
                await asyncio.sleep(due)
            elif (quiet := quiet + 1) < 2:
                await asyncio.sleep(0)
            elif elapsed < min_sleep:
                quiet = 0
                await asyncio.sleep(min_sleep - elapsed)
            else:
                return

    wait.wait_for_idle = wait_for_idle  # textual.app and textual.pilot import it by name:
    for name in ("textual.app", "textual.pilot"):  # patched there too if already imported
        module = sys.modules.get(name)
        if module is not None:
            module.wait_for_idle = wait_for_idle


_pilot_waits_until_the_event_loop_is_idle()

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: str | Path | None = None, timeout: float = 120,
            lang_env: dict[str, str] | None = None) -> Run:
    """``python -m bptui ARGS`` in a fresh interpreter, as a user would run it.

    The language variables are cleared (English, whatever the tester's machine says) and then
    ``lang_env`` (e.g. ``{"LANG": "zh_CN.UTF-8"}``) is set.
    """
    env = dict(os.environ)
    env.pop("PYTHONWARNINGS", None)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        env.pop(name, None)
    env.update(lang_env or {})
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "bptui", *args],
        capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout,
        cwd=str(cwd or ROOT), env=env, stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


class _NeedsRealProcess(Exception):
    """Raised in place of opening the screen: that needs a terminal, so a real process."""


def _refuse(*_args, **_kwargs):
    raise _NeedsRealProcess


def run_cli_inprocess(*args: str, cwd: str | Path | None = None, timeout: float = 120,
                      lang_env: dict[str, str] | None = None,
                      warnings_as_errors: bool = False) -> Run:
    """``bptui.cli.main(ARGS)`` in this interpreter, as :func:`run_cli` but without the
    ~0.1 s start-up of a fresh Python: for the many tests about what an option prints, not
    about the entry point (each option keeps a few real-process tests through
    :func:`run_cli`).

    Standard output and error are captured, the language variables are cleared and then
    ``lang_env`` set, a warning raises when ``warnings_as_errors`` (as ``python -W error``
    would), the working folder is
    ``cwd`` (default the repository root); all of it, and the i18n language, is restored
    afterwards. Opening the screen or serving falls back to a real process."""
    import contextlib
    import io
    import warnings

    from bptui import cli, i18n

    del timeout  # kept for the same signature as run_cli: nothing here waits on a child
    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_lang = i18n.language()
    saved_open, saved_serve = cli._open_screen, getattr(cli, "_serve", None)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        os.environ.pop(name, None)
    os.environ.update(lang_env or {})
    out, err = io.StringIO(), io.StringIO()
    cli._open_screen = _refuse
    if saved_serve is not None:
        cli._serve = _refuse
    try:
        os.chdir(str(cwd or ROOT))
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings():
            if warnings_as_errors:
                warnings.simplefilter("error")
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, --version, a wrong option
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    except _NeedsRealProcess:
        code = None
    finally:
        cli._open_screen = saved_open
        if saved_serve is not None:
            cli._serve = saved_serve
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        i18n.set_language(saved_lang)
    if code is None:
        return run_cli(*args, cwd=cwd, lang_env=lang_env)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


# ----------------------------------------------------------------------------- reference maths


def ref_activation(name: str, net: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-net))
    if name == "tanh":
        return np.tanh(net)
    if name == "relu":
        return np.where(net > 0, net, 0.0)
    if name == "leaky_relu":
        return np.where(net > 0, net, 0.01 * net)
    if name == "softplus":  # ln(1 + e^x), written as the textbook's log(1 + exp(x))
        return np.log(1.0 + np.exp(net))
    if name == "softmax":
        e = np.exp(net - net.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    assert name == "linear"
    return net


def ref_loss(name: str, out: np.ndarray, target: np.ndarray) -> float:
    """The loss of one sample (1-D out/target)."""
    out = np.asarray(out, dtype=float)
    target = np.asarray(target, dtype=float)
    if name == "cross_entropy":
        return float(-np.sum(target * np.log(out)))
    if name == "binary_cross_entropy":
        return float(-np.sum(target * np.log(out) + (1 - target) * np.log(1 - out)))
    d = target - out
    if name == "half_sse":
        return float(0.5 * np.sum(d * d))
    if name == "sse":
        return float(np.sum(d * d))
    assert name == "mse"
    return float(np.sum(d * d) / d.size)


def ref_forward(scn, weights, biases, x) -> list[np.ndarray]:
    """Outputs of every layer (index 0 = input) for one sample (1-D) or rows of samples."""
    outs = [np.asarray(x, dtype=float)]
    for layer, w, b in zip(scn.layers, weights, biases, strict=True):
        net = outs[-1] @ w.T
        if b is not None:
            net = net + b  # shape (1,) broadcasts: one bias shared by the layer
        outs.append(ref_activation(layer.activation, net))
    return outs


def ref_nets(scn, weights, biases, x) -> list[np.ndarray]:
    """Nets of every layer (index 0 unused) for one sample."""
    a = np.asarray(x, dtype=float)
    nets = [np.empty(0)]
    for layer, w, b in zip(scn.layers, weights, biases, strict=True):
        net = a @ w.T
        if b is not None:
            net = net + b
        nets.append(net)
        a = ref_activation(layer.activation, net)
    return nets


def ref_sample_loss(scn, weights, biases, k: int) -> float:
    """Loss of sample k (0-based)."""
    out = ref_forward(scn, weights, biases, scn.inputs[k])[-1]
    return ref_loss(scn.loss, out, scn.targets[k])


def ref_batch_loss(scn, weights, biases) -> float:
    """Loss over the whole data set, per-sample losses summed or averaged."""
    out = ref_forward(scn, weights, biases, scn.inputs)[-1]
    per = np.array([ref_loss(scn.loss, o, t) for o, t in zip(out, scn.targets, strict=True)])
    return float(per.sum() if scn.reduction == "sum" else per.mean())


#: Modules whose tests must run in one worker, by group: the screenshot comparisons write one
#: report at the end of the session (pytest-textual-snapshot), and the served-app tests start
#: web servers and browsers that are slow to share the two cores with each other.
SERIAL_GROUPS = {
    "tests/tui/test_snapshots.py": "snapshots",
    "tests/tui/test_network_snapshots.py": "snapshots",
    "tests/test_serve.py": "serve",
}


#: Core modules with tests of seconds each (child processes, the 1000-100-10 net, memory
#: measurements): handed out with the screen's tests, before the many fast ones.
SLOW_CORE = ("tests/test_unbreakable.py", "tests/test_gradcheck_rule.py",
             "tests/test_event_hashes.py", "tests/test_divergence_property.py",
             "tests/test_robust_memory.py", "tests/test_training.py")


def _slow_tests_first(item) -> int:
    """0 for the modules that measure memory (see TEST_GC), 1 for the screen's tests
    (tests/tui: a Textual app each, a second or more) and the slow core modules, 2 for the
    rest (most of them milliseconds)."""
    path = item.nodeid.split("::", 1)[0]
    if path in MEMORY_TESTS:
        return 0
    return 1 if path.startswith("tests/tui/") or path in SLOW_CORE else 2


#: The cyclic collector's thresholds in the tests (Python's default is 700, 10, 10). A
#: Textual app makes tens of thousands of objects; collecting every 700 allocations scanned
#: them again and again: at 20,000 the screen's tests took 11% less CPU (three runs of four
#: of their modules, 18.2-18.6 s against 15.9-16.8 s), the garbage still collected, in larger
#: batches (the largest process of a full run peaked at 830-950 MB, against 430-770 MB
#: before; four of the screen's modules alone: 315 MB against 195 MB). Only the modules
#: that measure memory with tracemalloc (MEMORY_TESTS: garbage kept longer would count) keep
#: Python's default; they are handed out first, so that the switch back does not make the
#: first of them collect a worker's whole heap (0.8 s after 20 screen tests, seen).
TEST_GC = (20_000, 20, 20)
_DEFAULT_GC = gc.get_threshold()
MEMORY_TESTS = ("tests/test_robust_memory.py", "tests/test_losshistory.py")


def pytest_runtest_setup(item) -> None:
    path = item.nodeid.split("::", 1)[0]
    gc.set_threshold(*(_DEFAULT_GC if path in MEMORY_TESTS else TEST_GC))


def pytest_runtest_teardown(item, nextitem) -> None:
    """Let the test's Textual apps go. Textual caches StylesCache.get_inner_outer with
    functools.lru_cache on the method, so the cache's keys hold up to 1024 StylesCache
    objects, each with the rendered lines of a widget of an app long closed: about 600,000
    objects a worker kept alive to the end of the session (7 of the FIFOCaches of every
    Strip), which every full collection scanned again and pytest's five collections at the
    end of each worker, then the interpreter's teardown, went through (2 s and more a
    worker). A key holds a StylesCache object itself, so a new app never hits an old entry:
    clearing the cache between tests changes nothing a test sees."""
    styles_cache = sys.modules.get("textual._styles_cache")
    if styles_cache is not None:
        styles_cache.StylesCache.get_inner_outer.cache_clear()


def pytest_collection_modifyitems(config, items):
    """Mark the grouped modules' tests for ``--dist loadgroup`` (see pyproject's addopts),
    and run the slow tests first: xdist hands out the tests in this order (the groups
    first), so the long ones start early and the run ends on short ones, both workers busy
    to the end instead of one finishing a long test alone."""
    items.sort(key=_slow_tests_first)  # stable: each part keeps its own order
    for item in items:
        group = SERIAL_GROUPS.get(item.nodeid.split("::", 1)[0])
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config) -> None:
    """An xdist worker ends as soon as pytest is done with it (see _end_the_worker)."""
    if os.environ.get("PYTEST_XDIST_WORKER") and "coverage" not in sys.modules:
        # registered before the cleanups of pytest's own plugins (tryfirst), so run after
        # them: the collections that look for unraisable exceptions still happen
        config.add_cleanup(_end_the_worker)


def _end_the_worker() -> None:
    """Leave an xdist worker at once, once pytest's last cleanup (its collections looking
    for exceptions raised in finalizers) is over: the results are with the controller since
    the end of the session, and what is left is the interpreter's teardown, which freed a
    worker's whole heap (a gigabyte after the screen's tests) object by object, about 2 s
    the controller waited for at the end of every run. Not under coverage, whose data is
    written at exit."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)
