"""The numbers of a graph: forward values, local derivatives, gradients, updates.

Plain Python floats, one node at a time, exactly as micrograd computes: the forward pass in
computing order, then the backward pass from the output down, where every use of a value
ADDS its share (``+=``) to that value's gradient. A mistake from the graph lab changes one
hook of this computation (see :mod:`bptui.graph.mistakes`); nothing here compares names.

The functions mirror the layered fast path (:mod:`bptui.backprop`: ``Params.initial``,
``dataset_loss``, ``train`` with chunks) so that the cursor can walk a graph the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bptui.graph.model import GraphScenario, Node
from bptui.graph.ops import OPERATIONS
from bptui.i18n import N_, _


@dataclass
class GraphParams:
    """What changes during training: the leaves' values, and the gradients they hold.

    ``grads`` stays zero between epochs in correct backprop (zero_grad); only the mistake
    that forgets to zero them carries it from one epoch into the next.
    """

    values: dict[str, float]
    grads: dict[str, float] = field(default_factory=dict)

    @classmethod
    def initial(cls, graph: GraphScenario) -> GraphParams:
        return cls(dict(graph.leaves), {k: 0.0 for k in graph.leaves})

    def copy(self) -> GraphParams:
        return GraphParams(dict(self.values), dict(self.grads))

    def finite(self) -> bool:
        return all(math.isfinite(v) for v in self.values.values())

    def as_dict(self) -> dict[str, float]:
        return dict(self.values)


def arguments(node: Node, values: Mapping[str, float]) -> list[float]:
    return [values[i] if isinstance(i, str) else float(i) for i in node.inputs]


def forward(graph: GraphScenario, leaves: Mapping[str, float]) -> dict[str, float]:
    """Every value of the graph (leaves and nodes); inf or nan where the numbers blow up."""
    values = dict(leaves)
    for node in graph.nodes:
        try:
            values[node.name] = float(OPERATIONS[node.op].forward(*arguments(node, values)))
        except (OverflowError, ValueError, ZeroDivisionError):
            values[node.name] = math.nan
    return values


def output(graph: GraphScenario, params: GraphParams) -> float:
    """The graph's output: what training lowers (the layered engine's loss)."""
    return forward(graph, params.values)[graph.output]


def domain_problem(graph: GraphScenario, values: Mapping[str, float]) -> tuple[Node, str] | None:
    """The first node, in computing order, whose inputs its operation refuses, and why."""
    for node in graph.nodes:
        op = OPERATIONS[node.op]
        args = arguments(node, values)
        why = op.domain(args)
        shown = ", ".join(f"{i} = {values[i]:g}" for i in dict.fromkeys(node.inputs)
                          if isinstance(i, str))
        if why is None and not math.isfinite(values[node.name]):
            why = N_("the result is not a finite number")
        if why is None:
            for k, local in enumerate(op.local):
                if isinstance(node.inputs[k], str) and not math.isfinite(
                        local(args, values[node.name])):
                    why = N_("its local derivative is not a finite number")
        if why is not None:
            return node, _(why) + (f" ({shown})" if shown else "")
    return None


@dataclass
class Backward:
    """One backward pass: every edge's local derivative and share, every total gradient."""

    local: dict[tuple[str, int], float]  # (consumer, slot) -> ∂consumer/∂input
    share: dict[tuple[str, int], float]  # (consumer, slot) -> ∂L/∂input through this use
    grads: dict[str, float]  # every name -> its gradient as the pass leaves it
    fresh: dict[str, float]  # leaves: this pass's gradient alone (without carried grads)


def backward(
    graph: GraphScenario,
    values: Mapping[str, float],
    mistake=None,
    carried: Mapping[str, float] | None = None,
) -> Backward:
    """From the output down: grad(output) = 1, then each node sends grad · local to its inputs.

    ``mistake`` is a :class:`~bptui.graph.mistakes.GraphMistake` (or None); ``carried`` the
    gradients the leaves still hold from earlier epochs (used only when the mistake keeps them).
    """
    local_of = mistake.local if mistake is not None and mistake.local is not None else None
    combine = mistake.combine if mistake is not None and mistake.combine is not None else sum
    keep = mistake is not None and mistake.keeps_grads
    shares: dict[str, list[float]] = {}
    local: dict[tuple[str, int], float] = {}
    share: dict[tuple[str, int], float] = {}
    grads: dict[str, float] = {}
    for node in reversed(graph.nodes):
        if node.name == graph.output:
            g = 1.0
        else:
            g = float(combine(shares.get(node.name, [])))
        grads[node.name] = g
        op = OPERATIONS[node.op]
        args = arguments(node, values)
        out = values[node.name]
        for slot, inp in enumerate(node.inputs):
            if not isinstance(inp, str):
                continue
            rule = local_of(node.op, slot) if local_of is not None else None
            d = rule.value(args, out) if rule is not None else op.local[slot](args, out)
            local[(node.name, slot)] = d
            share[(node.name, slot)] = g * d
            shares.setdefault(inp, []).append(g * d)
    fresh = {}
    for leaf in graph.leaves:
        fresh[leaf] = float(combine(shares.get(leaf, [])))
        before = carried.get(leaf, 0.0) if keep and carried is not None else 0.0
        grads[leaf] = before + fresh[leaf]
    return Backward(local, share, grads, fresh)


def update(graph: GraphScenario, params: GraphParams, bw: Backward) -> GraphParams:
    """leaf ← leaf - η·∂L/∂leaf for every trained leaf; the gradients are kept for the mistake."""
    new = params.copy()
    lr = graph.learning_rate or 0.0
    for leaf in graph.train:
        new.values[leaf] = params.values[leaf] - lr * bw.grads[leaf]
    new.grads = {k: bw.grads[k] for k in graph.leaves}
    return new


def train_epoch(graph: GraphScenario, params: GraphParams, mistake=None) -> GraphParams:
    """One forward, one backward, one update, without events."""
    values = forward(graph, params.values)
    bw = backward(graph, values, mistake, params.grads)
    return update(graph, params, bw)


@dataclass
class TrainResult:
    params: GraphParams
    losses: list[float]  # the output after each epoch
    diverged_at: int | None = None
    stopped: bool = False
    epochs_done: int = 0  # finite epochs trained (losses may be empty: keep_losses=False)
    last: float | None = None  # the output after the last of them


def train(
    graph: GraphScenario,
    params: GraphParams,
    epochs: int,
    *,
    mistake=None,
    first_epoch: int = 1,
    on_chunk: Callable[[int, list[float], GraphParams], bool | None] | None = None,
    chunk: int | None = None,
    keep_losses: bool = True,
) -> TrainResult:
    """``epochs`` epochs of gradient descent on the output, as :func:`bptui.backprop.train`:
    with ``keep_losses=False`` no history is kept (memory does not grow with ``epochs``), and
    a caller that wants every output streams them from ``on_chunk``."""
    losses: list[float] = []
    done: list = [0, None]  # epochs done, the last output
    end = first_epoch + epochs - 1
    chunk = chunk or min(max(1, epochs), 4096)

    def result(**kw) -> TrainResult:
        return TrainResult(params, losses, epochs_done=done[0], last=done[1], **kw)

    def hand_over(last_epoch: int, got: list[float]) -> bool:
        """Record a finished stretch; False when on_chunk asked to stop."""
        if got:
            done[0] += len(got)
            done[1] = got[-1]
            if keep_losses:
                losses.extend(got)
        return on_chunk is None or not got or on_chunk(last_epoch, got, params) is not False

    e = first_epoch
    while e <= end:
        n = min(end - e + 1, chunk - (e - 1) % chunk)
        got: list[float] = []
        for k in range(e, e + n):
            trial = train_epoch(graph, params, mistake)
            out = output(graph, trial)
            if not math.isfinite(out) or not trial.finite():
                hand_over(k - 1, got)  # every finite epoch reaches on_chunk, as bp.train's do
                return result(diverged_at=k)
            params = trial
            got.append(out)
        e += n
        if not hand_over(e - 1, got):
            return result(stopped=e <= end)
    return result()
