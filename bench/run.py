"""bptui's benchmarks: each figure a ratio against a reference measured in the same run.

Run from the repository root: ``python bench/run.py`` (add ``--quick`` for fewer repeats).
Machines are noisy, so every comparison interleaves the two sides and reports medians.
The screen's key-press latency lives in ``bench/screen_bench.py`` (it needs the TUI).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from reference_loops import mazur_plain_python, relu_raw_numpy  # noqa: E402

from bptui import backprop as bp  # noqa: E402
from bptui import scenario  # noqa: E402
from bptui.engine import epoch_events  # noqa: E402


def interleaved(a, b, repeats: int) -> tuple[float, float]:
    """Median seconds of a() and b(), run alternately so that both see the same machine."""
    ta, tb = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def bench_mazur(repeats: int) -> dict:
    s = scenario.load("mazur_2_2_2")
    ours, ref = interleaved(lambda: bp.train(s, bp.Params.initial(s), 10_000),
                            lambda: mazur_plain_python(10_000), repeats)
    return {"name": "fast path: mazur_2_2_2, 10,000 epochs", "ours": ours,
            "reference": "2-2-2 tutorial's plain-Python loop (wiring fixed, no print)",
            "ref": ref, "target": "<= 0.5"}


def bench_relu(repeats: int) -> dict:
    s = scenario.load("batch_relu_1000_100_10")
    p = bp.Params.initial(s)
    w1, w2 = p.weights[0].T.copy(), p.weights[1].T.copy()
    ours, ref = interleaved(lambda: bp.train(s, bp.Params.initial(s), 500),
                            lambda: relu_raw_numpy(s.inputs, s.targets, w1, w2, 500), repeats)
    return {"name": "fast path: batch_relu_1000_100_10, 500 epochs", "ours": ours,
            "reference": "batch tutorial's raw numpy loop", "ref": ref, "target": "<= 1.1"}


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
    return {"name": f"event stream: {name}", "events": count, "seconds": dt,
            "per_second": count / dt}


def _seconds(cmd: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_cli_startup(repeats: int) -> list[dict]:
    py = sys.executable
    ref = _seconds([py, "-c", "import numpy"], repeats)
    rows = []
    for args in (["--check"], ["--trace"], ["--train", "1"]):
        ours = _seconds([py, "-m", "bptui", "mazur_2_2_2", *args], repeats)
        rows.append({"name": f"start-up: bptui mazur_2_2_2 {' '.join(args)}", "ours": ours,
                     "reference": "python -c 'import numpy'", "ref": ref, "target": "<= 1.2"})
    return rows


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
print(json.dumps({'start_mb': start, 'peak_mb': peak, 'end_mb': rss_mb(),
                  'snapshots': len(c.snapshots), 'epochs': len(c.losses)}))
"""


def bench_memory() -> dict:
    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE], check=True, capture_output=True,
                         text=True).stdout
    data = json.loads(out)
    data["name"] = "memory: batch_relu_1000_100_10, 500 epochs, back to any epoch"
    data["above_start_mb"] = data["peak_mb"] - data["start_mb"]
    return data


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    r = 3 if args.quick else 7
    rows: list[dict] = [bench_mazur(r), bench_relu(r)]
    rows += bench_cli_startup(r)
    events = [bench_events("mazur_2_2_2", 200), bench_events("batch_relu_1000_100_10", 20)]
    memory = bench_memory()
    if args.json:
        print(json.dumps({"ratios": rows, "events": events, "memory": memory}, indent=1))
        return 0
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"{'benchmark':<48} {'bptui':>9} {'reference':>10} {'ratio':>6}  target")
    for row in rows:
        ratio = row["ours"] / row["ref"]
        print(f"{row['name']:<48} {row['ours'] * 1e3:>7.1f}ms {row['ref'] * 1e3:>8.1f}ms "
              f"{ratio:>6.2f}  {row['target']}   (vs {row['reference']})")
    for ev in events:
        print(f"{ev['name']:<48} {ev['per_second']:>10,.0f} events/s ({ev['events']} events)")
    print(f"{memory['name']:<48} peak {memory['peak_mb']:.0f} MB, {memory['above_start_mb']:.0f} MB "
          f"above start-up ({memory['snapshots']} snapshots)   target < 200 MB above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
