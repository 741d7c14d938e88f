"""`bptui --serve`: the same app in a web browser, on loopback only unless asked otherwise."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request

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


@pytest.fixture()
def server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bptui", "mazur_2_2_2", "--serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield port, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serves_the_apps_page_on_loopback(server) -> None:
    port, proc = server
    page = wait_for(f"http://127.0.0.1:{port}/", proc)
    assert "bptui: Mazur's 2-2-2 walkthrough" in page.replace("&#39;", "'")
    assert "textual" in page.lower()  # the page that starts the app over a websocket


def test_binds_to_loopback_only(server) -> None:
    port, proc = server
    wait_for(f"http://127.0.0.1:{port}/", proc)
    out = subprocess.run(["ss", "-ltn"], capture_output=True, text=True).stdout \
        if shutil.which("ss") else ""
    if out:
        listening = [line for line in out.splitlines() if f":{port} " in line]
        assert listening and all("127.0.0.1" in line for line in listening), listening


def test_the_served_app_draws_its_screen(server) -> None:
    """Speak the browser's side of the websocket and read what the app draws."""
    import asyncio
    import json

    import aiohttp

    port, proc = server
    wait_for(f"http://127.0.0.1:{port}/", proc)

    async def screen_bytes() -> bytes:
        buf = b""
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws:
                await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and b"net_h1" not in buf:
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

    drawn = asyncio.run(screen_bytes())
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
