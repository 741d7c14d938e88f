"""The screen side of the mistake lab and the gradient check.

The gradient check runs in the main screen (which owns the cursor) and reaches this panel as a
finished report; the panel only lays it out. The mistake chooser returns the chosen name and
the main screen switches the cursor over.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bptui import mistakes
from bptui.backprop import Params
from bptui.cursor import apply_updates
from bptui.gradcheck import Report
from bptui.i18n import N_, _
from bptui.notation import fmt
from bptui.tui.palette import PageSafeOptionList
from bptui.tui.panel import Body
from bptui.tui.screens import dismiss_once
from bptui.tui.text import (
    CURRENT,
    HEADING,
    LABEL,
    MARK,
    NO_MARK,
    TABLE_DIGITS,
    ljust,
    rjust,
)
from bptui.tui.view import View

NONE_ID = "-none-"


def params_for_sample(view: View) -> Params:
    """The parameters the current sample's forward pass starts from: the epoch's start with
    the updates of the earlier samples applied (all of them in the events so far)."""
    k = view.event.sample
    earlier = [ev for ev in view.events
               if ev.sample is not None and k is not None and ev.sample < k]
    return apply_updates(view.start_params, earlier)


class GradCheckBody(Body):
    """The gradient check's table, the row of the current sub-step's parameter marked."""

    PREPARE = False  # its text is the report's, worked out for the View it is shown with

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.report: Report | None = None

    def show_report(self, view: View, report: Report) -> None:
        self.report = report
        self.show(view)

    def build(self, view: View, width: int) -> Text:
        r = self.report
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        if r is None:
            return out
        what = _("the whole batch") if r.sample is None else _("sample {k}", k=r.sample)
        from bptui.gradcheck import rule
        from bptui.tui.text import wrap

        graph = getattr(view.scenario, "is_graph", False)
        head = _("backprop beside (E(w+ε) - E(w-ε)) / 2ε on {what}, at the parameters this "
                 "sample starts from. {rule}", what=what, rule=rule(r.epsilon))
        if graph:
            head = _("backprop beside ({output}(leaf+ε) - {output}(leaf-ε)) / 2ε for every "
                     "leaf, at the leaves this epoch starts from. {rule}",
                     output=view.scenario.output, rule=rule(r.epsilon))
        lines: list[tuple[str, str]] = [(line, LABEL) for line in wrap("", head, width, 0)]
        if r.mistake:
            lines.append((_("mistake switched on: {name} (the finite difference always "
                            "differentiates the true loss)", name=r.mistake), HEADING))
        if r.checked < r.total:
            lines.append((_("a seeded random {n} of {total} parameters", n=r.checked,
                            total=f"{r.total:,}"), LABEL))
        nw = max([9] + [len(row.name) for row in r.rows]) + 1
        # the verdict first; the two gradients with as many significant digits as fit the
        # panel (at 60 columns the numerical column was cut: "0.000438…")
        for digits in TABLE_DIGITS:
            numbers = [(fmt(row.backprop, digits), fmt(row.numeric, digits)) for row in r.rows]
            nums = 2 + max([cell_len(_("backprop")), cell_len(_("numerical"))]
                           + [len(t) for pair in numbers for t in pair])
            if len(NO_MARK) + nw + 8 + 9 + 2 * nums <= width:
                break
        lines.append((NO_MARK + ljust(_("leaf") if graph else _("parameter"), nw)
                      + ljust(_("result"), 8) + rjust(_("rel error"), 9)
                      + rjust(_("backprop"), nums) + rjust(_("numerical"), nums), LABEL))
        ref = view.event.param
        for row, (backprop, numeric) in zip(r.rows, numbers, strict=True):
            here = ref is not None and (ref.layer, ref.kind, ref.row, ref.col) == (
                row.layer, row.kind, row.row, row.col)
            if graph:
                here = view.event.node == row.name
            mark = _("ok ✓") if row.ok else _("FAIL ✗")
            lines.append(((MARK if here else NO_MARK) + row.name.ljust(nw) + ljust(mark, 8)
                          + f"{row.rel_error:9.1e}" + backprop.rjust(nums) + numeric.rjust(nums),
                          CURRENT if here else ("bold" if not row.ok else "")))
        failed = len(r.failed)
        agree = r.checked - failed
        lines.append((_("{agree} of {n} gradients agree; {failed} FAIL ✗", agree=agree,
                        n=r.checked, failed=failed) if failed
                       else _("{agree} of {n} gradients agree ✓", agree=agree, n=r.checked),
                       HEADING))
        for n, (line, style) in enumerate(lines):
            if n:
                out.append("\n")
            out.append(line, style=style or None)
        return out


def mistake_registry(scenario) -> dict:
    """The mistakes the lab offers for ``scenario``: a graph's (bptui.graph.mistakes) or a
    layered net's (bptui.mistakes); both have name, title, wrong, right, breaks, source and
    applies()."""
    if getattr(scenario, "is_graph", False):
        from bptui.graph.mistakes import MISTAKES

        return MISTAKES
    return mistakes.MISTAKES


class MistakeScreen(ModalScreen[str | None | bool]):
    """Choose a mistake (or none). Dismisses with the name, None for none, False to cancel."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, scenario, current: str | None) -> None:
        super().__init__()
        self.scenario = scenario
        self.current = current
        self.registry = mistake_registry(scenario)

    def compose(self) -> ComposeResult:
        options = [Option(Text(("● " if self.current is None else "  ")
                               + _("No mistake: correct backpropagation")), id=NONE_ID)]
        for m in self.registry.values():
            why_not = m.applies(self.scenario)
            label = ("● " if m.name == self.current else "  ") + f"{m.name}: {_(m.title)}"
            if why_not:
                label += _("  (does not apply: {why})", why=_(why_not))
            options.append(Option(Text(label), id=m.name, disabled=bool(why_not)))
        with Vertical(id="mistake-box", classes="dialog"):
            yield Static(Text(_("Mistake lab: pick a classic backprop bug to switch on; the "
                                "equation panel then shows the wrong step beside the right "
                                "one. enter chooses, escape cancels.")), id="mistake-intro")
            yield PageSafeOptionList(*options, id="mistake-list")
            yield Static("", id="mistake-details")

    def on_mount(self) -> None:
        self.query_one("#mistake-box").border_title = _("Mistake lab")
        ol = self.query_one(OptionList)
        ol.focus()
        ol.highlighted = 0 if self.current is None else list(self.registry).index(
            self.current) + 1

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id
        details = self.query_one("#mistake-details", Static)
        if name == NONE_ID or name is None:
            details.update(Text(_("Every step computed as it should be.")))
            return
        m = self.registry[name]
        text = Text()
        for label, value in ((N_("wrong"), m.wrong), (N_("right"), m.right),
                             (N_("breaks"), m.breaks), (N_("from"), m.source)):
            text.append(ljust(_(label), 8), style="bold")
            text.append(_(value) + "\n")
        why_not = m.applies(self.scenario)
        if why_not:
            text.append(_("not offered here: {why}", why=_(why_not)), style="italic")
        details.update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        dismiss_once(self, None if name == NONE_ID else name)

    def action_cancel(self) -> None:
        dismiss_once(self, False)  # escape and q in one burst: closed once
