"""`r` on the screen against the command line's ``--train`` for the same epochs.

Not a test: run ``python bench/screen_run_bench.py [SCENARIO] [--rounds R]`` from the
repository root (default batch_relu_1000_100_10). Every side is a fresh process, and the
sides take turns round after round, so that each sees the same machine:

* command line: ``python -m bptui SCENARIO --train EPOCHS`` less ``python -m bptui SCENARIO
  --check`` (the start-up both pay: the best of each over the rounds), wall and CPU (the
  child's user + system time); twice:
  with BLAS's default threads, as a user runs it, and with BLAS on one thread, as the screen
  process runs (``bptui.cli`` sets it before numpy loads);
* screen: a headless 120x40 app in a child process that limits BLAS as the screen's entry
  does, from the press of ``r`` until the last frame that changed what the screen shows once
  the run's finished message has been handled (the screen showing the last epoch, scroll
  bars settled; Textual may paint the same characters again a frame later, after a panel's
  size changed, and that frame shows nothing new), and to the first frame after it. Its CPU time is
  the whole process's (the main thread and the worker), and the child also reports the main
  thread's and the worker's shares.

The figures are the best of the rounds (on a shared machine the least disturbed), with the
min-max beside them; ratios are of the bests. Target (issue 12): the screen at most 1.2x the
command line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
ENV["PYTHONPATH"] = str(ROOT)  # this checkout's bptui, whatever is installed


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process."""
    cpu, began = _children_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - began, _children_cpu() - cpu


def cli(name: str, epochs: int, blas: str | None) -> tuple[float, float, float, float]:
    """Wall and CPU seconds of ``--train EPOCHS``, then of ``--check`` (the start-up)."""
    env = dict(ENV)
    if blas:
        env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = blas
    base = [sys.executable, "-m", "bptui", name]
    train = timed([*base, "--train", str(epochs)], env)
    check = timed([*base, "--check"], env)
    return (*train, *check)


def best_less_start(runs: list[tuple[float, ...]], what: int) -> float:
    """The command line's training time: its best ``--train`` less its best ``--check``
    (``what``: 0 wall, 1 CPU). Each best is that process's least disturbed run; the best of
    per-round differences instead picks the round whose start-up happened to be slowest."""
    return min(r[what] for r in runs) - min(r[what + 2] for r in runs)


def screen(name: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True,
                          text=True, env=ENV, cwd=ROOT)
    if done.returncode:
        sys.exit(f"the screen's child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(name: str) -> None:
    """In the child: the screen's entry limits BLAS before numpy loads, then one run."""
    from bptui import cli as entry

    entry._one_blas_thread()
    import asyncio

    from bptui import scenario as scn
    from bptui.tui import run
    from bptui.tui.app import BackpropApp
    from bptui.tui.main import MainScreen

    worker: dict[str, float] = {}
    train = run.train

    def timed_train(*args, **kwargs) -> None:
        began = time.thread_time()
        train(*args, **kwargs)
        worker["cpu"] = time.thread_time() - began

    run.train = timed_train
    finished = asyncio.Event()  # set on the main thread, in the handler of RunFinished
    handle = MainScreen.on_run_finished

    def timed_handle(self, message) -> None:
        finished.set()
        handle(self, message)

    MainScreen.on_run_finished = timed_handle

    async def go() -> dict[str, float]:
        app = BackpropApp(scn.load(name))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = app.screen
            paint = screen._compositor_refresh
            last: list[float] = []
            first: list[float] = []

            shown: list[tuple] = []  # what each frame after the finish showed

            def timed_paint() -> None:
                paint()
                if finished.is_set():
                    now = [time.perf_counter(), time.process_time(), time.thread_time()]
                    # what the screen shows now (read after the time is taken): a frame
                    # that repaints the same characters changes nothing the learner sees
                    seen = tuple(strip.text for strip in screen._compositor.render_strips())
                    if not shown or seen != shown[-1]:
                        last[:] = now
                    shown.append(seen)
                    first.append(now[0])

            screen._compositor_refresh = timed_paint
            t, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
            await pilot.press("r")
            await finished.wait()  # no polling: it would take the main thread's time
            assert not app.main.running and app.cursor.at_end
            for _ in range(3):  # the finished frame, then the layouts it causes
                await pilot.pause(0.05)
            assert last, "no frame painted after the run"
            return {"wall": last[0] - t, "cpu": last[1] - cpu, "main_cpu": last[2] - main,
                    "worker_cpu": worker["cpu"], "first": first[0] - t,
                    "last_paint": first[-1] - t, "frames": len(first)}

    print(json.dumps(asyncio.run(go())))


def span(xs: list[float]) -> str:
    return f"{min(xs):6.3f} s ({min(xs):.3f}-{max(xs):.3f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="batch_relu_1000_100_10")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--blas-default", action="store_true",
                    help="also time the command line with BLAS's default threads (on a busy "
                         "machine its threads spin: seconds of CPU per run)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.scenario)
        return
    sys.path.insert(0, str(ROOT))
    from bptui import scenario as scn

    epochs = scn.load(args.scenario).epochs
    sides = {"cli 1": lambda: cli(args.scenario, epochs, "1"),
             "screen": lambda: screen(args.scenario)}
    if args.blas_default:
        sides["cli"] = lambda: cli(args.scenario, epochs, None)
    got: dict[str, list] = {name: [] for name in sides}
    screen(args.scenario)  # warm-up: file cache, .pyc files
    for r in range(args.rounds):
        names = list(sides)
        for name in names[r % len(names):] + names[:r % len(names)]:
            got[name].append(sides[name]())
        s = got["screen"][-1]
        default = (f"; BLAS default {got['cli'][-1][0] - got['cli'][-1][2]:.3f} / "
                   f"{got['cli'][-1][1] - got['cli'][-1][3]:.3f}" if "cli" in got else "")
        one = got["cli 1"][-1]
        print(f"round {r + 1} (wall / cpu s): command line, one BLAS thread "
              f"{one[0] - one[2]:.3f} / {one[1] - one[3]:.3f}{default}; screen "
              f"{s['wall']:.3f} / {s['cpu']:.3f} (first frame of the end {s['first']:.3f}; "
              f"main thread {s['main_cpu']:.3f}, worker {s['worker_cpu']:.3f} cpu)", flush=True)
    print(f"\n{args.scenario}, {epochs} epochs, {args.rounds} rounds, best (min-max), "
          f"load average {os.getloadavg()[0]:.1f}")
    sw = [s["wall"] for s in got["screen"]]
    sc = [s["cpu"] for s in got["screen"]]
    sf = [s["first"] for s in got["screen"]]
    for name, label in (("cli 1", "--train, BLAS one thread (as the screen)"),
                        ("cli", "--train, BLAS default threads")):
        if name not in got:
            continue
        w = [x[0] - x[2] for x in got[name]]
        bw, bc = best_less_start(got[name], 0), best_less_start(got[name], 1)
        print(f"  command line {label:<42} wall {bw:6.3f} s, cpu {bc:6.3f} s (best --train "
              f"less best --check; per round {min(w):.3f}-{max(w):.3f} wall)")
        print(f"    screen r / this: wall {min(sw) / bw:.2f} (to the first frame of the "
              f"end {min(sf) / bw:.2f}), cpu {min(sc) / bc:.2f}   target at most 1.2")
    print(f"  screen r{'':<55} wall {span(sw)}  cpu {span(sc)}")
    print(f"    to the first frame showing the last epoch {span(sf)}")
    lp = [s["last_paint"] for s in got["screen"]]
    print(f"    to the last frame painted (the same characters again, or more) {span(lp)}; "
          f"frames after the finish {min(s['frames'] for s in got['screen'])}-"
          f"{max(s['frames'] for s in got['screen'])}")
    main_cpu = [s["main_cpu"] for s in got["screen"]]
    worker = [s["worker_cpu"] for s in got["screen"]]
    print(f"    of which main thread cpu {span(main_cpu)}, worker cpu {span(worker)}")


if __name__ == "__main__":
    main()
