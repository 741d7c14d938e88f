"""Helpers for the screen tests: open a scenario, read what the panels and screen show."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.geometry import Size
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from bptui import scenario as scn
from bptui.tui.app import BackpropApp

DATA = Path(__file__).resolve().parent.parent / "data"
BRACKETS = str(DATA / "brackets.toml")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?")


def make_app(name: str = "mazur_2_2_2", mistake: str | None = None) -> BackpropApp:
    return BackpropApp(scn.load(name), mistake=mistake)


def long_run_app() -> BackpropApp:
    """The 1000-100-10 network with so many epochs that a run is still going when stopped."""
    text = (scn.BUILTIN_FOLDER / "batch_relu_1000_100_10.toml").read_text()
    assert "epochs = 500" in text
    s = scn.parse(text.replace("epochs = 500", "epochs = 1000000"), file="long.toml",
                  name="long")
    return BackpropApp(s)


def n_presses(times: int, *then: str, real: int = 1, before: Callable | None = None) -> dict:
    """snap_compare's ``run_before`` and ``press`` for the screen after ``times`` presses of n
    (then the keys ``then``): all but the last ``real`` of them in one move of the screen's
    own, those by the real key. Each press costs a redraw and the pilot's wait (40 of them
    were most of a snapshot test's time); the SVG must be the one the presses give (the
    snapshot comparison checks it). Some must be real: the network panel scrolls only as far
    as keeps the lit unit in view, so where it stands depends on the steps before (a jump
    alone left the 2-3-1 at 80x24 one line off; the 2-2-2 at 100x32 needs the last 3 of 21
    and the last 7 of 35). ``before`` runs first (e.g. a theme change)."""
    assert 1 <= real <= times

    async def go(pilot) -> None:
        if before is not None:
            before(pilot)
        await pilot.pause()
        main = pilot.app.main
        main._move(lambda: main.cursor.goto(1, times - real))
        await pilot.pause()

    return {"run_before": go, "press": ["n"] * real + list(then)}


def panel(app: BackpropApp, name: str) -> str:
    """The plain text a panel shows: equation, network, values or updates."""
    return app.main.query_one(f"#{name}-body").plain


def status(app: BackpropApp) -> str:
    return app.main.query_one("#status").plain


def result_line(app: BackpropApp) -> str:
    for line in panel(app, "equation").splitlines():
        if line.startswith("result"):
            return line[len("result"):].strip()
    raise AssertionError("no result line in the equation panel:\n" + panel(app, "equation"))


def result_of(app: BackpropApp) -> tuple[str, float]:
    """(symbol, number) of the result line, e.g. ('∂E/∂w5', 0.08216704056)."""
    line = result_line(app)
    symbol, _, rest = line.partition(" = ")
    m = NUMBER.match(rest)
    assert m, line
    return symbol, float(m.group(0))


def screen_text(app: BackpropApp) -> str:
    """Every line of the terminal as it is drawn now."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def settle(pilot, timeout: float = 60.0) -> None:
    """Wait until no run is going (a run ends on its own or after escape)."""
    waited = 0.0
    while pilot.app.main.running and waited < timeout:
        await pilot.pause(0.05)
        waited += 0.05
    await pilot.pause()


def key_event(key: str) -> events.Key:
    """The Key event pilot.press sends for ``key``."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def type_fast(pilot, keys: list[str]) -> None:
    """Send keys like pilot.press, but without its idle wait after every key (about 80 ms
    each), as a fast typist would; then wait until the screen has handled them all.

    During a run this is the way to press a key: pilot.press and pilot.pause() wait until the
    process's CPU goes idle, which a run's training thread keeps from happening, so each of
    them then lasts its full second."""
    for key in keys:
        pilot.app.post_message(key_event(key))
    await pilot.pause(0)


async def resize_now(pilot, width: int, height: int) -> None:
    """pilot.resize_terminal without its idle wait (see type_fast: during a run it lasts a
    full second); the screen takes the size a moment later (wait for it with until)."""
    pilot.app._driver._size = Size(width, height)
    pilot.app.post_message(events.Resize(Size(width, height), Size(width, height)))
    await pilot.pause(0)


async def until(pilot, check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Wait until ``check()`` holds (checked every 20 ms, at most ``timeout`` seconds of wall
    time: generous for a loaded machine) and say whether it does; the caller asserts it.
    Unlike pilot.pause(), this does not wait for a run's thread to go idle."""
    end = time.monotonic() + timeout
    while not check() and time.monotonic() < end:
        await pilot.pause(0.02)
    return check()
