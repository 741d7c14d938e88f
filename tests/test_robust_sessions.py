"""Issue 13, finding 8: a served session's export folder lives as long as the session.

Under ``bptui --serve`` every viewer is one ``python -m bptui`` process whose exports go to a
capped folder of its own; the folder is removed when that process ends, and a new session
removes the folders left by sessions whose process was killed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from bptui import files

ROOT = Path(__file__).resolve().parents[1]

SESSION = textwrap.dedent("""
    import asyncio, os, sys
    from bptui import scenario as scn
    from bptui.tui.app import BackpropApp

    async def main():
        app = BackpropApp(scn.load("mazur_2_2_2"))
        app.served = True  # what app.is_web says under bptui --serve
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("x", "x")
            await pilot.pause()
            folder = app._session_folder
            print(folder, sorted(os.listdir(folder)), flush=True)
    asyncio.run(main())
""")


def test_a_sessions_folder_is_removed_when_its_process_ends(tmp_path) -> None:
    """The real screen, served, pressing x twice: while the session runs its two exports are
    in its folder; once its process has ended the folder is gone, and nothing else is left."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SESSION], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    folder, listing = done.stdout.strip().split(" ", 1)
    assert Path(folder).parent == tmp_path
    assert Path(folder).name.startswith(f"{files.SESSION_PREFIX}")
    assert listing == "['mazur_2_2_2-2.md', 'mazur_2_2_2.md']"
    assert not Path(folder).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("bptui")] == []


def test_a_new_session_removes_the_folders_of_sessions_that_are_gone(tmp_path) -> None:
    """A killed session leaves its folder behind; the next session removes it, and keeps the
    folders of sessions still running (here: this process's) and anything not a session's."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dead = tmp_path / f"{files.SESSION_PREFIX}{gone}-abc"
    dead.mkdir()
    (dead / "mazur_2_2_2.md").write_text("old export")
    running = tmp_path / f"{files.SESSION_PREFIX}{os.getpid()}-xyz"
    running.mkdir()
    other = tmp_path / f"{files.SESSION_PREFIX}notapid"
    other.mkdir()
    link = tmp_path / f"{files.SESSION_PREFIX}{gone}-link"
    link.symlink_to(running)

    new = files.new_session_folder(tmp_path)

    assert not dead.exists()
    assert running.is_dir() and other.is_dir() and link.is_symlink()
    assert new.is_dir() and new.name.startswith(f"{files.SESSION_PREFIX}{os.getpid()}-")
    assert oct(new.stat().st_mode & 0o777) == oct(0o700)
    files.remove_session_folder(new)
    assert not new.exists()


def test_a_served_viewer_leaving_removes_its_folder(tmp_path) -> None:
    """The whole way: bptui --serve, a viewer on the websocket presses x (its export lands in
    its session's folder, not in the server's working folder), closes the page, and its
    folder is gone."""
    import asyncio
    import json
    import time

    import aiohttp
    import pytest

    pytest.importorskip("textual_serve")
    from tests.test_serve import served, wait_for

    work = tmp_path / "work"
    work.mkdir()
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}

    def sessions() -> list[Path]:
        return sorted(temp.glob(f"{files.SESSION_PREFIX}*"))

    async def until(check, seconds: float = 60.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return True
            await asyncio.sleep(0.2)
        return False

    async def viewer() -> tuple[list[Path], list[str]]:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40"
                                          ) as ws:
                await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
                drawn = b""
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and b"net_h1" not in drawn:
                    try:
                        msg = await ws.receive(timeout=1)
                    except TimeoutError:
                        continue
                    if msg.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                        data = msg.data
                        drawn += data if isinstance(data, bytes) else data.encode()
                await ws.send_str(json.dumps(["stdin", "x"]))
                # the export is written atomically (a hidden temporary file, then its name)
                assert await until(lambda: any((p / "mazur_2_2_2.md").exists()
                                               for p in sessions()), 120)
                folders = sessions()
                exported = sorted(q.name for p in folders for q in p.iterdir()
                                  if not q.name.startswith("."))
        return folders, exported

    with served("mazur_2_2_2", cwd=work, env=env) as (port, proc):
        wait_for(f"http://127.0.0.1:{port}/", proc, 120)
        folders, exported = asyncio.run(viewer())
        assert len(folders) == 1 and exported == ["mazur_2_2_2.md"]
        assert list(work.iterdir()) == []
        assert asyncio.run(until(lambda: not folders[0].exists(), 120)), \
            "the folder outlived its session"
