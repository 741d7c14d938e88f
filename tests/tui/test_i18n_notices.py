"""The screen's notices, the drawn network's columns, the graph's reasons and Textual's own
words (footer "palette", the palette's system commands) in Chinese; English beside them."""

from __future__ import annotations

import pytest

from bptui import i18n
from tests.tui.helpers import make_app, panel, screen_text


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


async def test_notices_in_chinese(chinese, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app("micrograd_expression")  # no [training]: one epoch, quickly at its end
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")  # reload
        await pilot.press("e", "n")  # the end of the only epoch, then one more
        await pilot.press("x")  # export
        await pilot.pause()
        said = messages(app)
        assert "已重新加载 micrograd_expression" in said
        assert "训练已到终点：这是最后一轮的最后一个子步骤。按 home 回到开头。" in said
        assert any(m.startswith("已把计算实例（第 1 轮）以 Markdown 写入 ") for m in said), said
        exported = (tmp_path / "micrograd_expression.md").read_text(encoding="utf-8")
        assert "## 计算图" in exported and "## The graph" not in exported
        shown = screen_text(app)
        assert "^p 命令面板" in shown and "palette" not in shown
        why = panel(app, "equation")
        assert "原因" in why and "the backward pass" not in why


async def test_the_same_notices_stay_english(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app("micrograd_expression")
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r", "e", "n")
        await pilot.pause()
        said = messages(app)
        assert "reloaded micrograd_expression" in said
        assert ("training is at its end: this is the last sub-step of the last epoch. home "
                "goes back to the start.") in said
        assert "^p palette" in screen_text(app)


async def test_drawn_network_and_palette_in_chinese(chinese):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        drawn = panel(app, "network").splitlines()[0]
        assert drawn.split() == ["输入", "隐藏层", "(σ)", "输出层", "(σ)"], drawn
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"主题", "退出", "按键", "截图"} <= titles, titles
        await pilot.press("ctrl+p")
        for _ in range(50):
            await pilot.pause(0.1)
            if app.screen is not app.main:
                break
        from textual.command import CommandInput

        assert app.screen.query_one(CommandInput).placeholder == "搜索命令……"
        await pilot.press("escape")
        await pilot.pause()
