"""The graph lab's mistakes: famous backprop bugs that live in a computational graph.

Same shape as the layered lab's entries (a name, the texts that describe it, and hooks), kept
in its own registry because its hooks are the graph engine's: how a local derivative is
computed, how the shares of a value's uses make its gradient, whether gradients are zeroed
between epochs. The engine reads only these hooks, never a mistake's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bptui.graph.model import GraphScenario
from bptui.graph.tree import Num, Op, Tree
from bptui.i18n import N_, _


@dataclass(frozen=True)
class LocalOverride:
    """A wrong local derivative: its number, its rule, and the sentence that admits it."""

    value: Callable[[Sequence[float], float], float]
    tree: Callable[[Sequence[Tree], Tree], Tree]
    why: str


@dataclass(frozen=True)
class GraphMistake:
    name: str
    title: str
    wrong: str  # what the buggy code computes
    right: str  # what it should compute
    breaks: str  # which gradients or updates go wrong
    source: str  # where the bug is from
    check: Callable[[GraphScenario], str | None]  # None when it applies, else why not
    # hooks (None / False: the correct behaviour)
    local: Callable[[str, int], LocalOverride | None] | None = None
    combine: Callable[[list[float]], float] | None = None
    keeps_grads: bool = False
    why_grad: str = ""  # the sentence a gradient step changed by combine/keeps_grads carries

    def applies(self, graph: GraphScenario) -> str | None:
        return self.check(graph)

    @property
    def description(self) -> str:
        return _("{title}: {wrong} instead of {right}", title=_(self.title), wrong=_(self.wrong),
                 right=_(self.right))


def _shared(g: GraphScenario) -> str | None:
    names = list(g.leaves) + [n.name for n in g.nodes]
    if any(len(g.uses(n)) >= 2 for n in names):
        return None
    return N_("no value is used more than once, so there is nothing to add up")


def _has_tanh(g: GraphScenario) -> str | None:
    return None if any(n.op == "tanh" for n in g.nodes) else N_("the graph has no tanh node")


def _trains(g: GraphScenario) -> str | None:
    if not g.trained or not g.train:
        return N_("the graph has no [training]: one backward pass, nothing to zero in between")
    if g.epochs < 2:
        return N_("the graph trains for one epoch only, so no gradient is left over")
    return None


_TANH_WRONG = LocalOverride(
    lambda a, o: 1.0 - a[0] * a[0],
    lambda a, o: Op("-", (Num(1.0), Op("**", (a[0], Num(2.0))))),
    N_("BUG (tanh-prime-of-input): 1 - x² uses the node's INPUT; tanh's slope is 1 - out² "
       "with out = tanh(x), the node's output"),
)


MISTAKES: dict[str, GraphMistake] = {m.name: m for m in (
    GraphMistake(
        "grad-overwritten",
        N_("A gradient overwritten at a value used twice"),
        N_("self.grad = ... in each use (the last use processed wins)"),
        N_("self.grad += ... : a value used several times gets the SUM of every use's share"),
        N_("the gradient of every value used more than once, and everything below it"),
        N_("micrograd's lecture: the bug found with b = a + a, whose ∂b/∂a came out 1 instead of 2"),
        _shared,
        combine=lambda shares: shares[-1] if shares else 0.0,
        why_grad=N_("BUG (grad-overwritten): each use WRITES the gradient instead of adding to "
                 "it, so only the use processed last survives"),
    ),
    GraphMistake(
        "tanh-prime-of-input",
        N_("tanh's slope taken at the input"),
        N_("∂tanh(x)/∂x = 1 - x²  (x the node's input)"),
        N_("∂tanh(x)/∂x = 1 - out², out = tanh(x) the node's output"),
        N_("every gradient that flows back through a tanh node"),
        N_("micrograd's lecture writes t = tanh(x) and then 1 - t²: writing 1 - x² is the slip"),
        _has_tanh,
        local=lambda op, slot: _TANH_WRONG if op == "tanh" else None,
    ),
    GraphMistake(
        "grad-not-zeroed",
        N_("Gradients not zeroed between epochs"),
        N_("the leaves keep last epoch's .grad and the new backward pass adds to it"),
        N_("zero every gradient (p.grad = 0) before each backward pass"),
        N_("every leaf's gradient from the second epoch on (and so every update after the first)"),
        N_("micrograd's lecture: the training loop that forgot zero_grad and still seemed to learn"),
        _trains,
        keeps_grads=True,
        why_grad=N_("BUG (grad-not-zeroed): the gradient left over from the last epoch is still "
                 "there, and this epoch's is added to it"),
    ),
)}
