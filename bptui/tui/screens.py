"""Small screens over the main one: help, the scenario's notes, and asking for a number."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from bptui.i18n import N_, _, local, ngettext
from bptui.notation import shape_words
from bptui.tui.keys import help_rows
from bptui.tui.text import wrap_cells

READING = N_("""\
Quiz mode (k): at each step of the kinds asked, the equation shows the rule and the numbers
  but not the result; type the value (enter checks it). A wrong value is only called wrong
  (and the mistake named when a classic one computes it); ctrl+t gives the next hint (rule,
  numbers, first factor), ctrl+s reveals the answer. The score is on the status line.
Where from (w, or enter on a value): the step that computed a number, its equation with the
  numbers, and the values it used; pick one to follow it back to the data.

Reading the screen
  Equation: the rule in symbols, the same rule with the numbers in it, the result, and why.
  Network: each unit's net, out and δ so far; ▶ marks the unit of this step, with the
    weights that feed it. Values: everything computed so far in this epoch, the newest
    marked ▶. Updates: every trained parameter, old, gradient, new and change.
  Without colour, the current item is marked ▶ and shown in reverse video.""")


class Paragraphs:
    """Text written with hanging indents (a line indented deeper than the one above goes on
    with it), wrapped again to the width it is shown in. The help's prose is written about 95
    columns wide: in a narrower dialog every line wrapped again on its own, long and short
    lines in turn."""

    def __init__(self, text: str) -> None:
        self.paragraphs: list[tuple[int, str]] = []  # (indent, words)
        for line in text.split("\n"):
            indent = len(line) - len(line.lstrip(" "))
            last = self.paragraphs[-1] if self.paragraphs else None
            if last is not None and line.strip() and last[1] and indent > last[0]:
                # Chinese goes on without a space; other text with one
                glue = "" if cell_len(last[1][-1]) == 2 or cell_len(line.strip()[0]) == 2 \
                    else " "
                self.paragraphs[-1] = (last[0], last[1] + glue + line.strip())
            else:
                self.paragraphs.append((indent, line.strip()))

    def __rich_console__(self, console, options):
        width = max(20, options.max_width)
        for indent, words in self.paragraphs:
            if not words:
                yield Text("")
                continue
            lines = wrap_cells(words, max(10, width - indent - 2))
            yield Text(" " * indent + lines[0])
            for line in lines[1:]:
                yield Text(" " * (indent + 2) + line)


class Dismissable(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,enter", "close", "Close"),
    ]

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(Dismissable):
    BINDINGS = [Binding("question_mark", "close", "Close", show=False)]

    def compose(self) -> ComposeResult:
        from rich.console import Group
        from rich.table import Table

        # a grid, so that a long description wraps under itself (a Chinese one has no spaces
        # to wrap at: in running text it would start on a line of its own)
        keys = Table.grid(padding=(0, 2), pad_edge=True)
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column(overflow="fold")
        for key, what in help_rows():
            keys.add_row(key, what)
        closing = Text("\n" + _("escape, q or ? closes this help"), style="dim")
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(Group(Text(_("Keys"), style="bold"), keys, Text(""),
                               Paragraphs(_(READING)), closing), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = _("Help")


class NotesScreen(Dismissable):
    def __init__(self, scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        s = self.scenario
        text = Text()
        text.append(local(s.title, s.title_zh) + "\n", style="bold")
        if s.source:
            text.append(_("source: "), style="dim")
            text.append(s.source + "\n")
        text.append("\n")
        text.append(ngettext("shape {shape}, {count} trained parameters, loss {loss}, learning "
                             "rate {rate}, {epochs} epochs, {n} sample, {mode} mode",
                             "shape {shape}, {count} trained parameters, loss {loss}, learning "
                             "rate {rate}, {epochs} epochs, {n} samples, {mode} mode",
                             s.samples, shape=shape_words(s.shape), count=f"{s.parameter_count:,}",
                             loss=s.loss, rate=f"{s.learning_rate:g}", epochs=s.epochs,
                             mode=s.mode) + "\n\n")
        text.append(local(s.notes, s.notes_zh).strip() + "\n")
        text.append("\n" + _("escape or q closes"), style="dim")
        with VerticalScroll(id="notes-box", classes="dialog"):
            yield Static(text, id="notes-text")

    def on_mount(self) -> None:
        self.query_one("#notes-box").border_title = _("Scenario")


class EpsilonScreen(ModalScreen[float | None]):
    """Asks for the gradient check's finite-difference step ε within
    :data:`bptui.gradcheck.EPSILON_RANGE`; None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def compose(self) -> ComposeResult:
        from bptui.gradcheck import EPSILON_RANGE

        low, high = EPSILON_RANGE
        with Vertical(id="number-box", classes="dialog"):
            yield Static(Text(_("Gradient check: finite-difference step ε from {low} to {high} "
                                "(now {now}); the pass rule follows it. enter to confirm, "
                                "escape to cancel", low=f"{low:g}", high=f"{high:g}",
                                now=f"{self.value:g}")))
            yield Input(placeholder=f"{self.value:g}", id="number-input")
            yield Static("", id="number-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from bptui.gradcheck import EPSILON_RANGE

        event.stop()
        low, high = EPSILON_RANGE
        try:
            eps = float(event.value) if event.value.strip() else self.value
        except ValueError:
            eps = float("nan")
        if not low <= eps <= high:
            self.query_one("#number-error", Static).update(
                _("expected a number from {low} to {high}, such as 1e-4 (outside it the "
                  "check's own error hides a mistake's)", low=f"{low:g}", high=f"{high:g}"))
            return
        dismiss_once(self, eps)

    def action_cancel(self) -> None:
        dismiss_once(self, None)


class NumberScreen(ModalScreen[int | None]):
    """Asks for a whole number between ``low`` and ``high``; None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str, low: int, high: int, value: int | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.low, self.high = low, high
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="number-box", classes="dialog"):
            yield Static(Text(_("{prompt} ({low}-{high}), enter to confirm, escape to cancel",
                                prompt=_(self.prompt), low=self.low, high=self.high)))
            yield Input(type="integer", id="number-input")
            yield Static("", id="number-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            n = int(event.value)
        except ValueError:
            n = None
        if n is None or not self.low <= n <= self.high:
            self.query_one("#number-error", Static).update(
                _("expected a whole number from {low} to {high}", low=self.low, high=self.high))
            return
        dismiss_once(self, n)

    def action_cancel(self) -> None:
        dismiss_once(self, None)


class TextScreen(ModalScreen[str | None]):
    """Asks for a line of text (a name, a path, a number); None when cancelled. Starts empty."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="number-box", classes="dialog"):
            yield Static(Text(_("{prompt}; enter to confirm, escape to cancel",
                                prompt=_(self.prompt))))
            yield Input(id="number-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        dismiss_once(self, event.value.strip() or None)

    def action_cancel(self) -> None:
        dismiss_once(self, None)


def dismiss_once(screen: ModalScreen, result) -> None:
    """Dismiss ``screen`` unless it is already closing: two enters in one burst both reach
    the dialog, and a second dismiss sets its result twice (Textual: InvalidStateError)."""
    if screen.app.screen is screen:
        screen.dismiss(result)
