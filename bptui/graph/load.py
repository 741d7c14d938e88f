"""Reading a graph scenario: the ``[graph]`` and ``[training]`` tables, checked, every problem
of the file reported at once (each with file:line), as one :class:`GraphErrors`.

Lines: the TOML parser does not say where a value is, so keys are found in the text, and each
line of ``expression`` is found after the ``expression`` key (a multi-line string keeps its
lines), so that a problem on the third assignment points at the file's line of it.
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from bptui.errors import ScenarioError, closest
from bptui.graph.model import GraphScenario
from bptui.graph.ops import FUNCTIONS, OPERATIONS
from bptui.graph.parse import stage
from bptui.i18n import _
from bptui.toml_reader import Problems, ScenarioProblems, join, kind, number, string, unknown_key

TOP_KEYS = {"title", "source", "notes", "title_zh", "notes_zh", "graph", "training"}
GRAPH_KEYS = {"values", "expression"}
TRAINING_KEYS = {"learning_rate", "epochs", "train"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


#: Every problem of one graph file, each its own line with file:line: the general TOML
#: reader's collection, under the name the graph package has always used.
GraphErrors = ScenarioProblems


class _Reader:
    """Reads the tables, recording each problem in one :class:`Problems` (which finds its line
    from the key path) and going on, so that every problem of the file is reported at once."""

    def __init__(self, doc: dict[str, Any], text: str, file: str, name: str) -> None:
        self.doc = doc
        self.lines = text.splitlines()
        self.file = file
        self.name = name
        self.problems = Problems(text, file)

    @property
    def errors(self) -> list[ScenarioError]:
        return self.problems.found

    # -- where -----------------------------------------------------------------------

    def line_of(self, table: str, key: str | None = None) -> int | None:
        return self.problems.line_of(join(table, key or ""))

    def fail(self, key: str, message: str, line: int | None = None,
             column: int | None = None) -> None:
        self.problems.add(key, message, line=line, column=column)

    def expression_lines(self, expression: str) -> list[tuple[int | None, int]]:
        """For each line of the expression: (file line, column where it starts there)."""
        first = self.line_of("graph", "expression") or 1
        out: list[tuple[int | None, int]] = []
        cursor = first - 1
        for part in expression.split("\n"):
            wanted = part.strip()
            found = None
            if wanted:
                for n in range(cursor, len(self.lines)):
                    k = self.lines[n].find(wanted)
                    if k >= 0:
                        found = (n + 1, k - (len(part) - len(part.lstrip())))
                        cursor = n
                        break
            out.append(found or (None, 0))
        return out

    # -- reading -----------------------------------------------------------------------

    def keys(self, table: Any, key: str, allowed: set[str]) -> dict:
        if not isinstance(table, dict):
            self.fail(key or "graph", _("expected a table, found {found}", found=kind(table)))
            return {}
        for k in table:
            if k not in allowed:
                self.fail(join(key, k), unknown_key(k, allowed)[0])
        return table

    def string(self, value: Any, key: str) -> str:
        return self.problems.value(key, lambda: string(value)) or ""

    def number(self, value: Any, key: str, positive: bool = False) -> float | None:
        return self.problems.value(key, lambda: number(value, positive=positive))

    def read(self) -> GraphScenario:
        doc = self.keys(self.doc, "", TOP_KEYS | {"input", "layers", "data"})
        for k in ("input", "layers", "data"):
            if k in doc:
                self.fail(k, _("a scenario has either a [graph] table or layers, not both: "
                               "'{key}' belongs to a layered network", key=k))
        title = self.string(doc.get("title", self.name or "untitled"), "title")
        source = self.string(doc.get("source", ""), "source")
        notes = self.string(doc.get("notes", ""), "notes")
        title_zh = self.string(doc.get("title_zh", ""), "title_zh")
        notes_zh = self.string(doc.get("notes_zh", ""), "notes_zh")
        graph = self.keys(doc.get("graph"), "graph", GRAPH_KEYS)
        leaves = self.leaves(graph)
        nodes = []
        expression = ""
        if "expression" not in graph:
            self.fail("graph", _("missing required key 'graph.expression' (assignments such as "
                                 "\"L = (a*b + c) * f\")"))
        else:
            expression = self.string(graph["expression"], "graph.expression")
            nodes = self.nodes(expression, leaves) if expression or not self.errors else []
            if not expression.strip() and isinstance(graph["expression"], str):
                self.fail("graph.expression", _("expected at least one assignment such as "
                                                "\"L = a * b\", found an empty string"))
        lr, epochs, train = self.training(doc, leaves, nodes)
        self.problems.raise_all()
        return GraphScenario(title=title, source=source, notes=notes, leaves=leaves,
                             nodes=tuple(nodes), learning_rate=lr, epochs=epochs,
                             train=train, expression=expression, path=self.file,
                             name=self.name, title_zh=title_zh, notes_zh=notes_zh)

    def leaves(self, graph: dict) -> dict[str, float]:
        if "values" not in graph:
            if graph or not self.errors:
                self.fail("graph", _("missing required key 'graph.values' (the leaves, such "
                                     "as {example})", example="{ a = 2.0, b = -3.0 }"))
            return {}
        raw = graph["values"]
        if not isinstance(raw, dict):
            self.fail("graph.values", _("expected a table of names and numbers such as "
                                        "{example}, found {found}",
                                        example="{ a = 2.0, b = -3.0 }", found=kind(raw)))
            return {}
        out = {}
        for name, v in raw.items():
            key = f"graph.values.{name}"
            if not _IDENT.match(name) or keyword.iskeyword(name):
                self.fail(key, _("'{name}' cannot be a name in an expression (letters, digits "
                                 "and _, not starting with a digit, not a Python keyword)",
                                 name=name))
                continue
            if name in FUNCTIONS:
                self.fail(key, _("'{name}' is the name of a function; choose another name",
                                 name=name))
                continue
            x = self.number(v, key)
            if x is not None:
                out[name] = x
        if not raw:
            self.fail("graph.values", _("expected at least one leaf, such as {example}",
                                        example="{ a = 2.0 }"))
        return out

    def nodes(self, expression: str, leaves: dict[str, float]):
        nodes, problems = stage(expression, list(leaves))
        where = self.expression_lines(expression)
        def file_line(m: re.Match) -> str:
            k = int(m.group(1))
            found = where[k - 1][0] if 0 < k <= len(where) else None
            return str(found) if found is not None else _("{k} of the expression", k=k)

        for p in problems:
            line, col = where[p.line - 1] if 0 < p.line <= len(where) else (None, 0)
            self.fail("graph.expression", re.sub(r"\{line:(\d+)\}", file_line, p.message),
                      line=line or self.line_of("graph", "expression"),
                      column=None if p.col is None or line is None else col + p.col + 1)
        if problems or not nodes:
            return nodes
        self.dead(nodes, leaves, where)
        return nodes

    def dead(self, nodes, leaves, where) -> None:
        """Every leaf and node must reach the output: an unused one is most often a typo."""
        needed = {nodes[-1].name}
        for node in reversed(nodes):
            if node.name in needed:
                needed.update(i for i in node.inputs if isinstance(i, str))
        for node in nodes:
            if node.name not in needed:
                line = where[node.line - 1][0] if 0 < node.line <= len(where) else None
                self.fail("graph.expression", _("'{name}' is computed but never used on the way "
                                                "to the output '{output}' (the last name "
                                                "assigned is the output)", name=node.name,
                                                output=nodes[-1].name),
                          line=line or self.line_of("graph", "expression"))
        for leaf in leaves:
            if leaf not in needed:
                self.fail(f"graph.values.{leaf}", _("the leaf '{leaf}' is never used on the "
                                                    "way to the output '{output}'", leaf=leaf,
                                                    output=nodes[-1].name))

    def training(self, doc, leaves, nodes) -> tuple[float | None, int, tuple[str, ...]]:
        if "training" not in doc:
            return None, 1, ()
        tr = self.keys(doc["training"], "training", TRAINING_KEYS)
        if "learning_rate" not in tr:
            self.fail("training", _("missing required key 'training.learning_rate'"))
        lr = self.number(tr.get("learning_rate", 1.0), "training.learning_rate", positive=True)
        epochs = tr.get("epochs", 100)
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            self.fail("training.epochs", _("expected a whole number of at least 1, found "
                                           "{found}", found=kind(epochs)))
            epochs = 1
        names = tr.get("train")
        if names is None:
            self.fail("training", _("missing required key 'training.train' (the leaves to "
                                    "update, such as [{example}])",
                                    example=", ".join(repr(n) for n in list(leaves)[:2])))
            return lr, epochs, ()
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.fail("training.train", _("expected a list of leaf names, found {found}",
                                          found=kind(names)))
            return lr, epochs, ()
        computed = {n.name for n in nodes}
        for n in names:
            if n in computed:
                self.fail("training.train", _("'{name}' is computed by the graph; only leaves "
                                              "(graph.values) can be trained", name=n))
            elif n not in leaves:
                hint = closest(n, leaves)
                did = _("; did you mean '{hint}'?", hint=hint) if hint else ""
                self.fail("training.train", _("'{name}' is not a leaf{did} (leaves: {leaves})",
                                              name=n, did=did, leaves=", ".join(leaves)))
        if len(set(names)) != len(names):
            self.fail("training.train", _("a leaf is named twice"))
        return lr, epochs, tuple(names)


def read(doc: dict[str, Any], text: str, file: str = "<scenario>", name: str = ""
         ) -> GraphScenario:
    """A validated graph scenario from parsed TOML; raises GraphErrors with every problem."""
    from bptui.graph.engine import domain_problem, forward

    reader = _Reader(doc, text, file, name)
    graph = reader.read()
    found = domain_problem(graph, forward(graph, graph.leaves))
    if found is not None:
        node, why = found
        where = reader.expression_lines(graph.expression)
        line = where[node.line - 1][0] if 0 < node.line <= len(where) else None
        from bptui.graph.ops import node_tree
        from bptui.graph.tree import Num, Sym
        from bptui.graph.tree import text as tree_text

        rule = tree_text(node_tree(node.op, [Sym(i, 0.0) if isinstance(i, str) else Num(i)
                                             for i in node.inputs]))
        raise GraphErrors([ScenarioError(
            _("at node {name} = {rule}: {why}", name=node.name, rule=rule, why=why), file=file,
            key="graph.expression",
            line=line or reader.line_of("graph", "expression"))])
    return graph


__all__ = ["read", "GraphErrors", "OPERATIONS"]
