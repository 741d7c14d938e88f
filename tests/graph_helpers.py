"""Small helpers for the graph tests: a graph from text, its events by kind."""

from __future__ import annotations

import tomllib

from bptui.graph.load import read
from bptui.graph.model import GraphScenario
from bptui.graph.steps import iter_epochs
from bptui.scenario import load


def graph(text: str, name: str = "test") -> GraphScenario:
    return read(tomllib.loads(text), text, f"{name}.toml", name)


def builtin(name: str) -> GraphScenario:
    g = load(name)
    assert getattr(g, "is_graph", False)
    return g


def leaf_grads(events, g: GraphScenario) -> dict[str, float]:
    """The LAST grad step of each leaf: its total gradient (the events' contract)."""
    out = {}
    for ev in events:
        if ev.kind == "grad" and ev.node in g.leaves:
            out[ev.node] = ev.value
    return out


def epoch(g: GraphScenario, mistake: str | None = None, epochs: int = 1):
    return [ev for ev in iter_epochs(g, epochs, mistake)]
