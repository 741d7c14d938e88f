"""Quiz mode on the screen: predict the next number, then reveal it.

The marking, the naming of mistakes, the hints and the score are :class:`bptui.quiz.Quiz`;
this module keeps which question is open and which are settled, and draws the answer box
under the equation panel.

Moving on (n, ], e, r, ...) with a question open counts it as revealed, and says so; stepping
back (p, [, home) leaves it unanswered and asks it again on return.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from bptui.events import KINDS, Event
from bptui.i18n import N_, _
from bptui.notation import fmt
from bptui.quiz import Quiz, Verdict
from bptui.tui.keys import KEYS as KEYS_DECLARED

#: The "Quiz only" choices offered in the command palette: (name, kinds).
PRESETS: list[tuple[str, frozenset[str]]] = [
    (N_("every kind of step"), frozenset(KINDS)),
    (N_("gradients and updates"), frozenset({"grad", "update"})),
    (N_("forward pass and loss"), frozenset({"net", "out", "loss"})),
    (N_("deltas and backward errors"), frozenset({"dE_dout", "dout_dnet", "delta", "dE_din"})),
]

KEYS_LINE = N_("enter checks · ctrl+t hint · ctrl+s skip (reveal) · esc leaves the box")


@dataclass
class QuizMode:
    """Quiz state for one screen: on or off, the open question, what is settled."""

    quiz: Quiz
    on: bool = False
    open: Event | None = None  # the question being asked
    message: str = ""  # what the box says under the input (verdict, hint, reveal)
    settled: set[tuple] = field(default_factory=set)  # (epoch, position, mistake)
    asked_epochs: set[int] = field(default_factory=set)
    summarised: set[int] = field(default_factory=set)
    hints: dict[tuple, int] = field(default_factory=dict)  # hints given per question
    used: bool = False  # whether quiz mode was ever switched on (for the score on quit)
    _at: tuple | None = None
    _mistake: str | None = None

    @property
    def kinds(self) -> frozenset[str]:
        return self.quiz.kinds

    def set_kinds(self, kinds: frozenset[str]) -> None:
        self.quiz.kinds = frozenset(kinds)

    def switch(self, on: bool) -> None:
        self.on = on
        self.used = self.used or on
        if not on:
            self.open = None
            self.message = ""
            self._at = None

    def _key(self, ev: Event) -> tuple:
        return (ev.epoch, ev.position, self._mistake)

    def arrive(self, ev: Event, mistake: str | None) -> bool:
        """The cursor is at ``ev``: open its question if it asks one. True if it is hidden."""
        self._mistake = mistake
        key = self._key(ev)
        if key != self._at:  # a different step: the old message no longer applies
            self._at = key
            self.message = ""
            self.open = None
        if not self.on or not self.quiz.asks(ev) or key in self.settled:
            self.open = None
            return False
        self.open = ev
        self.asked_epochs.add(ev.epoch)
        return True

    def answer(self, text: str, start) -> Verdict | None:
        """Mark what the learner typed; None (and a message) if it is not a number. A wrong
        answer is only called wrong (and named, when a lab mistake computes it): the right
        value appears only when the learner reveals it."""
        ev = self.open
        if ev is None:
            return None
        try:
            given = float(text.strip().replace(",", "."))
        except ValueError:
            self.message = _("'{text}' is not a number: type a value such as 0.0821 or -1e-3",
                             text=text.strip())
            return None
        verdict = self.quiz.check(ev, given, start)
        if verdict.correct:
            self.settled.add(self._key(ev))
            self.open = None
            self.message = "✓ " + verdict.message
            return verdict
        if verdict.mistake == "sign":
            said = _("✗ {given} is not right. It has the opposite sign of the right value: check "
                     "which way round the difference (target - out) goes.", given=fmt(given))
        elif verdict.mistake is not None:
            m = self.quiz.mistakes[verdict.mistake]
            said = _("✗ {given} is not right. It is what the lab's mistake '{name}' computes: "
                     "{wrong}.", given=fmt(given), name=verdict.mistake, wrong=_(m.wrong))
        else:
            said = _("✗ {given} is not right.", given=fmt(given))
        self.message = _("{said} Try again, ctrl+t for a hint, ctrl+s to reveal.", said=said)
        return verdict

    def hint(self) -> str:
        """The next rung of the ladder, each one new: the rule in symbols, then the numbers
        to put in, then the first factor (or term) worked out."""
        ev = self.open
        if ev is None:
            return ""
        rung = self.hints.get(self._key(ev), 0) + 1
        self.hints[self._key(ev)] = rung
        core = self.quiz.hint(ev)  # counts the hint in the score
        if rung == 1:
            self.message = _("hint 1 of 3, the rule: {symbol} = {rule}",
                             symbol=self.quiz.name(ev.symbol),
                             rule=ev.equation.split(' = ', 1)[-1])
        elif rung == 2:
            self.message = _("hint 2 of 3, the numbers: {symbol} = {numbers}",
                             symbol=self.quiz.name(ev.symbol),
                             numbers=ev.substituted.split(' = ', 1)[-1])
        elif rung == 3:
            worked = self.quiz.worked(ev) or core
            self.message = _("hint 3 of 3, worked: {worked}.", worked=worked)
        else:
            self.message = _("no more hints: ctrl+s reveals the answer")
        return self.message

    def reveal(self) -> str:
        """Skip the open question: it counts as revealed."""
        ev = self.open
        if ev is None:
            return ""
        self.settled.add(self._key(ev))
        self.open = None
        self.message = self.quiz.reveal(ev)
        return self.message

    def leave(self) -> None:
        """Step back away from the open question: it stays unanswered."""
        self.open = None

    def score(self) -> tuple[int, int, int] | None:
        if not self.on:
            return None
        s = self.quiz.score
        return (s.first_try, s.after_hint, s.revealed)

    def line(self) -> str:
        return self.quiz.score.line()

    def finished_epoch(self, epoch: int) -> bool:
        """Whether to show the summary for ``epoch`` now (once per epoch that asked)."""
        if epoch in self.asked_epochs and epoch not in self.summarised:
            self.summarised.add(epoch)
            return True
        return False


#: Keys that move the screen rather than type into an empty answer box (no number starts
#: with one of them), so that n, p, ... keep working while the box has the keyboard.
NAVIGATION = frozenset(k for key in KEYS_DECLARED if key.scope == "screen"
                       for k in key.keys if k not in "0123456789" and k not in
                       ("tab", "shift+tab", "escape", "ctrl+t", "ctrl+s"))


class QuizInput(Input):
    """The answer box: while empty, the screen's navigation keys pass through it."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        if not self.value and key in NAVIGATION:
            return False
        return super().check_consume_key(key, character)

    async def _on_key(self, event) -> None:
        if not self.value and event.key in NAVIGATION:
            event.prevent_default()  # not typed: it bubbles up to the screen's binding


class QuizBar(Vertical):
    """The answer box under the equation: prompt, input, buttons, and what the quiz says.

    It posts :class:`Answer`, :class:`Hint` and :class:`Skip`; the screen, which owns the
    quiz state, handles them."""

    class Answer(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Hint(Message):
        pass

    class Skip(Message):
        pass

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Answer(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id
        if bid == "quiz-check":
            self.post_message(self.Answer(self.query_one("#quiz-input", Input).value))
        elif bid == "quiz-hint":
            self.post_message(self.Hint())
        elif bid == "quiz-skip":
            self.post_message(self.Skip())

    DEFAULT_CSS = """
    QuizBar { height: auto; padding: 0 1; display: none; border: round $accent; }
    QuizBar.-shown { display: block; }
    QuizBar > Horizontal { height: 1; }
    QuizBar #quiz-prompt { width: auto; padding: 0 1 0 0; }
    QuizBar #quiz-input { width: 1fr; max-width: 30; }
    QuizBar Button { margin: 0 0 0 1; min-width: 8; }
    QuizBar #quiz-message { height: auto; }
    QuizBar #quiz-keys { height: 1; color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "leave", "Leave the box", show=False)]

    def action_leave(self) -> None:
        """Give the keyboard back to the screen (n, p, ... work again)."""
        self.screen.set_focus(None)

    def compose(self) -> ComposeResult:
        with Horizontal(id="quiz-row"):
            yield Static("", id="quiz-prompt", markup=False)
            yield QuizInput(placeholder=_("your value"), id="quiz-input", compact=True,
                             select_on_focus=False)
            yield Button(_("Check"), id="quiz-check", compact=True)
            yield Button(_("Hint ^t"), id="quiz-hint", compact=True)
            yield Button(_("Skip ^s"), id="quiz-skip", compact=True)
        yield Static("", id="quiz-message", markup=False)
        yield Static(_(KEYS_LINE), id="quiz-keys", markup=False)

    def on_mount(self) -> None:
        self.border_title = _("Quiz: predict, then reveal")

    def relabel(self) -> None:
        """Titles, buttons and key line again, in the language now in force."""
        self.border_title = _("Quiz: predict, then reveal")
        self.query_one("#quiz-input", Input).placeholder = _("your value")
        for bid, label in (("quiz-check", N_("Check")), ("quiz-hint", N_("Hint ^t")),
                           ("quiz-skip", N_("Skip ^s"))):
            self.query_one(f"#{bid}", Button).label = _(label)
        self.query_one("#quiz-keys", Static).update(_(KEYS_LINE))

    def show_state(self, mode: QuizMode, fresh: bool) -> None:
        """Draw the open question (or the last verdict); ``fresh``: a new question."""
        shown = mode.on and (mode.open is not None or bool(mode.message))
        self.set_class(shown, "-shown")
        if not shown:
            return
        asking = mode.open is not None
        row = self.query_one("#quiz-row")
        row.display = asking
        self.query_one("#quiz-keys").display = asking
        if asking:
            self.query_one("#quiz-prompt", Static).update(
                Text(f"{mode.quiz.name(mode.open.symbol)} ="))
            if fresh:
                self.query_one("#quiz-input", Input).value = ""
        self.query_one("#quiz-message", Static).update(Text(mode.message))
        self.query_one("#quiz-message").display = bool(mode.message)
