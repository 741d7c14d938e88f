"""What every step shares: the epoch's context and the one place an Event is made.

The schedule (:mod:`bptui.schedule`) decides which steps come in which order; the step
writers (:mod:`bptui.unit_steps`, :mod:`bptui.layer_steps`) decide what each step computes
and says. Both go through :class:`Context`, which numbers the events, freezes their values and
derives each event's ``uses`` from its expression tree, so that ``uses`` can never disagree with
the rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bptui import expr, expr_text
from bptui.events import Event, Why
from bptui.mistakes import rules
from bptui.notation import fmt, pretty
from bptui.scenario import Scenario


def frozen(value: Any) -> Any:
    """A float for one number, a read-only copy for a matrix."""
    if isinstance(value, np.ndarray) and value.ndim > 0 and value.size > 1:
        value = value.copy()
        value.setflags(write=False)
        return value
    if isinstance(value, np.ndarray):
        return float(value.reshape(-1)[0])
    return float(value)


def sym(name: str, value: Any, updated: bool = False) -> expr.Sym:
    """A symbol of a tree with the value it had."""
    return expr.Sym(name, frozen(value), updated)


def form(name: str) -> expr.Sym:
    """A symbol of a rule's form (∂E/∂net_o1, δ_k): named, with no value."""
    return expr.Sym(name)


def written(symbol: str, kind: str, tree: expr.Node, value: Any,
            chain: tuple[expr.Node, ...] = (), note: str = "") -> tuple[str, str]:
    """(equation, substituted) of a layered step, from its tree: what :meth:`Context.event`
    writes and ``tests/test_trees_render.py`` checks every event against. An out step's lone
    negative number stands without brackets (out_y = -0.5)."""
    return expr_text.lines(pretty(symbol), tree, value, chain, note, bare=kind == "out")


def shown_numbers(ev: Event) -> str:
    """An event's numbers line as a learner reads it: a layer-level step's words (\"64×10
    values\", \"sum of 640 terms\") in the learner's language, everything else exactly as the
    event carries it (``--trace`` keeps the English line)."""
    if ev.tree is None or not any(w in ev.substituted for w in expr_text.ENGLISH_WORDS):
        return ev.substituted  # symbols and numbers only: the same in every language
    from bptui.i18n import _, language

    if language() == "en":
        return ev.substituted
    with expr_text.in_words(_):
        return written(ev.symbol, ev.kind, ev.tree, ev.value, ev.chain)[1]


class Context:
    """The scenario, the mistake's rules and the running position of one epoch's events."""

    def __init__(self, scenario: Scenario, epoch: int, mistake: str | None) -> None:
        self.s = scenario
        self.epoch = epoch
        self.mistake = mistake
        self.rules = rules(mistake)
        self.position = 0
        self.n = len(scenario.layers)
        self.lr = scenario.learning_rate
        self.eta = fmt(scenario.learning_rate)  # for the sentences; the rules read eta_num
        self.eta_num = expr.Num(scenario.learning_rate, "η")

    def step(self, param: expr.Node, grad: expr.Node) -> expr.Node:
        """Gradient descent's rule: param - η · grad."""
        return expr.sub(param, expr.mul(self.eta_num, grad))

    def event(self, **kw: Any) -> Event:
        """The next event. Its rule and numbers are written from its tree (and the forms of
        ``chain``, and ``note``), never by hand; ``uses`` are the tree's symbols."""
        kw["value"] = frozen(kw["value"])
        for k in ("old", "grad"):
            if kw.get(k) is not None:
                kw[k] = frozen(kw[k])
        kw["uses"] = expr.symbols(kw["tree"])
        kw["chain"] = tuple(kw.get("chain", ()))
        kw["equation"], kw["substituted"] = written(
            kw["symbol"], kw["kind"], kw["tree"], kw["value"], kw["chain"], kw.get("note", ""))
        if isinstance(kw.get("why"), Why):
            kw["why_msg"] = kw["why"]
            kw["why"] = str(kw["why"])
        ev = Event(position=self.position, epoch=self.epoch, **kw)
        self.position += 1
        return ev

    # -- names ------------------------------------------------------------------------

    def in_name(self, lay: int, i: int) -> str:
        """The symbol of the value unit i of layer ``lay`` sends forward."""
        if lay == 0:
            return self.s.input_names[i]
        return f"out_{self.s.layers[lay - 1].names[i]}"

    def w_name(self, lay: int, j: int, i: int) -> str:
        return self.s.layers[lay - 1].weight_name(j, i, lay)

    def b_name(self, lay: int, j: int) -> str:
        return self.s.layers[lay - 1].bias_name(j, lay)
