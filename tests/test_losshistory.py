"""The screen's loss history: 8 bytes an epoch, handed to panels without a copy, bounded.

Issue 13 (memory bounded for any N) and issue 14 (a key press must not copy every epoch's loss).
"""

from __future__ import annotations

import dataclasses
import tracemalloc

import pytest

from bptui import cursor as cursor_module
from bptui.cursor import MAX_EPOCHS, Cursor
from bptui.losshistory import LossHistory
from bptui.scenario import load


def test_a_prefix_keeps_what_it_was_given():
    h = LossHistory([3.0, 2.0, 1.0])
    p = h.upto(2)
    h.append(0.5)
    assert list(p) == [3.0, 2.0] and len(p) == 2 and p[-1] == 2.0
    h.truncate(1)  # a run restarted from epoch 2: the old window still reads its values
    h.extend([9.0, 8.0])
    assert list(p) == [3.0, 2.0] and h[:] == [3.0, 9.0, 8.0]
    assert p[:1] == [3.0] and p[::-1] == [2.0, 3.0]
    with pytest.raises(IndexError):
        p[2]


def test_a_long_screen_run_keeps_8_bytes_an_epoch():
    from bptui import losshistory

    s = dataclasses.replace(load("linear_chain_1_1_1"), epochs=20_001)
    c = Cursor(s)
    tracemalloc.start()
    try:
        c.run()
        kept = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, losshistory.__file__)])
    finally:
        tracemalloc.stop()
    assert len(c.losses) == s.epochs
    held = sum(stat.size for stat in kept.statistics("filename"))
    # a list of Python floats was 32 bytes an epoch; the array is 8 (and grows by ~1/16)
    assert 8 * s.epochs <= held < 10 * s.epochs


def test_the_snapshots_of_a_tiny_net_stay_under_their_budget():
    """A snapshot of a 1-1-1 net is 3 numbers but about a kilobyte of objects: the spacing
    counts the objects, so a file of 10**9 epochs cannot fill memory with snapshots."""
    s = dataclasses.replace(load("linear_chain_1_1_1"), epochs=10**9)
    c = Cursor(s)
    assert c.snapshot_every * cursor_module.SNAPSHOT_BUDGET >= \
        min(s.epochs, MAX_EPOCHS) * cursor_module.SNAPSHOT_OVERHEAD


def test_a_view_shares_the_history_instead_of_copying_it():
    from bptui.tui.view import make_view

    c = Cursor(load("mazur_2_2_2"))
    c.run(50)
    v = make_view(c)
    assert v.losses._a is c.losses._a and len(v.losses) == len(c.losses)
    assert list(v.shown_losses) == c.losses[: v.completed]


def test_the_screen_stops_at_its_epoch_limit(monkeypatch):
    monkeypatch.setattr(cursor_module, "MAX_EPOCHS", 40)
    s = dataclasses.replace(load("linear_chain_1_1_1"), epochs=10**12)
    c = Cursor(s)
    assert c.last_epoch == 40
    c.run()
    assert c.epoch == 40 and c.at_end and len(c.losses) == 40
    assert MAX_EPOCHS == 10_000_000  # the README's guarantee names this figure
