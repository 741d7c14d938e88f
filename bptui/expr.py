"""Equations as structure: the right-hand side of every step as a small expression tree.

Each :class:`bptui.events.Event` carries ``tree``. From it come the step's ``uses`` (the
symbols it reads), the factors or terms a quiz hint names, the provenance of a hidden unit's
error (its δ·w terms), the JSON that ``--trace`` writes for other tools, and the value itself:
:func:`evaluate` recomputes any step, optionally with a learner's own numbers put in for the
symbols (carried-forward marking). Nothing needs to re-parse an equation string.

Nodes are frozen dataclasses:

- ``Sym(name, value)``: an ASCII symbol as in ``--trace`` ("out_h1", "w5", "dE/dout_o1",
  "W2" for a whole matrix) and the value it had when the step was computed;
- ``Num(value)``: a number written into the rule (η, ½, the 1 of ∂net/∂b);
- ``Op(op, args)``: ``+ - * / **`` over two or more arguments, and ``neg`` over one; ``*`` is
  elementwise on matrices;
- ``Call(fn, args)``: a function (:data:`FUNCTIONS`: the activations, their slopes, ``exp``,
  ``ln``, ``matmul``, ``transpose``, ``sum``, ...);
- ``Sum(terms)``: a sum over units (Σ_k), kept apart from ``+`` so that its terms are known;
  with ``over`` and ``term`` the rule writes it with its index (Σ_s ∂E_s/∂w2).

How a tree is written (the rule, the rule with numbers, a layer's shapes) is
:mod:`bptui.expr_text`'s business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bptui.jsonout import FORMAT  # noqa: F401 (declared with the JSON writer)


def same_value(a: Any, b: Any) -> bool:
    """Whether two values of a step are the same: equal numbers, or arrays of the same shape
    and elements (what a tree's symbols and the engine's correct-vs-wrong twins compare)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if a is None or b is None:
            return False
        va, vb = np.asarray(a), np.asarray(b)
        return va.shape == vb.shape and bool(np.array_equal(va, vb))
    return bool(a == b)


@dataclass(frozen=True, eq=False)
class Sym:
    """A symbol and the value it had when the step was computed; two are equal with the same
    name, update mark and value (:func:`same_value`: arrays compare element by element)."""

    name: str
    value: Any = None  # float, read-only ndarray, or None when not known (a rule's form)
    updated: bool = False  # the value after this step's own update (written w5⁺)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Sym) and other.name == self.name
                and other.updated == self.updated and same_value(self.value, other.value))

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class Num:
    """A number written into the rule (η, ½, the 1 of ∂net/∂b)."""

    value: float
    name: str | None = None  # how the rule writes it in symbols (η, N), its value in numbers


@dataclass(frozen=True)
class Op:
    """An operator (``+ - * / **``, ``neg``) over its arguments; ``*`` is elementwise."""

    op: str
    args: tuple


@dataclass(frozen=True)
class Call:
    """A function of :func:`functions` applied to its arguments."""

    fn: str
    args: tuple


@dataclass(frozen=True)
class Sum:
    """A sum over units (Σ_k), apart from ``+`` so that its terms are known."""

    terms: tuple
    # a sum the rule writes with its index: Σ_{over} {term} (term: the general term, with no
    # values), while the numbers show every term
    over: str | None = None
    term: Any = None


Node = Sym | Num | Op | Call | Sum
OPS = ("+", "-", "*", "/", "**", "neg")


def _step(x: Any) -> Any:
    return np.where(np.asarray(x) < 0, 0.0, 1.0)


def _functions() -> dict[str, Callable[..., Any]]:
    from bptui.activations import ACTIVATIONS, LEAK
    from bptui.losses import CLIP

    fns: dict[str, Callable[..., Any]] = {a.name: a.forward for a in ACTIVATIONS.values()}
    fns.update({
        "exp": np.exp,
        "ln": lambda x: np.log(np.maximum(x, CLIP)),
        "step": _step,  # relu's slope: 1 where x >= 0, else 0
        "leaky_step": lambda x: np.where(np.asarray(x) < 0, LEAK, 1.0),
        "matmul": lambda a, b: np.asarray(a) @ np.asarray(b),
        "transpose": lambda a: np.asarray(a).T,
        "sum": lambda a: np.sum(a),  # every element
        "sum_rows": lambda a: np.asarray(a).sum(axis=0),  # over samples: one value per unit
        "first_column": lambda a: np.asarray(a)[..., :1],
        "first_row": lambda a: np.asarray(a)[0],
        "sum_columns": lambda a: np.asarray(a).sum(axis=-1, keepdims=True),
        "row_dot": lambda a, b: (np.asarray(a) * np.asarray(b)).sum(axis=-1, keepdims=True),
        "group": lambda a: a,  # brackets the rule is written with: (target - out)
    })
    return fns


_FUNCTIONS: dict[str, Callable[..., Any]] | None = None


def functions() -> dict[str, Callable[..., Any]]:
    """Every function a Call may name (built on first use: the registries import late)."""
    global _FUNCTIONS
    if _FUNCTIONS is None:
        _FUNCTIONS = _functions()
    return _FUNCTIONS


def evaluate(tree: Node, env: Mapping[str, Any] | None = None) -> Any:
    """The value of ``tree``; a symbol's value is overridden by ``env[name]`` when given."""
    if isinstance(tree, Sym):
        if env is not None and tree.name in env:
            return env[tree.name]
        if tree.value is None:
            raise KeyError(f"no value for symbol {tree.name}")
        return tree.value
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Sum):
        vals = [evaluate(t, env) for t in tree.terms]
        total = vals[0]
        for v in vals[1:]:
            total = total + v
        return total
    if isinstance(tree, Call):
        return functions()[tree.fn](*(evaluate(a, env) for a in tree.args))
    vals = [evaluate(a, env) for a in tree.args]
    if tree.op == "neg":
        return -vals[0]
    out = vals[0]
    for v in vals[1:]:
        if tree.op == "+":
            out = out + v
        elif tree.op == "-":
            out = out - v
        elif tree.op == "*":
            out = out * v
        elif tree.op == "/":
            out = out / v
        elif tree.op == "**":
            out = out ** v
        else:
            raise ValueError(f"unknown operator {tree.op!r}")
    return out


def walk(tree: Node):
    """Every node, depth first, left to right."""
    yield tree
    if isinstance(tree, (Op, Call)):
        for a in tree.args:
            yield from walk(a)
    elif isinstance(tree, Sum):
        for t in tree.terms:
            yield from walk(t)


def symbols(tree: Node | None) -> tuple[str, ...]:
    """The symbols the step reads, each once, in the order they first appear (= Event.uses)."""
    if tree is None:
        return ()
    seen: dict[str, None] = {}
    for node in walk(tree):
        if isinstance(node, Sym):
            seen.setdefault(node.name, None)
    return tuple(seen)


def parts(tree: Node) -> tuple[str, tuple]:
    """("factor", factors) for a product, ("term", terms) for a sum, else ("", ())."""
    if isinstance(tree, Op) and tree.op == "*" and len(tree.args) > 1:
        return "factor", tree.args
    if isinstance(tree, Sum) and len(tree.terms) > 1:
        return "term", tree.terms
    if isinstance(tree, Op) and tree.op == "+" and len(tree.args) > 1:
        return "term", tree.args
    return "", ()


def plain(v: Any) -> Any:
    """A value as plain JSON-ready data: a list for an array, a float for a numpy number."""
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.floating, np.integer)):
        return float(v)
    return v


def to_json(tree: Node | None) -> dict | None:
    """{"sym": name, "value": v} / {"num": v} / {"op": op, "args": [...]} /
    {"call": fn, "args": [...]} / {"sum": [...]}: what --trace writes as ``tree``."""
    if tree is None:
        return None
    if isinstance(tree, Sym):
        return {"sym": tree.name, "value": plain(tree.value)} | (
            {"updated": True} if tree.updated else {})
    if isinstance(tree, Num):
        return {"num": plain(tree.value)} | ({"name": tree.name} if tree.name else {})
    if isinstance(tree, Sum):
        return {"sum": [to_json(t) for t in tree.terms]} | (
            {"over": tree.over, "term": to_json(tree.term)} if tree.over else {})
    if isinstance(tree, Call):
        return {"call": tree.fn, "args": [to_json(a) for a in tree.args]}
    return {"op": tree.op, "args": [to_json(a) for a in tree.args]}


def from_json(data: dict) -> Node:
    """The inverse of :func:`to_json` (lists become read-only arrays)."""
    if "sym" in data:
        v = data["value"]
        if isinstance(v, list):
            v = np.array(v, dtype=np.float64)
            v.setflags(write=False)
        return Sym(data["sym"], v, bool(data.get("updated", False)))
    if "num" in data:
        return Num(data["num"], data.get("name"))
    if "sum" in data:
        over = data.get("over")
        return Sum(tuple(from_json(t) for t in data["sum"]), over,
                   from_json(data["term"]) if over else None)
    if "call" in data:
        return Call(data["call"], tuple(from_json(a) for a in data["args"]))
    return Op(data["op"], tuple(from_json(a) for a in data["args"]))


# -- building ---------------------------------------------------------------------------


def mul(*args: Node) -> Op:
    return Op("*", tuple(args))


def sub(a: Node, b: Node) -> Op:
    return Op("-", (a, b))


def add(*args: Node) -> Op:
    return Op("+", tuple(args))


def neg(a: Node) -> Op:
    return Op("neg", (a,))


def call(fn: str, *args: Node) -> Call:
    return Call(fn, tuple(args))


# -- rendering --------------------------------------------------------------------------

_PREC = {"+": 1, "-": 1, "Sum": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def text(tree: Node, numbers: bool | int = False, bare: bool = False) -> str:
    """The tree written out (see :func:`bptui.expr_text.text`)."""
    from bptui.expr_text import text as written

    return written(tree, numbers, bare)


_TEX_NAME = {"η": r"\eta", "(1/N)": r"\frac{1}{N}"}
_TEX_FN = {"sigmoid": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "ln": r"\ln",
           "softmax": r"\mathrm{softmax}", "relu": r"\mathrm{relu}", "step": r"\mathbb{1}_{\geq 0}"}


def latex(tree: Node, numbers: bool = True, ident: Callable[[str], str] | None = None,
          number: Callable[[str], str] | None = None) -> str:
    """The tree in LaTeX: with ``numbers``, every symbol's value (negative ones in brackets),
    else the symbols through ``ident`` (ASCII name -> LaTeX). ``number`` writes a formatted
    number (e.g. 1.5e-05 as 1.5 \\times 10^{-5})."""
    from bptui.notation import fmt

    num = number or (lambda s: s)

    def numtex(v: float) -> str:
        s = fmt(v)
        return f"({num(s)})" if s.startswith("-") else num(s)

    def go(node: Node, outer: int) -> str:
        if isinstance(node, Sym):
            if numbers and node.value is not None and not isinstance(node.value, np.ndarray):
                return numtex(node.value)
            return ident(node.name) if ident else r"\mathrm{" + node.name + "}"
        if isinstance(node, Num):
            if node.name is not None and not numbers:
                return _TEX_NAME.get(node.name, node.name)
            return numtex(node.value)
        if isinstance(node, Call) and node.fn == "group":
            return r"\left(" + go(node.args[0], 0) + r"\right)"
        if isinstance(node, Sum) and node.over is not None and not numbers:
            return r"\sum_{" + node.over + "} " + go(node.term, 2)
        if isinstance(node, Call):
            fn = _TEX_FN.get(node.fn, r"\mathrm{" + node.fn.replace("_", r"\_") + "}")
            return fn + r"\left(" + ", ".join(go(a, 0) for a in node.args) + r"\right)"
        if isinstance(node, Sum):
            body, prec = " + ".join(go(t, 1) for t in node.terms), 1
        elif node.op == "neg":
            body, prec = "-" + go(node.args[0], 3), 3
        elif node.op == "**":
            body, prec = go(node.args[0], 5) + "^{" + go(node.args[1], 0) + "}", 4
        elif node.op == "/" and len(node.args) == 2:
            body, prec = r"\frac{" + go(node.args[0], 0) + "}{" + go(node.args[1], 0) + "}", 5
        else:
            prec = _PREC[node.op]
            sep = {"+": " + ", "-": " - ", "*": r" \cdot ", "/": " / "}[node.op]
            first = go(node.args[0], prec)
            rest = [go(a, prec + (1 if node.op in "-/" else 0)) for a in node.args[1:]]
            body = sep.join([first, *rest])
        return r"\left(" + body + r"\right)" if prec < outer else body

    return go(tree, 0)
