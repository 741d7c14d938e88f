"""Pilot tests of the export key (x): Markdown in the working folder, never overwritten."""

from __future__ import annotations

import os

from bptui.tui.commands import StepCommands
from tests.tui.helpers import make_app


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_x_twice_writes_two_files_and_overwrites_neither(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mazur_2_2_2.md").write_text("the learner's own notes\n")  # already there
    app = make_app(mistake="gradient-ascent")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
    assert (tmp_path / "mazur_2_2_2.md").read_text() == "the learner's own notes\n"
    made = sorted(p.name for p in tmp_path.iterdir() if p.name != "mazur_2_2_2.md")
    assert made == ["mazur_2_2_2-2.md", "mazur_2_2_2-3.md"]
    first, second = (tmp_path / n for n in made)
    text = first.read_text()
    assert text.startswith("# Mazur") and text == second.read_text()
    assert "gradient-ascent" in text  # the mistake switched on is in the document
    assert "0.298371109" in text or "0.2983711088" in text  # the worked numbers are in it
    said = messages(app)
    assert any(str(first) in m for m in said) and any(str(second) in m for m in said)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


async def test_an_unwritable_folder_is_a_message_not_a_crash(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working folder no longer exists
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert app.is_running and app.screen is app.main
        await pilot.press("n")  # still steps
        assert app.cursor.index == 1
    assert any(m.startswith("export failed:") for m in messages(app))
    os.chdir(tmp_path)


async def test_export_is_in_the_palette_and_help():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        names = [hit.text async for hit in StepCommands(app.main).discover()]
        assert "Export to Markdown" in names and "Where does this number come from" in names
        await pilot.press("question_mark")
        await pilot.pause()
        from tests.tui.helpers import screen_text

        text = screen_text(app)
        assert "export the worked example" in text and "where the current number" in text
        assert "quiz mode on or off" in text
