"""Every activation, each one entry with everything about it: the one place to add one.

An entry carries the maths (forward rule, derivative), how the rule and its derivative are
written (Unicode, LaTeX), the sentences that explain them, and the code the scalar fast path
(:mod:`bptui.scalar`) compiles. ``tests/test_registries.py`` fails when an entry lacks a piece,
and checks every derivative against central differences, so a new activation is one entry here
plus a reference in ``tests/conftest.py``.

The derivative is written in terms of what the hand calculation has at that moment: sigmoid and
tanh use the unit's *out* (σ' = out(1-out), tanh' = 1-out²), relu uses the *net* (relu'(0) = 1,
as in the source tutorials), so that the numbers substituted on screen are a tutorial's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bptui.i18n import N_

if TYPE_CHECKING:
    from bptui.expr import Node


class _Expr:
    """bptui.expr, imported when a tree is first built: the registries are needed on every
    command line, the trees only where events are made (expr costs milliseconds of start-up).
    """

    def __getattr__(self, name: str):
        from bptui import expr

        return getattr(expr, name)


ex = _Expr()

Array = np.ndarray

#: The slope of leaky_relu below zero.
LEAK = 0.01


def sigmoid(net: Array) -> Array:
    """Logistic function that never overflows: exp is only ever taken of a non-positive number."""
    net = np.asarray(net, dtype=np.float64)
    e = np.exp(-np.abs(net))
    return np.where(net >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(net: Array) -> Array:
    """exp(net_k) / Σ_j exp(net_j) over the last axis, shifted by the max so exp never overflows."""
    net = np.asarray(net, dtype=np.float64)
    e = np.exp(net - net.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softplus(net: Array) -> Array:
    """ln(1 + eˣ) as max(x, 0) + ln(1 + e^-|x|): no overflow for large x, no lost digits."""
    net = np.asarray(net, dtype=np.float64)
    return np.maximum(net, 0.0) + np.log1p(np.exp(-np.abs(net)))


def _linear(net: Array) -> Array:
    return np.array(net, dtype=np.float64, copy=True)


@dataclass(frozen=True)
class Activation:
    """An activation with its forward rule, derivative, texts and fast-path code.

    Rules use the placeholders ``{net}`` and ``{out}``; ``out_why`` uses ``{unit}``; ``code``
    and ``code_prime`` are Python expressions over the locals ``{n}`` (net) and ``{a}`` (out)
    for the scalar fast path, None where that path does not apply (softmax couples units).
    """

    name: str
    forward: Callable[[Array], Array]
    prime: Callable[[Array, Array], Array]  # (net, out) -> dout/dnet (the diagonal for softmax)
    symbol: str  # the rule: "σ({net})"
    prime_rule: str  # the derivative: "{out}(1 - {out})"
    why_prime: str  # one sentence on why the derivative is what it is
    out_why: str  # one sentence on what the unit does to its net ({unit})
    latex: str  # the rule in LaTeX ({net})
    prime_latex: str  # the derivative in LaTeX ({net}, {out})
    short: str  # a label for the network diagram
    code: str | None  # scalar fast path: out from {n}
    code_prime: str | None  # scalar fast path: slope from {n} and {a}
    tree: Callable[[Node], Node]  # the rule as an expression tree, from the net's node
    prime_tree: Callable[[Node, Node], Node]  # the derivative, from the net's and out's nodes
    per_unit: bool = True  # False when each out depends on every net of the layer


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation(
        "sigmoid", sigmoid, lambda net, out: out * (1.0 - out),
        "σ({net})", "{out}(1 - {out})",
        N_("the sigmoid's slope is σ(net)(1 - σ(net)), and σ(net) is the unit's out"),
        N_("the sigmoid squashes {unit}'s net into (0, 1)"),
        r"\sigma({net})", r"{out}(1 - {out})", "σ",
        # sig(n) written inline (a call per unit costs the 2-2-2 a tenth of its epoch)
        "(1.0 / (1.0 + exp(-{n})) if {n} >= 0.0 else (_e := exp({n})) / (1.0 + _e))",
        "{a} * (1.0 - {a})",
        tree=lambda n: ex.call("sigmoid", n), prime_tree=lambda n, o: ex.mul(o, ex.sub(ex.Num(1.0), o)),
    ),
    Activation(
        "tanh", np.tanh, lambda net, out: 1.0 - out * out,
        "tanh({net})", "1 - {out}²",
        N_("the slope of tanh is 1 - tanh(net)², and tanh(net) is the unit's out"),
        N_("tanh squashes {unit}'s net into (-1, 1)"),
        r"\tanh({net})", r"1 - {out}^{{2}}", "tanh",
        "tanh({n})", "1.0 - {a} * {a}",
        tree=lambda n: ex.call("tanh", n),
        prime_tree=lambda n, o: ex.sub(ex.Num(1.0), ex.Op("**", (o, ex.Num(2.0)))),
    ),
    Activation(
        # relu'(0) = 1: the batch tutorial zeroes the gradient only where net < 0.
        "relu", lambda net: np.maximum(net, 0.0),
        lambda net, out: np.where(net < 0, 0.0, 1.0),
        "max(0, {net})", "1 if {net} ≥ 0 else 0",
        N_("relu passes the signal unchanged where net ≥ 0 and blocks it where net < 0"),
        N_("relu keeps {unit}'s net where it is positive and makes it 0 elsewhere"),
        r"\max(0, {net})", r"1 \text{{ if }} {net} \geq 0 \text{{ else }} 0", "relu",
        # written so that a nan net stays nan, as numpy's maximum keeps it (not 0)
        "(0.0 if {n} <= 0.0 else {n})", "(0.0 if {n} < 0.0 else 1.0)",
        tree=lambda n: ex.call("relu", n), prime_tree=lambda n, o: ex.call("step", n),
    ),
    Activation(
        # Same convention at 0 as relu: the slope is 1 at net = 0.
        "leaky_relu", lambda net: np.where(net < 0, LEAK * net, net),
        lambda net, out: np.where(net < 0, LEAK, 1.0),
        "max(0.01 · {net}, {net})", "1 if {net} ≥ 0 else 0.01",
        N_("leaky relu passes the signal unchanged where net ≥ 0 and lets 1% through where "
        "net < 0, so a unit below zero still learns"),
        N_("leaky relu keeps {unit}'s net where it is positive and scales it by 0.01 elsewhere"),
        r"\max(0.01 \cdot {net}, {net})", r"1 \text{{ if }} {net} \geq 0 \text{{ else }} 0.01",
        "leaky",
        "({n} if {n} >= 0.0 else 0.01 * {n})", "(0.01 if {n} < 0.0 else 1.0)",
        tree=lambda n: ex.call("leaky_relu", n), prime_tree=lambda n, o: ex.call("leaky_step", n),
    ),
    Activation(
        "softplus", softplus, lambda net, out: sigmoid(net),
        "ln(1 + exp({net}))", "σ({net})",
        N_("the slope of ln(1 + eⁿᵉᵗ) is eⁿᵉᵗ/(1 + eⁿᵉᵗ), which is the sigmoid of the net"),
        N_("softplus is a smooth relu: {unit}'s out is ln(1 + e^net), near net where it is large "
        "and near 0 where it is very negative"),
        r"\ln(1 + e^{{{net}}})", r"\sigma({net})", "softplus",
        "(max({n}, 0.0) + log1p(exp(-abs({n}))))", "sig({n})",
        tree=lambda n: ex.call("softplus", n), prime_tree=lambda n, o: ex.call("sigmoid", n),
    ),
    Activation(
        # The diagonal of the Jacobian, out_k(1 - out_k). Backprop never uses it alone: with
        # cross-entropy the whole product simplifies to out - target.
        "softmax", softmax, lambda net, out: out * (1.0 - out),
        "softmax({net})", "{out}(1 - {out}) on the diagonal",
        N_("softmax's outputs compete: each out depends on every net of the layer"),
        N_("softmax turns the layer's nets into probabilities that sum to 1; {unit}'s share "
        "grows with its own net and shrinks with the others'"),
        r"\mathrm{{softmax}}({net})", r"{out}(1 - {out})", "softmax",
        None, None,
        tree=lambda n: ex.call("softmax", n), prime_tree=lambda n, o: ex.mul(o, ex.sub(ex.Num(1.0), o)),
        per_unit=False,
    ),
    Activation(
        "linear", _linear, lambda net, out: np.ones_like(net, dtype=np.float64),
        "{net}", "1",
        N_("a linear unit passes its net through unchanged, so its slope is 1"),
        N_("{unit} is linear: its out is its net"),
        "{net}", "1", "linear",
        "{n}", "1.0",
        tree=lambda n: n, prime_tree=lambda n, o: ex.Num(1.0),
    ),
)}


def slope_uses(rule: str) -> tuple[str, ...]:
    """Which of out/net a derivative rule reads, in the order the step names them."""
    return tuple(tag for tag in ("out", "net") if "{" + tag + "}" in rule)
