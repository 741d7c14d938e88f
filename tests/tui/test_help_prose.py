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
