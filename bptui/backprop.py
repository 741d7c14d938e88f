"""The numbers of backpropagation, vectorised, with no events: the one place the maths lives.

Both the event stream (what the learner steps through) and the fast path (what "run to the
end" uses) call these functions, so the two can never disagree about a gradient. The mistake
lab's switches are read here too: a buggy variant is the same computation with one rule
swapped, which is exactly how the bug looks in the tutorials' code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bptui import ordered
from bptui.activations import ACTIVATIONS
from bptui.losses import LOSSES
from bptui.scenario import Scenario

if TYPE_CHECKING:
    from bptui.mistakes import Rules


@dataclass
class Params:
    """The trainable state: one weight matrix and an optional bias vector per layer."""

    weights: list[np.ndarray]
    biases: list[np.ndarray | None]

    @classmethod
    def initial(cls, scenario: Scenario) -> Params:
        return cls(
            [la.weights.copy() for la in scenario.layers],
            [None if la.bias is None else la.bias.copy() for la in scenario.layers],
        )

    def copy(self) -> Params:
        return Params(
            [w.copy() for w in self.weights],
            [None if b is None else b.copy() for b in self.biases],
        )

    def copy_into(self, other: Params | None) -> Params:
        """A copy of these parameters in ``other``'s arrays when it has their shapes (else a
        new copy): a large net's fresh 800 kB arrays cost page faults at every copy, a reused
        one only the copying."""
        if other is None or [w.shape for w in other.weights] != [w.shape for w in self.weights] \
                or [None if b is None else b.shape for b in other.biases] \
                != [None if b is None else b.shape for b in self.biases]:
            return self.copy()
        for mine, theirs in zip(self.weights, other.weights, strict=True):
            np.copyto(theirs, mine)
        for mine_b, theirs_b in zip(self.biases, other.biases, strict=True):
            if mine_b is not None and theirs_b is not None:
                np.copyto(theirs_b, mine_b)
        return other

    def value(self, layer: int, kind: str, row: int, col: int) -> float:
        """One parameter by its reference (layer 1-based)."""
        if kind == "weight":
            return float(self.weights[layer - 1][row, col])
        bias = self.biases[layer - 1]
        assert bias is not None
        return float(bias[row])

    def set(self, layer: int, kind: str, row: int, col: int, value: float) -> None:
        if kind == "weight":
            self.weights[layer - 1][row, col] = value
        else:
            bias = self.biases[layer - 1]
            assert bias is not None
            bias[row] = value

    def finite(self) -> bool:
        return all(np.isfinite(w).all() for w in self.weights) and all(
            b is None or np.isfinite(b).all() for b in self.biases
        )

    def as_dict(self) -> list[dict]:
        return [
            {"weights": w.tolist(), "bias": None if b is None else b.tolist()}
            for w, b in zip(self.weights, self.biases, strict=True)
        ]


@dataclass
class Forward:
    """nets[l] and outs[l] for layers 1..L; outs[0] is the input (row or matrix of rows)."""

    nets: list[np.ndarray]  # index 0 unused (None-like empty array)
    outs: list[np.ndarray]


@dataclass
class Backward:
    """Per layer (index 1..L): the error arriving at its outputs, f'(net), delta, gradients.

    ``sent_with[l]`` is the weight matrix of layer l+1 that carried the error back to layer
    l: the forward pass's weights in correct backprop, already-updated ones with the
    stale-weights mistake. ``params`` is the state after any update made during the pass.
    """

    err: list[np.ndarray]
    fprime: list[np.ndarray]
    delta: list[np.ndarray]
    grad_w: list[np.ndarray]
    grad_b: list[np.ndarray | None]
    sent_with: list[np.ndarray | None]
    params: Params
    updated_inline: bool


def rules(mistake: str | None) -> Rules:
    """The rules to compute with (:func:`bptui.mistakes.rules`), imported on first use: the
    scalar fast path never needs them, and the mistakes module brings in the events and the
    expression trees (about a tenth of a command line's start-up beyond numpy)."""
    from bptui.mistakes import rules as of

    return of(mistake)


def forward(scenario: Scenario, params: Params, x: np.ndarray) -> Forward:
    """Weighted sums and activations of every layer for one sample (1-D) or a batch (2-D)."""
    nets: list[np.ndarray] = [np.empty(0)]
    outs: list[np.ndarray] = [x]
    a = x
    for layer, w, b in zip(scenario.layers, params.weights, params.biases, strict=True):
        net = ordered.matmul(a, w.T)
        if b is not None:
            net = net + b
        a = ACTIVATIONS[layer.activation].forward(net)
        nets.append(net)
        outs.append(a)
    return Forward(nets, outs)


def loss_terms(loss: str, out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each output's share of the loss, so that their sum is the loss of one sample."""
    return LOSSES[loss].terms(out, target)


def simplified(scenario: Scenario) -> bool:
    """Whether the output δ is out - target directly (cross-entropy after softmax or sigmoid)."""
    return LOSSES[scenario.loss].simplifies_with == scenario.layers[-1].activation


def sample_losses(scenario: Scenario, params: Params) -> np.ndarray:
    """The loss of every sample under ``params``."""
    fw = forward(scenario, params, scenario.inputs)
    return loss_terms(scenario.loss, fw.outs[-1], scenario.targets).sum(axis=1)


def dataset_loss(scenario: Scenario, params: Params) -> float:
    """The loss over all samples: summed or averaged as the scenario says."""
    per = sample_losses(scenario, params)
    return float(per.sum() if scenario.reduction == "sum" else per.mean())


def output_error(
    scenario: Scenario, out: np.ndarray, target: np.ndarray, mistake: str | None
) -> np.ndarray:
    """dE/dout at the output layer, or what a buggy version puts in its place."""
    return rules(mistake).output_error(LOSSES[scenario.loss], out, target)


def activation_slope(
    activation: str, net: np.ndarray, out: np.ndarray, mistake: str | None
) -> np.ndarray:
    """dout/dnet, or what a mistake in the slope puts in its place."""
    return rules(mistake).slope(ACTIVATIONS[activation], net, out)


def send_back(delta: np.ndarray, w: np.ndarray, mistake: str | None) -> np.ndarray:
    """The error each unit of the previous layer receives: Σ_k δ_k · w_k,i (or a bug's version)."""
    return rules(mistake).send_back(delta, w)


def layer_grads(
    delta: np.ndarray, a_prev: np.ndarray, bias: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """dE/dW = δ ⊗ out_prev (summed over a batch) and dE/db for a per-unit or shared bias."""
    if delta.ndim == 1:
        gw = np.outer(delta, a_prev)
        gb_unit = delta
    else:
        gw = ordered.matmul(delta.T, a_prev)
        gb_unit = delta.sum(axis=0)
    if bias is None:
        return gw, None
    if bias.shape == (1,):
        return gw, np.array([gb_unit.sum()])
    return gw, gb_unit


def backward(
    scenario: Scenario,
    params: Params,
    fw: Forward,
    target: np.ndarray,
    *,
    mistake: str | None = None,
    scale: float = 1.0,
    update_inline: bool = False,
) -> Backward:
    """The backward pass from the output layer down, for one sample or a whole batch.

    With ``update_inline`` (the stale-weights mistake) each layer is updated as soon as its
    gradient is known, so the error sent further back is carried by the new weights.
    """
    m = rules(mistake)
    scale = m.gradient_scale(scenario, scale)
    n = len(scenario.layers)
    err: list[np.ndarray] = [np.empty(0)] * (n + 1)
    fprime: list[np.ndarray] = [np.empty(0)] * (n + 1)
    delta: list[np.ndarray] = [np.empty(0)] * (n + 1)
    grad_w: list[np.ndarray] = [np.empty(0)] * (n + 1)
    grad_b: list[np.ndarray | None] = [None] * (n + 1)
    sent_with: list[np.ndarray | None] = [None] * (n + 1)
    state = params.copy() if update_inline else params
    err[n] = output_error(scenario, fw.outs[n], target, mistake) * scale
    for lay in range(n, 0, -1):
        layer = scenario.layers[lay - 1]
        fprime[lay] = activation_slope(layer.activation, fw.nets[lay], fw.outs[lay], mistake)
        shortcut = m.shortcut_delta(fw.outs[n], target) if lay == n and simplified(
            scenario) else None
        if shortcut is not None:
            # ∂E/∂net_k = Σ_j ∂E/∂out_j · ∂out_j/∂net_k collapses to out_k - target_k: exact,
            # and free of the 1/out that saturated outputs would blow up.
            delta[lay] = shortcut * scale
        elif not ACTIVATIONS[layer.activation].per_unit:
            # softmax without the shortcut (a mistake changed dE/dout): the chain rule through
            # the whole Jacobian, δ_k = Σ_j dE/dout_j · out_j(1[j=k] - out_k)
            out = fw.outs[lay]
            delta[lay] = out * (err[lay] - (err[lay] * out).sum(axis=-1, keepdims=True))
        else:
            delta[lay] = err[lay] * fprime[lay]
        grad_w[lay], grad_b[lay] = layer_grads(delta[lay], fw.outs[lay - 1], state.biases[lay - 1])
        if update_inline:
            apply_layer_update(scenario, state, lay, grad_w[lay], grad_b[lay], mistake)
        if lay > 1:
            w = state.weights[lay - 1]
            sent_with[lay - 1] = w.copy() if update_inline else w
            err[lay - 1] = send_back(delta[lay], w, mistake)
    return Backward(err, fprime, delta, grad_w, grad_b, sent_with, state, update_inline)


def trains(scenario: Scenario, lay: int, mistake: str | None) -> bool:
    """Whether layer ``lay`` is updated at all (the no-hidden-update mistake freezes the rest)."""
    return rules(mistake).trains(scenario, lay)


def apply_layer_update(
    scenario: Scenario,
    params: Params,
    lay: int,
    gw: np.ndarray,
    gb: np.ndarray | None,
    mistake: str | None,
) -> None:
    """w ← w - η·∂E/∂w for one layer, in place; untrained biases are left alone."""
    if not trains(scenario, lay, mistake):
        return
    lr = scenario.learning_rate
    params.weights[lay - 1] -= lr * gw
    b = params.biases[lay - 1]
    if b is not None and gb is not None and scenario.layers[lay - 1].train_bias:
        b -= lr * gb


def apply_update(
    scenario: Scenario,
    params: Params,
    bw: Backward,
    mistake: str | None,
) -> Params:
    """The whole update after a backward pass (nothing left to do if it updated inline)."""
    if bw.updated_inline:
        return bw.params
    for lay in range(1, len(scenario.layers) + 1):
        apply_layer_update(scenario, params, lay, bw.grad_w[lay], bw.grad_b[lay], mistake)
    return params


def uses_inline_update(scenario: Scenario, mistake: str | None) -> bool:
    return rules(mistake).updates_inline(scenario)


def batch_scale(scenario: Scenario) -> float:
    """dL/dE_s: 1 when per-sample losses are summed, 1/N when they are averaged."""
    return 1.0 if scenario.reduction == "sum" else 1.0 / scenario.samples


def train_epoch(scenario: Scenario, params: Params, mistake: str | None = None) -> Params:
    """One epoch in place on the fast path: no events, as few array operations as possible."""
    inline = uses_inline_update(scenario, mistake)
    if scenario.mode == "batch":
        fw = forward(scenario, params, scenario.inputs)
        bw = backward(scenario, params, fw, scenario.targets, mistake=mistake,
                      scale=batch_scale(scenario))
        return apply_update(scenario, params, bw, mistake)
    for x, t in zip(scenario.inputs, scenario.targets, strict=True):
        fw = forward(scenario, params, x)
        bw = backward(scenario, params, fw, t, mistake=mistake, update_inline=inline)
        params = apply_update(scenario, params, bw, mistake)
    return params


@dataclass
class TrainResult:
    """Where a fast-path run ended: the last finite parameters and the losses after the epochs.

    ``losses`` is empty when the caller asked for no history (``keep_losses=False``, so that a
    run of any length fits in memory); ``epochs_done`` and ``last_loss`` are always there.
    """

    params: Params
    losses: list[float]
    diverged_at: int | None = None  # the epoch whose loss, parameters or outputs were not finite
    stopped: bool = False  # the caller asked to stop early
    epochs_done: int = 0
    last_loss: float | None = None


def train(scenario: Scenario, params: Params, epochs: int, **options) -> TrainResult:
    """Train on the fast path: see :func:`bptui.training.train` (kept here for callers)."""
    from bptui.training import train as run

    return run(scenario, params, epochs, **options)
