"""Where a line of text may break on a terminal: one rule for the screen's panels and help and
for the command line's ``--help``.

A Chinese character takes two cells and a line may break between any two of them, as at a
space between English words; a line never starts with closing punctuation (``，``, ``。``,
``）``, ...): the word before it goes down with it. textwrap counts characters, not cells, and
knows neither rule. This module is pure text (no Textual, no rich), so that the command line
uses it without loading the screen.
"""

from __future__ import annotations

import re

from bptui.visible import cells

#: Punctuation a Chinese line does not start with: the character before it goes down with it.
NO_LINE_START = set("，。、；：！？）」』》〉】”’")

#: Wide (CJK) characters and full-width punctuation, as a regular-expression range: a place a
#: line may break, like a space.
WIDE = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_TOKEN = re.compile(rf"[{WIDE}]|[^\s{WIDE}]+|\s+")


def wrap_cells(text: str, room: int) -> list[str]:
    """``text`` in lines of at most ``room`` terminal cells, broken at spaces and between
    Chinese characters, never before a closing punctuation mark (:data:`NO_LINE_START`): the
    word before it goes down with it. A word longer than a line is cut."""
    lines: list[str] = []
    toks: list[str] = []  # the line being filled, token by token (" " between words)

    def width(parts: list[str]) -> int:
        return sum(cells(p) for p in parts)

    for tok in _TOKEN.findall(text):
        if tok.isspace():
            if toks:
                toks.append(" ")
            continue
        while cells(tok) > room:  # a word longer than a line: cut it
            if "".join(toks).strip():
                lines.append("".join(toks).rstrip())
                toks = []
            cut = len(tok)
            while cells(tok[:cut]) > room:
                cut -= 1
            lines.append(tok[:cut])
            tok = tok[cut:]
        if width(toks) + cells(tok) > room and "".join(toks).strip():
            carry: list[str] = []
            if tok in NO_LINE_START:
                while (len(toks) > 1 and (not carry or carry[0] in NO_LINE_START)
                       and width(toks[-1:] + carry) + cells(tok) <= room):
                    carry.insert(0, toks.pop())
                if carry and carry[0] in NO_LINE_START:
                    toks, carry = toks + carry, []  # no word to take down: break as it is
            lines.append("".join(toks).rstrip())
            while carry and carry[0] == " ":
                carry.pop(0)
            toks = carry
        toks.append(tok)
    if "".join(toks).strip() or not lines:
        lines.append("".join(toks).rstrip())
    return lines
