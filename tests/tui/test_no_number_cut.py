"""A number on the screen is the whole number, whatever the panel's width.

At 100x32 (the smallest screen that shows every panel at once) the Updates table was wider
than its panel: it scrolled sideways and the panel's edge cut its numbers, so that a change
of 8.833873178e-6 read "8.833873" and one of 0.005263 read "0". The Values panel wrote a
norm of 2846412 as "2.84641e", and the blocks of a large network ended in "‖·‖ 1.2…".
Each panel now writes its numbers with as many significant digits as fit, never fewer than
three, and a line of numbers that cannot fit beside its name goes under it.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tests.tui.helpers import make_app

NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"


def lines_of(app, name: str) -> list[str]:
    return app.main.query_one(f"#{name}-body").plain.split("\n")


def room_of(app, name: str) -> int:
    return app.main.query_one(f"#{name}").scrollable_content_region.width


def close(shown: str, exact: float, digits: int = 3) -> bool:
    """``shown`` is ``exact`` to at least ``digits`` significant digits."""
    return math.isclose(float(shown), exact, rel_tol=0.51 * 10 ** (1 - digits), abs_tol=1e-300)


@pytest.mark.parametrize("name", ["two_three_one", "sigmoid_chain_1_1_1", "mazur_2_2_2"])
async def test_the_updates_table_fits_its_panel_with_whole_numbers(name):
    app = make_app(name)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("e")  # the epoch's last step: every parameter updated
        await pilot.pause()
        lines = lines_of(app, "updates")
        assert max(len(line) for line in lines) <= room_of(app, "updates")
        updates = [e for e in app.cursor.events if e.kind == "update"]
        assert updates
        for e in updates:
            name_shown = e.symbol.removesuffix("+")
            row = next(line for line in lines if line[2:].split(" ")[0] == name_shown)
            old, grad, new, change = re.findall(NUMBER, row[2 + len(name_shown):])
            assert close(old, float(e.old)) and close(grad, float(e.grad))
            assert close(new, float(e.value)), (row, e.value)
            assert close(change, float(e.value) - float(e.old)), (row, e.value - e.old)


async def test_a_large_networks_values_and_blocks_are_whole_at_100x32():
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        norms = {e.symbol: float(np.sqrt(np.sum(np.asarray(e.value) ** 2)))
                 for e in app.cursor.events if e.is_matrix}
        values = lines_of(app, "values")
        assert max(len(line) for line in values) <= room_of(app, "values")
        shown = 0
        for line in values:
            m = re.search(r"‖·‖ (" + NUMBER + r")\s*$", line)
            if m:
                shown += 1
                assert any(close(m.group(1), n, 6) for n in norms.values()), line
        assert shown >= 10
        blocks = lines_of(app, "network")
        assert max(len(line) for line in blocks) <= room_of(app, "network")
        assert not any("…" in line for line in blocks if "(· low … █ high)" not in line)
        found = [m.group(1) for line in blocks
                 for m in [re.search(r"‖·‖ (" + NUMBER + r")\s*$", line)] if m]
        assert len(found) >= 10
        for number in found:  # a norm of a matrix shown, or of the inputs
            assert any(close(number, n) for n in [*norms.values(),
                                                  *(float(np.linalg.norm(w)) for w
                                                    in app.cursor.start_params.weights),
                                                  float(np.linalg.norm(app.scenario.inputs))])


async def test_the_gradient_checks_columns_are_whole_at_60x18():
    """At 60x18 the gradient check's numerical column read "0.000438…"."""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(60, 18)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        body = app.main.query_one("#gradcheck-body")
        lines = body.plain.split("\n")
        room = app.main.query_one("#gradcheck").scrollable_content_region.width
        assert max(len(line) for line in lines) <= room and "…" not in body.plain
        rows = {row.name: row for row in body.report.rows}
        seen = 0
        for line in lines:
            parts = line.split()
            if parts and parts[0] in rows:
                seen += 1
                backprop, numeric = parts[-2:]
                assert close(backprop, rows[parts[0]].backprop, 7)
                assert close(numeric, rows[parts[0]].numeric, 7)
        assert seen == 8
