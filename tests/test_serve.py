"""`bptui --serve`: the same app in a web browser, on loopback only unless asked otherwise."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("textual_serve")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.read().decode("utf-8")
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url}: {last}")


@contextmanager
def served(*args: str, **popen):
    """``bptui ARGS --serve`` on a free port: (port, process), stopped on leaving."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bptui", *args, "--serve", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture()
def server():
    with served("mazur_2_2_2") as running:
        yield running


def test_serves_the_apps_page_on_loopback(server) -> None:
    port, proc = server
    page = wait_for(f"http://127.0.0.1:{port}/", proc)
    assert "bptui: Mazur's 2-2-2 walkthrough" in page.replace("&#39;", "'")
    assert "textual" in page.lower()  # the page that starts the app over a websocket


def listening_addresses(port: int) -> list[str]:
    """The local addresses with a TCP socket LISTENing on ``port``, read from the kernel's
    tables (/proc/net/tcp and tcp6: no ``ss`` or ``netstat`` needed)."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            addr, hexport = local.split(":")
            if state != "0A" or int(hexport, 16) != port:  # 0A: TCP_LISTEN
                continue
            raw = bytes.fromhex(addr)
            # the kernel writes each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if width == 8 else socket.AF_INET6
            found.append(socket.inet_ntop(family, raw))
    return found


def outside_addresses() -> list[str]:
    """This machine's IPv4 addresses that are not loopback (where a LAN would reach it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent, it only picks a route
            return [a for a in [s.getsockname()[0]] if not a.startswith("127.")]
        except OSError:
            return []


def test_binds_to_loopback_only(server) -> None:
    port, proc = server
    wait_for(f"http://127.0.0.1:{port}/", proc)
    if Path("/proc/net/tcp").exists():
        listening = listening_addresses(port)
        assert listening and all(a in ("127.0.0.1", "::1") for a in listening), listening
    else:  # no kernel tables: nothing may answer on an address other machines can reach
        outside = outside_addresses()
        if not outside:
            pytest.skip("no /proc/net/tcp and no non-loopback address to probe")
        for addr in outside:
            with socket.socket() as s, pytest.raises(OSError):
                s.settimeout(2)
                s.connect((addr, port))


def test_listening_addresses_reads_the_kernels_table() -> None:
    """The reader above can fail: a socket bound to all addresses shows as 0.0.0.0."""
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp on this system")
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        s.listen()
        assert listening_addresses(s.getsockname()[1]) == ["0.0.0.0"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert listening_addresses(s.getsockname()[1]) == ["127.0.0.1"]


async def _drawn(port: int, want: bytes) -> bytes:
    """What a browser viewer's websocket receives until ``want`` is drawn (or 30 s)."""
    import json

    import aiohttp

    buf = b""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws:
            await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and want not in buf:
                try:
                    msg = await ws.receive(timeout=1)
                except TimeoutError:
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    buf += msg.data
                elif msg.type == aiohttp.WSMsgType.TEXT:
                    buf += msg.data.encode()
                else:
                    break
    return buf


def test_the_served_app_draws_its_screen(server) -> None:
    """Speak the browser's side of the websocket and read what the app draws."""
    import asyncio

    port, proc = server
    wait_for(f"http://127.0.0.1:{port}/", proc)
    drawn = asyncio.run(_drawn(port, b"net_h1"))
    assert b"net_h1" in drawn and b"Mazur" in drawn  # the first sub-step of the 2-2-2 example


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="headless Chromium is not installed (apt-get install chromium)")
def test_page_renders_in_headless_chromium(server, tmp_path) -> None:
    port, proc = server
    wait_for(f"http://127.0.0.1:{port}/", proc)
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--timeout=8000", "--dump-dom",
         f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=90,
    ).stdout
    assert "xterm-screen" in dom, dom[:2000]  # the page's xterm.js terminal was built
    proc.terminate()
    log = proc.communicate(timeout=10)[0]
    # ...and the browser opened the app's websocket, which starts a bptui session
    assert "/ws?width=" in log.replace("\n", " ") and " 101 " in log.replace("\n", " "), log


@pytest.mark.parametrize("args, title, first", [
    (["micrograd_expression"], "micrograd", "n1 = a·b".encode()),
    (["mazur_2_2_2", "--graph"], "as a computational graph", "n1 = w1·i1".encode()),
])
def test_a_computational_graph_is_served_too(args, title, first) -> None:
    """A [graph] file, and a layered one as its graph (each viewer's process gets --graph)."""
    import asyncio

    with served(*args) as (port, proc):
        page = wait_for(f"http://127.0.0.1:{port}/", proc)
        assert title in page.replace("&#39;", "'")
        drawn = asyncio.run(_drawn(port, first))
        assert first in drawn, drawn[-2000:]
