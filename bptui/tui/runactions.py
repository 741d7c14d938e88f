"""The main screen's run keys (a mixin of MainScreen): r, R, escape, and the worker's
messages. The training itself is :mod:`bptui.tui.run`."""

from __future__ import annotations

from functools import partial

from bptui.cursor import MAX_EPOCHS
from bptui.i18n import N_, _, ngettext
from bptui.notation import fmt
from bptui.tui import run
from bptui.tui.loss import LossPanel
from bptui.tui.runbar import RunBar
from bptui.tui.screens import NumberScreen
from bptui.tui.status import StatusBar


class RunActions:
    """Start a run on a copy of the cursor, show its progress, adopt it when it ends."""

    # -- running: a worker trains a copy and posts messages ---------------------------

    def action_run(self, epochs: int | None = None) -> None:
        if self.running:
            return
        c = self.cursor
        if run.epochs_left(c) <= 0 or (epochs is None and c.at_end):
            self._move(c.finish_epoch)
            return
        self._leave_question(back=False)
        self._stop.clear()
        self._run_start = c.epoch
        goal = min(run.target_epoch(c, epochs), c.last_epoch)
        self._run_total = max(1, goal - c.epoch)
        # the worker first: the screen's changes below then overlap its training
        trained = run.runner(c)
        self.run_worker(partial(run.train, trained, epochs, self._stop, self.post_message),
                        name="run", group="run", thread=True, exclusive=True,
                        exit_on_error=False)
        with self.app.batch_update():
            self.running = True
            self.query_one(RunBar).show(
                _("running to the end… (escape stops)") if epochs is None else
                ngettext("running {n} epoch… (escape stops)",
                         "running {n} epochs… (escape stops)", epochs),
                done=0, total=self._run_total)
            self.query_one(StatusBar).running(_("running"))
            if self.compact:
                self.action_tab("loss")

    def action_run_n(self) -> None:
        left = run.epochs_left(self.cursor)
        if left <= 0:
            return

        def done(n: int | None) -> None:
            if n is not None:
                self.action_run(n)

        self.app.push_screen(NumberScreen(N_("Run how many epochs"), 1, left), done)

    def action_stop(self) -> None:
        self._stop.set()

    def on_run_progress(self, message: run.RunProgress) -> None:
        if not self.running:
            return
        self.query_one(RunBar).show(
            _("epoch {epoch}/{epochs}  loss {loss}  esc stops", epoch=message.epoch,
              epochs=min(self.cursor.scenario.epochs, MAX_EPOCHS), loss=fmt(message.loss, 6)),
            done=message.epoch - self._run_start)
        self.query_one(StatusBar).running(_("running: epoch {epoch}", epoch=message.epoch))
        self.query_one(LossPanel).plot(message.losses, message.epoch, self.cursor.initial_loss,
                                       None, running=True)

    def on_run_finished(self, message: run.RunFinished) -> None:
        self.query_one(StatusBar).running("")
        if message.runner is not None:
            run.adopt(self.cursor, message.runner)
        c = self.cursor
        if message.error is not None:
            self.notify(_("the run failed: {error}", error=message.error), severity="error", markup=False)
        elif c.diverged_at is not None and message.result is not None \
                and message.result.diverged_at is not None:
            self.notify(_("training diverged at epoch {epoch}: the loss is no longer a finite "
                          "number", epoch=c.diverged_at), severity="warning", markup=False)
        elif message.stopped:
            self.notify(_("stopped: now in epoch {epoch}", epoch=c.epoch), markup=False)
        self.running = False
        self.push_view()
