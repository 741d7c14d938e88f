"""Snapshots are taken once the screen has settled.

pytest-textual-snapshot takes its picture after one ``pilot.pause()``, which ends at the first
5 ms slice in which the process used under 1 ms of CPU. Some key presses change the screen in
a chain of frames (a panel's widest line grows, its box gains a scroll bar, the box beside it
shrinks and the drawn network is laid out again for its new room), and on a machine busy with
other work the process can look idle between two links of the chain: the picture then shows
a layout half done (seen once: the Chinese 2-2-2 at 100x32 after w1's update). Every
snapshot's key presses end with ``wait:80``, Textual's own pseudo-key: 80 ms in which the
app's event loop runs what is still queued, before the plugin's pauses and the picture.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def snap_compare(snap_compare):
    def compare(app, press=(), terminal_size=(80, 24), run_before=None) -> bool:
        return snap_compare(app, press=[*press, "wait:80"], terminal_size=terminal_size,
                            run_before=run_before)

    return compare
