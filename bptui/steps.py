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

from bptui import expr
from bptui.events import Event, Why
from bptui.mistakes import rules
from bptui.notation import fmt
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


def sym(name: str, value: Any) -> expr.Sym:
    """A symbol of a tree with the value it had."""
    return expr.Sym(name, frozen(value))


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
        self.eta = fmt(scenario.learning_rate)

    def event(self, **kw: Any) -> Event:
        """The next event; ``uses`` are the tree's symbols unless given."""
        kw["value"] = frozen(kw["value"])
        for k in ("old", "grad"):
            if kw.get(k) is not None:
                kw[k] = frozen(kw[k])
        if "uses" not in kw:
            kw["uses"] = expr.symbols(kw.get("tree"))
        # The rule and the numbers are written from the tree: ``lhs = chain... = tree``, and
        # ``lhs = tree with its values`` (``bare``: a lone negative number without brackets).
        lhs, chain, bare = kw.pop("lhs", None), kw.pop("chain", ()), kw.pop("bare", False)
        if lhs is not None:
            kw.setdefault("equation", " = ".join([lhs, *chain, expr.text(kw["tree"])]))
            kw.setdefault("substituted",
                          f"{lhs} = " + expr.text(kw["tree"], numbers=True, bare=bare))
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
