"""The equation panel: the rule, the rule with numbers, the result, and why."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from bptui.diagnosis import both_rules
from bptui.events import Event, shown_why
from bptui.i18n import N_, _
from bptui.notation import fmt, pretty, summary
from bptui.steps import shown_numbers
from bptui.tui.panel import Body
from bptui.tui.text import CURRENT, LABEL, short_matrix, wrap
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
        text += _("    (change {change})", change=fmt(float(value) - float(ev.old)))
    return text


def learner_rows(view: View) -> list[tuple[str, str, str]]:
    """A step the loaded learner's file gave: the rule with the correct numbers and the rule
    with the learner's own (the same two lines as the --compare report's first wrong value)."""
    ev, lm = view.event, view.learner
    m = None if lm is None or view.hidden else lm.given.get((ev.sample, ev.symbol))
    if m is None:
        return []
    correct, yours = both_rules(m, lm.eta)
    sign = lm.sign(ev.sample, ev.symbol)
    word = _({"right": N_("right"), "wrong": N_("wrong"),
              "carried_forward": N_("carried forward")}[m.mark])
    yours_value = np.asarray(m.yours, dtype=np.float64)
    you_wrote = (short_matrix(yours_value) if yours_value.size > 1
                 else fmt(float(yours_value.reshape(-1)[0])))
    # the labels are translated where the rows are drawn (the mark's, with its sign, here)
    return [(N_("correct"), correct, ""),
            (N_("yours"), yours or _("(their numbers cannot be put into this rule)"), ""),
            (_("mark {sign}", sign=sign), _("you wrote {symbol} = {value}: {word}",
                                             symbol=shown(ev), value=you_wrote,
                                             word=word), "bold")]


class EquationBody(Body):
    @property
    def KEEP_SIZE(self) -> bool:  # noqa: N802 - Body's switch, decided per screen here
        """Its rows wrap to more or fewer lines from step to step: on a wide screen it keeps
        its largest size (see Body.KEEP_SIZE); on a small one (one panel at a time below
        it) rows are scarce, and it is as tall as its text."""
        return not self.screen.has_class("-compact")

    def build(self, view: View, width: int) -> Text:
        ev = view.event
        rows: list[tuple[str, str, str]] = []  # label, text, style
        # with a mistake on, a step can have the right rule and a wrong value: a number it
        # uses comes from a step the mistake changed
        right_rule = ev.correct_equation in (None, ev.equation)
        if view.hidden:  # quiz mode: the rule and its numbers, the result is the question
            rows += [
                (N_("rule") if not ev.mistake else N_("rule ✓") if right_rule
                 else N_("wrong ✗"), ev.equation, "bold"),
                (N_("numbers"), shown_numbers(ev), ""),
                (N_("result"), _("{symbol} = ?   your turn: type it in the box below",
                                 symbol=shown(ev)),
                 CURRENT),
            ]
        elif ev.mistake and right_rule:
            # "wrong ✗" above "right ✓" over the same rule told the learner to look for a
            # difference that is not there
            rows += [
                (N_("rule ✓"), ev.equation, "bold"),
                (N_("numbers"), shown_numbers(ev), ""),
                (N_("result ✗"), result_text(ev), CURRENT),
                (N_("should"), result_text(ev, ev.correct_value), "bold"),
                (N_("mistake"), _("the rule is right, but a number it uses is wrong: the "
                                  "mistake ({name}) changed an earlier step", name=ev.mistake),
                 "italic"),
            ]
        elif ev.mistake:
            rows += [
                (N_("wrong ✗"), ev.equation, "bold"),
                (N_("numbers"), shown_numbers(ev), ""),
                (N_("result ✗"), result_text(ev), CURRENT),
                (N_("right ✓"), ev.correct_equation or "", "bold"),
                (N_("should"), result_text(ev, ev.correct_value), "bold"),
            ]
        else:
            rows += [
                (N_("rule"), ev.equation, "bold"),
                (N_("numbers"), shown_numbers(ev), ""),
                (N_("result"), result_text(ev), CURRENT),
            ]
        rows += learner_rows(view)
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
            label_text = _(label)
            cut = len(label_text) + max(0, LABEL_WIDTH - cell_len(label_text))  # cells, not characters
            for n, line in enumerate(wrap(label_text, text, width, LABEL_WIDTH)):
                if not first:
                    out.append("\n")
                first = False
                at = cut if n == 0 else LABEL_WIDTH
                head, body = line[:at], line[at:]
                out.append(head if n == 0 else " " * LABEL_WIDTH, style=LABEL)
                out.append(body, style=style or None)
        return out
