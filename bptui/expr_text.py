"""How a step's expression tree is written: every ``equation`` and ``substituted`` line.

An event's rule is ``lhs = form = ... = tree`` in symbols and ``lhs = tree`` with its numbers
in (:func:`lines`); nothing else writes them, so the text can never disagree with the tree
that computes the value. The conventions are the tutorials' own:

- ``·`` has one space on each side; a coefficient and a bracketed group stand side by side,
  ``out(1 - out)``, ``½(t - y)²``, ``-2(t - y)``; a quotient of two symbols is tight,
  ``-t/out``, any other has spaces, ``(a + b) / 2``;
- negative numbers stand in brackets, ``0.4 - 0.5 · (-0.02)``, except as a function's whole
  argument, ``σ(-0.5)``, or (``bare``) when they are all there is, ``out = -0.5``;
- a named number (η, N) is its name in the rule and its value in the numbers; an unnamed 0.5 is
  the ½ of a loss;
- a sum with an index is written Σ_s with its general term in the rule, term by term in the
  numbers;
- a whole layer (matrix values) shows shapes, not numbers: ``(64×100) · (10×100)ᵀ``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from bptui.expr import Call, Node, Num, Op, Sum, Sym, walk
from bptui.i18n import N_
from bptui.notation import fmt_term, one_bracket, pretty, unbracket_alone

SYMBOLS, NUMBERS, NAMES = 0, 1, 2  # what a symbol shows: its name, its value, its name

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
_SEP = {"+": " + ", "-": " - ", "*": " · ", "/": " / "}
_SUPERSCRIPT = {2.0: "²", 3.0: "³"}

#: Functions written in words rather than as fn(x): (rule, its precedence, numbers, theirs);
#: the layer functions show the matrix they read in the numbers (its shape).
FORMS: dict[str, tuple[str, int, str, int]] = {
    "step": ("1 if {0} ≥ 0 else 0", 1, "1 if {0} ≥ 0 else 0", 1),
    "leaky_step": ("1 if {0} ≥ 0 else 0.01", 1, "1 if {0} ≥ 0 else 0.01", 1),
    "group": ("({0})", 9, "({0})", 9),
    "first_column": ("{0}[:, 1]", 9, "{0}", 9),
    "first_row": ("{0}[1, :]", 9, "{0}", 9),
    "sum_columns": ("Σ_k {0}[:, k]", 1, "{0}", 9),
    "row_dot": ("rowsum({0} ⊙ {1})", 9, N_("row sums"), 9),
    "sum_rows": ("Σ_s {0}", 1, N_("sum of {a0} over samples"), 1),
}
#: The numbers forms that are words, not symbols: said in the learner's language on the screen
#: and in the Markdown export (:func:`in_words`), always in English in an event (``--trace``).
_WORDED = {"row_dot", "sum_rows"}
#: What the English of those words (and of :func:`_layer_line`'s) looks like in a numbers line:
#: how a reader of an event tells that it has words to say in another language.
ENGLISH_WORDS = (" values", "sum of ", "row sums")

_words: ContextVar[Callable[..., str] | None] = ContextVar("bptui_expr_words", default=None)


def _say(template: str, **values: Any) -> str:
    """A numbers line's words: English, or through the translator of :func:`in_words`."""
    translate = _words.get()
    return template.format(**values) if translate is None else translate(template, **values)


@contextmanager
def in_words(translate: Callable[..., str]) -> Iterator[None]:
    """Render with the words of a language (``bptui.i18n._``) in this thread only: a screen
    shows a layer's numbers line in Chinese while a worker's events stay English."""
    token = _words.set(translate)
    try:
        yield
    finally:
        _words.reset(token)
#: Functions that only rearrange or reduce matrices (a layer's numbers show their shapes).
_STRUCTURAL = {"matmul", "transpose", "group", "first_column", "first_row", "sum_columns",
               "row_dot", "sum", "sum_rows"}


def shape(node: Node) -> tuple[int, ...]:
    """The shape of the node's value, worked out from its symbols' shapes (no arithmetic)."""
    if isinstance(node, Sym):
        return np.shape(node.value) if isinstance(node.value, np.ndarray) else ()
    if isinstance(node, Num):
        return ()
    if isinstance(node, Sum):
        return np.broadcast_shapes(*(shape(t) for t in node.terms)) if node.terms else ()
    args = [shape(a) for a in node.args]
    fn = node.fn if isinstance(node, Call) else ""
    if fn == "matmul":
        a, b = args
        return a[:-1] + b[1:] if len(b) > 1 else a[:-1]
    if fn == "transpose":
        return args[0][::-1]
    if fn in ("first_column", "sum_columns", "row_dot"):
        return args[0][:-1] + (1,)
    if fn in ("first_row", "sum_rows"):
        return args[0][1:]
    if fn == "sum":
        return ()
    return np.broadcast_shapes(*args)


def _shape_text(dims: Sequence[int]) -> str:
    return "×".join(str(n) for n in dims)


def _indexed(node: Node, mode: int) -> bool:
    """A sum the rule writes as Σ with its index."""
    return isinstance(node, Sum) and node.over is not None and mode != NUMBERS


def _prefix(node: Node, mode: int) -> bool:
    """A sum written as a prefix (Σ_s ..., sum of ...), which reaches to the end of a product."""
    return _indexed(node, mode) or (isinstance(node, Call) and node.fn in ("sum", "sum_rows"))


def _atom(node: Node) -> bool:
    return isinstance(node, (Sym, Num))


def _group(node: Node) -> bool:
    """Whether the node is a short bracketed group, such as (1 - out) or (t - y)², that a
    coefficient stands beside: out(1 - out), ½(t - y)²."""
    if isinstance(node, Op) and node.op in "+-" and len(node.args) > 1:
        return all(_atom(a) for a in node.args)
    if isinstance(node, Op) and node.op == "**":
        return _group(node.args[0])
    return isinstance(node, Call) and node.fn == "group" and _group(node.args[0])


def _elementwise(args: tuple) -> bool:
    """``*`` of two or more matrices of one shape is the elementwise product ⊙."""
    shapes = [shape(a) for a in args]
    big = [s for s in shapes if s]
    return len(big) >= 2 and all(s == big[0] for s in big)


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
    return one_bracket(written)


def text(tree: Node, numbers: bool | int = False, bare: bool = False) -> str:
    """The tree written out: in symbols (w5 · out_h1), or with ``numbers`` as the values
    (0.4 · 0.5933; ``NAMES``: symbols by name, numbers by value). With ``bare``, a negative
    number that is all there is stands without brackets (out = -0.5)."""
    mode = int(numbers)

    def go(node: Node, outer: int) -> str:
        body, prec = write(node)
        return f"({body})" if prec < outer else body

    def write(node: Node) -> tuple[str, int]:
        if isinstance(node, Sym):
            if mode == NUMBERS and isinstance(node.value, np.ndarray):  # a matrix: its shape
                return "(" + _shape_text(node.value.shape) + ")", 9
            if mode == NUMBERS and node.value is not None:
                return fmt_term(node.value), 9
            return pretty(node.name) + ("⁺" if node.updated else ""), 9
        if isinstance(node, Num):
            if node.name is not None and mode == SYMBOLS:
                return node.name, 9
            if node.name is None and node.value == 0.5:
                return "½", 9
            return fmt_term(node.value), 9
        if isinstance(node, Sum):
            if _indexed(node, mode):
                return f"Σ_{node.over} " + go(node.term, 2), 1
            return " + ".join(go(t, 1) for t in node.terms), 1
        if isinstance(node, Call):
            return call(node)
        if node.op == "neg":
            return "-" + go(node.args[0], 2), 3
        if node.op == "**":
            base, power = node.args
            sup = _SUPERSCRIPT.get(power.value) if isinstance(power, Num) else None
            return go(base, 5) + (sup or "^" + go(power, 5)), 4
        return operator(node)

    def call(node: Call) -> tuple[str, int]:
        fn, args = node.fn, node.args
        if fn == "transpose":
            return go(args[0], 5) + "ᵀ", 9
        if fn == "matmul":
            return " · ".join(go(a, 2) for a in args), 2
        if fn == "sum":
            dims = shape(args[0])
            if mode == NUMBERS:
                return _say(N_("sum of {n} terms ({shape})"), n=int(np.prod(dims)),
                            shape=_shape_text(dims)), 1
            return ("Σ_s Σ_k " if len(dims) > 1 else "Σ_k ") + go(args[0], 2), 1
        if fn in FORMS:
            rule, rule_prec, nums, nums_prec = FORMS[fn]
            parts = [go(a, 0) for a in args]
            if mode and fn in _WORDED:
                written = _say(nums, **{f"a{i}": p for i, p in enumerate(parts)})
            else:
                written = (nums if mode else rule).format(*parts)
            return written, nums_prec if mode else rule_prec
        return call_text(fn, [go(a, 0) for a in args]), 9

    def operator(node: Op) -> tuple[str, int]:
        op, args = node.op, node.args
        prec = _PREC[op]
        if op == "/" and len(args) == 2 and all(_atom(a) for a in args):
            return go(args[0], 2) + "/" + go(args[1], 3), 2  # -target/out
        sep = " ⊙ " if op == "*" and _elementwise(args) else _SEP[op]
        out = go(args[0], prec)
        for k, a in enumerate(args[1:], start=1):
            if op == "*" and _atom(args[k - 1]) and _group(a):
                out += go(a, prec)  # a coefficient beside its group: out(1 - out)
            elif op == "*" and k == len(args) - 1 and _prefix(a, mode):
                out += sep + go(a, 0)  # a Σ at the end reaches to the end: η · Σ_s ...
            else:
                out += sep + go(a, prec + (1 if op in "-/" else 0))
        return out, prec

    written = go(tree, 0)
    if bare:
        return unbracket_alone(written)
    return written


def _valued(node: Node) -> bool:
    """Every symbol of the form has a value (so it can be written with numbers)."""
    syms = [n for n in walk(node) if isinstance(n, Sym)]
    return bool(syms) and all(n.value is not None for n in syms)


def numbers_line(lhs: str, tree: Node, value: Any, chain: Sequence[Node] = (),
                 bare: bool = False) -> str:
    """The rule with its numbers in: the first form of the rule whose symbols all have values
    (the chain rule's factors, where the step shows them), else the tree. A whole layer shows
    shapes (:func:`_layer_line`)."""
    if isinstance(value, np.ndarray) and value.size > 1:
        return _layer_line(lhs, tree, value)
    shown = next((c for c in chain if _valued(c)), tree)
    return f"{lhs} = " + text(shown, numbers=True, bare=bare)


def _layer_line(lhs: str, tree: Node, value: np.ndarray) -> str:
    """A layer-level step's numbers: the shapes of what it multiplies (net, δ, gradients, the
    error sent back), the activation and how many values it maps, the update in names with η's
    value and the result's shape, or, for a formula applied value by value, how many values."""
    from bptui.activations import ACTIVATIONS

    dims = _shape_text(value.shape)
    nodes = list(walk(tree))
    if isinstance(tree, Call) and tree.fn in ACTIVATIONS and isinstance(tree.args[0], Sym):
        arg = tree.args[0]
        return _say(N_("{lhs} = {fn}({arg}) over {dims} values"), lhs=lhs, fn=tree.fn,
                    arg=pretty(arg.name), dims=_shape_text(shape(arg)))
    if isinstance(tree, Sym) or any(isinstance(n, Num) and n.name for n in nodes):
        return f"{lhs} = " + text(tree, numbers=NAMES) + f" ({dims})"
    if all(not isinstance(n, Num) and (not isinstance(n, Call) or n.fn in _STRUCTURAL)
           for n in nodes):
        return f"{lhs} = " + text(tree, numbers=True)
    return _say(N_("{lhs}: {dims} values"), lhs=lhs, dims=dims)


def lines(lhs: str, tree: Node, value: Any, chain: Sequence[Node] = (), note: str = "",
          bare: bool = False) -> tuple[str, str]:
    """(equation, substituted) of a step: ``lhs = chain... = tree`` and a note after the rule
    (how it applies, "elementwise", or what a mistake got wrong), and the numbers line."""
    equation = " = ".join([lhs, *(text(c) for c in chain), text(tree)]) + note
    return equation, numbers_line(lhs, tree, value, chain, bare)
