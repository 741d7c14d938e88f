"""A learner's numbers for a computational graph on the screen: ✓ ✗ → beside the graph's
values, the status-line count, J to the first wrong value with both rules, and the graph view
of a layered scenario saying which sample it shows."""

from __future__ import annotations

import json

from bptui import scenario as scn
from bptui.compare import check_file
from bptui.tui.app import BackpropApp
from tests.tui.helpers import panel, status

BIG = (140, 50)


async def test_graph_marks_jump_and_both_rules(tmp_path):
    path = tmp_path / "mine.jsonl"
    # a = 2, b = -3, c = 10, f = -2: n1 = a·b = -6 (written -5), n2 = n1 + c carried forward
    path.write_text("".join(json.dumps({"symbol": s, "value": v}) + "\n" for s, v in
                            [("n1", -5.0), ("n2", 5.0), ("∂L/∂a|via n1", 6.0)]),
                    encoding="utf-8")
    g = scn.load("micrograd_expression")
    app = BackpropApp(g, learner=check_file(g, str(path)))
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        assert "yours: 1 ✓ 1 ✗ 1 → 0 ?" in status(app)
        await pilot.press("n", "n", "n")  # past n1 and n2
        await pilot.pause()
        values = panel(app, "values")
        assert "✗ -5" in next(line for line in values.splitlines() if " n1 " in line)
        assert "→ 5" in next(line for line in values.splitlines() if " n2 " in line)
        await pilot.press("J")
        await pilot.pause()
        assert app.cursor.event.symbol == "n1"
        eq = panel(app, "equation")
        assert "n1 = 2·(-3) = -6" in eq  # the rule with the correct numbers
        assert "you wrote n1 = -5: wrong" in eq


async def test_the_graph_view_of_samples_one_at_a_time_says_which_sample():
    app = BackpropApp(scn.load("softmax_xor_2_3_2"))
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        app.main.action_toggle_graph()
        await pilot.pause()
        assert "sample 1 of 4" in app.main.cursor.scenario.title
        assert any("--graph shows sample 1 of 4" in n.message for n in app._notifications)
