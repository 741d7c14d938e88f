"""A learner's file on the screen (issue 15, "On the screen"): ✓ ✗ → and their numbers in the
Values panel, a count on the status line, J to the first wrong value, both substituted rules
in the Equation panel, a palette command to load and unload a file, and the command line's
``--compare FILE --screen``.

The first wrong value of a stale-weights trace is found independently of the marking: the
first step whose value the mistake changes (engine with the mistake against without it).
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
from textual.widgets import Input

from bptui import scenario as scn
from bptui.compare import check_file
from bptui.engine import iter_epochs
from bptui.notation import fmt
from bptui.tui.app import BackpropApp
from tests.tui.helpers import panel, status, type_fast

ROOT = Path(__file__).resolve().parents[2]


def bptui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def stale_trace(tmp_path: Path) -> Path:
    """A trace written by the real command line with the stale-weights mistake on."""
    done = bptui("mazur_2_2_2", "--trace", "--mistake", "stale-weights")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "stale.jsonl"
    path.write_text(done.stdout, encoding="utf-8")
    return path


def first_changed():
    """(correct event, the mistake's event) of the first step stale-weights changes."""
    s = scn.load("mazur_2_2_2")
    mistaken = {(ev.sample, ev.symbol): ev for ev in iter_epochs(s, 1, "stale-weights")}
    for right in iter_epochs(s, 1):  # in the correct order of computation
        wrong = mistaken.get((right.sample, right.symbol))
        if wrong is not None and not np.allclose(right.value, wrong.value, rtol=1e-9, atol=0):
            return right, wrong
    raise AssertionError("stale-weights changes nothing")


def value_row(text: str, symbol: str) -> str:
    """The Values panel's row of a step, by its symbol as the panel writes it: one line, or
    the name's line and the value's under it (a value and the learner's number beside it
    that would not fit beside the name)."""
    for line in joined(text):
        if line[2:].startswith(symbol + " "):
            return line
    raise AssertionError(f"no row {symbol!r} in:\n{text}")


def joined(text: str) -> list[str]:
    """The Values panel's rows, a name's line and the value's under it (see value_row) as
    one."""
    rows: list[str] = []
    for line in text.splitlines():
        if rows and " " not in rows[-1][2:] and line.startswith("   "):
            rows[-1] += line
        else:
            rows.append(line)
    return rows


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_stale_weights_trace_marks_jump_key_and_both_rules(tmp_path):
    path = stale_trace(tmp_path)
    s = scn.load("mazur_2_2_2")
    right, wrong = first_changed()
    app = BackpropApp(s, learner=check_file(s, str(path)))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("J")
        await pilot.pause()
        ev = app.cursor.event
        assert (app.cursor.epoch, ev.sample, ev.symbol) == (1, right.sample, right.symbol)
        values = panel(app, "values")
        rows = [line for line in joined(values) if line.startswith(("▶", " "))
                and ("✓" in line or "✗" in line or "→" in line)]
        assert rows[-1].startswith("▶") and "✗" in rows[-1]  # the first wrong: ✗
        assert fmt(float(wrong.value)) in rows[-1]  # with the learner's number beside
        # whole on the screen: a row too long for the box has its value under the name
        # (the learner's numbers ran past the box's edge, which cut them)
        room = app.main.query_one("#values").scrollable_content_region.width
        assert max(len(line) for line in values.splitlines()) <= room, (room, values)
        assert len(rows) > 1 and all("✓" in r for r in rows[:-1])  # every value before: ✓
        eq = panel(app, "equation")
        correct_row = next(line for line in eq.splitlines() if line.startswith("correct"))
        yours_row = next(line for line in eq.splitlines() if line.startswith("yours"))
        assert correct_row.rstrip().endswith(f"= {fmt(float(right.value))}")
        assert "w5" not in correct_row and "0.4" in correct_row  # numbers, not symbols
        assert yours_row.split(None, 1)[1].startswith(right.equation.split(" = ")[0] + " = ")
        assert f"= {fmt(float(wrong.value))}: wrong" in eq
        assert "✗" in status(app) and "yours:" in status(app)


async def test_csv_net_off_by_a_hundredth_gives_one_wrong_and_one_carried_forward(tmp_path):
    net = 0.3775 + 0.01  # Mazur's published net_h1 = 0.3775, off by 0.01
    out = 1 / (1 + math.exp(-net))
    path = tmp_path / "mine.csv"
    path.write_text(f"symbol,value\nnet_h1,{net}\nout_h1,{out!r}\n", encoding="utf-8")
    s = scn.load("mazur_2_2_2")
    app = BackpropApp(s, learner=check_file(s, str(path)))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        assert "yours: 0 ✓ 1 ✗ 1 → 0 ?" in status(app)
        await pilot.press("J")
        await pilot.pause()
        assert app.cursor.event.symbol == "net_h1"
        await pilot.press("n")  # out_h1 is the next step
        await pilot.pause()
        values = panel(app, "values")
        assert "✗ 0.3875" in value_row(values, "net_h1")
        assert "→ " + fmt(out) in value_row(values, "out_h1")
        assert values.count("✗") == 1 and values.count("→") == 1
        assert "carried forward" in panel(app, "equation")


async def test_marks_follow_the_epoch_and_go_when_unloaded_from_the_palette(tmp_path):
    path = tmp_path / "two.jsonl"
    path.write_text('{"symbol": "net_h1", "value": 0.3775, "epoch": 1}\n'
                    '{"symbol": "net_h1", "value": 0.5, "epoch": 2}\n', encoding="utf-8")
    s = scn.load("mazur_2_2_2")
    app = BackpropApp(s, learner=check_file(s, str(path)))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert "✓" in value_row(panel(app, "values"), "net_h1")
        await pilot.press("J")  # the wrong value is in epoch 2
        await pilot.pause()
        assert (app.cursor.epoch, app.cursor.event.symbol) == (2, "net_h1")
        assert "✗ 0.5" in value_row(panel(app, "values"), "net_h1")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_fast(pilot, list("unload the learner"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.learner is None
        assert "✗" not in panel(app, "values") and "yours" not in status(app)
        assert "correct" not in panel(app, "equation")


async def test_palette_loads_a_file_and_a_bad_file_changes_nothing(tmp_path):
    good = stale_trace(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,value\nnet_h1,abc\n", encoding="utf-8")
    app = BackpropApp(scn.load("mazur_2_2_2"))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        assert not app.main.check_action("first_wrong", ())  # nothing loaded: no J
        for path in (bad, good):  # the text typed in bursts (type_fast), enter pressed
            await pilot.press("ctrl+p")
            await pilot.pause()
            await type_fast(pilot, list("load a learner"))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await type_fast(pilot, list(str(path)))
            await pilot.pause()
            assert app.screen.query_one(Input).value == str(path)
            await pilot.press("enter")
            await pilot.pause()
            if path is bad:
                assert app.main.learner is None
                line = notices(app)[-1]
                assert "bad.csv" in line and ":2" in line and "\n" not in line
                assert "yours" not in status(app)
        assert app.main.learner is not None and "yours:" in status(app)
        await pilot.press("J")
        await pilot.pause()
        assert app.cursor.event.symbol == first_changed()[0].symbol


async def test_served_screen_refuses_to_read_the_servers_files(tmp_path):
    app = BackpropApp(scn.load("mazur_2_2_2"))
    app.served = True
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        app.main.action_load_learner()
        await pilot.pause()
        assert app.screen is app.main  # no dialog asking for a path
        assert "must not read the server's files" in notices(app)[-1]


def test_screen_without_compare_and_with_several_files_are_one_line_errors(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("symbol,value\nnet_h1,0.3775\n", encoding="utf-8")
    for args in (["--screen"], ["--compare", str(path), str(path), "--screen"],
                 ["--compare", str(tmp_path / "missing.csv"), "--screen"]):
        done = bptui("mazur_2_2_2", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "--compare" in bptui("mazur_2_2_2", "--screen").stderr
    assert "one learner at a time" in bptui("mazur_2_2_2", "--compare", str(path), str(path),
                                             "--screen").stderr


async def test_a_changed_scenario_marks_the_file_again_or_unloads_it(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("symbol,value\nnet_h1,0.3775\n", encoding="utf-8")  # Mazur's published
    s = scn.load("mazur_2_2_2")
    app = BackpropApp(s, learner=check_file(s, str(path)))
    async with app.run_test(size=(140, 50)) as pilot:
        await pilot.pause()
        app.main.action_set_learning_rate()
        await pilot.pause()
        await pilot.press(*"0.1", "enter")  # net_h1 does not depend on η: still right
        await pilot.pause()
        assert app.cursor.scenario.learning_rate == 0.1
        assert app.main.learner is not None and "yours: 1 ✓ 0 ✗" in status(app)
        app.main.action_open_scenario()
        await pilot.pause()
        await type_fast(pilot, list("sigmoid_chain_1_1_1"))  # no net_h1 there
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.learner is None and "yours" not in status(app)
        assert "unloaded the learner's file" in notices(app)[-2]
