"""A panel whose body changes height is scrolled in the same frame that shows the new text
(panel.Box._scroll_ahead), not one refresh later; and a run of the screen makes its snapshots'
memory ready on the other core (Cursor.make_snapshots_ready), which changes no number."""

from __future__ import annotations

import threading

import numpy as np

from bptui import scenario as scn
from bptui.cursor import Cursor
from tests.tui.helpers import make_app, settle, status


def _marker_in_view(box) -> bool:
    region = box.body.current_region()
    top = round(box.scroll_y)
    return region is not None and top <= region.y < top + box.scrollable_content_region.height


async def test_the_first_frame_after_a_run_shows_the_values_marker():
    """At the end of a run on the 1000-100-10 the Values panel grows from step 1's few lines
    to the last step's, with ▶ below the box's first screenful: the first frame painted
    after the run shows ▶ already (it was shown a frame later, after a scroll)."""
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        box = screen.query_one("#values")
        paint = screen._compositor_refresh
        seen: list[bool] = []

        def watched_paint() -> None:
            paint()
            if not app.main.running and app.cursor.at_end and not seen:
                seen.append(_marker_in_view(box))

        screen._compositor_refresh = watched_paint
        await pilot.press("r")
        for _ in range(600):
            if seen:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert seen == [True]
        assert _marker_in_view(box)
        assert box._room_ahead == 0 and box.scroll_y <= box.max_scroll_y


def test_snapshots_made_ready_ahead_change_no_number_and_share_no_memory():
    s = scn.load("batch_relu_1000_100_10")
    plain, ready = Cursor(s), Cursor(s)
    ready.make_snapshots_ready(41, threading.Event())  # run(40) from epoch 1 trains to 41
    made = len(ready.spare)
    plain.run(40)
    ready.run(40)
    assert made == len(plain.snapshots) - 1 and not ready.spare  # exactly those it keeps
    # a second run over epochs that have their snapshots makes none ready
    again = Cursor(s)
    again.snapshots = dict(ready.snapshots)
    again.make_snapshots_ready(41, threading.Event())
    assert not again.spare
    assert plain.snapshots.keys() == ready.snapshots.keys() and len(plain.snapshots) > 1
    for epoch, p in plain.snapshots.items():
        q = ready.snapshots[epoch]
        for a, b in zip(p.weights + p.biases, q.weights + q.biases, strict=True):
            assert (a is None and b is None) or np.array_equal(a, b)
    arrays = [w for p in ready.snapshots.values() for w in p.weights]
    assert len({id(w) for w in arrays}) == len(arrays)  # no two snapshots share an array
    assert len({w.ctypes.data for w in arrays}) == len(arrays)
    assert plain.losses.upto(len(plain.losses)) == ready.losses.upto(len(ready.losses))


def test_a_small_network_makes_nothing_ready_and_a_stop_ends_the_making():
    small = Cursor(scn.load("mazur_2_2_2"))
    small.make_snapshots_ready(9_999, threading.Event())
    assert not small.spare  # a snapshot of 10 numbers is cheaper than a thread
    big = Cursor(scn.load("batch_relu_1000_100_10"))
    stop = threading.Event()
    stop.set()
    big.make_snapshots_ready(499, stop)
    assert not big.spare


async def test_a_tab_opened_by_its_number_follows_the_marker_until_a_line_is_picked():
    """At 80x24 the key 2 opens the Values tab and gives it focus (↑↓ ⏎ pick a line): it
    kept the line ▶ was on marked and in view, so that ▶ walked off the bottom at the next
    steps. It follows ▶ until the learner moves to a line."""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await settle(pilot)
        box = app.screen.query_one("#values")
        assert box.has_focus
        for _ in range(19):
            await pilot.press("n")
        await settle(pilot)
        assert _marker_in_view(box)
        lines = box.body.text.plain.split("\n")
        assert lines[box.body.selected].startswith("▶")  # the line marked is ▶'s
        await pilot.press("up")
        await settle(pilot)
        picked = box.body.selected
        assert picked is not None and not lines[picked].startswith("▶")
        for _ in range(10):
            await pilot.press("n")
        await settle(pilot)
        assert box.body.selected == picked  # the picked line stays picked while ▶ moves on
        await pilot.press("escape")
        await pilot.press("2")
        for _ in range(12):  # into the next epoch and on
            await pilot.press("n")
        await settle(pilot)
        assert "epoch 2 of" in status(app)
        assert box.has_focus and _marker_in_view(box)


async def test_a_large_networks_blocks_keep_their_marker_in_view_at_every_step():
    """The Network panel of the 1000-100-10 (one block of numbers per layer) gave the box no
    region to keep in view, so at 80x24 and 60x18 ▶ went below it from the backward pass on."""
    for size in ((80, 24), (60, 18)):
        app = make_app("batch_relu_1000_100_10")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#network")
            for step in range(15):
                await settle(pilot)
                region = box.body.current_region()
                assert region is not None, (size, step)
                top, rows = round(box.scroll_y), box.scrollable_content_region.height
                assert top <= region.y and region.bottom <= top + rows, (size, step)
                ev = app.cursor.event
                shown = box.body._lines[region.y]
                assert shown.startswith("▶") if ev.is_matrix else "=" in shown, (size, step)
                await pilot.press("n")
