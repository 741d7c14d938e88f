"""`r` on the screen against the command line's ``--train`` for the same epochs.

Not a test: run ``python bench/screen_run_bench.py [SCENARIO] [--rounds R]`` (default
batch_relu_1000_100_10). Per round, in turns on the same machine:

* command line: ``python -m bptui SCENARIO --train EPOCHS`` as a subprocess, wall time minus
  the wall time of ``python -m bptui SCENARIO --check`` (the start-up both pay);
* screen: a headless 120x40 app, from the press of ``r`` until the run's finished message has
  been handled and the screen shows the last epoch (the worker trains a copy of the cursor in
  one fast-path call, with the snapshots the cursor keeps, then loads the last epoch's steps).

Target (issue 12): the screen at most 1.2x the command line.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time

from bptui import scenario as scn
from bptui.tui.app import BackpropApp


def cli_seconds(name: str, epochs: int) -> float:
    def wall(*args: str) -> float:
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bptui", name, *args], check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - began

    return wall("--train", str(epochs)) - wall("--check")


async def screen_seconds(name: str) -> float:
    app = BackpropApp(scn.load(name))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        began = time.perf_counter()
        await pilot.press("r")
        while app.main.running or not app.cursor.at_end:
            await asyncio.sleep(0.005)
        took = time.perf_counter() - began
        await pilot.pause()
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="batch_relu_1000_100_10")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    epochs = scn.load(args.scenario).epochs
    cli, screen = [], []
    for n in range(args.rounds):
        cli.append(cli_seconds(args.scenario, epochs))
        screen.append(asyncio.run(screen_seconds(args.scenario)))
        print(f"round {n + 1}: command line {cli[-1]:.2f} s, screen {screen[-1]:.2f} s",
              flush=True)
    c, s = statistics.median(cli), statistics.median(screen)
    print(f"{args.scenario}, {epochs} epochs: command line --train {c:.2f} s, screen r "
          f"{s:.2f} s, ratio {s / c:.2f} (target at most 1.2)")


if __name__ == "__main__":
    main()
