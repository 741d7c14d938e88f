"""The mistake lab: named bugs from the source tutorials' own backprop code.

Each mistake is data (what the wrong code says, what it should say, which gradients it breaks);
the engine's backward pass reads the switch and computes the wrong thing exactly as the buggy
code does. ``applies`` says why a mistake means nothing for a network's shape, so that the
chooser can say so instead of offering a switch that changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bptui.scenario import Scenario


@dataclass(frozen=True)
class Mistake:
    name: str
    title: str
    wrong: str  # what the buggy code computes
    right: str  # what it should compute
    breaks: str  # which gradients or updates go wrong
    source: str  # where the bug is from
    check: Callable[[Scenario], str | None]  # None when it applies, else why it does not

    def applies(self, scenario: Scenario) -> str | None:
        return self.check(scenario)


def _needs_hidden(s: Scenario) -> str | None:
    return None if len(s.layers) >= 2 else "the network has no hidden layer"


def _needs_sigmoid(s: Scenario) -> str | None:
    if any(la.activation == "sigmoid" for la in s.layers):
        return None
    return "the network has no sigmoid unit"


def _needs_wide_next(s: Scenario) -> str | None:
    if len(s.layers) < 2:
        return "the network has no hidden layer"
    if any(la.size >= 2 for la in s.layers[1:]):
        return None
    return "every hidden unit feeds a single unit, so there is no sum to get wrong"


def _stale(s: Scenario) -> str | None:
    if len(s.layers) < 2:
        return "the network has no hidden layer"
    if s.mode != "sample":
        return "in batch mode the weights change only once the whole batch has been seen"
    return None


def _always(s: Scenario) -> str | None:
    return None


MISTAKES: dict[str, Mistake] = {
    m.name: m
    for m in (
        Mistake(
            "stale-weights",
            "Update a layer before sending the error back through it",
            "w5 is updated first, then δ_h1 = (δ_o1·w5⁺ + δ_o2·w7⁺)·σ'(net_h1) uses the NEW weights",
            "send the error back with the weights the forward pass used, then update all",
            "every weight below the output layer (w1..w4 in the 2-2-2 net)",
            "the linear-chain tutorial's code, and the 2-2-2 walkthrough's own code: it is why "
            "its printed outputs after 10,000 epochs (0.015912196, 0.984065734) differ from "
            "correct backprop (0.0159136204, 0.9840642735)",
            _stale,
        ),
        Mistake(
            "gradient-ascent",
            "Error signal with the wrong sign",
            "∂E/∂out = (target - out), then w ← w - η·grad",
            "∂E/∂out = -(target - out) = out - target",
            "every gradient has its sign flipped, so every step climbs the loss",
            "the 2-3-1 tutorial's code (label - y combined with w -= lr·grad)",
            _always,
        ),
        Mistake(
            "loss-as-gradient",
            "The loss used where its derivative belongs",
            "∂E/∂out = (out - target)²  (the loss value itself)",
            "∂E/∂out = 2(out - target) for (out - target)², or out - target for ½(…)²",
            "every gradient (they are all scaled by the wrong factor)",
            "the question's code in the 1-1-1 sigmoid-chain thread",
            _always,
        ),
        Mistake(
            "sigmoid-prime-of-net",
            "σ' computed from the net instead of the out",
            "∂out/∂net = net(1 - net)",
            "∂out/∂net = out(1 - out) = σ(net)(1 - σ(net))",
            "every gradient that passes through a sigmoid unit",
            "a classic: y(1-y) is σ' only when y is the sigmoid's output",
            _needs_sigmoid,
        ),
        Mistake(
            "tanh-prime-for-sigmoid",
            "tanh's derivative used for a sigmoid",
            "∂out/∂net = 1 - out²",
            "∂out/∂net = out(1 - out)",
            "every gradient that passes through a sigmoid unit",
            "the 2-3-1 tutorial's code",
            _needs_sigmoid,
        ),
        Mistake(
            "missing-sum",
            "A hidden unit's error taken from one unit only",
            "∂E/∂out_h1 = δ_o1·w5  (only the first unit it feeds)",
            "∂E/∂out_h1 = Σ_k δ_k·w_k,h1 = δ_o1·w5 + δ_o2·w7",
            "every weight below the output layer",
            "the point the 2-2-2 walkthrough stresses: h1 affects both outputs",
            _needs_wide_next,
        ),
        Mistake(
            "wrong-weight-in-sum",
            "The right sum, but the same weight in every term",
            "∂E/∂out_h1 = δ_o1·w5 + δ_o2·w5  (the weight into the first unit, every time)",
            "∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7",
            "every weight below the output layer",
            "the 2-2-2 tutorial's Python code, which uses w5 in both terms of h1's error",
            _needs_wide_next,
        ),
        Mistake(
            "no-hidden-update",
            "Only the last layer is updated",
            "w1 ← w1 - 0  (the hidden weights never change)",
            "w1 ← w1 - η·∂E/∂w1 with the chain rule through the hidden unit",
            "no gradient, but every update below the output layer",
            "the sigmoid-chain question: stuck on the first layer, its code leaves w1 unchanged",
            _needs_hidden,
        ),
    )
}


def get(name: str | None) -> Mistake | None:
    """The mistake called ``name``; None for no mistake. Raises KeyError for an unknown name."""
    if name is None:
        return None
    return MISTAKES[name]
