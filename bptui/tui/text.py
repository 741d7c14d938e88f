"""Plain-text building blocks shared by the panels: markers, aligned numbers, wrapping.

Everything is built as rich ``Text`` (never markup), so a name like ``W[2]`` or a note
containing ``[/]`` is shown as written. The current item is marked by a character as well as
by style, so the screen reads without colour.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np
from rich.cells import cell_len

from bptui.i18n import _
from bptui.linebreak import NO_LINE_START, WIDE, wrap_cells  # noqa: F401 - panels import them here
from bptui.notation import DIGITS, fmt, shape_text

MARK = "▶ "
NO_MARK = "  "
CURRENT = "bold reverse"
LABEL = "dim"
HEADING = "bold"
SHADES = "·░▒▓█"


def aligned(x: float, left: int = 5, width: int = 20) -> str:
    """``fmt(x)`` padded so that decimal points line up in a column."""
    s = fmt(x)
    cut = len(s)
    for stop in (".", "e"):
        if stop in s:
            cut = s.index(stop)
            break
    return (" " * max(0, left - cut) + s).ljust(width)


#: A space that keeps a number on the line of the word before it ("mean -27.52", "‖·‖ 25.3",
#: "η = 0.5"): while wrapping, such a space is this character (one cell, not a space to
#: textwrap or to :func:`wrap_cells`), and a space again in the lines.
_GLUE = "\ue000"
_BEFORE_NUMBER = re.compile(rf"(?<=[^\s\d.{WIDE}]) (?=[-−]?\d)")


def wrap(label: str, text: str, width: int, label_width: int) -> list[str]:
    """``label`` then ``text`` wrapped to ``width``, continuation lines indented under it.
    A number stays on the line of the word or sign before it (:data:`_GLUE`): a line that
    ended "‖·‖" left its number to start the next."""
    room = max(10, width - label_width)
    glued = _BEFORE_NUMBER.sub(_GLUE, text)
    if cell_len(text) == len(text):
        parts = textwrap.wrap(glued, room, break_long_words=True, break_on_hyphens=False,
                              replace_whitespace=False, drop_whitespace=True) or [""]
    else:
        parts = wrap_cells(glued, room)
    parts = [p.replace(_GLUE, " ") for p in parts]
    head = label + " " * max(0, label_width - cell_len(label))
    return [head + parts[0]] + [" " * label_width + p for p in parts[1:]]


# Where a line may break (Chinese and English alike) is decided in one place, for the command
# line's --help too: :mod:`bptui.linebreak`.


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` terminal cells: cut, and said to be cut with "…", only
    when it is longer."""
    if cell_len(text) <= room:
        return text
    while text and cell_len(text) > room - 1:
        text = text[:-1]
    return text + "…"


def ljust(text: str, width: int) -> str:
    """``text`` padded on the right to ``width`` terminal cells (a Chinese word takes two)."""
    return text + " " * max(0, width - cell_len(text))


def rjust(text: str, width: int) -> str:
    """``text`` padded on the left to ``width`` terminal cells."""
    return " " * max(0, width - cell_len(text)) + text


def norm(a: np.ndarray) -> float:
    # not np.linalg.norm: its BLAS dot wakes OpenBLAS's threads on every call, about 0.3 ms
    # each between key presses on 2 cores (20 norms a press on the 1000-100-10 network)
    m = np.asarray(a, dtype=np.float64)
    return float(np.sqrt(np.sum(m * m)))


def short_matrix(a: np.ndarray) -> str:
    """Shape and norm of a matrix, for one line of a table."""
    return f"{shape_text(np.asarray(a))}  ‖·‖ {fmt(norm(a), 6)}"


def heat_strip(a: np.ndarray, rows: int, cols: int) -> list[str]:
    """The first ``rows`` x ``cols`` entries of a matrix as shade characters (low to high)."""
    m = np.atleast_2d(np.asarray(a, dtype=np.float64))[:rows, :cols]
    finite = m[np.isfinite(m)]
    if finite.size == 0:
        return ["?" * m.shape[1] for _ in range(m.shape[0])]
    lo, hi = float(finite.min()), float(finite.max())
    span = hi - lo
    out = []
    for r in m:
        line = []
        for v in r:
            if not np.isfinite(v):
                line.append("?")
            elif span == 0:
                line.append(SHADES[2])
            else:
                line.append(SHADES[min(4, int((v - lo) / span * 4.999))])
        out.append("".join(line))
    return out


#: Significant digits a table of numbers tries, most first: it takes the first with which it
#: fits its panel. A table wider than its panel scrolled sideways, and the panel's edge cut
#: its numbers (a change of 8.833873178e-6 read "8.833873" at 100x32).
TABLE_DIGITS = (DIGITS, 7, 5, 4, 3)

#: How a block line writes a matrix's numbers, most to least: significant digits, and
#: whether the mean is there. A panel takes the first form in which all its lines fit (a
#: number is never cut: the numbers of a large network's blocks grow longer as training goes
#: on, and a narrow panel showed "‖·‖ 2" for a norm of 2494).
STATS_FORMS = ((4, True), (3, True), (3, False))


def block_numbers(a: np.ndarray) -> tuple[float, float, float, float]:
    """Min, max, mean and norm of a matrix (worked out once, written in any form)."""
    a = np.asarray(a, dtype=np.float64)
    return a.min(), a.max(), a.mean(), norm(a)


def stats(a: np.ndarray, numbers: tuple | None = None, digits: int = 4,
          mean: bool = True) -> str:
    """Shape, range, mean and norm of a matrix in one short line (single spaces: a layer's
    block line must fit a 120-column screen's network panel)."""
    low, high, average, size = (fmt(x, digits) for x in (numbers or block_numbers(a)))
    shape = f"{shape_text(np.asarray(a)):<9}"
    if mean:
        return _("{shape}[{min}, {max}] mean {mean} ‖·‖ {norm}", shape=shape, min=low,
                 max=high, mean=average, norm=size)
    return _("{shape}[{min}, {max}] ‖·‖ {norm}", shape=shape, min=low, max=high, norm=size)
