"""Expression trees: the right-hand side of a step as structure, not text.

This follows the shared contract of bptui/expr.py (same class names and fields) so that the
graph engine can switch to the shared module once it exists; until then the graph's steps are
built and rendered with this one. Every rule, substituted rule, LaTeX and ``uses`` of a graph
step is rendered from its tree, so the text and the number can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The node types are the shared ones of bptui.expr: one tree type for every engine.
from bptui.expr import Call, Num, Op, Sum, Sym  # noqa: E402
from bptui.notation import fmt, fmt_term

Tree = Sym | Num | Op | Call | Sum


def evaluate(tree: Tree, env: Mapping[str, float] | None = None) -> float:
    """The value of ``tree``, with any symbol's value replaced by ``env[name]``."""
    from bptui.graph.ops import apply

    if isinstance(tree, Sym):
        return float(env[tree.name]) if env is not None and tree.name in env else tree.value
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Sum):
        return float(sum(evaluate(t, env) for t in tree.terms))
    args = [evaluate(a, env) for a in tree.args]
    return apply(tree.op if isinstance(tree, Op) else tree.fn, args)


def symbols(tree: Tree) -> tuple[str, ...]:
    """The symbols the tree reads, in reading order, each once."""
    seen: list[str] = []

    def walk(t: Tree) -> None:
        if isinstance(t, Sym):
            if t.name not in seen:
                seen.append(t.name)
        elif isinstance(t, Sum):
            for s in t.terms:
                walk(s)
        elif isinstance(t, Op | Call):
            for a in t.args:
                walk(a)

    walk(tree)
    return tuple(seen)


def to_json(tree: Tree) -> dict[str, Any]:
    if isinstance(tree, Sym):
        return {"sym": tree.name, "value": tree.value}
    if isinstance(tree, Num):
        return {"num": tree.value}
    if isinstance(tree, Op):
        return {"op": tree.op, "args": [to_json(a) for a in tree.args]}
    if isinstance(tree, Call):
        return {"call": tree.fn, "args": [to_json(a) for a in tree.args]}
    return {"sum": [to_json(t) for t in tree.terms]}


# ----------------------------------------------------------------------------- rendering


def text(tree: Tree, numbers: bool = False, show=lambda name: name) -> str:
    """The tree as the learner reads it: symbols (``show`` makes them Unicode) or numbers."""
    return _render(tree, numbers, show, latex=False)


def latex(tree: Tree, show=lambda name: name, numbers: bool = False) -> str:
    """The tree in LaTeX; ``show`` turns a symbol into its LaTeX."""
    return _render(tree, numbers, show, latex=True)


def _render(tree: Tree, numbers: bool, show, latex: bool) -> str:
    from bptui.graph.ops import template

    if isinstance(tree, Sym):
        return fmt_term(tree.value) if numbers else show(tree.name)
    if isinstance(tree, Num):
        return fmt_term(tree.value) if numbers or tree.value < 0 else fmt(tree.value)
    if isinstance(tree, Sum):
        joiner = " + "
        return joiner.join(_render(t, numbers, show, latex) for t in tree.terms)
    key = tree.op if isinstance(tree, Op) else tree.fn
    tpl, prec, wrap = template(key, latex)
    if key == "**" and not latex and isinstance(tree.args[1], Num) \
            and tree.args[1].value in _SUPERSCRIPT:
        tpl = "{0}" + _SUPERSCRIPT[tree.args[1].value]
    parts = []
    for k, a in enumerate(tree.args):
        if isinstance(tree, Call) and numbers and isinstance(a, Sym | Num):
            parts.append(fmt(a.value))  # the call's own brackets are enough: exp(-1)
            continue
        inner = _render(a, numbers, show, latex)
        if wrap[k] and _precedence(a) < prec + (1 if k > 0 or key == "**" else 0):
            inner = r"\left(" + inner + r"\right)" if latex else f"({inner})"
        parts.append(inner)
    return tpl.format(*parts)


_SUPERSCRIPT = {2.0: "²", 3.0: "³"}


def _precedence(tree: Tree) -> int:
    from bptui.graph.ops import template

    if isinstance(tree, Sym | Call):
        return 100
    if isinstance(tree, Num):
        return 100  # a negative number brings its own brackets: (-1)
    if isinstance(tree, Sum):
        return 10
    return template(tree.op, False)[1]
