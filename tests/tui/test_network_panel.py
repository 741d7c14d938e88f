"""Pilot tests of the drawn network: a click asks where a value comes from, and the lit unit
or edge is always in view."""

from __future__ import annotations

import pytest

from bptui.tui.provenance import ProvenanceScreen
from tests.tui.helpers import make_app, result_of


def cell_of(body, ref) -> tuple[int, int]:
    """Where in the drawing a click means ``ref`` (the first such cell)."""
    for y, row in enumerate(body.picture.refs):
        for x, r in enumerate(row):
            if r == ref:
                return x, y
    raise AssertionError(f"{ref} is not drawn")


async def test_clicking_a_unit_or_an_edge_opens_where_its_value_comes_from():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(14):  # ∂E/∂w5: o1's net, out and δ are known
            await pilot.press("n")
        await pilot.pause()
        assert result_of(app)[0] == "∂E/∂w5"
        body = app.main.query_one("#network-body")
        net_o1 = next(e for e in app.main.cursor.events if e.symbol == "net_o1")
        x, y = cell_of(body, ("step", net_o1.position))
        assert await pilot.click("#network-body", offset=(x, y))
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceScreen)
        assert app.screen.prov.event.symbol == "net_o1"
        await pilot.press("escape")
        await pilot.pause()
        # the edge of w5: its gradient is the newest thing computed about it
        x, y = cell_of(body, ("param", 2, "weight", 0, 0, "w5"))
        assert await pilot.click("#network-body", offset=(x, y))
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceScreen)
        assert app.screen.prov.event.symbol == "dE/dw5"
        await pilot.press("escape")
        await pilot.pause()
        # the edge of w6: nothing computed yet, its value is the parameter itself
        x, y = cell_of(body, ("param", 2, "weight", 0, 1, "w6"))
        assert await pilot.click("#network-body", offset=(x, y))
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceScreen)
        assert app.screen.leaf.symbol == "w6" and app.screen.leaf.value == 0.45
        await pilot.press("escape")
        await pilot.pause()
        # an input: a leaf
        x, y = cell_of(body, ("data", "i1", 1))
        assert await pilot.click("#network-body", offset=(x, y))
        await pilot.pause()
        assert isinstance(app.screen, ProvenanceScreen)
        assert app.screen.leaf.symbol == "i1" and app.screen.leaf.value == 0.05


async def test_the_lit_unit_or_edge_is_always_in_view():
    app = make_app("softmax_xor_2_3_2")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.main.query_one("#network")
        body = app.main.query_one("#network-body")
        for _ in range(60):
            await pilot.press("n")
            await pilot.pause()
            f = body.picture.focus
            assert f is not None
            top, height = box.scroll_offset.y, box.scrollable_content_region.height
            assert top <= f.y and f.y + min(f.h, height) <= top + height, \
                (result_of(app), f, top, height)


async def test_the_blocks_of_a_large_network_never_cut_a_number():
    """The 1000-100-10's blocks at 120x40: once its scroll bar showed (the blocks are taller
    than the panel in the backward pass), a line of numbers was one column too wide and
    lost its last digit. Now the panel scrolls sideways to every line's end."""
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        box = app.main.query_one("#network")
        body = app.main.query_one("#network-body")
        for _ in range(len(app.cursor.events) + 1):
            await pilot.press("n")
            await pilot.pause()
            widest = max(len(line) for line in body.plain.split("\n"))
            seen = box.scrollable_content_region.width + box.max_scroll_x
            assert widest <= seen, (app.cursor.event.symbol, widest, seen)


@pytest.mark.parametrize("size", [(120, 40), (60, 18)], ids=str)
async def test_the_blocks_fit_their_panel_at_the_end_of_a_run(size):
    """After r on the 1000-100-10 at 120x40, the gradients are small and their numbers long
    (-0.001362, 9.945e-7): a line of four significant digits was two columns wider than the
    panel and its norm was cut at the panel's edge (the panel scrolls sideways only with the
    mouse). A panel's lines show three significant digits where four would not fit, and at
    60x18 (the Network tab) without the mean, the layers' legend saying so: there the norm
    2494 read "‖·‖ 2". No line is wider than the panel, and none is cut with "…"."""
    from tests.tui.helpers import settle, until

    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("1")  # the Network tab, where tabs show one panel at a time
        await pilot.pause()
        box = app.main.query_one("#network")
        body = app.main.query_one("#network-body")
        # a panel hidden during the run is drawn for its room once it is laid out again
        assert await until(pilot, lambda: body._width[0] == box.scrollable_content_region.width)
        for _ in range(len(app.cursor.events)):
            lines = body.plain.split("\n")
            assert max(len(line) for line in lines) <= box.scrollable_content_region.width
            assert not any("…" in line for line in lines if "(· low … █ high)" not in line)
            if size == (60, 18):
                assert " mean " not in body.plain and "(shape [min, max] ‖·‖)" in body.plain
            await pilot.press("p")
            await pilot.pause()
        assert app.cursor.epoch == app.cursor.last_epoch - 1


def test_a_matrix_line_keeps_four_digits_where_they_fit_and_three_where_not():
    import numpy as np

    from bptui.tui.text import STATS_FORMS, stats

    a = np.array([[-0.001362, 0.0008912], [9.945e-7 * 4 - 0.0008912 + 0.001362, 0.0]])
    assert STATS_FORMS[0] == (4, True)
    full = stats(a)
    assert "-0.001362" in full and " mean " in full
    short = stats(a, digits=3)
    assert "-0.00136," in short and len(short) < len(full)
    shortest = stats(a, digits=3, mean=False)
    assert " mean " not in shortest and len(shortest) < len(short)
    assert shortest.split("‖·‖ ")[1] == short.split("‖·‖ ")[1]
    # the numbers are the same numbers, rounded to three significant digits
    assert float(short.split("[")[1].split(",")[0]) == float(f"{a.min():.3g}")
