"""Nodes in columns joined by labelled edges, drawn as a grid of characters with style tags.

One drawing for every picture of a network bptui shows: the layered network (units in
columns, an edge per weight) and a computational graph (operations in topological columns)
are both *producers* of a :class:`Diagram`; this module only places and paints it. It knows
nothing of backpropagation and never imports Textual: the screen turns the tags into colours,
the Markdown export and the README take the plain characters.

How edges are routed, and why: every source gets one vertical *trunk* in the channel to the
right of its column, and every edge its own horizontal *branch* from that trunk to its own
row of the destination box (a box is as tall as its incoming edges). So every edge has a row
of its own for its label, labels can never overlap, and a label sits next to the box it
feeds, in the order of the sum ``net = w1·i1 + w2·i2 + b``. Where a line crosses a trunk it
does not join, the trunk is drawn over it (``─│─``), so crossings never look like junctions.

Geometry (:func:`plan`) depends only on the diagram's *shape* (boxes' sizes, who feeds whom)
and the room, never on the numbers, so a caller caches it and nothing moves sideways as
values fill in; :func:`paint` writes the current numbers and highlights into it.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache

from bptui.notation import fmt
from bptui.visible import cell_list, cells

# Directions of a line through a cell, as bits.
N, E, S, W = 1, 2, 4, 8
_DIRS = {"UP": N, "RIGHT": E, "DOWN": S, "LEFT": W, "VERTICAL": N | S, "HORIZONTAL": E | W}


def _glyphs() -> dict[tuple[int, int], str]:
    """(directions, heavy directions) -> box-drawing character, read from the characters'
    Unicode names ("BOX DRAWINGS UP LIGHT AND RIGHT HEAVY" = ┕), so that a lit path through
    a junction is heavy exactly where it runs and light where the other edges go on."""
    table = {}
    for cp in range(0x2500, 0x2580):
        name = unicodedata.name(chr(cp), "").removeprefix("BOX DRAWINGS ")
        if any(w in name for w in ("DOUBLE", "DASH", "ARC", "DIAGONAL", "SINGLE")):
            continue
        mask = heavy = 0
        weight = None
        for part in name.split(" AND "):
            words = part.split()
            weight = next((w for w in (words[0], words[-1]) if w in ("LIGHT", "HEAVY")), weight)
            for word in words:
                mask |= _DIRS.get(word, 0)
                heavy |= _DIRS.get(word, 0) if weight == "HEAVY" else 0
        table[(mask, heavy)] = chr(cp)
    for d, h in ((E, "━"), (W, "━"), (N, "┃"), (S, "┃")):  # line ends: whole cells
        table[(d, 0)], table[(d, d)] = ("─" if d in (E, W) else "│"), h
    return table


GLYPHS = _glyphs()
DASHED = {False: "╌", True: "╍"}  # a negative weight's own branch (light, highlighted)
BOX = {False: "╭─╮│╰╯", True: "┏━┓┃┗┛"}  # corners, edge, side; True: the current node
ARROW_IN, ARROW_BACK = "▶", "◀"

# Style tags written into the grid (the screen maps them to colours, see bptui.tui.network).
HEAD, BORDER, BORDER_NOW, TITLE, TEXT, TEXT_NOW, UNKNOWN = "head", "border", "border*", \
    "title", "text", "text*", "unknown"
LINE, LINE_NOW, LABEL_NOW = "line", "line*", "label*"


@lru_cache(maxsize=8192)
def compact(x: float, width: int) -> str:
    """``x`` with as many significant digits as fit in ``width`` characters (fixed or
    scientific, whichever keeps more): the drawing's numbers have fixed-width slots."""
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return fmt(x)
    shortest = ""
    for digits in range(min(10, max(1, width - 1)), 0, -1):
        fixed = fmt(x, digits)
        mant, exp = f"{x:.{digits - 1}e}".split("e")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        sci = f"{mant}e{int(exp)}"
        best = min((c for c in (fixed, sci) if len(c) <= width), key=len, default=None)
        if best is not None:
            return best
        shortest = min(fixed, sci, key=len)
    return shortest  # wider than the slot rather than a number cut


@dataclass(frozen=True)
class Node:
    """A box: a title in its top border and lines of text (a relay is an edge's bend point
    in a column it passes through, drawn as a line)."""

    key: Hashable
    column: int
    title: str = ""
    lines: tuple[str, ...] = ()
    port: int = 0  # the line where outgoing edges leave
    width: int = 0  # the box's inner width; 0: its lines' and title's
    current: bool = False
    line_tags: tuple[str, ...] = ()  # per line: TEXT, TEXT_NOW or UNKNOWN
    ref: object = None  # what a click on the box means (line refs below win)
    line_refs: tuple[object, ...] = ()
    relay: bool = False
    flat: bool = False  # one row without a border: "title line" (a bias, a constant)

    @property
    def inner(self) -> int:
        if self.flat:
            return len(self.title) + 1 + max([len(t) for t in self.lines] + [0]) - 2
        return max([self.width, len(self.title) + 2] + [len(t) for t in self.lines])


@dataclass(frozen=True)
class Edge:
    """An edge from ``src`` to ``dst`` (node keys), labelled ``label`` or, where a label
    does not fit, ``short``; ``sign``/``strength`` colour it (strength 1-3)."""

    key: Hashable
    src: Hashable
    dst: Hashable
    label: str = ""
    short: str = ""
    sign: int = 0
    strength: int = 2
    lit: str = ""  # "" | "forward" | "back": the current step reads or writes it
    ref: object = None
    lit_labels: tuple[str, ...] = ()  # when lit: labels to try first, longest first


@dataclass(frozen=True)
class Diagram:
    titles: tuple[str, ...]  # one per column
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    label_room: int = 0  # the widest label any value can give (fixed, so nothing shifts)

    def shape(self) -> tuple:
        """What the geometry depends on: a cache key for :func:`plan`."""
        return (tuple(cells(t) for t in self.titles),
                tuple((n.key, n.column, n.inner, len(n.lines), n.port, n.relay)
                      for n in self.nodes),
                tuple((e.key, e.src, e.dst, len(e.short)) for e in self.edges),
                self.label_room)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Plan:
    """Where everything goes: boxes, trunks and branch rows; no numbers in it."""

    width: int
    height: int
    col_x: tuple[int, ...]
    boxes: dict
    trunk_x: dict  # (column, source key) -> x
    in_row: dict  # edge key (segment) -> destination row
    arrow_x: tuple[int, ...]  # per column: the cell just left of its boxes
    label_x: tuple[int, ...] = ()  # per column: where labels start
    label_w: tuple[int, ...] = ()
    cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


# --------------------------------------------------------------------------- expansion


def expand(d: Diagram) -> tuple[list[Node], list[tuple[Edge, Hashable, Hashable, bool]]]:
    """Nodes with relays added, and edge *segments* between neighbouring columns:
    (edge, from, to, last) where ``last`` is the segment that carries the label."""
    col = {n.key: n.column for n in d.nodes}
    nodes = list(d.nodes)
    segs = []
    for e in d.edges:
        a, b = col[e.src], col[e.dst]
        if b <= a:
            raise ValueError(f"edge {e.key!r} goes from column {a} to column {b}: "
                             "edges must go left to right")
        prev = e.src
        for c in range(a + 1, b):
            relay = ("relay", e.key, c)
            nodes.append(Node(relay, c, relay=True))
            segs.append((e, prev, relay, False))
            prev = relay
        segs.append((e, prev, e.dst, True))
    return nodes, segs


def _height(n: Node, fan_in: int) -> int:
    return 1 if n.relay or n.flat else 2 + max(len(n.lines), fan_in, 1)


def _port_row(b: Box, n: Node) -> int:
    return b.y if n.relay or n.flat else b.y + 1 + min(n.port, max(0, b.h - 3))


# --------------------------------------------------------------------------- geometry


def plan(d: Diagram, width: int, height: int = 0, *, gap: int = 2) -> Plan:
    """Place the boxes and route the edges in about ``width`` columns (labels get what is
    left after boxes and trunks, at most ``d.label_room``). Boxes get a blank row between
    them when the whole drawing still fits ``height`` rows."""
    node_list, segs = expand(d)
    nodes = {n.key: n for n in node_list}
    ncols = max([n.column for n in node_list] + [len(d.titles) - 1]) + 1
    fan_in: dict[Hashable, list] = {}
    for s in segs:
        fan_in.setdefault(s[2], []).append(s)
    by_col: list[list[Node]] = [[] for _ in range(ncols)]
    for n in node_list:
        by_col[n.column].append(n)
    heights = {n.key: _height(n, len(fan_in.get(n.key, ()))) for n in node_list}
    col_h = [sum(heights[n.key] for n in col) + max(0, len(col) - 1) for col in by_col]
    vgap = 1 if height and max(col_h + [0]) + 1 <= height else 0
    col_h = [sum(heights[n.key] for n in col) + vgap * max(0, len(col) - 1) for col in by_col]
    total_h = max(col_h + [0])
    # titles do not widen a column: they may run on over the channel to their right
    widths = [max([n.inner + 2 for n in col if not n.relay] + [1]) for col in by_col]
    if d.titles:
        widths[-1] = max(widths[-1], cells(d.titles[-1]))
    sources = [[] for _ in range(ncols)]  # per column: sources of the channel before it
    for _, a, b, _ in segs:
        c = nodes[b].column
        if a not in sources[c]:
            sources[c].append(a)
    fixed = sum(widths) + sum(max(0, len(s) - 1) * gap + 4 for s in sources[1:])
    room = max(0, width - fixed)
    want = [d.label_room + 2 if c and sources[c] else 0 for c in range(ncols)]
    label_w = _share(room, want)
    # vertical places: each column centred; then trunk order per channel
    boxes: dict[Hashable, Box] = {}
    col_x, arrow_x, label_x = [], [], []
    x = 0
    trunk_x: dict = {}
    in_row: dict = {}
    for c, col in enumerate(by_col):
        if c:
            x0 = x
            order = sources[c]
            first = x0 + 1
            last_trunk = first + max(0, len(order) - 1) * gap
            lx = last_trunk + 2
            label_x.append(lx)
            x = lx + label_w[c] + 1  # the arrow's cell, then the boxes
            arrow_x.append(x - 1)
        else:
            label_x.append(0)
            arrow_x.append(-1)
        col_x.append(x)
        best = None
        for shift in (0, 1, -1, 2, -2, 3):
            top = 1 + max(0, (total_h - col_h[c]) // 2 + shift)
            placed = {}
            y = top
            for n in col:
                placed[n.key] = Box(x, y, widths[c] if n.relay else n.inner + 2, heights[n.key])
                y += heights[n.key] + vgap
            if c == 0:
                best = (placed, None)
                break
            rows = _rows(placed, col, fan_in, segs)
            order = _trunk_order(sources[c], boxes, nodes, rows, segs)
            if order is not None:
                best = (placed, order, rows)
                break
            if best is None:
                best = (placed, None, rows)
        boxes.update(best[0])
        if c:
            order = best[1] or sorted(sources[c],
                                      key=lambda k: _port_row(boxes[k], nodes[k]))
            for t, src in enumerate(order):
                trunk_x[(c, src)] = x0 + 1 + t * gap
            in_row.update(best[2])
        x += widths[c]
    total = max(b.y + b.h for b in boxes.values()) if boxes else 1
    return Plan(width=x, height=max(total, 1), col_x=tuple(col_x),
                boxes=boxes, trunk_x=trunk_x, in_row=in_row, arrow_x=tuple(arrow_x),
                label_x=tuple(label_x), label_w=tuple(label_w))


def _node(nodes: dict, key: Hashable) -> Node:
    return nodes[key]


def _share(room: int, want: list[int]) -> list[int]:
    """Split ``room`` columns among label zones: everyone their wish if it fits, else
    equal shares (never more than wished)."""
    if sum(want) <= room:
        return want
    out = [0] * len(want)
    left = room
    active = [i for i, w in enumerate(want) if w]
    while active and left > 0:
        each = max(1, left // len(active))
        for i in list(active):
            give = min(each, want[i] - out[i], left)
            out[i] += give
            left -= give
            if out[i] >= want[i]:
                active.remove(i)
            if left <= 0:
                break
    return out


def _rows(placed: dict, col: list[Node], fan_in: dict, segs) -> dict:
    """Each incoming segment's row in its destination box: one row per edge, in order."""
    rows = {}
    for n in col:
        b = placed[n.key]
        for k, s in enumerate(fan_in.get(n.key, ())):
            rows[_seg_key(s)] = b.y if n.relay else b.y + 1 + k
    return rows


def _seg_key(s) -> Hashable:
    return (s[0].key, s[2])


def _trunk_order(srcs: list, boxes: dict, nodes, rows: dict, segs) -> list | None:
    """Trunks left to right so that no source's stub shares a row with a branch from a
    trunk left of it (they would overlap); None when that cannot be done."""
    src_row = {s: _port_row(boxes[s], _node(nodes, s)) for s in srcs}
    branch_rows: dict = {s: set() for s in srcs}
    for s in segs:
        if s[1] in branch_rows and _seg_key(s) in rows:
            branch_rows[s[1]].add(rows[_seg_key(s)])
    before = {s: {o for o in srcs if o != s and src_row[s] in branch_rows[o]} for s in srcs}
    order, left = [], sorted(srcs, key=lambda s: src_row[s])
    while left:
        ready = [s for s in left if not any(o in left for o in
                                            [p for p in srcs if s in before[p]])]
        if not ready:
            return None
        order.append(ready[0])
        left.remove(ready[0])
    return order


# --------------------------------------------------------------------------- painting


@dataclass
class Picture:
    """The drawing: characters, a style tag and a click reference per cell."""

    chars: list[list[str]]
    tags: list[list[str]]
    refs: list[list[object]]
    focus: Box | None = None  # where the highlighted things are (to scroll to)

    def lines(self) -> list[str]:
        return ["".join(r).rstrip() for r in self.chars]

    def runs(self, y: int) -> list[tuple[str, str]]:
        """Row ``y`` as (text, tag) runs of equal tag."""
        out: list[tuple[str, str]] = []
        chars, tags = self.chars[y], self.tags[y]
        start = 0
        for x in range(1, len(chars) + 1):
            if x == len(chars) or tags[x] != tags[start]:
                out.append(("".join(chars[start:x]), tags[start]))
                start = x
        return out

    def ref_at(self, x: int, y: int) -> object:
        if 0 <= y < len(self.refs) and 0 <= x < len(self.refs[y]):
            return self.refs[y][x]
        return None


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.tags = [[""] * width for _ in range(height)]
        self.refs: list[list[object]] = [[None] * width for _ in range(height)]
        # line cells: (x, y) -> {net: [mask, heavy mask, tag, dashed, ref, own]}
        self.lines: dict[tuple[int, int], dict] = {}
        self.base: dict[tuple[int, int], dict] = {}  # cells already drawn (the static layer)
        self.focus: list[Box] = []

    def copy(self) -> _Canvas:
        """A canvas to draw one step on, over this one's static drawing."""
        cv = _Canvas(0, 0)
        cv.w, cv.h = self.w, self.h
        cv.chars = [row[:] for row in self.chars]
        cv.tags = [row[:] for row in self.tags]
        cv.refs = [row[:] for row in self.refs]
        cv.base = self.lines
        return cv

    def put(self, x: int, y: int, text: str, tag: str, ref: object = None) -> None:
        if not 0 <= y < self.h:
            return
        cells = cell_list(text)
        lo, hi = max(0, x), min(self.w, x + len(cells))
        if lo >= hi:
            return
        n = hi - lo
        part = cells[lo - x: hi - x]
        if part and part[-1] == "" and hi - x < len(cells):  # a wide character cut in half
            part[-1] = " "
        if part and part[0] == "" and lo > x:
            part[0] = " "
        self.chars[y][lo:hi] = part
        self.tags[y][lo:hi] = [tag] * n
        self.refs[y][lo:hi] = [ref] * n

    def line(self, x: int, y: int, mask: int, net: Hashable, lit: bool, tag: str,
             dashed: bool = False, ref: object = None, own: bool = False) -> None:
        cell = self.lines.get((x, y))
        if cell is None:
            cell = self.lines[(x, y)] = {k: list(v) for k, v in
                                         self.base.get((x, y), {}).items()}
        m = cell.setdefault(net, [0, 0, tag, dashed, ref, own])
        m[0] |= mask
        if lit:
            m[1] |= mask
            m[2] = LINE_NOW
        if own:
            m[3], m[4], m[5] = dashed, ref, True
            if not lit:
                m[2] = tag

    def hline(self, x1: int, x2: int, y: int, net, lit, tag, dashed=False, ref=None,
              own=False) -> None:
        for x in range(x1, x2 + 1):
            mask = (W if x > x1 else 0) | (E if x < x2 else 0)
            self.line(x, y, mask or (E | W), net, lit, tag, dashed, ref, own)

    def vline(self, x: int, y1: int, y2: int, net, lit, tag) -> None:
        lo, hi = min(y1, y2), max(y1, y2)
        for y in range(lo, hi + 1):
            self.line(x, y, (N if y > lo else 0) | (S if y < hi else 0), net, lit, tag)

    def flush_lines(self) -> None:
        for (x, y), nets in self.lines.items():
            if not (0 <= x < self.w and 0 <= y < self.h):
                continue
            if len(nets) == 1:
                mask, heavy, tag, dashed, ref, _ = next(iter(nets.values()))
            else:  # a crossing: the lit line wins, else the vertical (a trunk) is drawn over
                items = list(nets.values())
                lit = [i for i in items if i[1]]
                vertical = [i for i in items if i[0] & (N | S)]
                mask, heavy, tag, dashed, ref, _ = (lit or vertical or items)[0]
                if not lit and vertical:
                    mask, heavy = mask & (N | S) or mask, 0
            full_heavy = heavy and heavy == mask
            if mask in (E | W, E, W) and dashed:
                ch = DASHED[bool(full_heavy)]
            else:
                ch = GLYPHS.get((mask, heavy & mask), "┼")
            self.chars[y][x] = ch
            self.tags[y][x] = tag
            self.refs[y][x] = ref


def _edge_tag(e: Edge) -> str:
    sign = "+" if e.sign > 0 else "-" if e.sign < 0 else "0"
    return f"{LINE}{sign}{e.strength}"


def paint(d: Diagram, p: Plan) -> Picture:
    """Draw ``d`` (its current numbers and highlights) into the places of ``p``."""
    nodes, segs = expand(d)
    by_key = {n.key: n for n in nodes}
    key = tuple((e.sign, e.strength) for e in d.edges) + tuple(d.titles)
    static = p.cache.get(key)
    if static is None:  # every line unlit: drawn once per plan (and signs)
        static = _Canvas(p.width, p.height)
        for c, title in enumerate(d.titles):
            static.put(p.col_x[c], 0, _title(title, p, c), HEAD)
        _lines(static, p, segs, by_key, lit_only=False)
        static.flush_lines()
        p.cache.clear()
        p.cache[key] = static
    cv = static.copy()  # then only the lit edges are drawn again
    _lines(cv, p, segs, by_key, lit_only=True)
    cv.flush_lines()
    _labels(cv, p, segs, by_key)
    for n in nodes:
        if not n.relay:
            _box(cv, n, p.boxes[n.key])
    return Picture(cv.chars, cv.tags, cv.refs, _union(cv.focus))


def _title(title: str, p: Plan, c: int) -> str:
    """A column's title in the room up to the next column's: whole, else without its
    bracketed part ("hidden 1 (linear)" -> "hidden 1"), else cut."""
    room = (p.col_x[c + 1] - 1 if c + 1 < len(p.col_x) else p.width) - p.col_x[c]
    for t in (title, title.split(" (")[0]):
        if cells(t) <= room:
            return t
    return "".join(cell_list(title)[: max(0, room)])


def _lines(cv: _Canvas, p: Plan, segs, by_key, lit_only: bool) -> None:
    for e, a, b, _last in segs:
        if lit_only and not e.lit:
            continue
        c = by_key[b].column
        lit = lit_only  # the static layer is drawn unlit whatever the first step lights
        tx = p.trunk_x[(c, a)]
        ya = _port_row(p.boxes[a], by_key[a])
        yb = p.in_row[(e.key, b)]
        src_box = p.boxes[a]
        start = src_box.x + src_box.w
        tag = _edge_tag(e)
        cv.hline(start, tx, ya, a, lit, LINE)
        cv.vline(tx, ya, yb, a, lit, LINE)
        end = p.arrow_x[c] if not by_key[b].relay else p.boxes[b].x - 1
        cv.hline(tx, end, yb, a, lit, tag, dashed=e.sign < 0, ref=e.ref, own=True)
        if by_key[b].relay:
            cv.hline(p.boxes[b].x, p.boxes[b].x + p.boxes[b].w - 1, yb, a, lit, tag,
                     dashed=e.sign < 0, ref=e.ref, own=True)


def _labels(cv: _Canvas, p: Plan, segs, by_key) -> None:
    """Labels and arrowheads, over the lines."""
    for e, a, b, last in segs:
        c = by_key[b].column
        yb = p.in_row[(e.key, b)]
        tx = p.trunk_x[(c, a)]
        if by_key[b].relay or not last:
            continue
        ax = p.arrow_x[c]
        if e.lit == "back":
            cv.put(ax, yb, ARROW_BACK, LINE_NOW, e.ref)
            sb = p.boxes[a]
            cv.put(sb.x + sb.w, _port_row(sb, by_key[a]), ARROW_BACK, LINE_NOW)
        elif e.lit:
            cv.put(ax, yb, ARROW_IN, LINE_NOW, e.ref)
        lx, lw = p.label_x[c], p.label_w[c]
        text = e.label if len(e.label) + 2 <= lw else e.short if len(e.short) + 2 <= lw else ""
        if e.lit:  # the highlighted edge keeps its label, over crossings if need be
            span = ax - (tx + 1)  # its whole branch
            tries = [(t, pad) for t in (*e.lit_labels, e.label, e.short) for pad in (2, 0)]
            # a name that does not fit is said to be cut ("W2[1…"): "W2[1,1" read as a name
            cut = e.short[: max(0, span - 1)] + "…" if span >= 2 else ""
            text, pad = next(((t, p) for t, p in tries if len(t) + p <= span), (cut, 0))
            lx = min(lx, ax - len(text) - pad)
        else:
            pad = 2
        if text:
            tag = LABEL_NOW if e.lit else "label" + _edge_tag(e)[len(LINE):]
            shown = f" {text} " if pad else text
            cv.put(lx, yb, shown, tag, e.ref)
            if e.lit:
                cv.focus.append(Box(lx, yb, len(shown), 1))
        elif e.lit:
            cv.focus.append(Box(tx, yb, max(1, ax - tx + 1), 1))


def _box(cv: _Canvas, n: Node, b: Box) -> None:
    if n.flat:
        tag = BORDER_NOW if n.current else TITLE
        cv.put(b.x, b.y, n.title, tag, n.ref)
        cv.put(b.x + len(n.title), b.y, " " + (n.lines[0] if n.lines else ""),
               TEXT_NOW if n.current else TEXT, n.ref)
        if n.current:
            cv.focus.append(b)
        return
    tl, hz, tr, vt, bl, br = BOX[n.current]
    border = BORDER_NOW if n.current else BORDER
    top = tl + hz + (f"{n.title}" if n.title else "") + hz * (b.w - 3 - len(n.title)) + tr
    cv.put(b.x, b.y, top[: b.w - 1] + tr, border, n.ref)
    if n.title:
        cv.put(b.x + 2, b.y, n.title[: b.w - 4], TITLE if not n.current else BORDER_NOW, n.ref)
    for r in range(1, b.h - 1):
        k = r - 1
        text = n.lines[k] if k < len(n.lines) else ""
        ref = n.line_refs[k] if k < len(n.line_refs) and n.line_refs[k] is not None else n.ref
        tag = n.line_tags[k] if k < len(n.line_tags) and n.line_tags[k] else TEXT
        cv.put(b.x, b.y + r, vt, border, n.ref)
        cv.put(b.x + 1, b.y + r, text.ljust(b.w - 2)[: b.w - 2], tag, ref)
        cv.put(b.x + b.w - 1, b.y + r, vt, border, n.ref)
    cv.put(b.x, b.y + b.h - 1, bl + hz * (b.w - 2) + br, border, n.ref)
    if n.current:
        cv.focus.append(b)


def _union(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    x1 = min(b.x for b in boxes)
    y1 = min(b.y for b in boxes)
    x2 = max(b.x + b.w for b in boxes)
    y2 = max(b.y + b.h for b in boxes)
    return Box(x1, y1, x2 - x1, y2 - y1)


def draw(d: Diagram, width: int, height: int = 0) -> Picture:
    """Plan and paint in one go, the roomiest trunk spacing that fits ``width``."""
    return paint(d, fit(d, width, height))


def fits(d: Diagram, p: Plan, width: int) -> bool:
    """Whether plan ``p`` fits ``width`` with room for every label of ``d``."""
    return p.width <= width and all(lw >= d.label_room + 2 or lw == 0 for lw in p.label_w)


def fit(d: Diagram, width: int, height: int = 0) -> Plan:
    """The plan for ``d`` in ``width``: trunks two apart if that leaves every label its
    room, else one apart."""
    wide = plan(d, width, height, gap=2)
    return wide if fits(d, wide, width) else plan(d, width, height, gap=1)
