"""The learner's settings at hand: change them (never the file), reload, open, copy, save as
a new file, export from the current epoch, screenshot into the working folder; and the quiz
box that lets navigation keys through while it is empty."""

from __future__ import annotations

from pathlib import Path

from bptui import scenario as scn
from bptui.tui.app import BackpropApp
from tests.tui.helpers import make_app, panel, screen_text, status, type_fast, until

SCENARIOS = scn.BUILTIN_FOLDER


def own_copy(tmp_path: Path) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text((SCENARIOS / "mazur_2_2_2.toml").read_text())
    return path


async def type_into_dialog(pilot, text: str) -> None:
    """The text in one burst (type_fast: a tmp path is 70 keys), then enter pressed."""
    await pilot.pause()
    await type_fast(pilot, list(text))
    await pilot.press("enter")
    await pilot.pause()


async def test_learning_rate_from_the_palette_restarts_and_never_writes_the_file(tmp_path,
                                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = own_copy(tmp_path)
    before = path.read_text()
    app = BackpropApp(scn.load(str(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n", "n")
        app.main.action_set_learning_rate()
        await type_into_dialog(pilot, "0.1")
        assert app.cursor.scenario.learning_rate == 0.1 and app.cursor.at_start
        assert "changed: η 0.5 → 0.1" in status(app)
        assert "η = 0.1" in panel(app, "updates")
        app.main.action_save_settings()
        await pilot.pause()
        saved = tmp_path / "mine-changed.toml"
        assert saved.exists() and scn.load(str(saved)).learning_rate == 0.1
        assert path.read_text() == before  # the opened file is never written
        app.main.action_save_settings()  # never over an existing file
        await pilot.pause()
        assert (tmp_path / "mine-changed-2.toml").exists()
        app.main.action_set_mode()
        await type_into_dialog(pilot, "batch mean")
        assert app.cursor.scenario.mode == "batch" and app.cursor.scenario.reduction == "mean"
        assert "mode sample → batch" in status(app)


async def test_ctrl_r_reloads_at_the_same_step_and_keeps_the_old_scenario_on_a_broken_file(
        tmp_path):
    path = own_copy(tmp_path)
    app = BackpropApp(scn.load(str(path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("n", "n", "n")
        path.write_text(path.read_text().replace("learning_rate = 0.5", "learning_rate = 0.25"))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.cursor.scenario.learning_rate == 0.25
        assert "step 4 of 39" in status(app)
        path.write_text(path.read_text().replace("learning_rate = 0.25", "learning_rat = 0.25"))
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.cursor.scenario.learning_rate == 0.25 and "step 4 of 39" in status(app)
        assert any("reload failed" in str(n.message) and "learning_rat" in str(n.message)
                   for n in app._notifications)


async def test_y_copies_the_step_and_a_picked_value_can_be_copied():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        assert "net_h1" in app.clipboard and "0.3775" in app.clipboard
        await pilot.press("tab")  # the updates panel takes the keyboard: its last row, w8
        await pilot.press("y")
        assert app.clipboard == "0.55"
        await pilot.press("tab")  # then the values panel: the current value
        await pilot.press("y")
        assert app.clipboard == "0.3775"
        await pilot.press("escape")
        app.main.action_copy_latex()
        assert "\\" in app.clipboard or "_" in app.clipboard


async def test_open_another_builtin_scenario():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.action_open_scenario()
        await type_into_dialog(pilot, "two_three_one")
        assert app.cursor.scenario.name == "two_three_one"
        assert "step 1 of 40" in status(app)


async def test_x_exports_from_the_current_epoch(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("e", "n")  # epoch 2
        await pilot.press("x")
        await pilot.pause()
        text = (tmp_path / "mazur_2_2_2.md").read_text()
        assert "Exported from epoch 2" in text
        assert "0.3589164797" in text  # w5 as epoch 2 starts (Mazur's w5⁺)


async def test_screenshot_goes_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.deliver_screenshot()
        def said() -> bool:  # a notice is a message: handled a moment after the file
            return any("screenshot saved to" in str(n.message)
                       and tmp_path.name in str(n.message) for n in app._notifications)

        for _ in range(200):
            if list(tmp_path.glob("*.svg")) and said():
                break
            await pilot.pause(0.05)
        assert list(tmp_path.glob("*.svg")) and said()


async def test_navigation_keys_pass_through_the_empty_quiz_box():
    app = BackpropApp(scn.load("mazur_2_2_2"), quiz_kinds=frozenset({"net"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        box = app.main.query_one("#quiz-input")
        assert app.main.quiz.open is not None
        await pilot.press("n", "n")
        assert box.value == "" and app.cursor.index > 0
        for _ in range(10):  # on to the next question (net_h2)
            if app.main.quiz.open is not None:
                break
            await pilot.press("n")
        assert app.main.quiz.open is not None
        # the box takes the keyboard after the next refresh: on a busy machine later than a
        # pause that only waits for the process to look idle
        assert await until(pilot, lambda: app.focused is box)
        await pilot.press("0", ".", "5", "n")  # once the box has text, every key types
        assert box.value == "0.5n"


async def test_gradient_check_panel_states_its_rule_and_follows_epsilon():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        text = panel(app, "gradcheck")
        assert "pass when relative error < 1e-6" in text and "8 of 8 gradients agree" in text
        app.main.action_set_epsilon()
        await type_into_dialog(pilot, "0.1")
        assert "from 1e-07 to 0.003" in screen_text(app)  # refused, with the range
        await pilot.press(*["backspace"] * 3)
        await type_into_dialog(pilot, "0.003")
        text = panel(app, "gradcheck")
        assert "ε = 0.003, pass when relative error < 1.8e-5" in text  # 2·ε²
        assert "8 of 8 gradients agree" in text


async def test_served_open_offers_built_ins_only(tmp_path):
    """Under --serve (app.is_web; app.served stands in for it here) a viewer must not read
    the server's files: a path is refused, a built-in opens."""
    path = own_copy(tmp_path)
    app = make_app()
    app.served = True
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.action_open_scenario()
        await pilot.pause()
        assert app.screen.prompt.startswith("Open a built-in scenario (")
        await type_into_dialog(pilot, str(path))
        assert app.cursor.scenario.name == "mazur_2_2_2" and app.cursor.scenario.path != str(path)
        assert any("only built-in scenarios" in str(n.message) for n in app._notifications)
        app.main.action_open_scenario()
        await type_into_dialog(pilot, "two_three_one")
        assert app.cursor.scenario.name == "two_three_one"
