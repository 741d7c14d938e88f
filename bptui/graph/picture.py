"""A graph's step as a picture: nodes with value and gradient, edges with the operation, the
current node or edge lit.

The drawing itself is the general one (:func:`bptui.netdraw.graph_diagram` laid out by
:mod:`bptui.drawing`); this module only says, from the events of an epoch so far, which
numbers are known and what the current step lights: forward, the node being computed and
its input edges; backward, the edge of the use (``via``) for a local or chain step, every
use for a node's gradient (the sum); an update, the leaf.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bptui.drawing import Diagram, Picture, paint
from bptui.events import Event
from bptui.graph.model import GraphScenario
from bptui.graph.ops import OPERATIONS
from bptui.netdraw import Painter, graph_diagram


def consumer(via: str) -> str:
    """The consuming node of a use tag: "n1" or "n1.2" (second slot) -> "n1"."""
    return via.split(".", 1)[0]


def known(graph: GraphScenario, leaves: Mapping[str, float], events: Sequence[Event],
          hidden: Event | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """(values, gradients) known after ``events``; the leaves' values from ``leaves``; the
    step ``hidden`` (a quiz question) is left out."""
    values = {k: float(v) for k, v in leaves.items()}
    grads: dict[str, float] = {}
    for ev in events:
        if ev is hidden or ev.node is None:
            continue
        if ev.kind == "node":
            values[ev.node] = float(ev.value)
        elif ev.kind == "grad":
            grads[ev.node] = float(ev.value)
    return values, grads


def lit(graph: GraphScenario, ev: Event | None) -> tuple[str | None, list[tuple[str, str]], bool]:
    """(current node, lit (operand, node) edges, flowing back) for the step ``ev``."""
    if ev is None or ev.node is None:
        return None, [], False
    if ev.kind == "node":
        node = graph.node(ev.node)
        return ev.node, [(i, ev.node) for i in node.inputs if isinstance(i, str)], False
    if ev.kind in ("local", "chain") and ev.via is not None:
        return None, [(ev.node, consumer(ev.via))], True
    if ev.kind == "grad":
        return ev.node, [(u.name, u.consumer) for u in graph.uses(ev.node)], True
    return ev.node, [], False


def diagram(graph: GraphScenario, leaves: Mapping[str, float], events: Sequence[Event],
            event: Event | None, hidden: bool = False, width: int = 7) -> Diagram:
    inputs: dict[str, tuple[str, ...]] = {k: () for k in graph.leaves}
    ops: dict[str, str] = {}
    for n in graph.nodes:
        inputs[n.name] = tuple(i for i in n.inputs if isinstance(i, str))
        ops[n.name] = OPERATIONS[n.op].label
    values, grads = known(graph, leaves, events, event if hidden else None)
    current, edges, back = lit(graph, event)
    return graph_diagram(inputs, ops, values, grads, current=current, lit_edges=edges,
                         back=back, width=width)


class GraphPainter(Painter):
    """The computational graph's painter (geometry cached per room, as for networks)."""

    scenario: GraphScenario

    def picture(self, leaves: Mapping[str, float], events: Sequence[Event],
                event: Event | None, hidden: bool, width: int, height: int = 0) -> Picture:
        def make(vw: int) -> Diagram:
            return diagram(self.scenario, leaves, events, event, hidden, vw)

        vw, p = self._choose(make, width, height)
        return paint(make(vw), p)


def graph_text(graph: GraphScenario, events: Sequence[Event] = (), event: Event | None = None,
               width: int = 100) -> list[str]:
    """The drawn graph as plain lines (README, Markdown export), with the leaves' values."""
    return GraphPainter(graph).picture(graph.leaves, events, event, False, width).lines()


def readme_picture(graph: GraphScenario, width: int = 110) -> str:
    """The README's picture of ``graph``: every value and gradient after the first backward
    pass, nothing lit (tests/test_graph_picture.py keeps the README equal to it)."""
    from bptui.graph import engine, steps

    events = [e for e in steps.epoch_events(graph, engine.GraphParams.initial(graph), 1).events
              if e.kind != "update"]
    return "\n".join(line.rstrip() for line in graph_text(graph, events, None, width))
