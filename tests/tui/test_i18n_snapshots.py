"""The screen in Chinese: snapshots at three sizes, the published numbers unchanged, and the
palette's language switch both ways.

Baselines live in tests/tui/__snapshots__ (regenerate with ``pytest --snapshot-update`` after a
deliberate layout change, and read the SVGs' text for a cut ``…`` or an overlap first). The
language is process-wide, so every test here restores English when it ends.
"""

from __future__ import annotations

import pytest

from bptui import i18n
from tests.tui.helpers import (
    NUMBER,
    make_app,
    n_presses,
    panel,
    screen_text,
    status,
    type_fast,
    until,
)

# how snap_compare reaches each step: many presses of n in fewer keys (tests.tui.helpers
# n_presses; at 100x32 the network panel's scroll needs the last 3 and 7 presses for real)
STEPS = {
    "start": {},  # net_h1, the first sub-step
    "total_error": {"press": ["right_square_bracket"] + ["n"] * 2},  # E_total = 0.298371109
    "dE_dout_h1": n_presses(21, real=3),  # a hidden unit's error: the SUM of what comes back
    "update_w1": n_presses(35, real=7),  # w1 updated, the table half filled in
}


@pytest.fixture
def chinese():
    """Chinese, as ``LANG=zh_CN.UTF-8`` gives it on a machine with only C.UTF-8 installed."""
    i18n.set_language(i18n.language_from_env({"LANG": "zh_CN.UTF-8"}))
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("size", [(120, 40), (100, 32), (80, 24)],
                         ids=["120x40", "100x32", "80x24"])
@pytest.mark.parametrize("step", list(STEPS))
def test_chinese_screens(snap_compare, chinese, step, size):
    assert snap_compare(make_app(), **STEPS[step], terminal_size=size)


def test_chinese_help(snap_compare, chinese):
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(100, 32))


def _result(app) -> float:
    for line in panel(app, "equation").splitlines():
        if line.startswith("结果"):
            return float(NUMBER.search(line.split(" = ", 1)[1]).group(0))
    raise AssertionError(panel(app, "equation"))


async def test_the_2_2_2_in_chinese_has_the_published_numbers(chinese):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in STEPS["total_error"]["press"]:
            await pilot.press(key)
        await pilot.pause()
        eq = panel(app, "equation")
        assert "E_total = E_o1 + E_o2" in eq  # symbols are never translated
        assert round(_result(app), 9) == 0.298371109  # Mazur's published total error
        assert "原因      这个样本的误差是所有输出神经元各项之和" in eq
        assert "第 1/" in status(app) and "损失" in status(app)
        shown = screen_text(app)
        assert "╭─ 公式 " in shown and "╭─ 网络 " in shown and "n 下一步" in shown
        assert "Mazur 的 2-2-2" in shown  # the built-in's title_zh


def found(app, command: str) -> bool:
    """The command palette is open and its highlighted line is ``command``."""
    from textual.command import CommandList

    lists = app.screen.query(CommandList)
    if not lists or lists.first().highlighted is None:
        return False
    option = lists.first().highlighted_option
    return option is not None and command in str(option.prompt)


async def test_the_palette_switches_the_language_both_ways():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_fast(pilot, ["n"] * 14)  # ∂E/∂w5, the chain rule
        await pilot.pause()
        before = panel(app, "equation")
        assert before.startswith("rule") and "∂net_o1/∂w5 is out_h1" in before
        try:
            for want in ("zh", "en"):
                await pilot.press("ctrl+p")
                await pilot.pause()
                await type_fast(pilot, list("English / 中文"))
                assert await until(pilot, lambda: found(app, "English / 中文"))
                await pilot.press("enter")
                assert await until(pilot, lambda w=want: app.screen is app.main
                                   and i18n.language() == w), want
                await pilot.pause()
                assert i18n.language() == want
                eq = panel(app, "equation")
                shown = screen_text(app)
                if want == "zh":
                    assert eq.startswith("公式") and "∂net_o1/∂w5 等于 out_h1" in eq
                    assert "╭─ 公式 " in shown and "q 退出" in shown and "第 15/39 步" in shown
                else:
                    assert eq == before  # English again, byte for byte
                    assert "╭─ Equation " in shown and "q Quit" in shown
                    assert "step 15 of 39" in shown
        finally:
            i18n.set_language("en")
