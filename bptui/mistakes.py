"""The mistake lab: named bugs from the source tutorials' own backprop code, one object each.

Correct backpropagation is :class:`Rules`: every place where a bug can change the maths or the
text is a method (a *hook*) of it. A mistake is a subclass that overrides the hooks it breaks
and says so in ``changes``, beside its own texts (what the wrong code says, what it should say,
which gradients it breaks, where it is from). The engine and :mod:`bptui.backprop` only ever
call hooks: nothing outside this module compares a mistake's name. ``tests/test_registries.py``
fails when a mistake overrides a maths hook without the text hook that explains it, or
declares a hook it does not override.

A mistake *applies* to a scenario only where it changes a value of the first epoch:
``requires`` says why the network's shape rules it out, and :meth:`Rules.applies` then checks
that switching it on really changes something.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from bptui import ordered
from bptui.activations import Activation, ex  # ex: bptui.expr, imported when a tree is built
from bptui.events import Phrases, Why, because
from bptui.i18n import N_
from bptui.losses import Loss

if TYPE_CHECKING:
    from bptui.expr import Node
    from bptui.scenario import Scenario

Array = np.ndarray

#: Every hook, with what it decides. A maths hook maps to the text hook that must change with it.
HOOKS: dict[str, str] = {
    "output_error": "dE/dout at the output layer",
    "shortcut_delta": "δ = out - target where cross-entropy meets its output activation",
    "slope": "dout/dnet",
    "send_back": "the error a layer receives from the layer above",
    "trains": "whether a layer is updated",
    "updates_inline": "whether a layer is updated before the error goes further back",
    "gradient_scale": "the factor a batch gradient is multiplied by",
    "error_why": "the bug's sentence for dE/dout",
    "shortcut_why": "the bug's sentence of the shortcut δ",
    "slope_why": "the bug's sentence for dout/dnet",
    "slope_note": "the note after a layer's dout/dnet rule",
    "sent_back_terms": "which δ·w terms make up a hidden unit's error",
    "sent_back_why": "the bug's sentence for a hidden unit's error",
    "sent_back_note": "the note after a layer's error rule",
    "frozen_why": "the sentence for a parameter that is not updated",
    "batch_grad_note": "the note after a batch update's rule",
    "error_tree": "the expression tree of dE/dout",
    "shortcut_tree": "the expression tree of the shortcut δ",
    "slope_tree": "the expression tree of dout/dnet",
    "send_back_tree": "the expression tree of a whole layer's error (layer by layer)",
}
EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "output_error": ("error_why", "error_tree"),
    "shortcut_delta": ("shortcut_why", "shortcut_tree"),
    "slope": ("slope_why", "slope_note", "slope_tree"),
    "send_back": ("sent_back_terms", "sent_back_note", "send_back_tree"),
    "trains": ("frozen_why",),
    "updates_inline": ("sent_back_why",),
    "gradient_scale": ("batch_grad_note",),
}


class Rules:
    """Correct backpropagation, hook by hook; the mistakes override what they break."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = "Correct backpropagation"
    wrong: ClassVar[str] = ""
    right: ClassVar[str] = ""
    breaks: ClassVar[str] = ""
    source: ClassVar[str] = ""
    changes: ClassVar[tuple[str, ...]] = ()

    # -- when it applies --------------------------------------------------------------

    def requires(self, s: Scenario) -> str | None:
        """Why the network's shape rules this mistake out, or None."""
        return None

    def applies(self, s: Scenario) -> str | None:
        """None when the mistake changes a value of the first epoch, else why it does not."""
        if getattr(s, "is_graph", False):
            return GRAPH_REASON
        why = self.requires(s)
        if why is not None or not self.name:
            return why
        if not changes_first_epoch(s, self.name):
            return N_("switching it on changes no value of the first epoch of this scenario")
        return None

    # -- maths hooks ------------------------------------------------------------------

    def output_error(self, loss: Loss, out: Array, target: Array) -> Array:
        return loss.grad(out, target)

    def shortcut_delta(self, out: Array, target: Array) -> Array | None:
        """δ at the output when cross-entropy meets its activation; None: no shortcut."""
        return out - target

    def slope(self, act: Activation, net: Array, out: Array) -> Array:
        return act.prime(net, out)

    def send_back(self, delta: Array, w: Array) -> Array:
        """Σ_k δ_k · w_k,i for every unit i of the layer below."""
        return ordered.matmul(delta, w)

    def trains(self, s: Scenario, lay: int) -> bool:
        return True

    def updates_inline(self, s: Scenario) -> bool:
        return False

    def gradient_scale(self, s: Scenario, scale: float) -> float:
        """The factor on a batch gradient: 1/N for a mean over N samples, else 1."""
        return scale

    # -- text hooks -------------------------------------------------------------------

    def error_why(self, loss: Loss) -> str | None:
        return None

    def shortcut_why(self) -> str | None:
        return None

    def slope_why(self, act: Activation) -> str | None:
        return None

    def slope_note(self, act: Activation) -> str:
        return ""

    def sent_back_terms(self, n_next: int, j: int) -> list[tuple[int, int, int]]:
        """(k, row, col): δ of unit k above times W[row, col], for hidden unit j."""
        return [(k, k, j) for k in range(n_next)]

    def sent_back_why(self, unit: str, feeds: Phrases) -> Why | None:
        return None

    def sent_back_note(self) -> str:
        return ""

    def frozen_why(self, name: str | None) -> Why | str:
        return ""

    def batch_grad_note(self) -> str:
        return ""

    # -- tree hooks -------------------------------------------------------------------

    def error_tree(self, loss: Loss, t: Node, out: Node, n: int) -> Node:
        return loss.grad_tree(t, out, n)

    def shortcut_tree(self, out: Node, t: Node) -> Node:
        return ex.call("group", ex.sub(out, t))

    def slope_tree(self, act: Activation, net: Node, out: Node) -> Node:
        return act.prime_tree(net, out)

    def send_back_tree(self, delta: Node, w: Node) -> Node:
        return ex.call("matmul", delta, w)


CORRECT = Rules()


def _hidden(s: Scenario) -> str | None:
    return None if len(s.layers) >= 2 else N_("the network has no hidden layer")


class StaleWeights(Rules):
    name = "stale-weights"
    title = N_("Update a layer before sending the error back through it")
    wrong = N_("w5 is updated first, then δ_h1 = (δ_o1·w5⁺ + δ_o2·w7⁺)·σ'(net_h1) uses the NEW weights")
    right = N_("send the error back with the weights the forward pass used, then update all")
    breaks = N_("every weight below the output layer (w1..w4 in the 2-2-2 net)")
    source = N_("the linear-chain tutorial's code, and the 2-2-2 walkthrough's own code: it is why "
              "its printed outputs after 10,000 epochs (0.015912196, 0.984065734) differ from "
              "correct backprop (0.0159136204, 0.9840642735)")
    changes = ("updates_inline", "sent_back_why")

    def requires(self, s: Scenario) -> str | None:
        if len(s.layers) < 2:
            return N_("the network has no hidden layer")
        if s.mode != "sample":
            return N_("in batch mode the weights change only once the whole batch has been seen")
        return None

    def updates_inline(self, s: Scenario) -> bool:
        return s.mode == "sample"

    def sent_back_why(self, unit: str, feeds: Phrases) -> Why | None:
        return because(N_("BUG (stale-weights): the weights out of {unit} were already updated"),
                       unit=unit)


class GradientAscent(Rules):
    name = "gradient-ascent"
    title = N_("Error signal with the wrong sign")
    wrong = N_("∂E/∂out = (target - out), then w ← w - η·grad")
    right = N_("∂E/∂out = -(target - out) = out - target")
    breaks = N_("every gradient has its sign flipped, so every step climbs the loss")
    source = N_("the 2-3-1 tutorial's code (label - y combined with w -= lr·grad)")
    changes = ("output_error", "error_why", "shortcut_delta", "shortcut_why", "error_tree",
               "shortcut_tree")
    BUG = N_("BUG (gradient-ascent): the sign is flipped, so the step climbs the error")

    def output_error(self, loss: Loss, out: Array, target: Array) -> Array:
        return -loss.grad(out, target)

    def shortcut_delta(self, out: Array, target: Array) -> Array | None:
        return -(out - target)

    def error_why(self, loss: Loss) -> str | None:
        return self.BUG

    def shortcut_why(self) -> str | None:
        return self.BUG

    def error_tree(self, loss: Loss, t: Node, out: Node, n: int) -> Node:
        """The derivative without its minus sign: -(t - y) becomes the code's (t - y)."""
        tree = loss.grad_tree(t, out, n)
        if not (isinstance(tree, ex.Op) and tree.op == "neg"):
            return ex.neg(tree)
        inner = tree.args[0]
        return ex.call("group", inner) if isinstance(inner, ex.Op) and inner.op in "+-" \
            else inner

    def shortcut_tree(self, out: Node, t: Node) -> Node:
        return ex.neg(ex.sub(out, t))


class LossAsGradient(Rules):
    name = "loss-as-gradient"
    title = N_("The loss used where its derivative belongs")
    wrong = N_("∂E/∂out = (out - target)²  (the loss value itself)")
    right = N_("∂E/∂out = 2(out - target) for (out - target)², or out - target for ½(…)²")
    breaks = N_("every gradient: each output's error is its loss term, which is never negative, "
              "so it loses the sign of out - target as well as the right size (for ½(t - y)² "
              "it is ½(t - y)² where -(t - y) belongs)")
    source = N_("the question's code in the 1-1-1 sigmoid-chain thread")
    changes = ("output_error", "error_why", "shortcut_delta", "shortcut_why", "error_tree",
               "shortcut_tree")

    def output_error(self, loss: Loss, out: Array, target: Array) -> Array:
        return loss.terms(out, target)

    def error_tree(self, loss: Loss, t: Node, out: Node, n: int) -> Node:
        return loss.term_tree(t, out, n)

    def shortcut_tree(self, out: Node, t: Node) -> Node:
        raise AssertionError("loss-as-gradient never takes the shortcut")

    def shortcut_delta(self, out: Array, target: Array) -> Array | None:
        return None  # the wrong dE/dout goes through the activation's own chain rule

    def error_why(self, loss: Loss) -> str | None:
        return N_("BUG (loss-as-gradient): the loss itself is used instead of its derivative")

    def shortcut_why(self) -> str | None:
        return None  # never taken: the wrong dE/dout goes through the activation's chain rule


class _SigmoidSlope(Rules):
    """A wrong slope for sigmoid units (every other activation keeps its own)."""

    bug: ClassVar[str] = ""
    tag: ClassVar[str] = ""
    changes = ("slope", "slope_why", "slope_note", "slope_tree")

    def wrong_slope(self, net: Array, out: Array) -> Array:
        raise NotImplementedError

    def wrong_tree(self, net: Node, out: Node) -> Node:
        raise NotImplementedError

    def requires(self, s: Scenario) -> str | None:
        if any(la.activation == "sigmoid" for la in s.layers):
            return None
        return N_("the network has no sigmoid unit")

    def slope(self, act: Activation, net: Array, out: Array) -> Array:
        return self.wrong_slope(net, out) if act.name == "sigmoid" else act.prime(net, out)

    def slope_tree(self, act: Activation, net: Node, out: Node) -> Node:
        return self.wrong_tree(net, out) if act.name == "sigmoid" else act.prime_tree(net, out)

    def slope_why(self, act: Activation) -> str | None:
        return self.bug if act.name == "sigmoid" else None

    def slope_note(self, act: Activation) -> str:
        return f"  (BUG: {self.tag})" if act.name == "sigmoid" else ""


class SigmoidPrimeOfNet(_SigmoidSlope):
    name = "sigmoid-prime-of-net"
    title = N_("σ' computed from the net instead of the out")
    wrong = N_("∂out/∂net = net(1 - net)")
    right = N_("∂out/∂net = out(1 - out) = σ(net)(1 - σ(net))")
    breaks = N_("every gradient that passes through a sigmoid unit")
    source = N_("a classic: y(1-y) is σ' only when y is the sigmoid's output")
    bug = N_("BUG (sigmoid-prime-of-net): y(1-y) is σ' only when y is σ(net), not net")
    tag = "of the net, not the out"

    def wrong_slope(self, net: Array, out: Array) -> Array:
        return net * (1.0 - net)

    def wrong_tree(self, net: Node, out: Node) -> Node:
        return ex.mul(net, ex.sub(ex.Num(1.0), net))


class TanhPrimeForSigmoid(_SigmoidSlope):
    name = "tanh-prime-for-sigmoid"
    title = N_("tanh's derivative used for a sigmoid")
    wrong = N_("∂out/∂net = 1 - out²")
    right = N_("∂out/∂net = out(1 - out)")
    breaks = N_("every gradient that passes through a sigmoid unit")
    source = N_("the 2-3-1 tutorial's code")
    bug = N_("BUG (tanh-prime-for-sigmoid): 1 - out² is the slope of tanh, not of σ")
    tag = "tanh's slope"

    def wrong_slope(self, net: Array, out: Array) -> Array:
        return 1.0 - out * out

    def wrong_tree(self, net: Node, out: Node) -> Node:
        return ex.sub(ex.Num(1.0), ex.Op("**", (out, ex.Num(2.0))))


class _WrongSendBack(Rules):
    """The error sent back through the wrong weights: the maths, the terms a hidden unit's
    error reads, the tree and the texts change together."""

    note: ClassVar[str] = ""  # after a layer's rule: "  (BUG: ...)"
    changes = ("send_back", "sent_back_terms", "sent_back_note", "sent_back_why",
               "send_back_tree")

    def requires(self, s: Scenario) -> str | None:
        if len(s.layers) < 2:
            return N_("the network has no hidden layer")
        if any(la.size >= 2 for la in s.layers[1:]):
            return None
        return N_("every hidden unit feeds a single unit, so there is no sum to get wrong")

    def sent_back_note(self) -> str:
        return self.note


class MissingSum(_WrongSendBack):
    name = "missing-sum"
    title = N_("A hidden unit's error taken from one unit only")
    wrong = N_("∂E/∂out_h1 = δ_o1·w5  (only the first unit it feeds)")
    right = N_("∂E/∂out_h1 = Σ_k δ_k·w_k,h1 = δ_o1·w5 + δ_o2·w7")
    breaks = N_("every weight below the output layer")
    source = N_("the point the 2-2-2 walkthrough stresses: h1 affects both outputs")
    note = "  (BUG: the first unit only)"

    def send_back(self, delta: Array, w: Array) -> Array:
        return delta[..., :1] * w[0]

    def sent_back_terms(self, n_next: int, j: int) -> list[tuple[int, int, int]]:
        return [(0, 0, j)]

    def send_back_tree(self, delta: Node, w: Node) -> Node:
        return ex.mul(ex.call("first_column", delta), ex.call("first_row", w))

    def sent_back_why(self, unit: str, feeds: Phrases) -> Why | None:
        return because(N_("BUG (missing-sum): only the first unit's share is taken, but {unit} "
                          "feeds {feeds}"), unit=unit, feeds=feeds)


class WrongWeightInSum(_WrongSendBack):
    name = "wrong-weight-in-sum"
    title = N_("The right sum, but the same weight in every term")
    wrong = N_("∂E/∂out_h1 = δ_o1·w5 + δ_o2·w5  (the weight into the first unit, every time)")
    right = N_("∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7")
    breaks = N_("every weight below the output layer")
    source = N_("the 2-2-2 tutorial's Python code, which uses w5 in both terms of h1's error")
    note = "  (BUG: one weight row for every term)"

    def send_back(self, delta: Array, w: Array) -> Array:
        return delta.sum(axis=-1, keepdims=True) * w[0]

    def sent_back_terms(self, n_next: int, j: int) -> list[tuple[int, int, int]]:
        return [(k, 0, j) for k in range(n_next)]

    def send_back_tree(self, delta: Node, w: Node) -> Node:
        return ex.mul(ex.call("sum_columns", delta), ex.call("first_row", w))

    def sent_back_why(self, unit: str, feeds: Phrases) -> Why | None:
        return N_("BUG (wrong-weight-in-sum): every term uses the weight into the first unit")


class TransposedWeights(_WrongSendBack):
    name = "transposed-weights"
    title = N_("The error sent back through W instead of Wᵀ")
    wrong = N_("∂E/∂out_h1 = δ_o1·w5 + δ_o2·w6  (the weights out of o1, not the weights out of h1)")
    right = N_("∂E/∂out_h1 = δ_o1·w5 + δ_o2·w7  (row h1 of Wᵀ: the weights out of h1)")
    breaks = N_("every weight below the output layer")
    source = N_("a shape slip: on a square layer W and Wᵀ have the same shape, so the code runs "
              "and only the numbers are wrong; on any other layer it is a shape error")
    note = "  (BUG: W where Wᵀ belongs)"

    def requires(self, s: Scenario) -> str | None:
        if len(s.layers) < 2:
            return N_("the network has no hidden layer")
        for lay, la in enumerate(s.layers[1:], start=2):
            if la.size != la.inputs:
                return (f"W{lay} is {la.size}×{la.inputs}: sending the error back through W "
                        "instead of Wᵀ would be a shape error there, not a silent bug")
        return None

    def send_back(self, delta: Array, w: Array) -> Array:
        return ordered.matmul(delta, w.T)

    def sent_back_terms(self, n_next: int, j: int) -> list[tuple[int, int, int]]:
        return [(k, j, k) for k in range(n_next)]

    def send_back_tree(self, delta: Node, w: Node) -> Node:
        return ex.call("matmul", delta, ex.call("transpose", w))

    def sent_back_why(self, unit: str, feeds: Phrases) -> Why | None:
        return because(N_("BUG (transposed-weights): the error comes back along the weights out "
                          "of one unit above instead of the weights out of {unit} ({feeds})"),
                       unit=unit, feeds=feeds)


class NoHiddenUpdate(Rules):
    name = "no-hidden-update"
    title = N_("Only the last layer is updated")
    wrong = N_("w1 ← w1 - 0  (the hidden weights never change)")
    right = N_("w1 ← w1 - η·∂E/∂w1 with the chain rule through the hidden unit")
    breaks = N_("no gradient, but every update below the output layer")
    source = N_("the sigmoid-chain question: stuck on the first layer, its code leaves w1 unchanged")
    changes = ("trains", "frozen_why")

    def requires(self, s: Scenario) -> str | None:
        return _hidden(s)

    def trains(self, s: Scenario, lay: int) -> bool:
        return lay >= len(s.layers)

    def frozen_why(self, name: str | None) -> Why | str:
        if name is None:
            return N_("BUG (no-hidden-update): this layer is never updated")
        return because(N_("BUG (no-hidden-update): only the last layer is updated; {name} never "
                          "changes"), name=name)


class SumForMean(Rules):
    name = "sum-for-mean"
    title = N_("A batch gradient summed where the loss is a mean")
    wrong = N_("∂E/∂w = Σ_s ∂E_s/∂w  (the 1/N of the mean left out)")
    right = N_("∂E/∂w = (1/N) Σ_s ∂E_s/∂w, because E = (1/N) Σ_s E_s")
    breaks = N_("every update, N times too large (the loss shown is still the mean)")
    source = N_("a common slip when batch code written for a summed loss is reused for a mean")
    changes = ("gradient_scale", "batch_grad_note")

    def requires(self, s: Scenario) -> str | None:
        if s.mode != "batch":
            return N_("the scenario updates after each sample: there is no batch to sum over")
        if s.reduction != "mean":
            return N_("the scenario sums the per-sample losses, so a summed gradient is right")
        return None

    def gradient_scale(self, s: Scenario, scale: float) -> float:
        return 1.0

    def batch_grad_note(self) -> str:
        return "  (BUG: the 1/N of the mean left out)"


MISTAKES: dict[str, Rules] = {m.name: m for m in (
    StaleWeights(), GradientAscent(), LossAsGradient(), SigmoidPrimeOfNet(),
    TanhPrimeForSigmoid(), MissingSum(), WrongWeightInSum(), TransposedWeights(),
    NoHiddenUpdate(), SumForMean(),
)}

#: Kept for callers that name the type.
Mistake = Rules


def get(name: str | None) -> Rules | None:
    """The mistake called ``name``; None for no mistake. Raises KeyError for an unknown name."""
    if name is None:
        return None
    return MISTAKES[name]


GRAPH_REASON = ("a layered network's mistake does not apply to a computational graph "
                "(its mistakes are the graph's own, bptui.graph.mistakes)")


def rules(name: str | None) -> Rules:
    """The rules to compute with: correct backprop for None, else the named mistake's."""
    return CORRECT if name is None else MISTAKES[name]


def changes_first_epoch(s: Scenario, name: str) -> bool:
    """Whether the mistake changes any value of the first epoch: the first sample's backward
    pass or the parameters after the epoch (checked on the numpy reference path).

    A computational graph has no layers, so a layered network's mistake never applies to it
    (a graph's own mistakes are in :mod:`bptui.graph.mistakes`)."""
    from bptui import backprop as bp

    if getattr(s, "is_graph", False):
        return False

    with np.errstate(all="ignore"):
        p0 = bp.Params.initial(s)
        x, t = (s.inputs, s.targets) if s.mode == "batch" else (s.inputs[0], s.targets[0])
        scale = bp.batch_scale(s) if s.mode == "batch" else 1.0
        fw = bp.forward(s, p0, x)
        right = bp.backward(s, p0.copy(), fw, t, scale=scale)
        wrong = bp.backward(s, p0.copy(), fw, t, mistake=name, scale=scale,
                            update_inline=rules(name).updates_inline(s))
        for a, b in ((right.err, wrong.err), (right.fprime, wrong.fprime),
                     (right.delta, wrong.delta), (right.grad_w, wrong.grad_w)):
            if any(not np.array_equal(u, v) for u, v in zip(a, b, strict=True)):
                return True
        p_right = bp.train_epoch(s, bp.Params.initial(s))
        p_wrong = bp.train_epoch(s, bp.Params.initial(s), name)
    return any(not np.array_equal(u, v) for u, v in zip(p_right.weights, p_wrong.weights,
                                                         strict=True)) or any(
        (u is not None and not np.array_equal(u, v))
        for u, v in zip(p_right.biases, p_wrong.biases, strict=True))
