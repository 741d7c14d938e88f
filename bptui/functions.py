"""Activations and losses, each with the derivative a learner computes by hand.

The derivative of every activation is written in terms of what the hand calculation has at
that moment: sigmoid and tanh use the unit's *out* (σ' = out(1-out), tanh' = 1-out²), relu
uses the *net* (relu'(0) = 1, as in the source tutorials), so that the numbers substituted on
screen are the same ones a tutorial substitutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def sigmoid(net: Array) -> Array:
    """Logistic function that never overflows: exp is only ever taken of a non-positive number."""
    net = np.asarray(net, dtype=np.float64)
    e = np.exp(-np.abs(net))
    return np.where(net >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_prime(net: Array, out: Array) -> Array:
    return out * (1.0 - out)


def _tanh_prime(net: Array, out: Array) -> Array:
    return 1.0 - out * out


def _relu(net: Array) -> Array:
    return np.maximum(net, 0.0)


def _relu_prime(net: Array, out: Array) -> Array:
    # relu'(0) = 1: the batch tutorial zeroes the gradient only where net < 0.
    return np.where(net < 0, 0.0, 1.0)


def _linear(net: Array) -> Array:
    return np.array(net, dtype=np.float64, copy=True)


def _linear_prime(net: Array, out: Array) -> Array:
    return np.ones_like(net, dtype=np.float64)


def softmax(net: Array) -> Array:
    """exp(net_k) / Σ_j exp(net_j) over the last axis, shifted by the max so exp never overflows."""
    net = np.asarray(net, dtype=np.float64)
    e = np.exp(net - net.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_prime(net: Array, out: Array) -> Array:
    # The diagonal of the Jacobian, out_k(1 - out_k). Backprop never uses it alone: with
    # cross-entropy the whole product simplifies to out - target (see backprop.output_delta).
    return out * (1.0 - out)


@dataclass(frozen=True)
class Activation:
    """An activation with its forward rule, derivative and the words used to explain it."""

    name: str
    forward: Callable[[Array], Array]
    prime: Callable[[Array, Array], Array]
    symbol: str  # how the rule is written: "σ(net)"
    prime_rule: str  # the derivative in symbols, with OUT / NET placeholders
    why_prime: str  # one sentence on why the derivative is what it is


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(
        "sigmoid", sigmoid, _sigmoid_prime, "σ({net})", "{out}(1 - {out})",
        "the sigmoid's slope is σ(net)(1 - σ(net)), and σ(net) is the unit's out",
    ),
    "tanh": Activation(
        "tanh", np.tanh, _tanh_prime, "tanh({net})", "1 - {out}²",
        "the slope of tanh is 1 - tanh(net)², and tanh(net) is the unit's out",
    ),
    "relu": Activation(
        "relu", _relu, _relu_prime, "max(0, {net})", "1 if {net} ≥ 0 else 0",
        "relu passes the signal unchanged where net ≥ 0 and blocks it where net < 0",
    ),
    "softmax": Activation(
        "softmax", softmax, _softmax_prime, "softmax({net})", "{out}(1 - {out}) on the diagonal",
        "softmax's outputs compete: each out depends on every net of the layer",
    ),
    "linear": Activation(
        "linear", _linear, _linear_prime, "{net}", "1",
        "a linear unit passes its net through unchanged, so its slope is 1",
    ),
}


@dataclass(frozen=True)
class Loss:
    """A loss over one sample's outputs, with dE/dout and the words that explain both."""

    name: str
    value: Callable[[Array, Array], float]  # (out, target) -> E
    grad: Callable[[Array, Array], Array]  # (out, target) -> dE/dout
    term_rule: str  # one output's term, with T / OUT / N placeholders
    grad_rule: str  # dE/dout for one output
    description: str


def _half_sse(out: Array, target: Array) -> float:
    d = target - out
    return float(0.5 * np.dot(d, d)) if d.ndim == 1 else float(0.5 * np.sum(d * d))


def _sse(out: Array, target: Array) -> float:
    d = target - out
    return float(np.sum(d * d))


def _mse(out: Array, target: Array) -> float:
    d = target - out
    return float(np.sum(d * d) / out.shape[-1])


#: Logs are taken of outputs clipped this far inside (0, 1), so a saturated unit gives a large
#: finite loss instead of inf; far below the precision any scenario shows.
CLIP = 1e-300


def _log(x: Array) -> Array:
    return np.log(np.maximum(x, CLIP))


def _cross_entropy(out: Array, target: Array) -> float:
    return float(-np.sum(target * _log(out)))


def _cross_entropy_grad(out: Array, target: Array) -> Array:
    return -target / np.maximum(out, CLIP)


def _bce_terms(out: Array, target: Array) -> Array:
    return -(target * _log(out) + (1.0 - target) * _log(1.0 - out))


def _bce_grad(out: Array, target: Array) -> Array:
    return (out - target) / np.maximum(out * (1.0 - out), CLIP)


LOSSES: dict[str, Loss] = {
    "half_sse": Loss(
        "half_sse", _half_sse, lambda o, t: o - t,
        "½({t} - {out})²", "-({t} - {out})",
        "sum over outputs of ½(target - out)²",
    ),
    "sse": Loss(
        "sse", _sse, lambda o, t: 2.0 * (o - t),
        "({t} - {out})²", "-2({t} - {out})",
        "sum over outputs of (target - out)²",
    ),
    "mse": Loss(
        "mse", _mse, lambda o, t: 2.0 * (o - t) / o.shape[-1],
        "({t} - {out})²/{n}", "-2({t} - {out})/{n}",
        "mean over outputs of (target - out)²",
    ),
    "cross_entropy": Loss(
        "cross_entropy", _cross_entropy, _cross_entropy_grad,
        "-{t}·ln({out})", "-{t}/{out}",
        "minus the sum over outputs of target·ln(out), with a softmax output layer",
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", lambda o, t: float(np.sum(_bce_terms(o, t))), _bce_grad,
        "-({t}·ln({out}) + (1 - {t})·ln(1 - {out}))", "({out} - {t}) / ({out}(1 - {out}))",
        "minus target·ln(out) + (1 - target)·ln(1 - out), with sigmoid outputs",
    ),
}

#: Loss and output activation pairs whose δ = ∂E/∂net simplifies to out - target.
SIMPLIFIED = {("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")}
