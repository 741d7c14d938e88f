"""The main screen: owns the cursor, turns keys into moves, pushes one View to the panels."""

from __future__ import annotations

import threading
import time
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Click, Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from bptui.cursor import Cursor
from bptui.notation import fmt, pretty
from bptui.tui.equation import EquationBody
from bptui.tui.lab import GradCheckBody, MistakeScreen, params_for_sample
from bptui.tui.loss import LossPanel
from bptui.tui.network import NetworkBody
from bptui.tui.panel import Box, SelectBox
from bptui.tui.provenance import ProvenanceScreen, leaf_source
from bptui.tui.quiz import QuizBar, QuizMode
from bptui.tui.screens import HelpScreen, NotesScreen, NumberScreen
from bptui.tui.status import StatusBar
from bptui.tui.updates import UpdatesBody
from bptui.tui.values import ValuesBody
from bptui.tui.view import View, make_view

MIN_WIDTH, MIN_HEIGHT = 60, 18
WIDE_WIDTH, WIDE_HEIGHT = 100, 32
PIECE = 0.05  # seconds of training between checks for escape
PROGRESS_EVERY = 0.05  # seconds between progress posts from a run (at most ~20 a second)
PANELS = ("network", "values", "updates", "loss")

#: Actions that move the cursor or start something; all disabled while a run is going.
MOVES = {"next", "prev", "next_phase", "prev_phase", "finish_sample", "finish_epoch",
         "run", "run_n", "goto", "home", "gradcheck", "mistakes"}
FORWARD = {"next", "next_phase", "finish_sample", "finish_epoch", "run", "run_n"}
BACKWARD = {"prev", "prev_phase", "home"}


class TabLine(Widget):
    """One line naming the panels on a small terminal; the shown one in reverse and marked."""

    DEFAULT_CSS = "TabLine { height: 1; width: 1fr; }"
    active: reactive[str] = reactive("network")

    class Picked(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def spans(self) -> list[tuple[str, int, int]]:
        out, x = [], 1
        for n, name in enumerate(PANELS, start=1):
            label = f" {n} {name.capitalize()} "
            out.append((name, x, x + len(label) + 1))
            x += len(label) + 2
        return out

    def render(self) -> Text:
        text = Text(" ", no_wrap=True, overflow="ellipsis", end="")
        for n, name in enumerate(PANELS, start=1):
            here = name == self.active
            text.append(("▶" if here else " ") + f"{n} {name.capitalize()} ",
                        style="bold reverse" if here else None)
            text.append(" ")
        text.append(" tab switches", style="dim")
        return text

    def on_click(self, event: Click) -> None:
        for name, start, end in self.spans():
            if start <= event.x < end:
                self.post_message(self.Picked(name))


class MainScreen(Screen):
    """Where the learner steps through backpropagation."""

    AUTO_FOCUS = ""  # the keys belong to the screen until the learner picks a panel or box
    BINDINGS = [
        Binding("n,right,space", "next", "Next"),
        Binding("p,left", "prev", "Prev"),
        Binding("right_square_bracket", "next_phase", "Phase"),
        Binding("left_square_bracket", "prev_phase", "Phase back", show=False),
        Binding("s", "finish_sample", "Finish sample", show=False),
        Binding("e", "finish_epoch", "Finish epoch", show=False),
        Binding("r", "run", "Run"),
        Binding("R", "run_n", "Run N epochs", show=False),
        Binding("escape", "stop", "Stop"),
        Binding("g", "goto", "Go to epoch", show=False),
        Binding("home", "home", "Start", show=False),
        Binding("i", "notes", "Notes", show=False),
        Binding("c", "gradcheck", "Gradient check", show=False),
        Binding("m", "mistakes", "Mistakes", show=False),
        Binding("k", "quiz", "Quiz"),
        Binding("ctrl+t", "quiz_hint", "Hint"),
        Binding("ctrl+s", "quiz_skip", "Skip"),
        Binding("w", "where", "Where from", show=False),
        Binding("x", "export", "Export", show=False),
        Binding("tab", "cycle_tab(1)", "Next panel", show=False),
        Binding("shift+tab", "cycle_tab(-1)", "Previous panel", show=False),
        Binding("1", "tab('network')", show=False),
        Binding("2", "tab('values')", show=False),
        Binding("3", "tab('updates')", show=False),
        Binding("4", "tab('loss')", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, cursor: Cursor, quiz_kinds: frozenset[str] | None = None) -> None:
        super().__init__()
        self.cursor = cursor
        from bptui.events import KINDS
        from bptui.quiz import Quiz

        self.quiz = QuizMode(Quiz(cursor.scenario, frozenset(quiz_kinds or KINDS)))
        self.quiz.switch(quiz_kinds is not None)
        self._quiz_fresh: tuple | None = None
        self.view: View | None = None
        self.running = False
        self.compact = False
        self.tab = "network"
        self.run_worker_obj: Worker | None = None
        self._stop = threading.Event()
        self._run_start = 0
        self._run_total = 0
        self._binding_state: tuple | None = None
        self.checking = False
        self.epsilon = 1e-4  # the gradient check's finite-difference step
        self._check_key: tuple | None = None

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        yield Static(Text("terminal too small: make it at least "
                          f"{MIN_WIDTH}×{MIN_HEIGHT}  (q quits)"), id="too-small")
        with Vertical(id="main"):
            yield Box(EquationBody(id="equation-body"), title="Equation", id="equation")
            yield QuizBar(id="quiz")
            yield TabLine(id="tabs")
            with Horizontal(id="panels"):
                with Vertical(id="left"):
                    yield Box(GradCheckBody(id="gradcheck-body"), title="Gradient check (c closes)",
                              id="gradcheck")
                    yield Box(NetworkBody(id="network-body"), title="Network", id="network")
                    yield SelectBox(UpdatesBody(id="updates-body"), title="Updates",
                                    id="updates")
                with Vertical(id="right"):
                    yield SelectBox(ValuesBody(id="values-body"), title="Values this epoch",
                                    id="values")
                    yield LossPanel(id="loss")
        with Horizontal(id="runbar"):
            yield Static("", id="run-label", markup=False)
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self._apply_size(self.size.width, self.size.height)
        self.push_view()

    def on_resize(self, event: Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        tiny = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(tiny, "-tiny")
        self.compact = not tiny and (width < WIDE_WIDTH or height < WIDE_HEIGHT)
        self.set_class(self.compact, "-compact")
        self._apply_tabs()

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
        self.query_one(TabLine).active = self.tab
        self.call_after_refresh(self._scroll_values)

    def on_tab_line_picked(self, message: TabLine.Picked) -> None:
        self.action_tab(message.name)

    def action_tab(self, name: str) -> None:
        self.tab = name
        self._apply_tabs()
        if self.compact and not self.running:  # values and updates take ↑ ↓ enter (where from)
            if name in ("values", "updates"):
                self.query_one(f"#{name}", SelectBox).focus()
            elif isinstance(self.focused, SelectBox):
                self.set_focus(None)

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
        """Make one immutable View of the cursor and hand it to every panel at once."""
        previous = self.view
        hidden = not self.running and self.quiz.arrive(self.cursor.event, self.cursor.mistake)
        view = make_view(self.cursor, self.running, hidden=hidden, quiz=self.quiz.score())
        self.view = view
        with self.app.batch_update():
            self.query_one(StatusBar).show(view)
            for box in self.query(Box):
                box.show(view)
            self.query_one(LossPanel).show(view)
            self._show_quiz(view)
            state = (view.at_start, view.at_end, self.running, self.compact, self.quiz.on,
                     view.hidden)
            if state != self._binding_state:  # the footer redraws only when a key dims
                self._binding_state = state
                self.refresh_bindings()
        if not self.query_one("#values", SelectBox).has_focus:
            self.call_after_refresh(self._scroll_values)
        if self.checking:
            self._update_check(view)
        if previous is not None and self.quiz.on and view.epoch > previous.epoch:
            self._quiz_summary(previous.epoch)

    # -- quiz mode --------------------------------------------------------------------

    def _show_quiz(self, view: View) -> None:
        """The answer box: a new question clears it and takes the keyboard."""
        q = self.quiz
        key = (view.epoch, view.index, view.mistake) if q.open is not None else None
        fresh = key is not None and key != self._quiz_fresh
        self._quiz_fresh = key
        self.query_one(QuizBar).show_state(q, fresh)
        if fresh:
            self.call_after_refresh(self.query_one("#quiz-input", Input).focus)
        elif q.open is None and isinstance(self.focused, (Input, Button)) \
                and self.focused.id and self.focused.id.startswith("quiz-"):
            self.set_focus(None)

    def _quiz_summary(self, epoch: int) -> None:
        if self.quiz.finished_epoch(epoch):
            self.notify(f"epoch {epoch} done. {self.quiz.line()}", title="Quiz", markup=False,
                        timeout=8)

    def _quiz_settled(self) -> None:
        """After an answer or a skip: redraw, and sum up if that was the epoch's last step."""
        self.push_view()
        if self.cursor.index == len(self.cursor.events) - 1:
            self._quiz_summary(self.cursor.epoch)

    def action_quiz(self) -> None:
        on = not self.quiz.on
        self.quiz.switch(on)
        self.push_view()
        if on:
            from bptui.events import KINDS

            kinds = "every" if self.quiz.kinds >= set(KINDS) else \
                "each " + ", ".join(sorted(self.quiz.kinds))
            self.notify(f"quiz mode on: predict {kinds} sub-step before it is shown "
                        "(k switches it off)", markup=False)
        else:
            self.notify(f"quiz mode off. {self.quiz.line()}", markup=False)

    def set_quiz_kinds(self, kinds: frozenset[str], name: str = "") -> None:
        """Quiz only these kinds of sub-step (switching quiz mode on)."""
        self.quiz.set_kinds(kinds)
        self.quiz.switch(True)
        self.push_view()
        self.notify(f"quiz mode on, asking {name or ', '.join(sorted(kinds))}", markup=False)

    def action_quiz_hint(self) -> None:
        if self.quiz.open is not None:
            self.quiz.hint()
            self.query_one(QuizBar).show_state(self.quiz, False)
            self.query_one("#quiz-input", Input).focus()

    def action_quiz_skip(self) -> None:
        if self.quiz.open is not None:
            self.quiz.reveal()
            self._quiz_settled()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "quiz-input":
            return
        event.stop()
        self._quiz_answer(event.value)

    def _quiz_answer(self, text: str) -> None:
        if self.quiz.open is None:
            return
        verdict = self.quiz.answer(text, self.cursor.start_params)
        if verdict is not None and verdict.correct:
            self._quiz_settled()
        else:
            self.query_one(QuizBar).show_state(self.quiz, False)
            inp = self.query_one("#quiz-input", Input)
            inp.focus()
            inp.action_select_all()
            self.push_view()  # the score counts wrong attempts too (status line)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id or ""
        if not bid.startswith("quiz-"):
            return
        event.stop()
        if bid == "quiz-check":
            self._quiz_answer(self.query_one("#quiz-input", Input).value)
        elif bid == "quiz-hint":
            self.action_quiz_hint()
        elif bid == "quiz-skip":
            self.action_quiz_skip()

    # -- where a number comes from ----------------------------------------------------

    def action_where(self) -> None:
        """The provenance of the current sub-step's number."""
        self._open_provenance(("step", self.cursor.index))

    def on_select_box_picked(self, message: SelectBox.Picked) -> None:
        message.stop()
        ref = message.ref
        if isinstance(ref, tuple) and ref[0] == "param":
            ref = self._param_ref(ref)
        self._open_provenance(ref)

    def _param_ref(self, ref: tuple) -> tuple:
        """A row of the updates panel: its update if done, else its gradient, else its value."""
        _, lay, kind, j, i, name = ref
        view = self.view
        found = None
        for ev in view.events if view is not None else ():
            if ev.kind not in ("update", "grad"):
                continue
            if j is None:  # a whole matrix (large nets): W2, W2+, dE/dW2
                same = ev.symbol in (name + "+", f"dE/d{name}")
            else:
                p = ev.param
                same = p is not None and (p.layer, p.kind, p.row, p.col) == (lay, kind, j, i)
            if same and (found is None or ev.kind == "update" or found.kind == "grad"):
                found = ev
        if found is not None:
            return ("step", found.position)
        return ("param", lay, kind, j, i, name)

    def _open_provenance(self, ref) -> None:
        if self.running or ref is None:
            return
        c = self.cursor
        if ref[0] == "step" and self.quiz.open is not None and ref[1] == c.index:
            self.notify("answer or skip (ctrl+s) the question first: its provenance shows "
                        "the answer", markup=False)
            return
        if ref[0] == "step":
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params, index=ref[1])
        elif ref[0] == "data":
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params,
                                      leaf=leaf_source(c.scenario, ref[1], ref[2]))
        else:
            from bptui.provenance import Source

            _, lay, kind, j, i, name = ref
            params = self.view.params if self.view is not None else c.params_now()
            value = params.weights[lay - 1] if j is None else params.value(lay, kind, j, i)
            note = ("its value now: not yet updated in this sample" if
                    c.scenario.mode == "sample" else "its value now: not yet updated")
            screen = ProvenanceScreen(c.scenario, c.events, c.start_params,
                                      leaf=Source(name, value, "parameter", None, note))
        self.app.push_screen(screen)

    # -- export -----------------------------------------------------------------------

    def action_export(self) -> None:
        """The worked example (epoch 1, with the current mistake) as Markdown in the working
        folder (served: a bounded folder of the session's own), under a name not taken yet."""
        from bptui import export
        from bptui.errors import BptuiError
        from bptui.tui.served import export_folder, offer_download

        s = self.cursor.scenario
        try:
            folder, where = export_folder(self.app)  # served: a bounded per-session folder
            text = export.markdown(s, 1, self.cursor.mistake)
            path = export.write(export.free_path(folder, s.name or "bptui-export"), text)
        except (BptuiError, OSError) as exc:
            self.notify(f"export failed: {exc}", severity="error", markup=False, timeout=10)
            return
        self.last_export = path
        offer_download(self.app, path)
        what = f" with the mistake {self.cursor.mistake}" if self.cursor.mistake else ""
        self.notify(f"wrote the worked example (epoch 1{what}) as Markdown to {path}{where}",
                    markup=False, timeout=8)

    def _scroll_values(self) -> None:
        """Keep the newest value (always the last line) in sight."""
        box = self.query_one("#values", Box)
        box.scroll_to(y=box.max_scroll_y, animate=False, immediate=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return True if self.running else False
        if action in ("quiz_hint", "quiz_skip"):
            return self.quiz.open is not None and not self.running
        if action in ("where", "export") and self.running:
            return False
        if action in ("gradcheck", "set_epsilon") and self.running:
            return False
        if action in MOVES and self.running:
            return None if action in ("next", "prev", "next_phase", "run") else False
        if action == "tab":
            return self.compact
        if action in FORWARD and self.cursor.at_end:
            return None
        if action in BACKWARD and self.cursor.at_start:
            return None
        return True

    def _move(self, step, back: bool = False) -> None:
        if self.running:
            return
        self._leave_question(back)
        step()
        self.push_view()

    def _leave_question(self, back: bool) -> None:
        """Moving away from an open question: forward counts it as revealed, back does not."""
        if self.quiz.open is not None:
            if back:  # stepping back leaves the question for later
                self.quiz.leave()
            else:  # moving on without answering: it counts as revealed, and says so
                ev = self.quiz.open
                self.quiz.reveal()
                self.notify(f"moved on without answering: {pretty(ev.symbol)} = "
                            f"{fmt(ev.value)} counts as revealed", markup=False)
                if self.cursor.index == len(self.cursor.events) - 1:
                    self._quiz_summary(self.cursor.epoch)

    # -- moves ------------------------------------------------------------------------

    def action_next(self) -> None:
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

    def action_goto(self) -> None:
        def done(n: int | None) -> None:
            if n is not None:
                self._move(partial(self.cursor.goto, n, 0), back=n <= self.cursor.epoch)

        self.app.push_screen(NumberScreen("Go to epoch", 1, self.cursor.last_epoch,
                                          self.cursor.epoch), done)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_notes(self) -> None:
        self.app.push_screen(NotesScreen(self.cursor.scenario))

    def action_gradcheck(self) -> None:
        """Open or close the gradient check; while open it follows every step."""
        self.checking = not self.checking
        self._check_key = None
        self._apply_tabs()
        if self.checking and self.view is not None:
            self._update_check(self.view)

    def action_set_epsilon(self) -> None:
        """Change the gradient check's ε (command palette), and show the check with it."""
        from bptui.tui.screens import EpsilonScreen

        def done(eps: float | None) -> None:
            if eps is None:
                return
            self.epsilon = eps
            self._check_key = None
            if not self.checking:
                self.action_gradcheck()
            elif self.view is not None:
                self._update_check(self.view)

        self.app.push_screen(EpsilonScreen(self.epsilon), done)

    def _update_check(self, view: View) -> None:
        """Check the gradients of the current sample, at the parameters it starts from."""
        from bptui import gradcheck

        key = (view.epoch, view.event.sample, view.mistake, self.epsilon)
        if key != self._check_key:
            self._check_key = key
            self._report = gradcheck.check(view.scenario, params_for_sample(view),
                                           sample=view.event.sample or 1,
                                           mistake=view.mistake, epsilon=self.epsilon)
        self.query_one(GradCheckBody).show_report(view, self._report)

    def action_mistakes(self) -> None:
        def chosen(name: str | None | bool) -> None:
            if name is False:  # cancelled
                return
            self._move(partial(self.cursor.set_mistake, name), back=True)

        self.app.push_screen(MistakeScreen(self.cursor.scenario, self.cursor.mistake), chosen)

    # -- running ----------------------------------------------------------------------

    def action_run(self, epochs: int | None = None) -> None:
        if self.running:
            return
        left = self.cursor.last_epoch - self.cursor.epoch  # never past a divergence
        if left <= 0:
            self._move(self.cursor.finish_epoch)
            return
        self._leave_question(back=False)
        self.running = True
        self._stop.clear()
        self._run_start = self.cursor.epoch
        self._run_total = left if epochs is None else min(epochs, left)
        bar = self.query_one(ProgressBar)
        bar.update(total=self._run_total, progress=0)
        self.add_class("-running")
        self.query_one("#run-label", Static).update(
            f"running {self._run_total} epochs… (escape stops)")
        self.query_one(StatusBar).running("running")
        if self.compact:
            self.action_tab("loss")
        self.refresh_bindings()
        self.run_worker_obj = self.run_worker(partial(self._train, epochs), name="run",
                                              group="run", thread=True, exclusive=True,
                                              exit_on_error=False)

    def action_run_n(self) -> None:
        left = self.cursor.last_epoch - self.cursor.epoch
        if left <= 0:
            return

        def done(n: int | None) -> None:
            if n is not None:
                self.action_run(n)

        self.app.push_screen(NumberScreen("Run how many epochs", 1, left, min(left, 100)), done)

    def action_stop(self) -> None:
        self._stop.set()

    def _train(self, epochs: int | None):
        """In a thread: the fast path in pieces of about PIECE seconds, so that escape is
        honoured within a piece whatever the cursor's snapshot spacing; progress is posted
        to the screen at most every PROGRESS_EVERY seconds."""
        cursor = self.cursor
        limit = cursor.scenario.epochs
        target = limit if epochs is None else min(limit, cursor.epoch + epochs)
        last = 0.0

        def post(epoch: int, loss: float, force: bool = False) -> None:
            nonlocal last
            now = time.monotonic()
            if force or now - last >= PROGRESS_EVERY:
                last = now
                self.app.call_from_thread(self._progress, epoch, loss, tuple(cursor.losses))

        def on_epoch(epoch: int, loss: float) -> bool | None:
            if self._stop.is_set():
                return False
            post(epoch, loss)
            return None

        piece, result = 1, None
        # a piece may land in the epoch that diverges (cursor.diverged_at): stop there
        while cursor.epoch < target and not self._stop.is_set() and cursor.diverged_at is None:
            n = min(piece, target - cursor.epoch)
            began = time.monotonic()
            result = cursor.run(n, on_epoch=on_epoch)
            took = max(time.monotonic() - began, 1e-6)
            if result.diverged_at is not None or result.stopped:
                break
            if cursor.losses:
                post(cursor.epoch, cursor.losses[-1])
            piece = max(1, min(piece * 4, int(n * PIECE / took)))
        if result is not None and self._stop.is_set():
            result.stopped = True
        return result

    def _progress(self, epoch: int, loss: float, losses: tuple[float, ...]) -> None:
        done = epoch - self._run_start
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#run-label", Static).update(
            f"epoch {epoch}/{self.cursor.scenario.epochs}  loss {fmt(loss, 6)}  esc stops")
        self.query_one(StatusBar).running(f"running: epoch {epoch}")
        self.query_one(LossPanel).plot(losses, epoch, self.cursor.initial_loss, None,
                                       running=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "run" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.running = False
        self.remove_class("-running")
        self.query_one(StatusBar).running("")
        result = event.worker.result if event.state == WorkerState.SUCCESS else None
        if event.state == WorkerState.ERROR:
            self.notify(f"the run failed: {event.worker.error}", severity="error", markup=False)
        elif result is not None and self.cursor.diverged_at is not None:
            self.notify(f"training diverged at epoch {self.cursor.diverged_at}: the loss is no longer"
                        " a finite number", severity="warning", markup=False)
        elif result is not None and result.stopped:
            self.notify(f"stopped: now in epoch {self.cursor.epoch}", markup=False)
        self.push_view()
