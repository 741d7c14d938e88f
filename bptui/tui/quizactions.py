"""The main screen's quiz keys and the quiz box's messages (a mixin of MainScreen).

The quiz box (:class:`bptui.tui.quiz.QuizBar`) posts Answer, Hint and Skip; the screen,
which owns the quiz state and the cursor, handles them here.
"""

from __future__ import annotations

from bptui.events import KINDS
from bptui.i18n import _
from bptui.notation import fmt
from bptui.tui.quiz import QuizBar


class QuizActions:
    """Quiz mode on the main screen: open, answer, hint, skip, sum up."""

    def _show_quiz(self, view) -> None:
        """The answer box: a new question clears it and takes the keyboard (navigation keys
        still pass through it while it is empty)."""
        q = self.quiz
        key = (view.epoch, view.index, view.mistake) if q.open is not None else None
        fresh = key is not None and key != getattr(self, "_quiz_fresh", None)
        self._quiz_fresh = key
        self.query_one(QuizBar).show_state(q, fresh)
        box = self.query_one("#quiz-input")
        if fresh:
            self.call_after_refresh(box.focus)
        elif q.open is None and self.focused is not None and (self.focused.id or "").startswith(
                "quiz-"):
            self.set_focus(None)

    def _quiz_summary(self, epoch: int) -> None:
        if self.quiz.finished_epoch(epoch):
            self.notify(_("epoch {epoch} done. {score}", epoch=epoch, score=self.quiz.line()),
                        title=_("Quiz"), markup=False,
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
            if self.quiz.kinds >= set(KINDS):
                said = _("quiz mode on: predict every sub-step before it is shown (k switches "
                         "it off)")
            else:
                said = _("quiz mode on: predict each {kinds} sub-step before it is shown (k "
                         "switches it off)", kinds=", ".join(sorted(self.quiz.kinds)))
            self.notify(said, markup=False)
        else:
            self.notify(_("quiz mode off. {score}", score=self.quiz.line()), markup=False)

    def set_quiz_kinds(self, kinds: frozenset[str], name: str = "") -> None:
        """Quiz only these kinds of sub-step (switching quiz mode on)."""
        self.quiz.set_kinds(kinds)
        self.quiz.switch(True)
        self.push_view()
        self.notify(_("quiz mode on, asking {kinds}", kinds=_(name) if name
                      else ", ".join(sorted(kinds))), markup=False)

    def action_quiz_hint(self) -> None:
        if self.quiz.open is not None:
            self.quiz.hint()
            self.query_one(QuizBar).show_state(self.quiz, False)
            self.query_one("#quiz-input").focus()

    def action_quiz_skip(self) -> None:
        if self.quiz.open is not None:
            self.quiz.reveal()
            self._quiz_settled()

    def on_quiz_bar_answer(self, message: QuizBar.Answer) -> None:
        message.stop()
        if self.quiz.open is None:
            return
        verdict = self.quiz.answer(message.text, self.cursor.start_params)
        if verdict is not None and verdict.correct:
            self._quiz_settled()
        else:
            self.query_one(QuizBar).show_state(self.quiz, False)
            inp = self.query_one("#quiz-input")
            inp.focus()
            inp.action_select_all()
            self.push_view()  # the score counts wrong attempts too (status line)

    def on_quiz_bar_hint(self, message: QuizBar.Hint) -> None:
        message.stop()
        self.action_quiz_hint()

    def on_quiz_bar_skip(self, message: QuizBar.Skip) -> None:
        message.stop()
        self.action_quiz_skip()

    def _leave_question(self, back: bool) -> None:
        """Moving away from an open question: forward counts it as revealed, back does not."""
        if self.quiz.open is not None:
            if back:  # stepping back leaves the question for later
                self.quiz.leave()
            else:  # moving on without answering: it counts as revealed, and says so
                ev = self.quiz.open
                self.quiz.reveal()
                self.notify(_("moved on without answering: {symbol} = {value} counts as revealed",
                              symbol=self.quiz.quiz.name(ev.symbol), value=fmt(ev.value)),
                            markup=False)
                if self.cursor.index == len(self.cursor.events) - 1:
                    self._quiz_summary(self.cursor.epoch)
