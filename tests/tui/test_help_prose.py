"""The help's prose wraps to its dialog as paragraphs.

It is written with hanging indents about 95 columns wide; at 80x24 each of its lines wrapped
again on its own, long and short lines in turn, and in Chinese a line could start with "，".
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.console import Console

from bptui import i18n
from bptui.tui.screens import READING, Paragraphs
from bptui.tui.text import NO_LINE_START, wrap_cells


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", [50, 66, 96])
def test_the_helps_prose_wraps_to_its_dialog(lang, width):
    i18n.set_language(i18n.language_from_env(
        {"LANG": "zh_CN.UTF-8" if lang == "zh" else "C.UTF-8"}))
    try:
        text = i18n._(READING)
    finally:
        i18n.set_language("en")
    console = Console(width=width, file=open("/dev/null", "w"))  # noqa: SIM115
    lines = ["".join(seg.text for seg in line)
             for line in console.render_lines(Paragraphs(text), pad=False)]
    assert max(cell_len(line) for line in lines) <= width
    assert not any(line.strip()[:1] in NO_LINE_START for line in lines if line.strip())
    assert "".join("".join(lines).split()) == "".join(text.split())  # no word lost
    # a paragraph's first line, then its next lines two columns further in
    first = next(k for k, line in enumerate(lines) if line.startswith(text.split("\n")[0][:8]))
    assert lines[first + 1].startswith("  ") and not lines[first + 1].startswith("   ")
    if width < 90:  # a paragraph is wrapped as one: no line but its last ends far short
        assert sum(cell_len(line) < width // 2 for line in lines if line.strip()) <= 6


def test_a_chinese_line_never_starts_with_closing_punctuation():
    text = "测验模式（k）：在所问种类的每一步，公式面板显示公式和代入的数值，但不显示结果；输入数值"
    for room in range(8, 40):
        lines = wrap_cells(text, room)
        assert "".join(lines) == text
        assert all(cell_len(line) <= room for line in lines)
        assert not any(line[:1] in NO_LINE_START for line in lines)


@pytest.mark.parametrize("width", range(30, 80, 3))
def test_a_number_stays_on_the_line_of_the_word_before_it(width):
    """The Equation panel's result line ended "‖·‖" and its number started the next line."""
    from bptui.tui.text import wrap

    text = ("W1 = 10×100  min -5.752e5  max 5.79e5  mean -4.272e4  ‖·‖ 6.688e6; η = 0.5 "
            "决定每一步走多远：η 乘以 0.25 之后")
    lines = wrap("result", text, width, 10)
    assert all(cell_len(line) <= max(width, 10 + 10) for line in lines)
    assert "".join(lines).replace(" ", "") == "result" + text.replace(" ", "")  # all of it
    for above, line in zip(lines, lines[1:], strict=False):  # no line starts with a number
        # whose word or sign ends the line above (after a Chinese character it may, as anywhere)
        if cell_len(above[-1]) == 1:
            assert not line[10:].lstrip("-")[:1].isdigit(), lines
    assert "\ue000" not in "".join(lines)
