"""The one immutable snapshot the panels render after each move of the cursor."""

from __future__ import annotations

from dataclasses import dataclass

from bptui.backprop import Params
from bptui.cursor import Cursor
from bptui.events import Event
from bptui.scenario import Scenario


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
    losses: tuple[float, ...]  # losses[e-1]: loss over all samples after epoch e
    initial_loss: float
    diverged_at: int | None
    at_start: bool
    at_end: bool
    mistake: str | None
    running: bool = False

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


def make_view(cursor: Cursor, running: bool = False) -> View:
    return View(
        scenario=cursor.scenario,
        event=cursor.event,
        events=tuple(cursor.events[: cursor.index + 1]),
        epoch=cursor.epoch,
        index=cursor.index,
        steps=len(cursor.events),
        last_epoch=cursor.last_epoch,
        params=cursor.params_now(),
        start_params=cursor.start_params,
        losses=tuple(cursor.losses),
        initial_loss=cursor.initial_loss,
        diverged_at=cursor.diverged_at,
        at_start=cursor.at_start,
        at_end=cursor.at_end,
        mistake=cursor.mistake,
        running=running,
    )
