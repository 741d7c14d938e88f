"""Gradient check for a graph: each leaf's backprop gradient beside a central difference.

The difference always differentiates the TRUE output, so with a mistake switched on the check
marks exactly the leaves whose gradient the mistake breaks. Reuses the layered check's Row and
Report, so the command line and the screen show both the same way.
"""

from __future__ import annotations

from bptui.gradcheck import EPSILON, TOLERANCE, ZERO, Report, Row, _cells
from bptui.graph import engine
from bptui.graph.mistakes import MISTAKES
from bptui.graph.model import GraphScenario
from bptui.i18n import _


def check(
    graph: GraphScenario,
    params: engine.GraphParams | None = None,
    *,
    mistake: str | None = None,
    epsilon: float = EPSILON,
    tolerance: float = TOLERANCE,
) -> Report:
    """(out(leaf + ε) - out(leaf - ε)) / 2ε against backprop, for every leaf."""
    params = params or engine.GraphParams.initial(graph)
    m = MISTAKES[mistake] if mistake else None
    values = engine.forward(graph, params.values)
    grads = engine.backward(graph, values, m, params.grads).grads
    rows = []
    for leaf in graph.leaves:
        probe = dict(params.values)
        probe[leaf] = params.values[leaf] + epsilon
        up = engine.forward(graph, probe)[graph.output]
        probe[leaf] = params.values[leaf] - epsilon
        down = engine.forward(graph, probe)[graph.output]
        numeric = (up - down) / (2 * epsilon)
        g = grads[leaf]
        err = abs(g - numeric)
        scale = max(abs(g), abs(numeric))
        rel = 0.0 if scale < ZERO else err / scale
        kind = "trained" if leaf in graph.train else "leaf"
        rows.append(Row(leaf, 0, kind, 0, 0, g, numeric, err, rel, rel < tolerance))
    return Report(tuple(rows), None, epsilon, tolerance, len(rows), len(rows), mistake)


def render(report: Report, graph: GraphScenario) -> str:
    from bptui.gradcheck import render as render_rows

    text = render_rows(report)
    first, rest = text.split("\n", 1)
    first = first.replace(_("Gradient check on the whole batch"),
                          _("Gradient check of ∂{output}/∂leaf for every leaf", output=graph.output))
    return first + "\n" + rest.replace(_("parameter"), _("leaf") + " " * max(
        0, _cells(_("parameter")) - _cells(_("leaf"))), 1)
