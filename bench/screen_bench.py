"""Time from a key press to the updated screen, on the 2-2-2 and the 1000-100-10 networks.

Not a test: run ``python bench/screen_bench.py [--steps N]``. For each press of ``n`` in a
headless 120x40 app it records

* press -> painted: from just before the key is sent until the compositor has finished
  painting the first frame after the panels got the new View (what the learner waits for;
  the headless driver paints as a terminal would, on the screen's update timer);
* app work: the part of that spent in bptui itself (cursor move, View, panel builds);
* pilot round trip: ``pilot.press`` + ``pilot.pause()``, which also waits for the process
  to go idle, so it is an upper bound padded with Textual's idle polling.

and prints the median and p95 of each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bptui import scenario as scn
from bptui.tui.app import BackpropApp


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def bench(name: str, steps: int, size=(120, 40)) -> dict[str, list[float]]:
    app = BackpropApp(scn.load(name))
    marks: dict[str, float] = {}
    painted, work, round_trip = [], [], []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        main = app.main
        push, paint = main.push_view, main._compositor_refresh

        def timed_push() -> None:
            t = time.perf_counter()
            push()
            marks["view"] = time.perf_counter()
            marks["work"] = marks["view"] - t + marks.pop("move", 0.0)

        def timed_paint() -> None:
            paint()
            if "view" in marks and "painted" not in marks:
                marks["painted"] = time.perf_counter()

        step = main.cursor.next

        def timed_step() -> bool:
            t = time.perf_counter()
            moved = step()
            marks["move"] = time.perf_counter() - t
            return moved

        main.push_view = timed_push
        main._compositor_refresh = timed_paint
        main.cursor.next = timed_step
        for _ in range(steps):
            if main.cursor.at_end:
                main.cursor.home()
                main.push_view()
                await pilot.pause()
            marks.clear()
            t0 = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            round_trip.append(time.perf_counter() - t0)
            painted.append(marks["painted"] - t0)
            work.append(marks["work"])
    return {"press -> painted": painted, "app work": work, "pilot round trip": round_trip}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args()
    for name in ("mazur_2_2_2", "batch_relu_1000_100_10"):
        results = asyncio.run(bench(name, args.steps))
        for what, xs in results.items():
            ms = [x * 1000 for x in xs]
            print(f"{name:<24} {what:<20} median {statistics.median(ms):7.2f} ms   "
                  f"p95 {pct(ms, 95):7.2f} ms   (n={len(ms)})")


if __name__ == "__main__":
    main()
