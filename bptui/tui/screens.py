"""Small screens over the main one: help, the scenario's notes, and asking for a number."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from bptui.gradcheck import EPSILON_RANGE

KEYS: list[tuple[str, str]] = [
    ("n  →  space", "next sub-step"),
    ("p  ←", "previous sub-step (goes back across samples and epochs)"),
    ("]  [", "next / previous phase (forward, loss, backward, update)"),
    ("s", "finish this sample"),
    ("e", "finish this epoch"),
    ("r", "run to the end of the scenario's epochs (live loss plot)"),
    ("R", "run a number of epochs you type"),
    ("escape", "stop a run"),
    ("g", "go to epoch N"),
    ("home", "back to the start"),
    ("i", "the scenario's notes and source"),
    ("c", "gradient check: backprop beside finite differences, for this sample"),
    ("m", "mistake lab: switch a classic backprop bug on or off"),
    ("k", "quiz mode on/off: type each number before it is shown (ctrl+p: quiz only ...)"),
    ("  enter", "in the quiz box: check your value (within 0.1%)"),
    ("  ctrl+t", "in quiz mode: a hint"),
    ("  ctrl+s", "in quiz mode: skip, reveal the answer (moving on also reveals it)"),
    ("  escape", "leave the quiz box, so that n, p, q ... work again"),
    ("w", "where the current number comes from (escape goes back)"),
    ("↑ ↓  enter", "in the values or updates panel (tab, or a click, reaches it): where that "
     "number comes from; escape leaves the panel"),
    ("x", "export the worked example to a Markdown file in the working folder"),
    ("tab  1-4", "switch panel on a small terminal (network, values, updates, loss); on a "
     "wide one tab moves between the values and updates panels"),
    ("ctrl+p", "command palette: every command by name"),
    ("?", "this help"),
    ("q", "quit"),
]

READING = """\
Quiz mode (k): at each step of the kinds asked, the equation shows the rule and the numbers
  but not the result; type the value (enter checks it). A wrong value gets the right one and,
  when it matches a classic mistake, the mistake's name. The score is on the status line.
Where from (w, or enter on a value): the step that computed a number, its equation with the
  numbers, and the values it used; pick one to follow it back to the data.

Reading the screen
  Equation: the rule in symbols, the same rule with the numbers in it, the result, and why.
  Network: each unit's net, out and δ so far; ▶ marks the unit of this step, with the
    weights that feed it. Values: everything computed so far in this epoch, the newest
    marked ▶. Updates: every trained parameter, old, gradient, new and change.
  Without colour, the current item is marked ▶ and shown in reverse video."""


class Dismissable(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,enter", "close", "Close"),
    ]

    def action_close(self) -> None:
        self.dismiss(None)


class HelpScreen(Dismissable):
    BINDINGS = [Binding("question_mark", "close", "Close", show=False)]

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys\n", style="bold")
        for key, what in KEYS:
            text.append(f"  {key:<12}", style="bold")
            text.append(f"{what}\n")
        text.append("\n" + READING)
        text.append("\n\nescape, q or ? closes this help", style="dim")
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(text, id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").border_title = "Help"


class NotesScreen(Dismissable):
    def __init__(self, scenario) -> None:
        super().__init__()
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        s = self.scenario
        text = Text()
        text.append(s.title + "\n", style="bold")
        if s.source:
            text.append("source: ", style="dim")
            text.append(s.source + "\n")
        text.append("\n")
        text.append(f"shape {s.shape}, {s.parameter_count:,} trained parameters, loss {s.loss}, "
                    f"learning rate {s.learning_rate:g}, {s.epochs} epochs, "
                    f"{s.samples} sample(s), {s.mode} mode\n\n")
        text.append(s.notes.strip() + "\n")
        text.append("\nescape or q closes", style="dim")
        with VerticalScroll(id="notes-box", classes="dialog"):
            yield Static(text, id="notes-text")

    def on_mount(self) -> None:
        self.query_one("#notes-box").border_title = "Scenario"


class EpsilonScreen(ModalScreen[float | None]):
    """Asks for the gradient check's finite-difference step ε (1e-7 to 0.1); None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="number-box", classes="dialog"):
            yield Static(Text(f"Gradient check: finite-difference step ε (now {self.value:g}; "
                              "for example 1e-5), enter to confirm, escape to cancel"))
            yield Input(placeholder=f"{self.value:g}", id="number-input")
            yield Static("", id="number-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            eps = float(event.value) if event.value.strip() else self.value
        except ValueError:
            eps = float("nan")
        low, high = EPSILON_RANGE
        if not low <= eps <= high:
            self.query_one("#number-error", Static).update(
                f"expected a number from {low:g} to {high:g}, such as 1e-4")
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
            yield Static(Text(f"{self.prompt} ({self.low}-{self.high}), enter to confirm, "
                              "escape to cancel"))
            yield Input(placeholder="" if self.value is None else str(self.value),
                        type="integer", id="number-input")
            yield Static("", id="number-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            n = int(event.value or (self.value if self.value is not None else ""))
        except ValueError:
            n = None
        if n is None or not self.low <= n <= self.high:
            self.query_one("#number-error", Static).update(
                f"expected a whole number from {self.low} to {self.high}")
            return
        dismiss_once(self, n)

    def action_cancel(self) -> None:
        dismiss_once(self, None)


def dismiss_once(screen: ModalScreen, result) -> None:
    """Dismiss ``screen`` unless it is already closing: two enters in one burst both reach
    the dialog, and a second dismiss sets its result twice (Textual: InvalidStateError)."""
    if screen.app.screen is screen:
        screen.dismiss(result)
