"""Snapshot tests of the drawn network: the 2-2-2, the 2-3-1 and a dense 12-12 layer, wide
(120x40) and small (80x24), in colour and in monochrome (NO_COLOR), and on the light theme.

Baselines live in tests/tui/__snapshots__; regenerate with ``pytest --snapshot-update``
after a deliberate change to the drawing, and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import DATA, make_app, n_presses

DENSE = str(DATA / "dense_12_12.toml")

# (scenario, sub-step shown, as that many presses of n reach it): each lights something
DRAWN = {
    "mazur_2_2_2": ("mazur_2_2_2", 21),  # ∂E/∂out_h1: δ flows back along w5 and w7
    "two_three_one": ("two_three_one", 6),  # net_y: every edge into y
    "dense_12_12": (DENSE, 40),  # a gradient in the middle of the 12-12 layer
}


@pytest.mark.parametrize("colour", ["colour", "mono"])
@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("name", list(DRAWN))
def test_drawn_network(snap_compare, monkeypatch, name, size, colour):
    if colour == "mono":
        monkeypatch.setenv("NO_COLOR", "1")
    scenario, step = DRAWN[name]
    assert snap_compare(make_app(scenario), **n_presses(step), terminal_size=size)


def test_drawn_network_on_the_light_theme(snap_compare):
    def light(pilot):
        pilot.app.theme = "textual-light"

    assert snap_compare(make_app(), **n_presses(35, before=light), terminal_size=(120, 40))
