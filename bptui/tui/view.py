"""The one immutable snapshot the panels render after each move of the cursor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bptui import backprop as bp
from bptui.backprop import Params
from bptui.cursor import Cursor
from bptui.events import Event
from bptui.scenario import Scenario
from bptui.tui.learner import LearnerMarks


@dataclass(frozen=True)
class View:
    """Everything a panel may show: the current event, what came before it, where we are."""

    scenario: Scenario
    event: Event
    events: tuple[Event, ...]  # this epoch up to and including the current sub-step
    epoch: int
    index: int  # 0-based sub-step within the epoch
    steps: int  # sub-steps in this epoch
    last_epoch: int
    params: Params  # after the current sub-step (read only by convention)
    start_params: Params  # at the start of this epoch
    losses: Sequence[float]  # losses[e-1]: loss over all samples after epoch e (a Prefix)
    initial_loss: float
    diverged_at: int | None
    at_start: bool
    at_end: bool
    mistake: str | None
    running: bool = False
    hidden: bool = False  # quiz mode: the current sub-step's result is a question, not shown
    quiz: tuple[int, int, int] | None = None  # quiz score: right first try, after a hint,
    # revealed (None when quiz mode is off)
    completed: int = 0  # epochs whose every sub-step the learner has reached
    outputs: tuple[tuple[float, ...], ...] = ()  # per sample, after epoch ``completed``
    correct_losses: Sequence[float] = ()  # with a mistake on: correct backprop's losses
    learner: LearnerMarks | None = None  # a learner's file's marks in this epoch (--compare)

    @property
    def shown_losses(self) -> Sequence[float]:
        """The losses of completed epochs only (the current one once on its last sub-step)."""
        return self.losses[: self.completed]

    @property
    def sample(self) -> int | None:
        """The sample the learner is in (for a batch-level step, the last one seen)."""
        for ev in reversed(self.events):
            if ev.sample is not None:
                return ev.sample
        return None

    def sample_events(self) -> list[Event]:
        """The events of the current sample so far (batch-level steps included)."""
        k = self.event.sample
        if k is None:
            return list(self.events)
        return [ev for ev in self.events if ev.sample == k]


#: Outputs after the last completed epoch are listed for nets with at most this many numbers.
MAX_OUTPUTS = 8


def _params_before(cursor: Cursor) -> Params:
    """The parameters just before the current sub-step (its own update not yet applied)."""
    return cursor.apply_updates(cursor.start_params, cursor.events[: cursor.index])


def _outputs(cursor: Cursor, completed: int) -> tuple[tuple[float, ...], ...]:
    """The network's outputs for every sample after epoch ``completed`` (small nets only):
    a forward pass for display, from the parameters that epoch ended with."""
    s = cursor.scenario
    if getattr(s, "is_graph", False):  # a graph has one output, the loss panel's curve
        return ()
    if completed < 1 or completed < cursor.epoch - 1 or not s.unit_by_unit \
            or s.samples * s.layers[-1].size > MAX_OUTPUTS:
        return ()
    params = cursor.end_params if completed == cursor.epoch else cursor.start_params
    if not params.finite():
        return ()
    with np.errstate(all="ignore"):
        outs = bp.forward(s, params, s.inputs).outs[-1]
    return tuple(tuple(float(v) for v in row) for row in np.atleast_2d(outs))


def make_view(cursor: Cursor, running: bool = False, hidden: bool = False,
              quiz: tuple[int, int, int] | None = None,
              learner: LearnerMarks | None = None) -> View:
    last_step = cursor.index == len(cursor.events) - 1
    completed = min(len(cursor.losses), cursor.epoch if last_step else cursor.epoch - 1)
    hide_update = hidden and cursor.event.kind == "update"
    return View(
        scenario=cursor.scenario,
        event=cursor.event,
        events=tuple(cursor.events[: cursor.index + 1]),
        epoch=cursor.epoch,
        index=cursor.index,
        steps=len(cursor.events),
        last_epoch=cursor.last_epoch,
        params=_params_before(cursor) if hide_update else cursor.params_now(),
        start_params=cursor.start_params,
        losses=cursor.losses.upto(len(cursor.losses)),
        initial_loss=cursor.initial_loss,
        diverged_at=cursor.diverged_at,
        at_start=cursor.at_start,
        at_end=cursor.at_end,
        mistake=cursor.mistake,
        running=running,
        hidden=hidden,
        quiz=quiz,
        completed=completed,
        outputs=_outputs(cursor, completed),
        correct_losses=cursor.correct_losses()[:completed] if cursor.mistake else (),
        learner=learner,
    )
