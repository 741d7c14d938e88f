"""From the text of ``expression`` to nodes, with Python's ``ast`` and a whitelist.

The expression is parsed, never evaluated: only assignments, names, numbers, the operators
``+ - * / **``, unary minus and calls of the functions in :mod:`bptui.graph.ops` are accepted;
anything else is reported with its line. A compound line is *staged* as the lecture does by
hand: every inner operation becomes its own node, named ``n1``, ``n2``, ... in computing
order (skipping names the file already uses), and the outermost operation takes the
assigned name. Problems are collected, not raised one at a time, so that a file with three
mistakes gets three messages.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from bptui.errors import closest
from bptui.graph.model import Node
from bptui.graph.ops import BINARY, FUNCTIONS, OPERATIONS
from bptui.i18n import N_, _
from bptui.toml_reader import Invalid, number

MAX_NODES = 5000
MAX_LENGTH = 100_000

_WHAT = {
    "Compare": N_("a comparison"), "BoolOp": N_("'and'/'or'"), "Attribute": N_("attribute access (x.y)"),
    "Subscript": N_("indexing (x[...])"), "Lambda": N_("a lambda"), "IfExp": N_("'if ... else'"),
    "List": N_("a list"), "Tuple": N_("a tuple"), "Dict": N_("a table"), "Set": N_("a set"),
    "JoinedStr": N_("a string"), "FloorDiv": N_("'//'"), "Mod": N_("'%'"), "MatMult": N_("'@'"),
    "BitAnd": N_("'&'"), "BitOr": N_("'|'"), "BitXor": N_("'^' (write ** for a power)"),
    "LShift": N_("'<<'"), "RShift": N_("'>>'"), "Not": N_("'not'"), "Invert": N_("'~'"),
    "AugAssign": N_("an update such as '+=' (every name is assigned once)"),
    "AnnAssign": N_("an annotation"), "Starred": N_("'*args'"), "NamedExpr": N_("':='"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the expression, at a line (1-based) and column (0-based).

    ``{line:N}`` in the message stands for line N of the expression; the reader replaces it
    with the file's line number.
    """

    line: int
    col: int | None
    message: str


def _describe(node: ast.AST) -> str:
    what = _WHAT.get(type(node).__name__)
    return _(what) if what else _("Python's {name}", name=type(node).__name__)


class _Stager:
    def __init__(self, leaves: list[str], assigned: dict[str, int], deps: dict[str, set[str]],
                 source: str) -> None:
        self.leaves = leaves
        self.assigned = assigned  # every name assigned anywhere -> its line
        self.deps = deps
        self.source = source
        self.defined: set[str] = set(leaves)
        self.nodes: list[Node] = []
        self.problems: list[Problem] = []
        self.counter = 0
        self.taken = set(leaves) | set(assigned) | set(FUNCTIONS)
        self.line = 0

    def problem(self, node: ast.AST, message: str) -> None:
        self.problems.append(Problem(getattr(node, "lineno", self.line),
                                     getattr(node, "col_offset", None), message))

    def fresh(self) -> str:
        while True:
            self.counter += 1
            name = f"n{self.counter}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def statement(self, stmt: ast.stmt) -> None:
        self.line = stmt.lineno
        if not isinstance(stmt, ast.Assign):
            if isinstance(stmt, ast.Expr):
                self.problem(stmt, _("expected an assignment such as 'L = a * b', found an "
                                     "expression without a name"))
            else:
                self.problem(stmt, _("expected an assignment such as 'L = a * b', found "
                                     "{found}", found=_describe(stmt)))
            return
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            self.problem(stmt, _("assign to exactly one name per assignment ('e = a * b')"))
            return
        target = stmt.targets[0].id
        ok = True
        if target in self.leaves:
            self.problem(stmt, _("'{name}' is a leaf (graph.values); a leaf is given, not "
                                 "computed", name=target))
            ok = False
        elif target in FUNCTIONS:
            self.problem(stmt, _("'{name}' is the name of a function; choose another name",
                                 name=target))
            ok = False
        elif target in self.defined:
            self.problem(stmt, _("'{name}' is assigned twice (first on line {line}); every "
                                 "node needs its own name", name=target,
                                 line=f"{{line:{self.assigned[target]}}}"))
            ok = False
        before = len(self.problems)
        result = self.expr(stmt.value, target if ok else None)
        if ok and len(self.problems) == before and result is not None:
            if not (self.nodes and self.nodes[-1].name == target):  # a bare name or number
                self.nodes.append(Node(target, "id", (result,), stmt.lineno))
        self.defined.add(target)

    def expr(self, node: ast.expr, target: str | None = None) -> str | float | None:
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                self.problem(node, _("expected a number or a name, found {found}",
                                     found=repr(v)))
                return None
            try:
                return number(v)  # the TOML reader's check: finite
            except Invalid:
                self.problem(node, _("the number {number} is too large", number=str(v)[:20]))
                return None
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand, target)
            if not isinstance(node.op, ast.USub):
                self.problem(node, _("{what} is not allowed; use + - * / ** and the functions "
                                     "{functions}", what=_describe(node.op),
                                     functions=", ".join(FUNCTIONS)))
                return None
            if isinstance(node.operand, ast.Constant):
                x = self.expr(node.operand)
                return None if x is None else -float(x)
            inner = self.expr(node.operand)
            return None if inner is None else self.make("neg", (inner,), node, target)
        if isinstance(node, ast.BinOp):
            key = BINARY.get(type(node.op).__name__)
            if key is None:
                self.problem(node, _("{what} is not allowed; use + - * / ** and the functions "
                                     "{functions}", what=_describe(node.op),
                                     functions=", ".join(FUNCTIONS)))
                return None
            left = self.expr(node.left)
            if key == "**":
                right = self.exponent(node.right)
            else:
                right = self.expr(node.right)
            if left is None or right is None:
                return None
            return self.make(key, (left, right), node, target)
        if isinstance(node, ast.Call):
            return self.call(node, target)
        self.problem(node, _("{what} is not allowed in an expression", what=_describe(node)))
        return None

    def exponent(self, node: ast.expr) -> float | None:
        sign = 1.0
        inner = node
        if isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub | ast.UAdd):
            sign = -1.0 if isinstance(inner.op, ast.USub) else 1.0
            inner = inner.operand
        if isinstance(inner, ast.Constant) and not isinstance(inner.value, bool) \
                and isinstance(inner.value, int | float):
            x = self.expr(inner)
            return None if x is None else sign * float(x)
        found = ast.get_source_segment(self.source, node) or _describe(node)
        self.problem(node, _("the exponent of ** must be a number (such as 2 or 0.5), found "
                             "'{found}'", found=found))
        return None

    def call(self, node: ast.Call, target: str | None) -> str | None:
        if not isinstance(node.func, ast.Name):
            self.problem(node, _("only the functions {functions} can be called",
                                 functions=", ".join(FUNCTIONS)))
            return None
        fn = node.func.id
        if fn not in FUNCTIONS:
            if fn in self.defined or fn in self.assigned:
                self.problem(node, _("'{name}' is a value, not a function", name=fn))
            else:
                hint = closest(fn, FUNCTIONS)
                did = _("; did you mean '{hint}'?", hint=hint) if hint else ""
                self.problem(node, _("unknown function '{name}'{did} (functions: {functions})",
                                     name=fn, did=did, functions=", ".join(FUNCTIONS)))
            for a in node.args:  # report what is wrong inside too
                self.expr(a)
            return None
        if node.keywords:
            self.problem(node, _("{name} takes no named arguments", name=fn))
            return None
        if len(node.args) != OPERATIONS[fn].arity:
            self.problem(node, _("{name} takes 1 argument, found {n}", name=fn, n=len(node.args)))
            return None
        arg = self.expr(node.args[0])
        return None if arg is None else self.make(fn, (arg,), node, target)

    def name(self, node: ast.Name) -> str | None:
        n = node.id
        if n in self.defined:
            return n
        if n in FUNCTIONS:
            self.problem(node, _("'{name}' is a function; call it as {name}(x)", name=n))
        elif n in self.assigned:
            cycle = self.cycle(n)
            if cycle:
                self.problem(node, _("cycle: {cycle}", cycle=cycle))
            else:
                self.problem(node, _("'{name}' is used before it is assigned (on line {line}); "
                                     "a line may only use names assigned above it", name=n,
                                     line=f"{{line:{self.assigned[n]}}}"))
        else:
            hint = closest(n, sorted(self.defined))
            did = _("; did you mean '{hint}'?", hint=hint) if hint else ""
            self.problem(node, _("undefined name '{name}'{did} (a name is a leaf in graph.values "
                                 "or assigned on a line above)", name=n, did=did))
        return None

    def cycle(self, start: str) -> str | None:
        """'x uses y, y uses x' when the current target is reached again from ``start``."""
        here = self.current
        path = {start: [start]}
        todo = [start]
        while todo:
            n = todo.pop()
            for d in sorted(self.deps.get(n, ())):
                if d == here:
                    chain = [here, *path[n], here]
                    return _(", ").join(_("{a} uses {b}", a=a, b=b)
                                        for a, b in zip(chain, chain[1:], strict=False))
                if d not in path and d in self.deps:
                    path[d] = path[n] + [d]
                    todo.append(d)
        return None

    def make(self, op: str, inputs: tuple, node: ast.AST, target: str | None) -> str:
        name = target if target is not None else self.fresh()
        self.nodes.append(Node(name, op, tuple(inputs), self.line, staged=target is None))
        return name


def stage(expression: str, leaves: list[str]) -> tuple[list[Node], list[Problem]]:
    """The nodes of ``expression`` in computing order, and every problem found."""
    if len(expression) > MAX_LENGTH:
        return [], [Problem(1, None, _("the expression is too long ({n} characters; at most "
                                       "{most})", n=f"{len(expression):,}",
                                       most=f"{MAX_LENGTH:,}"))]
    try:
        tree = ast.parse(expression, mode="exec")
    except SyntaxError as exc:
        return [], [Problem(exc.lineno or 1, (exc.offset or 1) - 1,
                            _("not a valid expression: {why}", why=exc.msg))]
    except (ValueError, RecursionError, MemoryError) as exc:
        return [], [Problem(1, None, _("not a valid expression: {why}", why=exc))]
    if not tree.body:
        return [], [Problem(1, None, _("expected at least one assignment such as 'L = a * b'"))]
    assigned: dict[str, int] = {}
    deps: dict[str, set[str]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 \
                and isinstance(stmt.targets[0], ast.Name):
            t = stmt.targets[0].id
            assigned.setdefault(t, stmt.lineno)
            deps.setdefault(t, set()).update(
                n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name))
    stager = _Stager(list(leaves), assigned, deps, expression)
    try:
        for stmt in tree.body:
            stager.current = (stmt.targets[0].id if isinstance(stmt, ast.Assign)
                              and isinstance(stmt.targets[0], ast.Name) else "")
            stager.statement(stmt)
            if len(stager.nodes) > MAX_NODES:
                return [], [Problem(stmt.lineno, None, _("the graph is too large (more than "
                                                         "{most} nodes)",
                                                         most=f"{MAX_NODES:,}"))]
    except RecursionError:
        return [], [Problem(1, None, _("the expression is nested too deeply"))]
    return stager.nodes, stager.problems
