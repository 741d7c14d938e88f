"""Text from a scenario file made safe to show: control characters become visible.

A scenario is written by anyone (a teacher, a student, a stranger's gist). Its title, notes
and names end up on the terminal, in ``--check``, in error messages and in exports; an escape
sequence in them could rename the window or clear the screen. Every place that shows text
from a file passes it through :func:`visible` first, so the bytes that reach the terminal are
always printable.
"""

from __future__ import annotations

import re
from functools import lru_cache

# C0 controls (except newline and tab, which plain text may use), DEL, and C1 controls.
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
# Bidirectional overrides could reorder what the learner reads.
_BIDI = r"[\u202a-\u202e\u2066-\u2069]"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` with every control character written out (``\\x1b``), never raw.

    Newlines and tabs are kept when ``keep_newlines`` (notes are multi-line); in one-line
    places (titles, names, error messages) they are written out too.
    """
    if text.isprintable():  # the usual case: no control, bidi, newline or tab character
        return text
    if not keep_newlines:
        text = text.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    text = re.sub(_CONTROL, _escape, text)
    return re.sub(_BIDI, _escape, text)


def visible_scenario(scenario):
    """The same scenario with every text a screen shows made visible: title, source, notes,
    the names of inputs, units, layers, weights and biases.

    The screen is built from this copy, so every panel, dialog and equation derived from it
    (symbols such as ``net_h1`` are made of unit names) is safe without each panel having to
    remember; the numbers are untouched. Plain text stays the same object-for-object.
    """
    from dataclasses import replace

    def line(text: str) -> str:
        return visible(text, keep_newlines=False)

    def names(items):
        return None if items is None else tuple(line(n) for n in items)

    if getattr(scenario, "is_graph", False):  # a graph's names are identifiers already
        return replace(scenario, title=line(scenario.title), source=line(scenario.source),
                       notes=visible(scenario.notes), name=line(scenario.name),
                       path=line(scenario.path), title_zh=line(scenario.title_zh),
                       notes_zh=visible(scenario.notes_zh))

    layers = tuple(
        replace(la, names=names(la.names), name=line(la.name),
                bias_names=names(la.bias_names),
                weight_names=None if la.weight_names is None
                else tuple(names(row) for row in la.weight_names))
        for la in scenario.layers
    )
    return replace(scenario, title=line(scenario.title), source=line(scenario.source),
                   notes=visible(scenario.notes), input_names=names(scenario.input_names),
                   name=line(scenario.name), path=line(scenario.path), layers=layers)


@lru_cache(maxsize=4096)
def cells(text: str) -> int:
    """The terminal cells ``text`` takes: a Chinese character takes two (as
    :func:`cell_list` counts them; cached, since wrapping asks for the same words again)."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def cell_list(text: str) -> list[str]:
    """One string per cell: a wide character, then "" for the cell it covers (so that a row
    joined back is as wide on the terminal as it has cells)."""
    if text.isascii():
        return list(text)
    import unicodedata

    out: list[str] = []
    for ch in text:
        out += [ch, ""] if unicodedata.east_asian_width(ch) in "WF" else [ch]
    return out
