"""Pilot tests of the gradient check panel (c) and the mistake chooser (m)."""

from __future__ import annotations

from bptui.tui.lab import MistakeScreen
from tests.tui.helpers import BRACKETS, make_app, panel, result_of, status, type_fast


def check_rows(app) -> dict[str, str]:
    rows = {}
    for line in panel(app, "gradcheck").splitlines():
        parts = line.replace("▶", " ").split()
        if len(parts) >= 5 and parts[2] in ("✓", "✗") and "gradients" not in line:
            rows[parts[0]] = line
    return rows


async def test_gradient_check_opens_and_follows_the_learner():
    app = make_app(BRACKETS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert app.main.query_one("#gradcheck").display
        text = panel(app, "gradcheck")
        assert "on sample 1" in text and "8 of 8 gradients agree" in text
        rows = check_rows(app)
        assert set(rows) == {"W[1]", "W[2]", "W[3]", "W[4]", "b[1]", "b[/]", "V[1]", "V[/]"}
        assert all("ok ✓" in r for r in rows.values())
        first = rows["V[1]"]
        # the row of the current sub-step's parameter is marked as the learner steps
        while result_of(app)[0] != "∂E/∂V[1]":
            await type_fast(pilot, ["n"])  # handled before the next (no idle wait)
        await pilot.pause()
        assert "▶ V[1]" in panel(app, "gradcheck")
        # into sample 2: checked again at the parameters sample 2 starts from
        await pilot.press("s", "n")
        assert "sample 2 of 2" in status(app)
        assert "on sample 2" in panel(app, "gradcheck")
        assert check_rows(app)["V[1]"] != first
        await pilot.press("c")
        await pilot.pause()
        assert not app.main.query_one("#gradcheck").display


async def test_gradient_check_marks_the_gradients_a_mistake_breaks():
    app = make_app(mistake="gradient-ascent")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        rows = check_rows(app)
        assert len(rows) == 8 and all("FAIL ✗" in r for r in rows.values())
        assert "0 of 8 gradients agree; 8 FAIL" in panel(app, "gradcheck")


async def test_mistake_chooser_switches_a_mistake_on_and_off():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_fast(pilot, ["n"] * 14)
        await pilot.pause()
        assert result_of(app)[0] == "∂E/∂w5"
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MistakeScreen)
        await pilot.press("down", "down", "enter")  # the second mistake: gradient-ascent
        await pilot.pause()
        assert app.screen is app.main
        assert app.cursor.mistake == "gradient-ascent"
        assert "mistake: gradient-ascent" in status(app)
        assert "step 15 of 39" in status(app)  # the learner keeps their place
        eq = panel(app, "equation")
        # ∂E/∂w5's rule is the right one; its value is wrong because ∂E/∂out_o1 is: the
        # panel says so rather than show the same rule as "wrong ✗" and as "right ✓"
        assert "rule ✓" in eq and "should" in eq and "wrong ✗" not in eq
        assert "a number it uses is wrong: the mistake (gradient-ascent)" in " ".join(
            line[10:].strip() for line in eq.splitlines())
        # the wrong gradient has the opposite sign of the right one (published 0.082167041)
        lines = {line.split("  ")[0]: line for line in eq.splitlines()}
        wrong = float(lines["result ✗"].split("= ")[1].split()[0])
        right = float(lines["should"].split("= ")[1].split()[0])
        assert round(right, 9) == 0.082167041 and round(wrong, 9) == -0.082167041
        await pilot.press("p", "p", "p")  # ∂E/∂out_o1: the step whose rule the mistake changed
        await pilot.pause()
        assert app.cursor.event.symbol == "dE/dout_o1"
        eq = panel(app, "equation")
        assert "wrong ✗" in eq and "right ✓" in eq and "should" in eq and "rule ✓" not in eq
        lines = {line.split("  ")[0]: line for line in eq.splitlines()}
        assert lines["wrong ✗"].split(None, 2)[2] == "∂E/∂out_o1 = (target_o1 - out_o1)"
        assert lines["right ✓"].split(None, 2)[2] == "∂E/∂out_o1 = -(target_o1 - out_o1)"
        await pilot.press("n", "n", "n")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("home", "enter")  # back to "No mistake"
        await pilot.pause()
        assert app.cursor.mistake is None
        eq = panel(app, "equation")
        assert "wrong" not in eq and eq.startswith("rule")
        assert round(result_of(app)[1], 9) == 0.082167041


async def test_mistake_chooser_offers_only_what_applies():
    app = make_app("linear_chain_1_1_1")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        options = app.screen.query_one("#mistake-list")
        disabled = [o.id for o in options._options if o.disabled]
        assert "sigmoid-prime-of-net" in disabled  # the chain has no sigmoid
        texts = {o.id: str(o.prompt) for o in options._options}
        assert "does not apply: the network has no sigmoid unit" in texts["sigmoid-prime-of-net"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main and app.cursor.mistake is None


async def test_the_gradient_checks_epsilon_can_be_changed_from_the_palette():
    from bptui.tui.screens import EpsilonScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.main.run_action("set_epsilon")
        await pilot.pause()
        assert isinstance(app.screen, EpsilonScreen)
        await pilot.press("2", "enter")  # not between 0 and 1: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, EpsilonScreen)
        await pilot.press("backspace", *"1e-6", "enter")
        await pilot.pause()
        assert app.main.query_one("#gradcheck").display
        assert "ε = 1e-6" in panel(app, "gradcheck")
        assert "8 of 8 gradients agree" in panel(app, "gradcheck")
