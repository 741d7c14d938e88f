"""The network panel: the network drawn (units in columns, a labelled line per weight), or
summary blocks for layers too large to draw unit by unit.

The drawing itself (places, lines, labels, what the current step lights) is made by the core
(:mod:`bptui.netdraw`, :mod:`bptui.drawing`); this widget only turns its style tags into
colours and paints it line by line, rebuilding only the lines that changed since the last
step. A click on a unit or an edge asks the main screen where its current value comes from.
"""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import Click, Resize
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from bptui.drawing import Picture
from bptui.events import Event
from bptui.graph.picture import GraphPainter
from bptui.i18n import _, ngettext
from bptui.netdraw import NetworkPainter
from bptui.notation import fmt, layer_word, pretty, shape_text
from bptui.tui.panel import LAYOUT, LINES, SAME, Change, SelectBox, shown
from bptui.tui.text import (
    CURRENT,
    HEADING,
    LABEL,
    MARK,
    NO_MARK,
    STATS_FORMS,
    block_numbers,
    cut,
    heat_strip,
    stats,
    wrap_cells,
)
from bptui.tui.view import View

POSITIVE, NEGATIVE = "#3b82f6", "#e5534b"  # read on dark and light backgrounds alike


def _tag_style(tag: str) -> Style:
    """A drawing tag as a style. Colour says sign and size; every meaning also has a glyph
    or an attribute (heavy lines, ◀ ▶, reverse, bold, dim, dashed negative lines), so the
    picture reads without colour (NO_COLOR) and on a projector."""
    fixed = {"head": Style(bold=True), "border": Style(), "border*": Style(bold=True),
             "title": Style(bold=True), "text": Style(), "text*": Style.parse(CURRENT),
             "unknown": Style(dim=True), "line": Style(dim=True), "line*": Style(bold=True),
             "label*": Style.parse(CURRENT), "": Style()}
    if tag in fixed:
        return fixed[tag]
    for kind in ("line", "label"):
        if tag.startswith(kind) and len(tag) == len(kind) + 2:
            sign, strength = tag[-2], tag[-1]
            color = POSITIVE if sign == "+" else NEGATIVE if sign == "-" else None
            return Style(color=color, dim=strength == "1" and kind == "line",
                         bold=strength == "3")
    return Style()


STYLES: dict[str, Style] = {}


def style_of(tag: str) -> Style:
    if tag not in STYLES:
        STYLES[tag] = _tag_style(tag)
    return STYLES[tag]


def focus_unit(ev: Event) -> tuple[int, int] | None:
    """(layer, unit) the current sub-step is about, if it is about one unit."""
    if ev.unit is not None:
        return ev.layer, ev.unit
    if ev.param is not None:
        return ev.param.layer, ev.param.row
    return None


class NetworkBody(Widget):
    """The network panel's body: ``show(view)`` takes each new View, ``plain`` is its text."""

    DEFAULT_CSS = "NetworkBody { height: auto; width: 1fr; }"
    RECENTRE = False  # the box scrolls the least distance to what is lit (see Body.RECENTRE)

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.view: View | None = None
        self.picture: Picture | None = None
        self._painter: NetworkPainter | None = None
        self._runs: list[tuple] = []
        self._grid: list[tuple[list[str], list[str]]] = []
        self._strips: list[Strip] = []
        self._lines: list[str] = []
        self._width = (0, 0)
        self._wide: int | None = None  # a graph (or blocks) wider than the panel: its width
        # ((scenario, room), the widest line so far at that room)
        self._blocks_widest: tuple[tuple, int] = ((None, 0), 0)
        self._ahead: tuple | None = None  # prepare(): (view, room, what _rebuild would make)

    # -- taking a View ----------------------------------------------------------------

    def show(self, view: View) -> Change:
        self.view = view
        return self._rebuild()

    def _room(self) -> tuple[int, int]:
        box = self.parent
        if isinstance(box, Widget) and box.size.width:
            region = box.scrollable_content_region
            return max(20, region.width), region.height
        return max(20, self.size.width or 72), 0

    def _rebuild(self) -> Change:
        """Draw the View again; what changed (the box scrolls to what is lit: at once, or
        after the relayout a change of size brings)."""
        view = self.view
        if view is None:
            return SAME
        before = len(self._lines)
        width, height = self._room()
        if not height:  # not laid out yet: draw again once the panel has its size
            self.call_after_refresh(self._again)
        self._width = (width, height)
        ahead = self._ahead
        if ahead is not None and ahead[0] is view and ahead[1] == (width, height):
            self.picture, self._grid, runs, self._lines, strips = ahead[2]  # prepared
        else:
            self.picture, self._grid, runs, self._lines = self._draw(view, width, height)
            strips = self._strips_for(runs)
        relayout = self._widen(view, width)
        old = self._runs
        changed = [y for y, row in enumerate(runs) if y >= len(old) or old[y] != row]
        self._runs, self._strips = runs, strips
        if len(self._lines) != before or len(runs) != len(old) or not height or relayout:
            self.refresh(layout=True)
            return LAYOUT
        if changed:  # repaint only the rows that changed: a step lights a few cells
            self.refresh(*[Region(0, y, max(1, self.size.width), 1) for y in changed])
            return LINES
        return SAME

    def prepare(self, view: View) -> None:
        """Draw ``view``, the step the learner is likely to go to next, while they read this
        one (see :meth:`bptui.tui.panel.Body.prepare`): its key press then only repaints the
        rows that changed. A wider drawing is laid out now, between key presses."""
        if self.view is None or not self.size.width or not shown(self):
            return
        width, height = self._room()
        if not height or (width, height) != self._width:
            return
        picture, grid, runs, lines = self._draw(view, width, height)
        self._ahead = (view, (width, height), (picture, grid, runs, lines,
                                               self._strips_for(runs)))
        if self._widen(view, width, lines):
            self.refresh(layout=True)

    def _draw(self, view: View, width: int, height: int) -> tuple:
        """The picture (or the blocks) of ``view`` for a room of width × height: (picture,
        its rows' characters and tags, each row as runs of one style, the plain lines)."""
        graph = getattr(view.scenario, "is_graph", False)
        if graph or view.scenario.unit_by_unit:
            if self._painter is None or self._painter.scenario is not view.scenario:
                self._painter = (GraphPainter(view.scenario) if graph
                                 else NetworkPainter(view.scenario))
            ev = view.event
            if graph:  # a computational graph: nodes, edges with their operation
                picture = self._painter.picture(view.params.values, view.events, ev,
                                                view.hidden, width, height)
            else:
                sample = ev.sample if ev.sample is not None else view.sample
                picture = self._painter.picture(view.params, view.sample_events(), ev,
                                                sample, view.hidden, width, height)
            old = self._grid
            grid = [(picture.chars[y], picture.tags[y]) for y in range(len(picture.chars))]
            runs = [self._runs[y] if y < len(old) and y < len(self._runs) and old[y] == row
                    else tuple(picture.runs(y))
                    for y, row in enumerate(grid)]  # rows that did not change are reused
            return picture, grid, runs, picture.lines()
        text = _blocks(view, width)
        runs = [((line.plain, line),) for line in text.split("\n", allow_blank=True)]
        return None, [], runs, text.plain.split("\n")

    def _strips_for(self, runs: list[tuple]) -> list[Strip]:
        """Each row's strip, reusing the strips of rows that did not change."""
        old = self._runs
        return [self._strips[y] if y < len(old) and y < len(self._strips) and old[y] == row
                else self._strip(row) for y, row in enumerate(runs)]

    def _widen(self, view: View, width: int, lines: list[str] | None = None) -> bool:
        """A graph (or blocks) wider than the panel (its columns cannot shrink; neither can
        the blocks' lines of numbers) makes the panel scroll sideways (following the lit
        node or edge) rather than cut a number; the blocks keep their widest line so far, so
        that the panel does not change its width from step to step. Whether the width
        changed (then the panel is laid out again)."""
        lines = self._lines if lines is None else lines
        widest = max([len(line) for line in lines] + [1])
        graph = getattr(view.scenario, "is_graph", False)
        blocks = not graph and not view.scenario.unit_by_unit
        if blocks:  # (a width found before the panel had its room is forgotten)
            key = (view.scenario, width)
            seen = self._blocks_widest[0]
            if seen[0] is not view.scenario or seen[1] != width:
                self._blocks_widest = (key, 0)
            widest = max(widest, self._blocks_widest[1])
            self._blocks_widest = (key, widest)
        wanted = widest if (graph or blocks) and widest > width else None
        if wanted == self._wide:
            return False
        self._wide = wanted
        self.styles.width = "1fr" if wanted is None else wanted
        return True

    def _strip(self, row: tuple) -> Strip:
        segs = []
        for text, tag in row:
            if isinstance(tag, Text):  # a whole line of the blocks view
                # every segment with a style: Textual's no-colour filter (NO_COLOR) reads
                # each segment's style, and an unstyled one ended the app with a traceback
                segs += [seg if seg.style is not None else Segment(seg.text, Style.null())
                         for seg in tag.render(self.app.console, end="")]
                continue
            style = style_of(tag) if isinstance(tag, str) else tag
            segs.append(Segment(text, style))
        return Strip(segs)

    def height_ahead(self) -> int | None:
        """The drawing's height is known only once it is drawn for its room, after the
        layout (:meth:`_again`): the box scrolls then, not ahead (panel.Box._scroll_ahead)."""
        return None

    def current_region(self) -> Region | None:
        """Where the highlighted unit or edge is drawn: the Box around this body asks every
        body for it after each step (panel.Box.scroll_to_current)."""
        if self.picture is None:  # a large network's blocks: the ▶ line, as in a text panel
            for y, line in enumerate(self._lines):
                if line.startswith(MARK):
                    below = self._lines[y + 1] if y + 1 < len(self._lines) else ""
                    # the split form: the numbers on the line under the name
                    tall = 2 if below.startswith(" " * SPLIT_INDENT) and below.strip() else 1
                    return Region(0, y, max(1, cell_len(line)), tall)
            ev = self.view.event if self.view is not None else None
            if ev is not None and not ev.is_matrix:  # a number (the loss): its line below
                for y, line in enumerate(self._lines):
                    if line.startswith(f"{pretty(ev.symbol)} = "):
                        return Region(0, y, max(1, cell_len(line)), 1)
            return None
        f = self.picture.focus
        return None if f is None else Region(f.x, f.y, max(1, f.w), max(1, f.h))

    def _again(self) -> None:
        """The panel was resized: draw for the new room (the box then scrolls to what is lit:
        panel.Box.on_resize, Box.watch_virtual_size)."""
        if self.view is not None and self._room() != self._width and self._room()[1]:
            self._rebuild()

    def on_resize(self, event: Resize) -> None:
        self._again()

    def box_resized(self) -> None:
        """The box's room changed (the picture is planned for it): draw for the new room."""
        self._again()

    # -- painting ---------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max([len(line) for line in self._lines] + [1])

    @property
    def plain(self) -> str:
        """What the panel shows, as plain text (for tests and for reading aloud), without
        the blank lines that pad the blocks of a large network."""
        return "\n".join(self._lines).rstrip("\n")

    # -- where a value comes from -----------------------------------------------------

    def on_click(self, event: Click) -> None:
        if self.picture is None:
            return
        ref = self.picture.ref_at(event.x, event.y)
        if ref is None:
            return
        event.stop()
        self.post_message(SelectBox.Picked(self.parent, ref))  # the main screen opens it


# --------------------------------------------------------------------------- large layers



#: What a layer's block lists, once computed in the current sample (in this order).
BLOCK_SYMBOLS = ("net_{lay}", "out_{lay}", "dE/dout_{lay}", "dout_{lay}/dnet_{lay}",
                 "delta_{lay}", "dE/dW{lay}", "W{lay}+")
#: Rows of a matrix's heat strip under the blocks.
HEAT_ROWS = 4
#: Where a block line's numbers start when they have a line of their own (a narrow panel).
SPLIT_INDENT = 4


def _names_column(s) -> int:
    """The width of the blocks' names column: the longest name and a space (the lines of
    numbers are long)."""
    return 1 + max(len(pretty(f.format(lay=lay))) for lay in range(1, len(s.layers) + 1)
                   for f in BLOCK_SYMBOLS)


def _blocks(view: View, width: int) -> Text:
    """Layers too large to draw unit by unit: one block of statistics per layer (padded with
    blank lines to the tallest it can get)."""
    s = view.scenario
    ev = view.event
    latest: dict[str, Event] = {}
    for e in view.sample_events():
        latest[e.symbol] = e
    out = Text(no_wrap=True, overflow="ellipsis", end="")

    def line(text: str, style: str = "") -> None:
        if out.plain:
            out.append("\n")
        out.append(text, style=style or None)

    x = s.inputs if ev.sample is None else s.inputs[ev.sample - 1: ev.sample]
    lw = _names_column(s)
    line(cut(ngettext("inputs: {size} values per sample, {n} sample",
                      "inputs: {size} values per sample, {n} samples", x.shape[0],
                      size=s.input_size), width), HEADING)
    # Each layer's matrices (name, array, the current step's?), then the one form of their
    # numbers in which every line fits (STATS_FORMS): the panel never scrolls sideways.
    layers: list[list[tuple[str, np.ndarray, bool]]] = []
    for lay in range(1, len(s.layers) + 1):
        rows = [("W" + str(lay), view.params.weights[lay - 1], False)]
        for sym in (f.format(lay=lay) for f in BLOCK_SYMBOLS):
            e = latest.get(sym)
            if e is not None:
                value = e.value if isinstance(e.value, np.ndarray) else np.asarray([e.value])
                rows.append((pretty(sym), value, e is ev))
        layers.append(rows)
    arrays = [x] + [a for rows in layers for _name, a, _here in rows]
    numbers = [block_numbers(a) for a in arrays]
    # the numbers beside the name, or where even the shortest form would not fit there, on
    # a line of their own under it (indented by SPLIT_INDENT)
    for split in (False, True):
        room = width - (SPLIT_INDENT if split else len(NO_MARK) + lw)
        for digits, mean in STATS_FORMS:
            texts = [stats(a, n, digits, mean) for a, n in zip(arrays, numbers, strict=True)]
            if all(cell_len(t) <= room for t in texts):
                break
        else:
            continue
        break

    def matrix(mark: str, name: str, text: str, style: str = "") -> None:
        if split:
            line(f"{mark}{name}", style)
            line(" " * SPLIT_INDENT + cut(text, room), style)
        else:
            line(f"{mark}{name:<{lw}}{cut(text, room)}", style)

    matrix(NO_MARK, "X", texts[0])
    k = 1
    for lay, (layer, rows) in enumerate(zip(s.layers, layers, strict=True), start=1):
        words = dict(layer=lay, name=layer_word(layer.name), activation=layer.activation)
        heading = ngettext(
            "layer {layer}: {name}, {n} {activation} unit (shape [min, max] mean ‖·‖)",
            "layer {layer}: {name}, {n} {activation} units (shape [min, max] mean ‖·‖)",
            layer.size, **words) if mean else ngettext(
            "layer {layer}: {name}, {n} {activation} unit (shape [min, max] ‖·‖)",
            "layer {layer}: {name}, {n} {activation} units (shape [min, max] ‖·‖)",
            layer.size, **words)
        if cell_len(heading) > width:  # the legend gives way first
            heading = cut(ngettext("layer {layer}: {name}, {n} {activation} unit",
                                   "layer {layer}: {name}, {n} {activation} units",
                                   layer.size, **words), width)
        line(heading, HEADING)
        for name, _a, here in rows:
            matrix(MARK if here else NO_MARK, name, texts[k], CURRENT if here else "")
            k += 1
    if ev.is_matrix:
        m = np.atleast_2d(ev.value)
        cols = max(8, width - 4)
        rows = min(HEAT_ROWS, m.shape[0])
        line("")
        words = dict(symbol=pretty(ev.symbol), cols=min(cols, m.shape[1]), shape=shape_text(m))
        heading = ngettext("{symbol}: first {n} row × {cols} of {shape} (· low … █ high)",
                           "{symbol}: first {n} rows × {cols} of {shape} (· low … █ high)",
                           rows, **words)
        if cell_len(heading) > width:  # the legend gives way first
            heading = cut(ngettext("{symbol}: first {n} row × {cols} of {shape}",
                                   "{symbol}: first {n} rows × {cols} of {shape}", rows,
                                   **words), width)
        line(heading, HEADING)
        for strip in heat_strip(m, rows, cols):
            line("  " + strip)
    else:
        line("")
        line(f"{pretty(ev.symbol)} = {'?' if view.hidden else fmt(ev.value)}", CURRENT)
    note = wrap_cells(_("(too large to draw unit by unit: each layer is one block)"), width)
    for part in note:
        line(part, LABEL)
    # as tall as it can get from the first step on: a panel that grew a line at each step
    # made the screen lay itself out twice per key press (a second frame, 16 ms later), and
    # its scroll bar came and went (taking a column from the numbers, see _rebuild)
    tallest = 2 + len(s.layers) * (2 + len(BLOCK_SYMBOLS)) + 2 + HEAT_ROWS + 1
    tallest += len(note) - 1
    if split:
        tallest += 1 + len(s.layers) * (1 + len(BLOCK_SYMBOLS))
    out.append("\n" * max(0, tallest - 1 - out.plain.count("\n")))
    return out
