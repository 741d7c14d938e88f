"""The equation panel: the rule, the rule with numbers, the result, and why."""

from __future__ import annotations

import numpy as np
from rich.text import Text

from bptui.events import Event
from bptui.notation import fmt, pretty, summary
from bptui.tui.panel import Body
from bptui.tui.text import CURRENT, LABEL, wrap
from bptui.tui.view import View

LABEL_WIDTH = 10


def shown(ev: Event) -> str:
    """A step's symbol as the learner reads it: a graph's step (``node`` set) in the graph's
    notation (∂L/∂a|via n1), a layered one's as ∂E/∂w5."""
    if ev.node is not None:
        from bptui.graph.steps import show

        return show(ev.symbol)
    return pretty(ev.symbol)


def result_text(ev: Event, value=None) -> str:
    """``symbol = value`` as the learner reads it (a matrix shows its summary)."""
    value = ev.value if value is None else value
    name = shown(ev)
    if isinstance(value, np.ndarray):
        return f"{name} = {summary(value)}"
    text = f"{name} = {fmt(value)}"
    if ev.kind == "update" and ev.old is not None and not isinstance(ev.old, np.ndarray):
        text += f"    (change {fmt(float(value) - float(ev.old))})"
    return text


class EquationBody(Body):
    def build(self, view: View, width: int) -> Text:
        ev = view.event
        rows: list[tuple[str, str, str]] = []  # label, text, style
        if view.hidden:  # quiz mode: the rule and its numbers, the result is the question
            rows += [
                ("wrong ✗" if ev.mistake else "rule", ev.equation, "bold"),
                ("numbers", ev.substituted, ""),
                ("result", f"{shown(ev)} = ?   your turn: type it in the box below",
                 CURRENT),
            ]
        elif ev.mistake:
            rows += [
                ("wrong ✗", ev.equation, "bold"),
                ("numbers", ev.substituted, ""),
                ("result ✗", result_text(ev), CURRENT),
                ("right ✓", ev.correct_equation or "", "bold"),
                ("should", result_text(ev, ev.correct_value), "bold"),
            ]
        else:
            rows += [
                ("rule", ev.equation, "bold"),
                ("numbers", ev.substituted, ""),
                ("result", result_text(ev), CURRENT),
            ]
        if ev.why:
            rows.append(("why", ev.why, "italic"))
        if view.diverged_at is not None and view.epoch == view.diverged_at:
            rows.append(("diverged", f"the numbers stopped being finite in epoch "
                         f"{view.diverged_at}: training diverged (try a smaller learning rate)",
                         "bold"))
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        first = True
        for label, text, style in rows:
            for n, line in enumerate(wrap(label, text, width, LABEL_WIDTH)):
                if not first:
                    out.append("\n")
                first = False
                head, body = line[:LABEL_WIDTH], line[LABEL_WIDTH:]
                out.append(head if n == 0 else " " * LABEL_WIDTH, style=LABEL)
                out.append(body, style=style or None)
        return out
