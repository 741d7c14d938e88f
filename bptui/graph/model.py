"""A computational-graph scenario: leaves, nodes in the order they are computed, training.

The graph is data only; :mod:`bptui.graph.engine` computes with it. A node's inputs are the
names of other nodes or leaves, or constants written in the expression. A name used several
times is one node with several *uses*; each use is one edge of the drawn graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bptui.notation import graph_shape


@dataclass(frozen=True)
class Node:
    """One operation: ``name = op(inputs)``; an input is a name (str) or a constant (float)."""

    name: str
    op: str  # a key of bptui.graph.ops.OPERATIONS
    inputs: tuple[str | float, ...]
    line: int = 0  # the line of the expression it comes from (1-based)
    staged: bool = False  # named automatically while staging a compound line


@dataclass(frozen=True)
class Use:
    """One edge: the value ``name`` is argument ``slot`` of node ``consumer``."""

    name: str
    consumer: str
    slot: int  # 0-based
    tag: str  # "n1", or "n1.2" when the consumer uses the same value in several slots


@dataclass(frozen=True)
class GraphScenario:
    """A whole graph scenario, validated: everything the engine and the exports need."""

    title: str
    source: str
    notes: str
    leaves: dict[str, float]  # in the order of the file
    nodes: tuple[Node, ...]  # in computing order; the last is the output
    learning_rate: float | None  # None: no [training], one forward and one backward pass
    epochs: int
    train: tuple[str, ...]
    expression: str = ""
    path: str = ""
    name: str = ""
    title_zh: str = ""  # shown instead of title/notes when the language is Chinese
    notes_zh: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    is_graph = True  # what the command line dispatches on

    @property
    def output(self) -> str:
        return self.nodes[-1].name

    @property
    def trained(self) -> bool:
        return self.learning_rate is not None

    @property
    def shape(self) -> str:
        """For --list: what kind of scenario, in the column where nets show 2-2-2."""
        return graph_shape(len(self.leaves))

    @property
    def layers(self) -> tuple:
        """A graph has no layers; code that sums over a network's layers (the cursor's
        snapshot budget) counts none."""
        return ()

    @property
    def parameter_count(self) -> int:
        return len(self.train)

    def node(self, name: str) -> Node:
        return self._by_name[name]

    @property
    def _by_name(self) -> dict[str, Node]:
        cache = self.extra.get("_by_name")
        if cache is None:
            cache = self.extra["_by_name"] = {n.name: n for n in self.nodes}
        return cache

    def uses(self, name: str) -> tuple[Use, ...]:
        """Every edge out of ``name``, in computing order of the consumers."""
        table = self.extra.get("_uses")
        if table is None:
            table = {}
            for node in self.nodes:
                names = [i for i in node.inputs if isinstance(i, str)]
                for slot, inp in enumerate(node.inputs):
                    if isinstance(inp, str):
                        tag = node.name if names.count(inp) == 1 else f"{node.name}.{slot + 1}"
                        table.setdefault(inp, []).append(Use(inp, node.name, slot, tag))
            table = {k: tuple(v) for k, v in table.items()}
            self.extra["_uses"] = table
        return table.get(name, ())
