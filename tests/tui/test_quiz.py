"""Pilot tests of quiz mode (k, --quiz): predict the number, then reveal it."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from bptui import cli
from bptui import scenario as scn
from bptui.events import KINDS
from bptui.tui.app import BackpropApp
from bptui.tui.commands import StepCommands
from tests.tui.helpers import make_app, panel, result_of, screen_text, status, until

# Mazur's published numbers (shared/sources/003)
E_TOTAL = "0.298371109"
DELTA_O1, DELTA_O2 = 0.138498562, -0.038098237  # δ_o1, δ_o2 as published
W5, W6, W7 = 0.40, 0.45, 0.50
DE_DOUT_O1 = 0.7413650  # ∂E/∂out_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507)


def quiz_app(kinds=KINDS) -> BackpropApp:
    return BackpropApp(scn.load("mazur_2_2_2"), quiz_kinds=frozenset(kinds))


def asking(app) -> bool:
    return app.main.quiz.open is not None


def message(app) -> str:
    return app.main.query_one("#quiz-message").render().plain


async def goto_symbol(pilot, symbol: str) -> None:
    """Step to ``symbol``, skipping the questions on the way (ctrl+s, then n). There, a
    question's box takes the keyboard after the screen's next refresh: wait for it (a pause
    alone was sometimes too soon on a loaded machine). (The keys stay pilot.press: typed
    without its idle waits, an answer was sometimes marked without its mistake's name.)"""
    app = pilot.app
    for _ in range(60):
        if app.cursor.event.symbol == symbol:
            await pilot.pause()
            box = app.main.query_one("#quiz-input")
            assert await until(pilot, lambda b=box: not asking(app) or app.focused is b), (
                app.focused)
            return
        if asking(app):
            await pilot.press("ctrl+s")
        await pilot.press("n")
    raise AssertionError(f"never reached {symbol}")


async def answer(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_published_total_error_is_marked_right():
    app = quiz_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await goto_symbol(pilot, "E_total")
        assert asking(app)
        eq = panel(app, "equation")
        assert "E_total = ?" in eq and "0.2748110832 + 0.02356002558" in eq  # the numbers stay
        assert "0.2983711088" not in screen_text(app)  # the result is nowhere on screen
        assert app.focused is app.main.query_one("#quiz-input")
        await answer(pilot, E_TOTAL)
        assert not asking(app)
        assert message(app).startswith("✓ right")
        symbol, value = result_of(app)
        assert symbol == "E_total" and round(value, 9) == 0.298371109
        score = app.main.quiz.quiz.score
        assert score.first_try == 1 and score.wrong == 0
        assert "quiz: 1 right" in status(app)


async def test_wrong_weight_in_sum_and_sign_flip_are_named_and_counted():
    app = quiz_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await goto_symbol(pilot, "dE/dout_o1")
        revealed_before = app.main.quiz.quiz.score.revealed
        await answer(pilot, f"{-DE_DOUT_O1:.7f}")  # the sign flipped
        assert asking(app)  # still open: the learner may try again
        text = message(app)
        # only that it is wrong, and which lab mistake computes it: never the right value
        assert text.startswith("✗ -0.741365") and "not right" in text
        assert "gradient-ascent" in text and "0.7413650696" not in text
        await pilot.press("ctrl+a", "ctrl+k")
        await answer(pilot, f"{DE_DOUT_O1:.7f}")  # then right
        assert not asking(app) and message(app).startswith("✓ right")

        await goto_symbol(pilot, "dE/dout_h1")
        wrong = DELTA_O1 * W5 + DELTA_O2 * W5  # w5 where w7 belongs
        await answer(pilot, f"{wrong:.9f}")
        text = message(app)
        assert "wrong-weight-in-sum" in text and text.startswith("✗ 0.04016")
        assert "0.03635030639" not in text  # the right value only when revealed
        score = app.main.quiz.quiz.score
        assert score.wrong == 2  # both wrong answers counted
        assert score.after_hint == 1  # right after a wrong try (no first-try credit)
        assert score.first_try == 0 and score.revealed > revealed_before  # skipped on the way
        assert (f"quiz: 0 right first try, 1 after a hint or retry, {score.revealed} revealed"
                in status(app))  # one wording everywhere


async def test_hint_then_right_counts_after_a_hint_and_skip_reveals():
    app = quiz_app({"grad"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await goto_symbol(pilot, "dE/dw5")
        assert asking(app) and "∂E/∂w5 = ?" in panel(app, "equation")
        assert "ctrl+t hint" in screen_text(app) and "ctrl+s skip" in screen_text(app)
        await pilot.press("ctrl+t")
        await pilot.pause()
        hints = [message(app)]
        for _ in range(3):
            await pilot.press("ctrl+t")
            await pilot.pause()
            hints.append(message(app))
        # a ladder, each rung new: the rule, the numbers, the first factor worked out
        assert hints[0].startswith("hint 1 of 3, the rule: ∂E/∂w5 = ∂E/∂out_o1 · ")
        assert hints[1].startswith("hint 2 of 3, the numbers: ∂E/∂w5 = 0.7413650696 · ")
        # the rule's tree is δ_o1 · out_h1: its first factor worked out is δ_o1, Mazur's
        # published 0.138498562 (= the first two factors of hint 2 multiplied), not yet shown
        worked = re.match(r"hint 3 of 3, worked: the first factor is δ_o1 = ([0-9.]+);",
                          hints[2])
        assert worked and round(float(worked[1]), 9) == 0.138498562
        assert worked[1] not in hints[0] + hints[1]
        assert hints[3] == "no more hints: ctrl+s reveals the answer"
        assert len(set(hints)) == 4 and not any("0.0821670" in h for h in hints)
        assert asking(app)  # a hint does not answer
        await answer(pilot, "0.082167041")  # published
        score = app.main.quiz.quiz.score
        assert (score.first_try, score.after_hint, score.revealed) == (0, 1, 0)
        await pilot.press("n")  # dE/dw6: skip reveals it
        assert asking(app) and "∂E/∂w6 = ?" in panel(app, "equation")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not asking(app)
        assert message(app).startswith("revealed: ∂E/∂w6 = 0.08266762785")
        assert result_of(app)[0] == "∂E/∂w6"
        assert app.main.quiz.quiz.score.revealed == 1
        assert "1 after a hint or retry, 1 revealed" in status(app)


async def test_moving_on_without_answering_counts_as_revealed():
    app = quiz_app({"grad"})
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await goto_symbol(pilot, "dE/dw5")
        assert app.focused is app.main.query_one("#quiz-input")
        await pilot.press("n")  # the box is empty: n steps (issue 12), it is not typed
        assert app.cursor.event.symbol == "dE/dw6"
        assert app.main.query_one("#quiz-input").value == ""
        assert app.main.quiz.quiz.score.revealed == 1
        assert any("moved on without answering: ∂E/∂w5 = 0.08216704056" in n.message
                   for n in app._notifications)
        await pilot.press("escape", "p")  # back to dE/dw5: settled, shown, not asked again
        assert app.cursor.event.symbol == "dE/dw5" and not asking(app)
        assert round(result_of(app)[1], 9) == 0.082167041


async def test_only_the_chosen_kinds_are_asked_and_the_epoch_sums_up():
    app = quiz_app(cli.build_parser().parse_args(["--quiz", "grad,update"]).quiz)
    asked = []
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        for _ in range(39):
            if asking(app):
                asked.append(app.cursor.event)
                await pilot.press("ctrl+s")
            await pilot.press("n")
        await pilot.pause()
        assert "epoch 2 of" in status(app)
        assert any("epoch 1 done. quiz: 0 right first try, 0 after a hint or retry, 16 revealed"
                   in n.message for n in app._notifications)
    kinds = {ev.kind for ev in asked}
    assert kinds == {"grad", "update"}
    assert len(asked) == 16  # 8 gradients and 8 updates in Mazur's first epoch


async def test_k_toggles_quiz_mode_and_the_palette_offers_presets():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "k Quiz" in screen_text(app)  # in the footer
        await pilot.press("k")
        assert app.main.quiz.on and asking(app)  # net_h1 is asked at once
        assert "net_h1 = ?" in panel(app, "equation")
        await pilot.press("escape", "k")
        assert not app.main.quiz.on and not asking(app)
        assert "net_h1 = 0.3775" in panel(app, "equation")
        provider = StepCommands(app.main)
        hits = {hit.text: hit for hit in [h async for h in provider.discover()]}
        assert "Quiz mode on or off" in hits and "Where does this number come from" in hits
        assert "Quiz only: gradients and updates" in hits
        hits["Quiz only: gradients and updates"].command()
        await pilot.pause()
        assert app.main.quiz.on and app.main.quiz.kinds == {"grad", "update"}
        assert not asking(app)  # net_h1 is not a gradient


def test_command_line_quiz_option(monkeypatch, capsys):
    seen = {}

    def fake_run(self):
        seen["kinds"] = self.main.quiz.kinds
        seen["on"] = self.main.quiz.on

    monkeypatch.setattr(BackpropApp, "run", fake_run)
    monkeypatch.setattr(cli, "_has_terminal", lambda: True)  # pytest's streams are not one
    assert cli.main(["mazur_2_2_2", "--quiz", "grad,update"]) == 0
    assert seen == {"kinds": {"grad", "update"}, "on": True}
    assert capsys.readouterr().out.startswith("quiz: 0 right first try")


@pytest.mark.parametrize("bad", ["gard", "", "grad,,bogus"])
def test_command_line_rejects_unknown_kinds(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["mazur_2_2_2", "--quiz", bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "bptui: error:" in err and "--quiz" in err and "grad, update" in err


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(60, 18), (80, 24), (100, 32)], ids=str)
async def test_the_score_fits_the_status_line_with_its_numbers(lang, size):
    """At 80x24 the status line ended "quiz: 0 right first try, 0 after a" and in Chinese
    at 60x18 "测验：一次答对" with no number: the score takes fewer words where the line is
    narrow, and always shows its three numbers."""
    from bptui import i18n

    i18n.set_language(i18n.language_from_env(
        {"LANG": "zh_CN.UTF-8" if lang == "zh" else "C.UTF-8"}))
    try:
        app = make_app("mazur_2_2_2")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("k")
            await pilot.pause()
            bar = app.main.query_one("#status")
            line = bar.line(app.main.view).plain
            assert cell_len(line) <= size[0] and "…" not in line.split("│", 1)[1], line
            score = line.rsplit("│", 1)[1]
            assert len(re.findall(r"\d+", score)) == 3, line
    finally:
        i18n.set_language("en")
