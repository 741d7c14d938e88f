"""The graph engine under the names the cursor uses from the layered engine.

:class:`bptui.cursor.Cursor` calls ``bp.Params.initial``, ``bp.dataset_loss``, ``bp.train``,
``bp.TrainResult``, ``epoch_events`` and ``apply_updates``; this module provides each for a
graph with the same signature (the mistake by name, as the cursor passes it); the cursor picks
this module for a scenario with ``is_graph`` (``bptui.cursor._engine``).
tests/test_graph_cursor.py walks a graph with the real Cursor.
"""

from __future__ import annotations

from bptui.graph import engine, steps
from bptui.graph.mistakes import MISTAKES
from bptui.graph.model import GraphScenario

Params = engine.GraphParams
TrainResult = engine.TrainResult
epoch_events = steps.epoch_events
apply_updates = steps.apply_updates


def dataset_loss(graph: GraphScenario, params: engine.GraphParams) -> float:
    """What the cursor's loss curve shows for a graph: its output."""
    return engine.output(graph, params)


def train(graph: GraphScenario, params: engine.GraphParams, epochs: int, *,
          mistake: str | None = None, **kw) -> engine.TrainResult:
    return engine.train(graph, params, epochs, mistake=MISTAKES[mistake] if mistake else None,
                        **kw)
