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
- ``Sum(terms)``: a sum over units (Σ_k), kept apart from ``+`` so that its terms are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from bptui.jsonout import FORMAT  # noqa: F401 (declared with the JSON writer)


@dataclass(frozen=True, eq=False)
class Sym:
    name: str
    value: Any = None  # float, read-only ndarray, or None when not known

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sym) or other.name != self.name:
            return False
        a, b = self.value, other.value
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return a is not None and b is not None and bool(np.array_equal(a, b))
        return bool(a == b)

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Op:
    op: str
    args: tuple


@dataclass(frozen=True)
class Call:
    fn: str
    args: tuple


@dataclass(frozen=True)
class Sum:
    terms: tuple


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


def _plain(v: Any) -> Any:
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
        return {"sym": tree.name, "value": _plain(tree.value)}
    if isinstance(tree, Num):
        return {"num": _plain(tree.value)}
    if isinstance(tree, Sum):
        return {"sum": [to_json(t) for t in tree.terms]}
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
        return Sym(data["sym"], v)
    if "num" in data:
        return Num(data["num"])
    if "sum" in data:
        return Sum(tuple(from_json(t) for t in data["sum"]))
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


def _matrix(node: Node) -> bool:
    return isinstance(node, Sym) and isinstance(node.value, np.ndarray)


def call_text(fn: str, args: list[str]) -> str:
    """A function applied to its written arguments: an activation as its registry writes it
    (σ(net), max(0, net)), any other as fn(args). A negative number that is a function's
    whole argument keeps only the call's brackets: σ(-0.5), exp(-0.5), not σ((-0.5))."""
    from bptui.activations import ACTIVATIONS

    act = ACTIVATIONS.get(fn)
    if act is not None and len(args) == 1 and act.per_unit:
        written = act.symbol.format(net=args[0])
    else:
        written = f"{fn}(" + ", ".join(args) + ")"
    return re.sub(r"\(\((-[^()]*)\)\)", r"(\1)", written)


def text(tree: Node, numbers: bool = False, bare: bool = False) -> str:
    """The tree written out: in symbols (w5 · out_h1), or with ``numbers`` as the values
    (0.4 · 0.5933). Negative numbers stand in brackets and ``·`` has a space on each side, as
    in every equation the screen shows; with ``bare``, a negative number that is all there is
    stands without them (out = -0.5)."""
    from bptui.notation import fmt, fmt_term, pretty

    def go(node: Node, outer: int) -> str:
        if isinstance(node, Sym):
            if numbers and isinstance(node.value, np.ndarray):  # a matrix: its shape
                return "(" + "×".join(str(n) for n in node.value.shape) + ")"
            if numbers and node.value is not None:
                return fmt_term(node.value)
            return pretty(node.name)
        if isinstance(node, Num):
            return fmt_term(node.value) if node.value < 0 else fmt(node.value)
        if isinstance(node, Call) and node.fn == "transpose":
            return go(node.args[0], 5) + "ᵀ"
        if isinstance(node, Call) and node.fn == "matmul":
            body = " · ".join(go(a, 2) for a in node.args)
            return f"({body})" if 2 < outer else body
        if isinstance(node, Call):
            return call_text(node.fn, [go(a, 0) for a in node.args])
        if isinstance(node, Sum):
            body, prec = " + ".join(go(t, 1) for t in node.terms), 1
        elif node.op == "neg":
            body, prec = "-" + go(node.args[0], 3), 3
        elif node.op == "**":
            base, power = node.args
            sup = "²" if isinstance(power, Num) and power.value == 2.0 else "^" + go(power, 4)
            body, prec = go(base, 5) + sup, 4
        else:
            prec = _PREC[node.op]
            sep = {"+": " + ", "-": " - ", "*": " · ", "/": " / "}[node.op]
            if node.op == "*" and any(_matrix(a) for a in node.args):
                sep = " ⊙ "  # elementwise on matrices
            first = go(node.args[0], prec)
            rest = [go(a, prec + (1 if node.op in "-/" else 0)) for a in node.args[1:]]
            body = sep.join([first, *rest])
        return f"({body})" if prec < outer else body

    written = go(tree, 0)
    if bare:
        m = re.fullmatch(r"\((-[^()]*)\)", written)
        return m.group(1) if m else written
    return written


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
            return numtex(node.value)
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
