"""The main screen: owns the cursor, turns keys into moves, pushes one View to the panels."""

from __future__ import annotations

import gc
import threading
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import Click, Resize
from textual.message import Message
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from bptui import i18n
from bptui.cursor import Cursor
from bptui.i18n import N_, _
from bptui.tui import keys, textual_words
from bptui.tui.actions import FileActions, SettingsActions
from bptui.tui.equation import EquationBody
from bptui.tui.footer import KeyFooter
from bptui.tui.lab import GradCheckBody
from bptui.tui.labactions import LabActions
from bptui.tui.learner import LearnerActions
from bptui.tui.loss import LossPanel
from bptui.tui.network import NetworkBody
from bptui.tui.panel import Box, SelectBox
from bptui.tui.quiz import QuizBar, QuizMode
from bptui.tui.quizactions import QuizActions
from bptui.tui.runactions import RunActions
from bptui.tui.runbar import RunBar
from bptui.tui.screens import HelpScreen, NotesScreen, NumberScreen
from bptui.tui.status import StatusBar
from bptui.tui.updates import UpdatesBody
from bptui.tui.values import ValuesBody
from bptui.tui.view import View, make_view

MIN_WIDTH, MIN_HEIGHT = 60, 18
WIDE_WIDTH, WIDE_HEIGHT = 100, 32
PANELS = ("network", "values", "updates", "loss")

#: Actions that move the cursor or start something; all disabled while a run is going.
MOVES = {"next", "prev", "next_phase", "prev_phase", "finish_sample", "finish_epoch",
         "run", "run_n", "goto", "home", "gradcheck", "mistakes", "reload", "open_scenario",
         "set_learning_rate", "set_epochs", "set_mode", "save_settings", "set_epsilon",
         "where", "export", "copy_step", "copy_latex", "first_wrong", "load_learner",
         "unload_learner", "toggle_graph"}
#: Actions that need a learner's file on the screen.
LEARNER_ONLY = {"first_wrong", "unload_learner"}
FORWARD = {"next", "next_phase", "finish_sample", "finish_epoch", "run", "run_n"}
BACKWARD = {"prev", "prev_phase", "home"}


#: the small terminal's tab names
TAB_WORDS = {"network": N_("Network"), "values": N_("Values"), "updates": N_("Updates"),
             "loss": N_("Loss")}


class TabLine(Widget):
    """One line naming the panels on a small terminal; the shown one in reverse and marked."""

    DEFAULT_CSS = "TabLine { height: 1; width: 1fr; }"
    active: reactive[str] = reactive("network")
    #: The gradient check has the panel area: no tab is shown, and the line says what closes it
    checking: reactive[bool] = reactive(False)

    class Picked(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def spans(self) -> list[tuple[str, int, int]]:
        out, x = [], 1
        for n, name in enumerate(PANELS, start=1):
            label = f" {n} {_(TAB_WORDS[name])} "
            out.append((name, x, x + cell_len(label) + 1))
            x += cell_len(label) + 2
        return out

    def render(self) -> Text:
        text = Text(" ", no_wrap=True, overflow="ellipsis", end="")
        for n, name in enumerate(PANELS, start=1):
            here = name == self.active and not self.checking
            text.append(("▶" if here else " ") + f"{n} {_(TAB_WORDS[name])} ",
                        style="bold reverse" if here else None)
            text.append(" ")
        text.append(_(" c closes the check") if self.checking else _(" tab switches"),
                    style="dim")
        return text

    def on_click(self, event: Click) -> None:
        for name, start, end in self.spans():
            if start <= event.x < end:
                self.post_message(self.Picked(name))


class MainScreen(QuizActions, LabActions, RunActions, FileActions, SettingsActions,
                 LearnerActions, Screen):
    """Where the learner steps through backpropagation.

    State lives in reactives (``running``, ``tab``, ``checking``, ``tiny``, ``compact``,
    ``view``) whose watchers set CSS classes and redraw; the cursor changes only here, on the
    main thread (a run trains a copy: :mod:`bptui.tui.run`).
    """

    AUTO_FOCUS = ""  # the keys belong to the screen until the learner picks a panel or box
    BINDINGS = keys.bindings("screen")

    #: no repaint of the screen itself when it changes: that would redraw every widget
    running: reactive[bool] = reactive(False, init=False, repaint=False)
    tab: reactive[str] = reactive("network", init=False)
    checking: reactive[bool] = reactive(False, init=False)
    tiny: reactive[bool] = reactive(False, init=False)
    compact: reactive[bool] = reactive(False, init=False)
    view: var[View | None] = var(None, init=False, always_update=True)

    def __init__(self, cursor: Cursor, quiz_kinds: frozenset[str] | None = None,
                 learner=None) -> None:
        """``learner``: a learner's file marked by :func:`bptui.compare.check_file`."""
        super().__init__()
        self.cursor = cursor
        self.learner = learner
        from bptui.quiz import Quiz, default_kinds

        self.quiz = QuizMode(Quiz(cursor.scenario, frozenset(quiz_kinds
                                                             or default_kinds(cursor.scenario))))
        self.quiz.switch(quiz_kinds is not None)
        self._stop = threading.Event()
        self._run_start = 0
        self._run_total = 0
        self._binding_state: tuple | None = None
        self._boxes: list[Box] | None = None  # the panels' frames, found once
        self.epsilon = 1e-4  # the gradient check's finite-difference step
        self._check_key: tuple | None = None
        self.last_export = None
        self.file_scenario = cursor.scenario  # as the file says (settings change a copy)
        self.changed: dict = {}
        self._prepared: tuple[tuple, View] | None = None  # the next step's View, made ahead
        self._prepare_turn = 0  # each step shown asks for one preparation: the latest counts
        self._preparing = False  # from the first full screen on (_start_preparing)

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        # "(q quits)" on a line of its own: wrapped at a space, it read "(q" and "quits)"
        yield Static(Text(_("terminal too small: make it at least {size}\n(q quits)",
                            size=f"{MIN_WIDTH}×{MIN_HEIGHT}"), justify="center"),
                     id="too-small")
        with Vertical(id="main"):
            yield Box(EquationBody(id="equation-body"), title=N_("Equation"), id="equation")
            yield QuizBar(id="quiz")
            yield TabLine(id="tabs")
            with Horizontal(id="panels"):
                with Vertical(id="left"):
                    yield Box(GradCheckBody(id="gradcheck-body"), title=N_("Gradient check (c closes)"),
                              id="gradcheck")
                    yield Box(NetworkBody(id="network-body"), title=N_("Network"), id="network")
                    yield SelectBox(UpdatesBody(id="updates-body"), title=N_("Updates"),
                                    id="updates")
                with Vertical(id="right"):
                    yield SelectBox(ValuesBody(id="values-body"), title=N_("Values this epoch"),
                                    id="values")
                    yield LossPanel(id="loss")
        yield RunBar(id="runbar")
        yield KeyFooter()

    def on_mount(self) -> None:
        keys.localise(self)
        self._apply_size(self.size.width, self.size.height)
        self._apply_tabs()
        self.push_view()
        from bptui.cursor import MAX_EPOCHS

        if self.cursor.scenario.epochs > MAX_EPOCHS:  # said once: where "run to the end" stops
            self.notify(_("the file asks for {epochs} epochs; the screen goes up to epoch "
                          "{most} (it keeps every epoch's loss) and --train runs them all",
                          epochs=f"{self.cursor.scenario.epochs:,}", most=f"{MAX_EPOCHS:,}"),
                        markup=False, timeout=12)
        # Once drawn, the ~75,000 objects of start-up (modules, widgets, styles) live as long
        # as the screen: frozen, Python's cycle collector stops walking them, and its full
        # collections (30-60 ms each, at random key presses and runs) shrink to a few ms.
        self.call_after_refresh(gc.freeze)
        self.call_after_refresh(self._start_preparing)

    def _start_preparing(self) -> None:
        """From the first full screen on, each step shown prepares the next (not before: the
        first screen would wait for it)."""
        self._preparing = True
        self._schedule_prepare()

    def on_unmount(self) -> None:
        gc.unfreeze()  # what the screen leaves behind is collectable again (tests open many)

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        self.tiny = width < MIN_WIDTH or height < MIN_HEIGHT
        self.compact = not self.tiny and (width < WIDE_WIDTH or height < WIDE_HEIGHT)

    def watch_tiny(self, tiny: bool) -> None:
        self.set_class(tiny, "-tiny")
        if tiny:  # a notice (an export's path) covered the "terminal too small" message
            self.app.clear_notifications()
        self._place_runbar()
        self.refresh_bindings()

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")
        self._apply_tabs()

    def watch_tab(self) -> None:
        self._apply_tabs()

    def watch_checking(self, checking: bool) -> None:
        self.set_class(checking, "-checking")
        self._check_key = None
        self._apply_tabs()
        if checking and self.view is not None:
            self._update_check(self.view)

    def watch_running(self, running: bool) -> None:
        self._place_runbar()
        self.refresh_bindings()

    def _place_runbar(self) -> None:
        """During a run the run bar, under the footer, shows in its line: no panel changes
        size (a layout change redraws every panel, plot included, when a run starts and
        ends). Set as the footer's own visibility, not by a class: a class change on the
        screen restyles every widget under it. The hidden footer is not restyled."""
        self.query_one(KeyFooter).styles.visibility = "hidden" if self.running else "visible"

    def _apply_tabs(self) -> None:
        for name in PANELS:
            self.query_one(f"#{name}").display = not self.compact or name == self.tab
        left = not self.compact or self.tab in ("network", "updates")
        if self.checking:  # the check takes the network's place (or the whole panel area)
            self.query_one("#network").display = False
            for name in PANELS if self.compact else ():
                self.query_one(f"#{name}").display = False
            left = True
        self.query_one("#gradcheck").display = self.checking
        self.query_one("#left").display = left
        self.query_one("#right").display = not self.compact or not left
        tabs = self.query_one(TabLine)
        tabs.active, tabs.checking = self.tab, self.checking and self.compact
        for box in self.boxes:  # a panel just shown: its highlighted row in view
            self.call_after_refresh(box.scroll_to_current, True)

    @property
    def boxes(self) -> list[Box]:
        """The panels' frames, found once (they are composed once): a CSS query at every key
        press cost 0.7 ms."""
        if self._boxes is None:
            self._boxes = list(self.query(Box))
        return self._boxes

    def on_tab_line_picked(self, message: TabLine.Picked) -> None:
        self.action_tab(message.name)

    def action_tab(self, name: str) -> None:
        self.tab = name
        if self.compact and not self.running:  # values and updates take ↑ ↓ enter (where from)
            if name in ("values", "updates"):
                self.query_one(f"#{name}", SelectBox).focus()
            elif isinstance(self.focused, SelectBox):
                self.set_focus(None)

    def action_tab_number(self, number: int) -> None:
        self.action_tab(PANELS[int(number) - 1])

    def action_cycle_tab(self, step: int) -> None:
        """Small terminal: the next panel. Wide: the next panel that takes keys (values,
        updates, the quiz box)."""
        if not self.compact:
            if step > 0:
                self.app.action_focus_next()
            else:
                self.app.action_focus_previous()
            return
        self.action_tab(PANELS[(PANELS.index(self.tab) + step) % len(PANELS)])

    # -- the one way data reaches the panels ------------------------------------------

    def push_view(self) -> None:
        """Make one immutable View of the cursor; the watcher hands it to every panel."""
        hidden = not self.running and self.quiz.arrive(self.cursor.event, self.cursor.mistake)
        previous = self.view
        prepared, self._prepared = self._prepared, None
        if prepared is not None and prepared[0] == self._view_key(self.cursor, hidden):
            self.view = prepared[1]  # made while the learner read the step before
        else:
            self.view = make_view(self.cursor, self.running, hidden=hidden,
                                  quiz=self.quiz.score(),
                                  learner=self.learner_view(self.cursor.epoch))
        if previous is not None and self.quiz.on and self.view.epoch > previous.epoch:
            self._quiz_summary(previous.epoch)
        if self._preparing:
            self._schedule_prepare()

    def _view_key(self, cursor: Cursor, hidden: bool) -> tuple:
        """Everything a View is made from besides the scenario's fixed data: a View prepared
        ahead is shown only if its key is the cursor's when the key press comes."""
        return (self.cursor, cursor.epoch, cursor.index, len(cursor.losses), cursor.diverged_at,
                cursor.mistake, self.running, hidden, self.quiz.score(), self.learner)

    # -- the next step, made ready while the learner reads this one --------------------

    def _schedule_prepare(self) -> None:
        """Prepare the next step once this one is painted (the screen's next idle moment
        with nothing left to draw): the learner sees the step first, and the preparation
        is over long before a next key press (a few milliseconds)."""
        self._prepare_turn += 1
        self.call_after_refresh(self._prepare_if_latest, self._prepare_turn)

    def _prepare_if_latest(self, turn: int) -> None:
        if turn == self._prepare_turn:  # not a step shown and left before it was painted
            self._prepare_next()

    def _prepare_next(self) -> None:
        """Make the View one sub-step on (the key most pressed is n) and let every panel
        build its text, its drawing and the strips of its new lines for it: the key press
        then only shows what is ready (about half of its time on the 2-2-2, and at an epoch's
        end the next epoch's sub-steps, 5 ms of the 1000-100-10's press). Nothing is prepared
        while a run goes, in quiz mode (arriving at a step opens its question) or under
        another screen; a View prepared for a state the cursor is no longer in is never
        shown (:meth:`_view_key`)."""
        self._prepared = None
        if (self.running or self.quiz.on or self.tiny or self.app.screen is not self
                or self.view is None):
            return
        ahead = self.cursor.ahead()
        if ahead is None:
            return
        view = make_view(ahead, hidden=False, quiz=self.quiz.score(),
                         learner=self.learner_view(ahead.epoch))
        self._prepared = (self._view_key(ahead, False), view)
        self.query_one(StatusBar).prepare(view)
        for box in self.boxes:
            box.prepare(view)
        self.query_one(LossPanel).prepare(view)

    def watch_view(self, view: View | None) -> None:
        if view is None:
            return
        with self.app.batch_update():
            self.query_one(StatusBar).changes = self.changes_text()
            self.query_one(StatusBar).show(view)
            for box in self.boxes:
                box.show(view)
            self.query_one(LossPanel).show(view)
            self._show_quiz(view)
            state = (view.at_start, view.at_end, self.running, self.compact, self.quiz.on,
                     view.hidden)
            if state != self._binding_state:  # the footer redraws only when a key dims
                self._binding_state = state
                self.refresh_bindings()
        if self.checking:
            self._update_check(view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.tiny:  # "terminal too small": only q (and resizing) act
            return action == "quit"
        if action == "stop":
            return True if self.running else False
        if action in LEARNER_ONLY and self.learner is None:
            return False
        if action in ("quiz_hint", "quiz_skip"):
            return self.quiz.open is not None and not self.running
        if action in MOVES and self.running:
            return None if action in ("next", "prev", "next_phase", "run") else False
        if action in ("tab", "tab_number"):
            return self.compact
        if action == "set_mode" and getattr(self.cursor.scenario, "is_graph", False):
            return False  # a graph has no samples to update by
        if action in FORWARD and self.cursor.at_end:
            return None if action != "next" else True  # n at the end says so
        if action in BACKWARD and self.cursor.at_start:
            return None
        return True

    def _move(self, step, back: bool = False) -> None:
        if self.running:
            return
        self._leave_question(back)
        step()
        self.push_view()

    # -- moves ------------------------------------------------------------------------

    def action_next(self) -> None:
        if self.cursor.at_end:
            self.notify(_("training is at its end: this is the last sub-step of the last "
                          "epoch (it diverged at epoch {epoch}). home goes back to the start.",
                          epoch=self.cursor.diverged_at) if self.cursor.diverged_at else
                        _("training is at its end: this is the last sub-step of the last "
                          "epoch. home goes back to the start."), markup=False)
            return
        self._move(self.cursor.next)

    def action_prev(self) -> None:
        self._move(self.cursor.prev, back=True)

    def action_next_phase(self) -> None:
        self._move(self.cursor.next_phase)

    def action_prev_phase(self) -> None:
        self._move(self.cursor.prev_phase, back=True)

    def action_finish_sample(self) -> None:
        self._move(self.cursor.finish_sample)

    def action_finish_epoch(self) -> None:
        self._move(self.cursor.finish_epoch)

    def action_home(self) -> None:
        self._move(self.cursor.home, back=True)

    def _reach(self, epoch: int) -> None:
        """Go to step 1 of ``epoch`` with the loss of every epoch before it known: an epoch
        beyond the known losses is reached by training from the last one known."""
        c = self.cursor
        known = len(c.losses)
        if epoch - 1 > known and epoch <= c.last_epoch:
            if c.epoch != known:
                c.goto(max(1, known), 0)
            c.run(epoch - c.epoch - 1)
        c.goto(epoch, 0)

    def action_goto(self) -> None:
        def done(n: int | None) -> None:
            if n is not None:
                self._move(partial(self._reach, n), back=n <= self.cursor.epoch)

        self.app.push_screen(NumberScreen(N_("Go to epoch"), 1, self.cursor.last_epoch), done)

    def action_switch_language(self) -> None:
        """English ↔ Chinese at once: the core's language is process-wide, so every panel,
        title, footer word and status part is drawn again in the new one."""
        i18n.set_language("en" if i18n.language() == "zh" else "zh")
        keys.localise(self)
        textual_words.localise_palette_key(self.app)
        for box in self.boxes:
            box.relabel()
        self.query_one(LossPanel).relabel()
        self.query_one(QuizBar).relabel()
        self.query_one(TabLine).refresh()
        self._binding_state = None
        self.push_view()
        self.notify(_("language: English"), markup=False)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_notes(self) -> None:
        self.app.push_screen(NotesScreen(self.cursor.scenario))
