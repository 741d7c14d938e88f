"""One object owns "where am I": the epoch, the sub-step within it, and how to get anywhere else.

Only the current epoch's events are held in memory. To go back to an earlier epoch the cursor
restarts from the nearest parameter snapshot and replays on the fast path, so memory stays
bounded however long a run is: snapshots are spaced so that all of them together stay under
:data:`SNAPSHOT_BUDGET` bytes.
"""

from __future__ import annotations

import copy
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import NamedTuple

import numpy as np

from bptui import backprop as bp
from bptui.engine import epoch_events
from bptui.events import PHASES, Event
from bptui.losshistory import LossHistory, Prefix
from bptui.scenario import Scenario

SNAPSHOT_BUDGET = 48 * 2**20
#: The screen goes at most this far: it keeps every epoch's loss (8 bytes each, twice with a
#: mistake on for the correct curve beside it), so memory stays under about 160 MB however
#: many epochs a file asks for. ``--train`` runs any number.
MAX_EPOCHS = 10_000_000
#: What a snapshot costs beyond its numbers (the Params object, its lists, an array header
#: per layer): about a kilobyte, which dominates for a tiny net.
SNAPSHOT_OVERHEAD = 1024
MIN_SPACING = 16
#: A snapshot at least this large is worth its memory made ready ahead of a run
#: (:meth:`Cursor.make_snapshots_ready`); a small one costs less than the thread would.
READY_AHEAD_BYTES = 2**16


def apply_updates(start: bp.Params, events: Iterable[Event]) -> bp.Params:
    """A copy of ``start`` with the values of the update steps among ``events`` written in.

    Panels use it to show the parameters as they stand at a sub-step, without recomputing
    anything: the values are the ones the update events carry.
    """
    p = start.copy()
    for ev in events:
        if ev.kind != "update":
            continue
        if ev.param is not None:
            p.set(ev.param.layer, ev.param.kind, ev.param.row, ev.param.col, float(ev.value))
        elif ev.layer_param is not None and ev.layer_param.kind == "weight":
            p.weights[ev.layer_param.layer - 1] = np.array(ev.value)
        elif ev.layer_param is not None:
            p.biases[ev.layer_param.layer - 1] = np.array(ev.value)
    return p


def _engine(scenario):
    """The engine a scenario is walked with: (module with Params, dataset_loss, train,
    TrainResult; epoch_events; apply_updates). A computational graph (``is_graph``) uses
    :mod:`bptui.graph.backend`, which provides the same names with the same signatures; a
    layered net the names of this module (read at call time, so tests may patch them)."""
    if getattr(scenario, "is_graph", False):
        from bptui.graph import backend

        return backend, backend.epoch_events, backend.apply_updates
    return bp, epoch_events, apply_updates


class Ready(NamedTuple):
    """An epoch worked out ahead (:meth:`Cursor.prepare_next_epoch`)."""

    epoch: int
    source: object  # the end parameters of the epoch before, the object itself
    mistake: str | None
    params: object  # its start parameters (a copy of ``source``)
    worked_out: tuple  # its events and the loss after it (Cursor._work_out)


class CorrectCurve:
    """Correct backprop's losses so far (with a mistake on), and where training stands: one
    object, so that a copy of the cursor (:meth:`Cursor.ahead`) extends the same curve."""

    def __init__(self, losses: LossHistory, params: bp.Params, diverged: bool = False
                 ) -> None:
        self.losses, self.params, self.diverged = losses, params, diverged

    def copy(self) -> CorrectCurve:
        return CorrectCurve(self.losses.copy(), self.params.copy(), self.diverged)


class Cursor:
    """A position in the training of one scenario, movable one sub-step at a time."""

    def __init__(self, scenario: Scenario, mistake: str | None = None) -> None:
        self.scenario = scenario
        self.mistake = mistake
        per_snapshot = SNAPSHOT_OVERHEAD + 8 * max(1, scenario.parameter_count + sum(
            0 if la.bias is None else la.bias.size for la in scenario.layers))
        by_memory = math.ceil(min(scenario.epochs, MAX_EPOCHS) * per_snapshot
                              / SNAPSHOT_BUDGET)
        # Replaying up to MIN_SPACING - 1 epochs of a small net costs well under a frame.
        self.snapshot_every = max(MIN_SPACING, by_memory)
        self._reset()

    def _reset(self) -> None:
        self.initial = self._bp.Params.initial(self.scenario)
        self.snapshots: dict[int, bp.Params] = {1: self.initial.copy()}
        self.losses = LossHistory()  # losses[e-1]: loss over all samples after epoch e
        self.initial_loss = self._bp.dataset_loss(self.scenario, self.initial)
        self.diverged_at: int | None = None
        # With a mistake on: correct backprop's loss curve over the same epochs, to compare.
        self._correct = CorrectCurve(LossHistory(), self.initial.copy())
        self._ready: Ready | None = None  # the next epoch worked out ahead
        self.spare: deque[bp.Params] = deque()  # snapshots' memory made ready ahead of a run
        self.epoch = 1
        self.index = 0
        self._load_epoch(1, self.initial.copy())

    # -- the engine -------------------------------------------------------------------

    @property
    def _bp(self):
        return _engine(self.scenario)[0]

    def _epoch_events(self, *args):
        return _engine(self.scenario)[1](*args)

    def apply_updates(self, start, events: Iterable[Event]):
        """``start`` with the update steps among ``events`` written in, by this scenario's
        engine (layered parameters or a graph's leaves)."""
        return _engine(self.scenario)[2](start, events)

    # -- state ------------------------------------------------------------------------

    @property
    def event(self) -> Event:
        return self.events[self.index]

    @property
    def last_epoch(self) -> int:
        """The furthest epoch the learner may step into."""
        return self.diverged_at or min(self.scenario.epochs, MAX_EPOCHS)

    @property
    def at_start(self) -> bool:
        return self.epoch == 1 and self.index == 0

    @property
    def at_end(self) -> bool:
        return self.epoch >= self.last_epoch and self.index == len(self.events) - 1

    def params_now(self) -> bp.Params:
        """Parameters as they stand after the current sub-step (updates so far applied)."""
        return self.apply_updates(self.start_params, self.events[: self.index + 1])

    # -- loading epochs ---------------------------------------------------------------

    def _work_out(self, epoch: int, params: bp.Params) -> tuple:
        """An epoch's sub-steps from ``params``, and the loss after it."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = self._epoch_events(self.scenario, params, epoch, self.mistake)
            return result, self._bp.dataset_loss(self.scenario, result.params)

    def _load_epoch(self, epoch: int, params: bp.Params, worked_out: tuple | None = None
                    ) -> None:
        result, loss = worked_out or self._work_out(epoch, params)
        self.start_params = params
        self.end_params = result.params
        self.events = result.events
        self.epoch = epoch
        self._remember(epoch, params)
        if len(self.losses) == epoch - 1:
            if math.isfinite(loss) and result.params.finite():
                self.losses.append(loss)
            elif self.diverged_at is None:
                self.diverged_at = epoch

    def _remember(self, epoch: int, params: bp.Params) -> None:
        if (epoch - 1) % self.snapshot_every == 0 and epoch not in self.snapshots:
            if self.spare:  # memory made ready ahead (a large layered net's run)
                self.snapshots[epoch] = params.copy_into(self.spare.popleft())
            else:
                self.snapshots[epoch] = params.copy()

    def make_snapshots_ready(self, last: int, stop: threading.Event) -> None:
        """Allocate and fill, in :attr:`spare`, the memory of the snapshots a run from here
        to epoch ``last`` will keep (those it does not have yet), until ``stop`` is set: for
        a helper thread while the run trains.

        A snapshot of the 1000-100-10 is 800 kB of new memory, and the first write to new
        memory costs the kernel a page fault per 4 kB page: its 31 snapshots cost the run
        22 ms, 6% of its training. Filled here on the other core (numpy copies without the
        GIL), the run then only copies its numbers in: 0.04 ms a snapshot."""
        first = self.initial
        if not isinstance(first, bp.Params) or 8 * self.scenario.parameter_count \
                < READY_AHEAD_BYTES:
            return
        every = self.snapshot_every
        start = self.epoch + 1 + (-self.epoch) % every  # the first e > epoch with e = 1 mod every
        for epoch in range(start, last + 2, every):
            if stop.is_set():
                return
            if epoch not in self.snapshots:
                self.spare.append(first.copy())

    def _params_at(self, epoch: int) -> bp.Params:
        """Parameters at the start of ``epoch``: nearest snapshot, then the fast path."""
        if epoch == self.epoch:
            return self.start_params.copy()
        if epoch == self.epoch + 1:
            return self.end_params.copy()
        base = max(e for e in self.snapshots if e <= epoch)

        def record(done: int, losses: list[float], params: bp.Params) -> None:
            first = done - len(losses) + 1
            known = len(self.losses)  # keep the part of this chunk not recorded yet
            if first - 1 <= known < done:
                self.losses.extend(losses[known - (first - 1):])
            self._remember(done + 1, params)

        result = self._bp.train(self.scenario, self.snapshots[base].copy(), epoch - base,
                          mistake=self.mistake, first_epoch=base, on_chunk=record,
                          chunk=self.snapshot_every)
        params = result.params
        return params

    # -- moving -----------------------------------------------------------------------

    def prepare_next_epoch(self) -> None:
        """Work out the next epoch's sub-steps now, for the move into it to find them ready:
        the screen calls this while the learner reads an epoch's last sub-step, so that the
        key press into the next epoch (5 ms of the 1000-100-10's 20) only shows it."""
        epoch = self.epoch + 1
        if epoch > self.last_epoch or self._ready_for(epoch):
            return
        params = self.end_params.copy()
        self._ready = Ready(epoch, self.end_params, self.mistake, params,
                            self._work_out(epoch, params))

    def _ready_for(self, epoch: int) -> bool:
        """Whether the epoch worked out ahead is ``epoch``, from this epoch's end."""
        r = self._ready
        return (r is not None and epoch == self.epoch + 1 == r.epoch
                and r.source is self.end_params and r.mistake == self.mistake)

    def ahead(self) -> Cursor | None:
        """A copy of this cursor one sub-step on (None at the very end), for the screen to
        prepare the next View while the learner reads this one; this cursor does not move.
        The copy shares this cursor's history (losses, snapshots, the correct curve): at an
        epoch's last sub-step it records the next epoch's loss there, as the move would,
        whether or not the move comes (a View shows completed epochs only, so nothing shows
        it early; :meth:`run` cuts the history back to where it starts)."""
        if self.at_end:
            return None
        if self.index == len(self.events) - 1:
            self.prepare_next_epoch()
        twin = copy.copy(self)
        twin.next()
        return twin

    def goto(self, epoch: int, index: int = 0) -> None:
        """Jump to sub-step ``index`` (negative counts from the end) of ``epoch``."""
        epoch = min(max(1, epoch), self.last_epoch)
        if epoch != self.epoch:
            if self._ready_for(epoch):
                self._load_epoch(epoch, self._ready.params, self._ready.worked_out)
            else:
                self._load_epoch(epoch, self._params_at(epoch))
        n = len(self.events)
        self.index = min(max(0, index if index >= 0 else n + index), n - 1)

    def next(self) -> bool:
        """One sub-step forward, into the next epoch at an epoch's end. False at the very end."""
        if self.index < len(self.events) - 1:
            self.index += 1
            return True
        if self.epoch >= self.last_epoch:
            return False
        self.goto(self.epoch + 1, 0)
        return True

    def prev(self) -> bool:
        """One sub-step back, into the previous epoch at an epoch's start."""
        if self.index > 0:
            self.index -= 1
            return True
        if self.epoch == 1:
            return False
        self.goto(self.epoch - 1, -1)
        return True

    def _move_until(self, step: Callable[[], bool], done: Callable[[Event], bool]) -> bool:
        moved = False
        while step():
            moved = True
            if done(self.event):
                break
        return moved

    def next_phase(self) -> bool:
        """Forward to the first sub-step of the next phase (or of the next sample's forward)."""
        here = (self.event.sample, self.event.phase)
        return self._move_until(self.next, lambda e: (e.sample, e.phase) != here)

    def prev_phase(self) -> bool:
        """Back to the first sub-step of this phase, or of the previous one if already there."""
        if not self.prev():
            return False
        here = (self.event.sample, self.event.phase, self.epoch)
        while self.index > 0 or self.epoch > 1:
            before = self.events[self.index - 1] if self.index > 0 else None
            if before is None or (before.sample, before.phase, self.epoch) != here:
                break
            self.prev()
        return True

    def finish_sample(self) -> bool:
        """Forward to the last sub-step of the current sample (its last update)."""
        sample = self.event.sample
        last = max(i for i, e in enumerate(self.events) if e.sample == sample)
        if self.index < last:
            self.index = last
            return True
        return self.next() and self.finish_sample()

    def finish_epoch(self) -> bool:
        """Forward to the last sub-step of the current epoch (or of the next one if there)."""
        if self.index < len(self.events) - 1:
            self.index = len(self.events) - 1
            return True
        if self.epoch >= self.last_epoch:
            return False
        self.goto(self.epoch + 1, -1)
        return True

    def home(self) -> None:
        self.goto(1, 0)

    def phase_index(self) -> int:
        return PHASES.index(self.event.phase)

    # -- running ----------------------------------------------------------------------

    def run(
        self,
        epochs: int | None = None,
        on_epoch: Callable[[int, float], bool | None] | None = None,
    ) -> bp.TrainResult:
        """Train on the fast path after the current epoch, then stop on a sub-step again.

        Trains ``epochs`` more epochs (default: up to the scenario's last) unless ``on_epoch``
        returns False or the loss diverges. The cursor then lands on the first sub-step of
        the epoch after the last one trained, so the learner can step through it; a run that
        reaches the scenario's end lands on the last sub-step of the last epoch.
        """
        limit = self.last_epoch  # never past the epoch where training diverged
        start = self.epoch + 1
        if start > limit:
            self.index = len(self.events) - 1
            return self._bp.TrainResult(self.end_params.copy(), [])
        want = limit - start + 1 if epochs is None else min(epochs, limit - start + 1)
        to_end = start + want - 1 >= limit
        fast = want - 1 if to_end else want  # the last epoch is shown as events instead
        self.losses.truncate(start - 1)

        def record(done: int, losses: list[float], p: bp.Params) -> bool | None:
            self.losses.extend(losses)
            self._remember(done + 1, p)
            if on_epoch is None or not losses:
                return None
            return on_epoch(done, losses[-1])

        result = self._bp.train(self.scenario, self.end_params.copy(), fast, mistake=self.mistake,
                          first_epoch=start, on_chunk=record, chunk=self.snapshot_every)
        if result.diverged_at is not None:
            # the chunk that blew up was never reported to record(): keep its finite losses
            self.losses.truncate(start - 1)
            self.losses.extend(result.losses)
            self.diverged_at = result.diverged_at
            self._load_epoch(result.diverged_at, result.params.copy())
            self.index = 0
            return result
        landing = start + len(result.losses)
        self._load_epoch(landing, result.params.copy())
        self.index = len(self.events) - 1 if to_end and not result.stopped else 0
        self.correct_losses()  # here, in the caller's (worker) thread, not in a redraw
        return result

    def correct_losses(self) -> LossHistory | Prefix:
        """Correct backprop's loss after each epoch, as far as :attr:`losses` goes.

        Only differs from :attr:`losses` when a mistake is switched on; it lets a loss plot
        show the buggy training beside the correct one. Extending it runs the fast path, so a
        caller that wants it after a long run should call it from the worker thread.
        """
        if self.mistake is None:
            return self.losses
        want = len(self.losses)
        c = self._correct
        if len(c.losses) < want and not c.diverged:
            result = self._bp.train(self.scenario, c.params, want - len(c.losses),
                                    first_epoch=len(c.losses) + 1)
            c.losses.extend(result.losses)
            c.params = result.params
            c.diverged = result.diverged_at is not None
        return c.losses.upto(want)  # a window, not a copy: a View holds it

    def set_mistake(self, mistake: str | None) -> None:
        """Switch a mistake on or off, keeping the learner's place (epoch and sub-step)."""
        epoch, index = self.epoch, self.index
        self.mistake = mistake
        self._reset()
        self.goto(epoch, index)
