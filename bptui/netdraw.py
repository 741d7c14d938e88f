"""Producers of drawings: the layered network unit by unit, and a computational graph.

Both build a :class:`bptui.drawing.Diagram` (nodes in columns, labelled edges) from values
the events already carry; the drawing module places and paints it. The network's picture
follows Mazur's walkthrough: inputs, hidden and output units as boxes in columns, a line per
weight labelled with its name and value, a layer's bias as one more source (a shared bias is
a node holding its value; per-unit biases hang off a constant 1, one labelled edge each).

What the current sub-step reads and writes is lit (:func:`lit_by`): the forward pass lights
the edges into the current unit, the backward pass the edges that carry δ back (drawn
flowing right to left, a hidden unit's error lights every edge of its sum), an update the
edge whose weight changes, with old → new on its label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bptui.activations import ACTIVATIONS
from bptui.drawing import (
    TEXT,
    TEXT_NOW,
    UNKNOWN,
    Diagram,
    Edge,
    Node,
    Picture,
    Plan,
    compact,
    fits,
    paint,
    plan,
)
from bptui.events import Event
from bptui.i18n import _
from bptui.notation import layer_word
from bptui.scenario import Scenario
from bptui.visible import visible

KINDS = (("net", "net"), ("out", "out"), ("delta", "δ"))
#: (number width, trunk spacing) tried in turn, roomiest first: the first that gives every
#: label its room is used, else the last (labels thin out).
ROOMS = ((8, 2), (7, 2), (6, 2), (6, 1), (5, 2), (5, 1))


@dataclass(frozen=True)
class Lit:
    """What the current sub-step lights: units (layer, j), edges by key, and the direction."""

    units: frozenset = frozenset()
    edges: frozenset = frozenset()
    bias_nodes: frozenset = frozenset()  # layers whose shared bias node is lit
    back: bool = False


def _param_edge(s: Scenario, layer: int, kind: str, row: int, col: int) -> tuple:
    la = s.layers[layer - 1]
    if kind == "weight":
        return ("w", layer, row, col)
    if la.bias_mode == "shared":
        return ("bias-node", layer)
    return ("b", layer, row)


def lit_by(s: Scenario, ev: Event | None) -> Lit:
    """The units and edges the sub-step ``ev`` reads or writes."""
    if ev is None or ev.is_matrix:
        return Lit()
    back = ev.phase == "backward"
    if ev.param is not None:
        p = ev.param
        key = _param_edge(s, p.layer, p.kind, p.row, p.col)
        if key[0] == "bias-node":
            return Lit(bias_nodes=frozenset({p.layer}), back=back)
        return Lit(edges=frozenset({key}), back=back)
    lay, j = ev.layer, ev.unit
    if j is None:  # E_total and other whole-layer steps: every unit of the layer
        return Lit(units=frozenset((lay, k) for k in range(s.layers[lay - 1].size)), back=back)
    units = frozenset({(lay, j)})
    if ev.kind == "net":
        la = s.layers[lay - 1]
        edges = {("w", lay, j, i) for i in range(la.inputs)}
        if la.bias is not None:
            edges.add(("b", lay, j))
        return Lit(units=units, edges=frozenset(edges))
    if ev.kind == "dE_din" and lay < len(s.layers):
        nxt = s.layers[lay]
        return Lit(units=units, edges=frozenset(("w", lay + 1, k, j) for k in range(nxt.size)),
                   back=True)
    return Lit(units=units, back=back)


def _strength(v: float, biggest: float) -> int:
    if biggest <= 0 or v != v:
        return 2
    r = abs(v) / biggest
    return 3 if r >= 2 / 3 else 2 if r >= 1 / 3 else 1


def _sign(v: float) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


def network_diagram(s: Scenario, params, events: Sequence[Event], event: Event | None = None,
                    sample: int | None = None, hidden: bool = False,
                    width: int = 7) -> Diagram:
    """The layered network as a diagram, numbers ``width`` characters wide at most.

    ``events`` are the current sample's events so far (their values fill the boxes),
    ``event`` the current one (lit; shown as ``?`` when ``hidden``), ``params`` the
    parameters now (the edge labels), ``sample`` the 1-based sample whose inputs are shown.
    """
    known: dict[str, Event] = {}
    for e in events:
        if not e.is_matrix:
            known[e.symbol] = e
    lit = lit_by(s, event)
    titles = [_("inputs")] + [f"{layer_word(la.name)} ({ACTIVATIONS[la.activation].short})"
                              for la in s.layers]
    nodes: list[Node] = []
    edges: list[Edge] = []
    names0 = [visible(n, keep_newlines=False) for n in s.input_names]
    for i, name in enumerate(names0):
        val = compact(s.inputs[sample - 1][i], width) if sample is not None else "·"
        ref = ("data", s.input_names[i], sample) if sample is not None else None
        nodes.append(Node(("unit", 0, i), 0, name, (val.rjust(width),), width=width,
                          current=(0, i) in lit.units, ref=ref,
                          line_tags=(TEXT if sample is not None else UNKNOWN,)))
    room = 0
    for lay, la in enumerate(s.layers, start=1):
        w = params.weights[lay - 1]
        b = params.biases[lay - 1]
        biggest = float(abs(w).max()) if w.size else 0.0
        if b is not None and b.size:
            biggest = max(biggest, float(abs(b).max()))
        if b is not None:  # the bias as one more source, at the bottom of the column before
            if la.bias_mode == "shared":
                name = visible(la.bias_name(0, lay), keep_newlines=False)
                ref = ("param", lay, "bias", 0, 0, la.bias_name(0, lay))
                nodes.append(Node(("bias", lay), lay - 1, name,
                                  (compact(b[0], width),), flat=True,
                                  current=lay in lit.bias_nodes, ref=ref))
            else:
                nodes.append(Node(("bias", lay), lay - 1, "bias", ("1",), flat=True))
        for j, unit in enumerate(la.names):
            lines, tags, refs = [], [], []
            for kind, label in KINDS:
                e = known.get(f"{kind}_{unit}")
                if e is None:
                    val, tag = "·", UNKNOWN
                elif e is event:
                    val, tag = ("?" if hidden else compact(e.value, width)), TEXT_NOW
                else:
                    val, tag = compact(e.value, width), TEXT
                lines.append(f"{label:<3} {val:>{width}}")
                tags.append(tag)
                refs.append(("step", e.position) if e is not None else None)
            nodes.append(Node(("unit", lay, j), lay, visible(unit, keep_newlines=False),
                              tuple(lines), port=1, width=4 + width,
                              current=(lay, j) in lit.units, line_tags=tuple(tags),
                              line_refs=tuple(refs),
                              ref=next((r for r in reversed(refs) if r is not None), None)))
            for i in range(la.inputs):
                name = la.weight_name(j, i, lay)
                key = ("w", lay, j, i)
                edges.append(_edge(key, ("unit", lay - 1, i), ("unit", lay, j), name,
                                   float(w[j, i]), biggest, width, lit, event,
                                   ("param", lay, "weight", j, i, name), hidden))
                room = max(room, len(visible(name, keep_newlines=False)) + 1 + width)
            if b is not None:
                bj = 0 if la.bias_mode == "shared" else j
                name = la.bias_name(j, lay)
                ref = ("param", lay, "bias", bj, 0, name)
                if la.bias_mode == "shared":
                    edges.append(Edge(("b", lay, j), ("bias", lay), ("unit", lay, j),
                                      sign=_sign(float(b[0])),
                                      strength=_strength(float(b[0]), biggest),
                                      lit=("back" if lit.back else "forward")
                                      if ("b", lay, j) in lit.edges
                                      or lay in lit.bias_nodes and event is not None
                                      and event.kind == "net" else "", ref=ref))
                else:
                    edges.append(_edge(("b", lay, j), ("bias", lay), ("unit", lay, j), name,
                                       float(b[bj]), biggest, width, lit, event, ref, hidden))
                    room = max(room, len(visible(name, keep_newlines=False)) + 1 + width)
    return Diagram(tuple(titles), tuple(nodes), tuple(edges), label_room=room)


def _edge(key, src, dst, name: str, value: float, biggest: float, width: int, lit: Lit,
          event: Event | None, ref, hidden: bool = False) -> Edge:
    shown = visible(name, keep_newlines=False)
    label = f"{shown} {compact(value, width)}"
    on = key in lit.edges
    alts: tuple[str, ...] = ()
    if on and event is not None and event.kind == "update" and event.old is not None \
            and not hidden:  # in quiz mode the new value is the question
        old, new = float(event.old), float(event.value)
        alts = tuple(f"{shown} {o}→{n}" for o, n in
                     ((compact(old, k), compact(new, k)) for k in range(10, 2, -1))
                     if o != n or old == new)  # never a change that reads as none
        alts += tuple(f"{shown} →{compact(new, k)}" for k in range(8, 2, -1))
    return Edge(key, src, dst, label, shown, _sign(value), _strength(value, biggest),
                ("back" if lit.back else "forward") if on else "", ref, alts)


# --------------------------------------------------------------------------- fitting


class Painter:
    """Draws one scenario again and again, caching the geometry per room: it depends on the
    scenario and the room only, so the boxes never move as values fill in. The layered
    network and the computational graph each supply how to make their diagram."""

    def __init__(self, scenario) -> None:
        self.scenario = scenario
        self._plans: dict[tuple, tuple[int, Plan]] = {}

    def _choose(self, make, width: int, height: int) -> tuple[int, Plan]:
        """The widest value slot (and gap) whose plan fits ``width``, else the last tried."""
        key = (width, height)
        if key not in self._plans:
            chosen = None
            for vw, gap in ROOMS:
                d = make(vw)
                p = plan(d, width, height, gap=gap)
                chosen = (vw, p)
                if fits(d, p, width):
                    break
            assert chosen is not None
            self._plans[key] = chosen
        return self._plans[key]


class NetworkPainter(Painter):
    """The layered network's painter."""

    scenario: Scenario

    def picture(self, params, events: Sequence[Event], event: Event | None,
                sample: int | None, hidden: bool, width: int, height: int = 0) -> Picture:
        def make(vw: int) -> Diagram:
            return network_diagram(self.scenario, params, events, event, sample, hidden, vw)

        vw, p = self._choose(make, width, height)
        return paint(make(vw), p)


def network_text(s: Scenario, params, events: Sequence[Event] = (), event: Event | None = None,
                 sample: int | None = 1, width: int = 100) -> list[str]:
    """The drawn network as plain lines (for the Markdown export and the README)."""
    return NetworkPainter(s).picture(params, events, event, sample, False, width).lines()


# --------------------------------------------------------------------------- graphs


def graph_columns(inputs: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Topological columns: a leaf is in column 0, every other node one column right of its
    rightmost operand (the longest path from a leaf)."""
    col: dict[str, int] = {}

    def depth(name: str, seen: tuple[str, ...] = ()) -> int:
        if name in seen:
            raise ValueError(f"the graph has a cycle through {name}")
        if name not in col:
            args = inputs.get(name, ())
            col[name] = 0 if not args else 1 + max(depth(a, seen + (name,)) for a in args)
        return col[name]

    for name in inputs:
        depth(name)
    return col


def graph_diagram(inputs: Mapping[str, Sequence[str]], ops: Mapping[str, str],
                  values: Mapping[str, float], grads: Mapping[str, float | None] | None = None,
                  current: str | None = None, lit_edges: Iterable[tuple[str, str]] = (),
                  back: bool = False, width: int = 7) -> Diagram:
    """A computational graph: ``inputs[name]`` are the operands of node ``name`` (a leaf has
    none), ``ops[name]`` its operation ("*", "+", "tanh"), written on the edges into it;
    each node shows its value and, once known, its gradient. ``lit_edges`` are (operand,
    node) pairs the current step reads (drawn flowing back when ``back``)."""
    grads = grads or {}
    col = graph_columns(inputs)
    lit = set(lit_edges)
    ncols = max(col.values(), default=0) + 1
    titles = [_("leaves")] + [_("step {n}", n=c) for c in range(1, ncols)]
    nodes = []
    for name in sorted(col, key=lambda n: (col[n], list(inputs).index(n))):
        g = grads.get(name)
        v = values.get(name)
        lines = (f"val  {compact(v, width) if v is not None else '·':>{width}}",
                 f"grad {compact(g, width) if g is not None else '·':>{width}}")
        nodes.append(Node(name, col[name], visible(name, keep_newlines=False), lines,
                          width=5 + width, current=name == current, ref=("node", name),
                          line_tags=(TEXT if v is not None else UNKNOWN,
                                     TEXT if g is not None else UNKNOWN)))
    edges = []
    room = 0
    for name, args in inputs.items():
        for k, a in enumerate(args):
            op = visible(ops.get(name, ""), keep_newlines=False)
            on = (a, name) in lit
            edges.append(Edge((a, name, k), a, name, op, op, lit=("back" if back else "forward")
                              if on else "", ref=("edge", a, name)))
            room = max(room, len(op))
    return Diagram(tuple(titles[:ncols]), tuple(nodes), tuple(edges), label_room=room)
