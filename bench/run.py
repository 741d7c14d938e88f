"""bptui's benchmarks, all of them from one command: each figure a ratio against a reference
measured in the same run, the two sides interleaved.

Run from the repository root: ``python bench/run.py`` (``--quick`` for fewer repeats,
``--no-screen`` to leave out the two Textual benchmarks, ``--json`` for the raw figures).
``--whole`` runs only the whole-process comparisons. It measures the bptui of this checkout
(children get it on PYTHONPATH), and prints:

* whole processes, as a user runs them: ``bptui ... --train N --json`` against the tutorial's
  own loop run as a program that prints its result as JSON, both less ``python -c "import
  numpy"`` (the floor both pay); the command-line paths' start-up against that floor; and,
  when valgrind is installed, the same comparisons in instructions executed, which other
  jobs on a shared machine barely disturb;
* in process: the fast path against the tutorials' loops, the event stream, memory;
* the screen (``bench/screen_bench.py``, key press to the frame that shows the whole step,
  and to the first frame, run twice: BLAS on one thread as the screen process sets it, and
  BLAS's default), ``r`` against ``--train``
  (``bench/screen_run_bench.py``) and its start-up (``bench/startup_bench.py``).

Every comparison runs the sides in turn, round after round, and reports the best of the
rounds with the min-max beside it: on a shared machine the best is the least disturbed.
A benchmark is never a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from reference_loops import mazur_plain_python, relu_raw_numpy  # noqa: E402

from bptui import backprop as bp  # noqa: E402
from bptui import scenario  # noqa: E402
from bptui.engine import epoch_events  # noqa: E402

PY = sys.executable
#: Children import this checkout's bptui, write .pyc files as an installed bptui does (this
#: environment may set PYTHONDONTWRITEBYTECODE), and run outside the repository.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CHILD_ENV["PYTHONPATH"] = str(ROOT)
CHILD_CWD = tempfile.gettempdir()
REF = str(HERE / "reference_loops.py")


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def interleaved(sides: dict[str, object], rounds: int) -> dict[str, list[float]]:
    """Seconds of each side, every round running all sides in a rotating order.

    Besides wall-clock seconds (key ``name``), the CPU seconds the side used (key
    ``name cpu``: the child's user + system time, or this process's for a function). On a
    loaded machine CPU time is the steadier of the two: waiting for a core is not counted.
    """
    names = list(sides)
    times: dict[str, list[float]] = {n: [] for n in names} | {f"{n} cpu": [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            side = sides[name]
            cpu = _cpu_children() if not callable(side) else time.process_time()
            t = time.perf_counter()
            if callable(side):
                side()
            else:
                subprocess.run(side, check=True, capture_output=True, env=CHILD_ENV,
                               cwd=CHILD_CWD)
            times[name].append(time.perf_counter() - t)
            times[f"{name} cpu"].append((_cpu_children() if not callable(side)
                                         else time.process_time()) - cpu)
    return times


def row(name: str, t: dict[str, list[float]], ours: str, ref_name: str, ref: str,
        target: float, floor: str | None = None) -> dict:
    """Best-of ratios, wall and CPU (less the floor's best when given), with min-max."""
    def ratio(suffix: str) -> float:
        less = min(t[floor + suffix]) if floor else 0.0
        return (min(t[ours + suffix]) - less) / (min(t[ref + suffix]) - less)

    return {"name": name, "ours": t[ours], "ref": t[ref], "reference": ref_name,
            "ours_cpu": t[ours + " cpu"], "ref_cpu": t[ref + " cpu"],
            "floor": min(t[floor]) if floor else 0.0, "ratio": ratio(""),
            "ratio_cpu": ratio(" cpu"), "target": target,
            "met": ratio("") <= target and ratio(" cpu") <= target}


#: What the installed ``bptui`` script runs (it is this checkout's bptui through PYTHONPATH).
CONSOLE_SCRIPT = "import sys; from bptui.cli import run; sys.exit(run())"


def bptui_cmd(*args: str) -> list[str]:
    return [PY, "-c", CONSOLE_SCRIPT, *args]


def whole_process(rounds: int) -> list[dict]:
    sides = {
        "numpy": [PY, "-c", "import numpy"],
        "numpy, no teardown": [PY, "-c", NO_TEARDOWN],
        "mazur": bptui_cmd("mazur_2_2_2", "--train", "10000", "--json"),
        "mazur ref": [PY, REF, "mazur", "10000"],
        "relu": bptui_cmd("batch_relu_1000_100_10", "--train", "500", "--json"),
        "relu ref": [PY, REF, "relu", "500"],
        "--check": bptui_cmd("mazur_2_2_2", "--check"),
        "--trace": bptui_cmd("mazur_2_2_2", "--trace"),
        "--train 1 --json": bptui_cmd("mazur_2_2_2", "--train", "1", "--json"),
        "--list": bptui_cmd("--list"),
    }
    interleaved(sides, 1)  # warm-up: file cache, .pyc files, the scalar code cache
    t = interleaved(sides, rounds)
    rows = [
        row("bptui mazur_2_2_2 --train 10000 --json (less numpy)", t, "mazur",
            "2-2-2 tutorial's plain-Python loop, outputs as JSON", "mazur ref", 0.5, "numpy"),
        row("bptui batch_relu_1000_100_10 --train 500 --json (less numpy)", t, "relu",
            "batch tutorial's numpy loop, weights as JSON", "relu ref", 1.0, "numpy"),
    ]
    for name in ("--check", "--trace", "--train 1 --json", "--list"):
        what = f"start-up: bptui {'' if name == '--list' else 'mazur_2_2_2 '}{name}"
        rows.append(row(what, t, name, 'python -c "import numpy"', "numpy", 1.15))
    rows.append(teardown_row(t, "numpy", "numpy, no teardown"))
    return rows


#: The floor without Python's teardown at exit, which bptui's command line skips
#: (bptui.cli.end_now): the difference is what ending early saves any numpy program.
NO_TEARDOWN = "import numpy, os; os._exit(0)"


def teardown_row(t: dict, floor: str, quick: str) -> dict:
    """The 2-2-2's ratio had bptui paid the teardown the floor pays: (ours + what ending
    early saves - floor) / (reference - floor). Not a target: it says how much of the
    ratio is the early end, which any program could do, and how much is bptui's work."""
    def best(name: str, suffix: str = "") -> float:
        return min(t[name + suffix]) if isinstance(t[name], list) else t[name]

    saved = best(floor) - best(quick)
    ratio = (best("mazur") + saved - best(floor)) / (best("mazur ref") - best(floor))
    return {"name": "  the 2-2-2 row again, had bptui paid Python's teardown", "info": True,
            "saved": saved, "ratio": ratio}


def _instructions(cmd: list[str]) -> int:
    """User-space instructions the command executes, counted by valgrind's callgrind: unlike
    time, the count barely moves when other jobs load the machine. BLAS runs on one thread
    (idle BLAS threads spin, which callgrind would count) and hashing is seeded, so two runs
    agree to about 0.1%."""
    env = CHILD_ENV | {"OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *cmd], capture_output=True, text=True, env=env, cwd=CHILD_CWD,
                          check=True)
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"no instruction count from valgrind for {cmd}")


def instruction_counts() -> list[dict]:
    """The whole-process comparisons again, in instructions (one warm-up run each, then one
    counted run: the count does not need rounds)."""
    sides = {
        "numpy": [PY, "-c", "import numpy"],
        "numpy, no teardown": [PY, "-c", NO_TEARDOWN],
        "mazur": bptui_cmd("mazur_2_2_2", "--train", "10000", "--json"),
        "mazur ref": [PY, REF, "mazur", "10000"],
        "--check": bptui_cmd("mazur_2_2_2", "--check"),
        "--trace": bptui_cmd("mazur_2_2_2", "--trace"),
        "--train 1 --json": bptui_cmd("mazur_2_2_2", "--train", "1", "--json"),
        "--list": bptui_cmd("--list"),
    }
    for cmd in sides.values():  # .pyc files and bptui's caches, as a user's second run has
        subprocess.run(cmd, capture_output=True, env=CHILD_ENV, cwd=CHILD_CWD, check=False)
    n = {name: _instructions(cmd) for name, cmd in sides.items()}
    rows = [{"name": "bptui mazur_2_2_2 --train 10000 --json (less numpy)",
             "ours": n["mazur"], "ref": n["mazur ref"], "floor": n["numpy"],
             "ratio": (n["mazur"] - n["numpy"]) / (n["mazur ref"] - n["numpy"]), "target": 0.5,
             "reference": "2-2-2 tutorial's plain-Python loop, outputs as JSON"}]
    for name in ("--check", "--trace", "--train 1 --json", "--list"):
        what = f"start-up: bptui {'' if name == '--list' else 'mazur_2_2_2 '}{name}"
        rows.append({"name": what, "ours": n[name], "ref": n["numpy"], "floor": 0,
                     "ratio": n[name] / n["numpy"], "target": 1.15,
                     "reference": 'python -c "import numpy"'})
    for r in rows:
        r["met"] = r["ratio"] <= r["target"]
    return [*rows, teardown_row(n, "numpy", "numpy, no teardown")]


def print_instructions(rows: list[dict]) -> None:
    print("\nwhole processes in instructions (valgrind --tool=callgrind, millions)")
    print(f"{'what':<62} {'bptui':>9} {'reference':>10} {'ratio':>6}  target")
    for r in rows:
        if r.get("info"):
            print(f"{r['name']:<62} ratio {r['ratio']:.2f} (ending without the teardown saves "
                  f"{r['saved'] / 1e6:.0f}M; for information, not a target)")
            continue
        floor = f", both less {r['floor'] / 1e6:.0f}M" if r["floor"] else ""
        print(f"{r['name']:<62} {r['ours'] / 1e6:>8.0f}M {r['ref'] / 1e6:>9.0f}M "
              f"{r['ratio']:>6.2f}  <= {r['target']}  {'met' if r['met'] else 'NOT met'}"
              f"   (vs {r['reference']}{floor})")


def in_process(rounds: int) -> list[dict]:
    s = scenario.load("mazur_2_2_2")
    t = interleaved({"ours": lambda: bp.train(s, bp.Params.initial(s), 10_000),
                     "ref": lambda: mazur_plain_python(10_000)}, rounds)
    rows = [row("in process: fast path, mazur_2_2_2, 10,000 epochs", t, "ours",
                "2-2-2 tutorial's plain-Python loop", "ref", 0.5)]
    r = scenario.load("batch_relu_1000_100_10")
    p = bp.Params.initial(r)
    w1, w2 = p.weights[0].T.copy(), p.weights[1].T.copy()
    t = interleaved({"ours": lambda: bp.train(r, bp.Params.initial(r), 500),
                     "ref": lambda: relu_raw_numpy(r.inputs, r.targets, w1, w2, 500)}, rounds)
    rows.append(row("in process: fast path, batch_relu_1000_100_10, 500 epochs", t, "ours",
                    "batch tutorial's raw numpy loop", "ref", 1.0))
    return rows


def bench_events(name: str, epochs: int) -> dict:
    s = scenario.load(name)
    params = bp.Params.initial(s)
    count = 0
    t = time.perf_counter()
    for e in range(1, epochs + 1):
        result = epoch_events(s, params, e)
        count += len(result.events)
        params = result.params
    dt = time.perf_counter() - t
    return {"name": f"event stream: {name}", "events": count, "per_second": count / dt}


MEMORY_PROBE = r"""
import json, resource, sys
from bptui import scenario
from bptui.cursor import Cursor
def rss_mb():
    with open('/proc/self/status') as fh:
        for line in fh:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
c = Cursor(scenario.load('batch_relu_1000_100_10'))
start = rss_mb()
c.run()
c.goto(1); c.goto(250); c.goto(499)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({'start_mb': start, 'peak_mb': peak, 'snapshots': len(c.snapshots)}))
"""


def bench_memory() -> dict:
    out = subprocess.run([PY, "-c", MEMORY_PROBE], check=True, capture_output=True, text=True,
                         env=CHILD_ENV, cwd=CHILD_CWD).stdout
    data = json.loads(out)
    data["name"] = "memory: batch_relu_1000_100_10, 500 epochs, back to epochs 1, 250, 499"
    data["above_start_mb"] = data["peak_mb"] - data["start_mb"]
    return data


def ms(xs: list[float]) -> str:
    return f"{min(xs) * 1e3:7.1f} ({min(xs) * 1e3:.0f}-{max(xs) * 1e3:.0f})"


def print_rows(title: str, rows: list[dict]) -> None:
    print(f"\n{title}: wall ms and CPU ms, best (min-max); ratios of the bests")
    print(f"{'what':<62} {'bptui wall':>22} {'cpu':>20} {'reference wall':>22} {'cpu':>20} "
          f"{'ratio':>6} {'cpu':>5}  target")
    for r in rows:
        if r.get("info"):
            print(f"{r['name']:<62} ratio {r['ratio']:.2f} (ending without the teardown saves "
                  f"{r['saved'] * 1e3:.1f} ms; for information, not a target)")
            continue
        floor = f", both less the reference's floor {r['floor'] * 1e3:.0f} ms" if r["floor"] \
            else ""
        print(f"{r['name']:<62} {ms(r['ours']):>22} {ms(r['ours_cpu']):>20} "
              f"{ms(r['ref']):>22} {ms(r['ref_cpu']):>20} {r['ratio']:>6.2f} "
              f"{r['ratio_cpu']:>5.2f}  <= {r['target']}  {'met' if r['met'] else 'NOT met'}"
              f"   (vs {r['reference']}{floor})")


def screen(quick: bool) -> None:
    """The Textual benchmarks, run as they are, with BLAS limited and not."""
    steps, rounds = ("30", "2") if quick else ("60", "4")
    for label, blas in (("BLAS on one thread (as the screen process sets it)", "1"),
                        ("BLAS's default threads", None)):
        env = {k: v for k, v in CHILD_ENV.items() if not k.endswith("_NUM_THREADS")}
        if blas:
            env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = blas
        print(f"\nscreen, key press to the settled frame: {label}", flush=True)
        subprocess.run([PY, str(HERE / "screen_bench.py"), "--steps", steps, "--rounds", rounds],
                       env=env, cwd=ROOT, check=False)
    print("\nscreen, r on batch_relu_1000_100_10 against --train for the same epochs",
          flush=True)
    subprocess.run([PY, str(HERE / "screen_run_bench.py"), "--rounds", "3" if quick else "5"],
                   env=CHILD_ENV, cwd=ROOT, check=False)
    print("\nscreen start-up", flush=True)
    subprocess.run([PY, str(HERE / "startup_bench.py"), "--no-cli", "--repeats",
                    "5" if quick else "9"], env=CHILD_ENV, cwd=ROOT, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    ap.add_argument("--no-screen", action="store_true", help="leave out the Textual benchmarks")
    ap.add_argument("--json", action="store_true", help="the raw figures as JSON")
    ap.add_argument("--whole", action="store_true",
                    help="only the whole-process comparisons (time, and instructions when "
                    "valgrind is installed)")
    args = ap.parse_args()
    rounds = 5 if args.quick else 11
    procs = whole_process(rounds)
    import shutil

    counts = instruction_counts() if shutil.which("valgrind") else []
    if args.whole:
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; "
              f"{rounds} interleaved rounds, best of them")
        print_rows("whole processes", procs)
        print_instructions(counts)
        return 0
    inproc = in_process(rounds)
    events = [bench_events("mazur_2_2_2", 200), bench_events("batch_relu_1000_100_10", 20)]
    memory = bench_memory()
    if args.json:
        print(json.dumps({"whole_process": procs, "instructions": counts,
                          "in_process": inproc, "events": events, "memory": memory}, indent=1))
        return 0
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end, OPENBLAS_NUM_THREADS={blas}; "
          f"{rounds} interleaved rounds, best of them")
    print_rows("whole processes", procs)
    if counts:
        print_instructions(counts)
    print_rows("in process", inproc)
    print()
    for ev in events:
        print(f"{ev['name']:<62} {ev['per_second']:>10,.0f} events/s ({ev['events']} events)")
    print(f"{memory['name']:<62} peak {memory['peak_mb']:.0f} MB, "
          f"{memory['above_start_mb']:.0f} MB above start-up ({memory['snapshots']} snapshots)"
          "   target < 200 MB above")
    if not args.no_screen:
        screen(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
