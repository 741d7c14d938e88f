"""The graph side of worksheets and ``--compare``: what marking needs to know about a graph.

:mod:`bptui.marking` marks a learner's numbers the same way for both ways of teaching: walk the
correct steps in order, evaluate each step's tree on the learner's own earlier numbers, and
call a value carried forward when that gives it. What differs is gathered here for graphs (and
beside it in :mod:`bptui.marking` for layered networks): where the steps come from, what every
step may read before the first one (the leaves and η), how a tree is evaluated (a graph's trees
use the graph's operations, such as ``log`` and ``sqrt``), how a symbol is displayed
(``∂L/∂a|via n1``), which mistake lab applies, and which values could be swapped by a slip.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bptui.events import Event
from bptui.graph import steps
from bptui.graph.model import GraphScenario
from bptui.graph.tree import Num, Op, Sum, Sym, Tree, evaluate, symbols, text
from bptui.i18n import _
from bptui.visible import visible


def events(graph: GraphScenario, epochs: int, mistake: str | None = None) -> list[Event]:
    """The correct steps (or mistake ``mistake``'s) of the first ``epochs`` epochs."""
    return list(steps.iter_epochs(graph, epochs, mistake))


def initial_context(graph: GraphScenario) -> dict[str, object]:
    """What a step may read before any step is computed: every leaf's value, and η."""
    ctx: dict[str, object] = dict(graph.leaves)
    if graph.learning_rate is not None:
        ctx["eta"] = graph.learning_rate
    return ctx


def epoch_problem(graph: GraphScenario, epochs: int) -> str | None:
    """Why a learner's epoch ``epochs`` cannot be marked, or None."""
    if epochs > 1 and not graph.trained:
        return _("epoch: {epoch}, but {name} has no [training] table: one forward and one "
                 "backward pass (epoch 1) only", epoch=epochs,
                 name=visible(graph.name or graph.title, keep_newlines=False))
    return None


def evaluate_step(event: Event, env: Mapping[str, object]) -> float | None:
    """``event``'s rule on the numbers in ``env`` (the learner's); None when a symbol the rule
    reads is missing or the numbers leave an operation's domain."""
    tree = event.tree
    if tree is None:
        return None
    names = symbols(tree)
    if any(env.get(n) is None for n in names):
        return None
    try:
        value = evaluate(tree, {n: float(env[n]) for n in names})  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, KeyError):
        return None
    return value if not math.isnan(value) else None


def with_numbers(tree: Tree, env: Mapping[str, object]) -> Tree:
    """``tree`` with each symbol's value replaced by ``env``'s (those ``env`` has)."""
    if isinstance(tree, Sym):
        got = env.get(tree.name)
        return Sym(tree.name, float(got)) if got is not None else tree  # type: ignore[arg-type]
    if isinstance(tree, Num):
        return tree
    if isinstance(tree, Sum):
        return Sum(tuple(with_numbers(t, env) for t in tree.terms))
    return type(tree)(tree.op if isinstance(tree, Op) else tree.fn,  # type: ignore[call-arg]
                      tuple(with_numbers(a, env) for a in tree.args))


def rule_with(event: Event, env: Mapping[str, object]) -> str | None:
    """The step's rule with the learner's numbers put in (None when one is missing)."""
    if event.tree is None or any(env.get(n) is None for n in symbols(event.tree)):
        return None
    return f"{steps.show(event.symbol)} = {text(with_numbers(event.tree, env), numbers=True)}"


def values_before(graph: GraphScenario, events: list[Event], event: Event) -> dict[str, float]:
    """The correct value of every leaf and node as ``event`` could read it: the leaves as the
    last update before it left them, the nodes of its epoch's forward pass so far."""
    values = dict(graph.leaves)
    for ev in events:
        if (ev.epoch, ev.position) >= (event.epoch, event.position):
            break
        if ev.kind == "update" and ev.node is not None:
            values[ev.node] = float(ev.value)
        elif ev.kind == "node" and ev.epoch == event.epoch:
            values[ev.symbol] = float(ev.value)
    return values


def swappable(graph: GraphScenario) -> set[str]:
    """Values a slip may exchange: the leaves (a·b with b·c's numbers, w1 for w2)."""
    return set(graph.leaves)


def mistakes() -> dict:
    from bptui.graph.mistakes import MISTAKES

    return MISTAKES


show = steps.show
