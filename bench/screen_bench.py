"""Time from a key press to the updated screen: bptui (2-2-2 and 1000-100-10) against a bare
Textual app that updates one Static per key press, measured the same way in the same run.

Not a test: run ``python bench/screen_bench.py [--steps N] [--rounds R]``. For each press of
``n`` in a headless 120x40 app it records

* press -> settled: from just before the key is sent until the compositor has finished
  painting the last frame of that press (bptui: a relayout or a scroll into view can take a
  second frame after the first; bare app: one frame). This is what the learner waits for
  to see the whole step; the headless driver paints as a terminal would, on the screen's
  update timer. bptui prepares the next step once it has painted one (the learner is
  reading it): frames painted from then on belong to that preparation (a panel that will
  need more room takes it then), not to the press.
* press -> painted: the same to the first frame after the app changed what it shows (bptui:
  the panels got the new View; bare app: the Static got its new text), and the number of
  frames per press.
* app work: the part of that spent in the app's own code (bptui: the move, its View and
  the panels taking it, whatever of that was prepared; bare app: the Static update).
* pilot round trip: ``pilot.press`` + ``pilot.pause()``, which also waits for the process to
  go idle, so it is an upper bound padded with Textual's idle polling.

The three apps take turns (``--rounds`` rounds of ``--steps`` presses each, a fresh app per
round) so that they all see the same machine; the table gives median and p95 over all rounds
and the ratio to the bare app. Targets (issue 14): the 2-2-2 within 3x of the bare app and
under 16 ms (median), the 1000-100-10 under 16 ms at p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.widgets import Static

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # startup_bench's bare app
# this checkout's bptui, not whichever is installed
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bptui import scenario as scn  # noqa: E402
from bptui.tui.app import BackpropApp  # noqa: E402

Marks = dict[str, float]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


class BareApp(App):
    """The reference: one Static whose text changes on every press of n."""

    BINDINGS = [("n", "next", "Next")]

    def __init__(self) -> None:
        super().__init__()
        self.presses = 0
        self.marks: Marks = {}

    def compose(self) -> ComposeResult:
        yield Static("no key pressed yet", id="counter")

    def action_next(self) -> None:
        t = time.perf_counter()
        self.presses += 1
        self.query_one("#counter", Static).update(f"key presses: {self.presses}")
        self.marks["view"] = time.perf_counter()
        self.marks["work"] = self.marks["view"] - t


def hook_bptui(app: BackpropApp, marks: Marks) -> Callable[[], None]:
    """Time bptui's move + View + panel updates; returns what to do at the scenario's end."""
    main = app.main
    move = main._move

    def timed_move(step, back: bool = False) -> None:
        t = time.perf_counter()
        move(step, back)
        marks["view"] = time.perf_counter()
        marks["work"] = marks["view"] - t

    main._move = timed_move
    prepare = main._prepare_next

    def timed_prepare() -> None:
        marks["preparing"] = time.perf_counter()  # frames from here on are not the press's
        prepare()

    main._prepare_next = timed_prepare

    def rewind() -> None:
        if main.cursor.at_end:
            main.cursor.home()
            main.push_view()

    return rewind


def hook_paint(screen, marks: Marks, profiler=None) -> None:
    """Mark the first frame painted after the app changed what it shows, and the last one
    painted before the press has settled (bptui: a relayout or a scroll may take a second
    frame; the learner sees the whole step only then)."""
    paint = screen._compositor_refresh

    def timed_paint() -> None:
        paint()
        if "view" in marks and "preparing" not in marks:
            marks["settled"] = time.perf_counter()
            marks["settled cpu"] = time.process_time()
            marks["frames"] = marks.get("frames", 0) + 1
            if "painted" not in marks:
                marks["painted"] = marks["settled"]
                marks["painted cpu"] = marks["settled cpu"]
                if profiler is not None:
                    profiler.disable()

    screen._compositor_refresh = timed_paint


async def measure(name: str, steps: int, size=(120, 40), profiler=None
                  ) -> dict[str, list[float]]:
    """One fresh app, ``steps`` presses of n (profiled from press to paint if asked)."""
    if name == "bare":
        app = BareApp()
        marks = app.marks
    elif name == "bare 5 panels":
        from startup_bench import bare_app

        app = bare_app()
        marks = app.marks
    else:
        app = BackpropApp(scn.load(name))
        marks = {}
    painted, painted_cpu, work, round_trip = [], [], [], []
    settled, settled_cpu, frames = [], [], []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        rewind = (lambda: None) if name.startswith("bare") else hook_bptui(app, marks)
        hook_paint(app.screen, marks, profiler)
        for _ in range(steps):
            rewind()
            await pilot.pause()
            marks.clear()
            if profiler is not None:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press("n")
            await pilot.pause()
            round_trip.append(time.perf_counter() - t0)
            painted.append(marks["painted"] - t0)
            painted_cpu.append(marks["painted cpu"] - c0)
            settled.append(marks["settled"] - t0)
            settled_cpu.append(marks["settled cpu"] - c0)
            frames.append(marks["frames"])
            work.append(marks["work"])
    return {"press -> painted": painted, "press -> painted cpu": painted_cpu,
            "press -> settled": settled, "press -> settled cpu": settled_cpu,
            "frames": frames, "app work": work, "pilot round trip": round_trip}


NAMES = ("bare", "bare 5 panels", "mazur_2_2_2", "batch_relu_1000_100_10")
APPS = NAMES[2:]


def run(steps: int, rounds: int) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {n: {} for n in NAMES}
    for r in range(rounds):
        order = NAMES if r % 2 == 0 else tuple(reversed(NAMES))
        for name in order:
            for what, xs in asyncio.run(measure(name, steps)).items():
                results[name].setdefault(what, []).extend(xs)
    return results


def table(results: dict[str, dict[str, list[float]]], what: str = "press -> settled"
          ) -> list[dict]:
    """Median and p95 of ``what`` per app, and their ratios to the bare apps'."""
    bare = results["bare"][what]
    b_med, b_p95 = statistics.median(bare), pct(bare, 95)
    five = results["bare 5 panels"][what]
    rows = []
    for name in NAMES[1:]:
        xs = results[name][what]
        cpu = results[name][what + " cpu"]
        med, p95 = statistics.median(xs), pct(xs, 95)
        rows.append({"name": name, "median": med, "p95": p95, "bare_median": b_med,
                     "bare_p95": b_p95, "ratio_median": med / b_med, "ratio_p95": p95 / b_p95,
                     "n": len(xs), "five_ratio_median": med / statistics.median(five),
                     "five_ratio_p95": p95 / pct(five, 95),
                     "cpu_median": statistics.median(cpu), "cpu_p95": pct(cpu, 95),
                     "cpu_ratio_median": statistics.median(cpu)
                     / statistics.median(results["bare"][what + " cpu"]),
                     "frames": statistics.mean(results[name]["frames"]),
                     "work_median": statistics.median(results[name]["app work"]),
                     "work_p95": pct(results[name]["app work"], 95)})
    return rows


def met(row: dict) -> bool:
    """Issue 14's targets: the 2-2-2 within 3x of the bare app and under 16 ms (median); the
    1000-100-10's p95 under 16 ms."""
    if row["name"] == "mazur_2_2_2":
        return row["ratio_median"] <= 3 and row["median"] < 0.016
    if row["name"] == "batch_relu_1000_100_10":
        return row["p95"] <= 0.016
    return True


TARGETS = {"mazur_2_2_2": "<= 3x, < 16 ms median", "batch_relu_1000_100_10": "p95 <= 16 ms"}


def print_table(results: dict[str, dict[str, list[float]]], what: str) -> None:
    print(f"{what:<32} {'bptui':>17} {'bare app':>17} {'ratio':>11}  target")
    print(f"{'':<32} {'median':>8} {'p95':>8} {'median':>8} {'p95':>8} {'med':>5} {'p95':>5}")
    for row in table(results, what):
        head = (f"{row['name']:<32} {row['median'] * 1e3:>6.2f}ms {row['p95'] * 1e3:>6.2f}ms "
                f"{row['bare_median'] * 1e3:>6.2f}ms {row['bare_p95'] * 1e3:>6.2f}ms "
                f"{row['ratio_median']:>5.2f} {row['ratio_p95']:>5.2f}  ")
        if row["name"] not in APPS:
            print(head + "(second reference: the same five panels and footer as bptui, all "
                  "five texts new per press)")
            continue
        print(head + f"{TARGETS[row['name']]}  {'met' if met(row) else 'NOT met'}   (frames "
              f"per press {row['frames']:.2f}; app work median {row['work_median'] * 1e3:.2f} "
              f"ms, p95 {row['work_p95'] * 1e3:.2f} ms; against the 5-panel app "
              f"{row['five_ratio_median']:.2f} median, {row['five_ratio_p95']:.2f} p95)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=60, help="presses per app per round")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--details", action="store_true", help="every measure of every app")
    ap.add_argument("--profile", metavar="NAME", choices=NAMES,
                    help="instead: cProfile the press -> painted windows of one app")
    args = ap.parse_args()
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        asyncio.run(measure(args.profile, args.steps * args.rounds, profiler=profiler))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        return 0
    results = run(args.steps, args.rounds)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, headless 120x40, "
          f"{args.rounds} interleaved rounds x {args.steps} presses of n per app")
    if args.details:
        for name, res in results.items():
            for what, xs in res.items():
                ms = [x * 1000 for x in xs]
                print(f"  {name:<24} {what:<18} median {statistics.median(ms):7.2f} ms   "
                      f"p95 {pct(ms, 95):7.2f} ms   (n={len(ms)})")
    print_table(results, "press -> settled")
    print("\nthe first frame only (a second frame may follow: a relayout, a scroll):")
    print_table(results, "press -> painted")
    bare_cpu = statistics.median(results["bare"]["press -> settled cpu"])
    print(f"\npress -> settled in CPU time (steadier on a busy machine; bare app median "
          f"{bare_cpu * 1e3:.2f} ms):")
    for row in table(results):
        print(f"  {row['name']:<30} median {row['cpu_median'] * 1e3:6.2f} ms  p95 "
              f"{row['cpu_p95'] * 1e3:6.2f} ms  ratio to the bare app (median) "
              f"{row['cpu_ratio_median']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
