"""The classroom: ``bptui --serve`` with 30 viewers connected over websockets on 127.0.0.1.

Not a test: run ``python bench/serve_bench.py [--viewers 30]`` from the repository root
(needs textual-serve and aiohttp, both in bptui[serve]). It reports:

- memory per viewer: the proportional set size (PSS, shared pages split fairly) of the
  server and all its children, from /proc, before any viewer and with all of them connected,
  divided by the number of viewers (each viewer is one bptui process on the server);
- key-to-screen latency over the websocket with every viewer connected: the time from
  sending ``n`` (next sub-step) to the first screen update coming back, for every viewer in
  turn, idle (median and 95th percentile);
- the same latency while one viewer runs the whole training (``r``: 10,000 epochs with a
  live loss plot), for the other viewers: whether one viewer's run slows the others' key
  presses by more than one frame (1/60 s, Textual's TEXTUAL_FPS under textual-serve).

Numbers depend on the machine (cores, load); the figures in the report are from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAME = 1 / 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def pss_kb(pid: int) -> int:
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class Viewer:
    """One browser tab: a websocket that sends keys and notes when the screen changes."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.updated = asyncio.Event()
        self.screen = b""
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        import aiohttp

        async for msg in self.ws:
            if msg.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                data = msg.data if isinstance(msg.data, bytes) else msg.data.encode()
                if b"net_h1" not in self.screen:
                    self.screen = (self.screen + data)[-200_000:]
                self.updated.set()

    async def ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while b"net_h1" not in self.screen:
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not draw its screen")
            await asyncio.sleep(0.05)

    async def key(self, key: str, timeout: float = 10) -> float:
        """Seconds from sending ``key`` to the next screen update."""
        await asyncio.sleep(0.15)  # let earlier updates drain
        self.updated.clear()
        start = time.perf_counter()
        await self.ws.send_str(json.dumps(["stdin", key]))
        await asyncio.wait_for(self.updated.wait(), timeout)
        return time.perf_counter() - start


async def bench(port: int, viewers: int, server_pid: int) -> dict:
    import aiohttp

    base = pss_kb(server_pid)
    async with aiohttp.ClientSession() as session:
        tabs: list[Viewer] = []
        for _ in range(viewers):
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40",
                                          max_msg_size=0)
            await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
            tabs.append(Viewer(ws))
        started = time.perf_counter()
        await asyncio.gather(*(t.ready() for t in tabs))
        all_ready = time.perf_counter() - started
        await asyncio.sleep(2)
        loaded = pss_kb(server_pid)
        idle = [await t.key("n") for t in tabs]
        # one viewer runs the whole training; the others keep stepping meanwhile
        await tabs[0].ws.send_str(json.dumps(["stdin", "r"]))
        await asyncio.sleep(0.3)
        busy = [await t.key("n") for t in tabs[1:]]
        for t in tabs:
            await t.ws.close()
            t.task.cancel()
    return {"viewers": viewers, "ready_s": all_ready, "base_kb": base, "loaded_kb": loaded,
            "idle": idle, "busy": busy}


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, -(-len(xs) * 95 // 100) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bptui", "mazur_2_2_2", "--serve",
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        r = asyncio.run(bench(port, args.viewers, server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
    per_viewer = (r["loaded_kb"] - r["base_kb"]) / r["viewers"] / 1024
    idle, busy = r["idle"], r["busy"]
    slowdown = statistics.median(busy) - statistics.median(idle)
    print(f"viewers connected:            {r['viewers']} (all drawn after {r['ready_s']:.1f} s)")
    print(f"server alone (PSS):           {r['base_kb'] / 1024:.1f} MB")
    print(f"with all viewers (PSS):       {r['loaded_kb'] / 1024:.1f} MB")
    print(f"memory per viewer:            {per_viewer:.1f} MB")
    print(f"key-to-screen, idle:          median {statistics.median(idle) * 1000:.1f} ms, "
          f"95% {p95(idle) * 1000:.1f} ms, max {max(idle) * 1000:.1f} ms")
    print(f"key-to-screen, one run going: median {statistics.median(busy) * 1000:.1f} ms, "
          f"95% {p95(busy) * 1000:.1f} ms, max {max(busy) * 1000:.1f} ms")
    print(f"slowdown of the median:       {slowdown * 1000:+.1f} ms "
          f"({'within' if slowdown <= FRAME else 'MORE than'} one frame of "
          f"{FRAME * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
