"""The equation panel: the rule, the rule with numbers, the result, and why."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from bptui.events import Event, shown_why
from bptui.i18n import N_, _
from bptui.notation import fmt, pretty, summary
from bptui.tui.panel import Body
from bptui.tui.text import CURRENT, LABEL, wrap
from bptui.tui.view import View

LABEL_WIDTH = 10


def result_text(ev: Event, value=None) -> str:
    """``symbol = value`` as the learner reads it (a matrix shows its summary)."""
    value = ev.value if value is None else value
    name = pretty(ev.symbol)
    if isinstance(value, np.ndarray):
        return f"{name} = {summary(value)}"
    text = f"{name} = {fmt(value)}"
    if ev.kind == "update" and ev.old is not None and not isinstance(ev.old, np.ndarray):
        text += _("    (change {change})", change=fmt(float(value) - float(ev.old)))
    return text


class EquationBody(Body):
    def build(self, view: View, width: int) -> Text:
        ev = view.event
        rows: list[tuple[str, str, str]] = []  # label, text, style
        if view.hidden:  # quiz mode: the rule and its numbers, the result is the question
            rows += [
                (N_("wrong ✗") if ev.mistake else N_("rule"), ev.equation, "bold"),
                (N_("numbers"), ev.substituted, ""),
                (N_("result"), _("{symbol} = ?   your turn: type it in the box below",
                                 symbol=pretty(ev.symbol)),
                 CURRENT),
            ]
        elif ev.mistake:
            rows += [
                (N_("wrong ✗"), ev.equation, "bold"),
                (N_("numbers"), ev.substituted, ""),
                (N_("result ✗"), result_text(ev), CURRENT),
                (N_("right ✓"), ev.correct_equation or "", "bold"),
                (N_("should"), result_text(ev, ev.correct_value), "bold"),
            ]
        else:
            rows += [
                (N_("rule"), ev.equation, "bold"),
                (N_("numbers"), ev.substituted, ""),
                (N_("result"), result_text(ev), CURRENT),
            ]
        if ev.why:
            rows.append((N_("why"), shown_why(ev), "italic"))
        if view.diverged_at is not None and view.epoch == view.diverged_at:
            rows.append((N_("diverged"), _("the numbers stopped being finite in epoch {epoch}: "
                                           "training diverged (try a smaller learning rate)",
                                           epoch=view.diverged_at),
                         "bold"))
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        first = True
        for label, text, style in rows:
            shown = _(label)
            cut = len(shown) + max(0, LABEL_WIDTH - cell_len(shown))  # cells, not characters
            for n, line in enumerate(wrap(shown, text, width, LABEL_WIDTH)):
                if not first:
                    out.append("\n")
                first = False
                at = cut if n == 0 else LABEL_WIDTH
                head, body = line[:at], line[at:]
                out.append(head if n == 0 else " " * LABEL_WIDTH, style=LABEL)
                out.append(body, style=style or None)
        return out
