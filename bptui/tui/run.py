"""Training in a worker thread, on a copy of the cursor, reported by messages.

The screen's cursor is only ever changed on the main thread: a run trains a :func:`runner`
copy (its own lists and parameters) and posts :class:`RunProgress` while it goes and one
:class:`RunFinished` at the end, whose handler adopts the copy's state. Keys pressed during a
run (the quiz, the gradient check, the loss plot's correct-backprop curve) read the cursor as
it was when the run started, never a cursor that a thread is changing.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable

from textual.message import Message

# The fast path's modules (bptui.training, bptui.scalar) are imported lazily by the core;
# the screen loads them with itself: imported in the worker at the first r, they cost a
# 1000-100-10 run 20 ms (reading their code while the main thread holds the GIL).
from bptui import backprop as bp
from bptui import scalar, training  # noqa: F401
from bptui.cursor import MIN_SPACING, Cursor

PIECE = 0.05  # seconds of training between checks for escape (large snapshot spacings only)
#: Seconds between progress posts, the first one included: each redraws the loss plot, which
#: costs the main thread about 10 ms that the training would otherwise have (the GIL, and on
#: a busy machine the core), so twice a second, and none at all for a run shorter than that.
PROGRESS_EVERY = 0.5


class RunProgress(Message):
    """Posted from the worker: the epoch reached and the losses so far."""

    def __init__(self, epoch: int, loss: float, losses: tuple[float, ...]) -> None:
        super().__init__()
        self.epoch, self.loss, self.losses = epoch, loss, losses


class RunFinished(Message):
    """Posted from the worker at the end: the trained copy, or the error that ended it."""

    def __init__(self, runner: Cursor | None, result: bp.TrainResult | None,
                 error: BaseException | None = None, stopped: bool = False) -> None:
        super().__init__()
        self.runner, self.result, self.error, self.stopped = runner, result, error, stopped


def runner(cursor: Cursor) -> Cursor:
    """A copy of ``cursor`` that shares nothing a run changes (lists, dicts, parameters)."""
    c = copy.copy(cursor)
    c.losses = cursor.losses.copy()
    c.snapshots = dict(cursor.snapshots)
    c._correct = cursor._correct.copy()
    c.start_params = cursor.start_params.copy()
    c.end_params = cursor.end_params.copy()
    c.spare = deque()
    return c


def adopt(cursor: Cursor, trained: Cursor) -> None:
    """On the main thread: the screen's cursor takes over the trained copy's state."""
    vars(cursor).update(vars(trained))


def target_epoch(cursor: Cursor, epochs: int | None) -> int:
    """Where ``R N`` lands: step 1 of epoch k+N from step 1 of epoch k (an epoch whose last
    sub-step is reached counts as done). ``None`` (``r``): the last epoch."""
    if epochs is None:
        return cursor.last_epoch
    done_here = cursor.index == len(cursor.events) - 1
    return cursor.epoch + epochs + (1 if done_here else 0)


def epochs_left(cursor: Cursor) -> int:
    """How many epochs ``R`` can still run: the current one (unless finished) to the last."""
    done_here = cursor.index == len(cursor.events) - 1
    return cursor.last_epoch - cursor.epoch + (0 if done_here else 1)


def train(c: Cursor, epochs: int | None, stop: threading.Event,
          post: Callable[[Message], None]) -> None:
    """In a thread: train the copy ``c`` to :func:`target_epoch`, posting progress, and post
    RunFinished. One fast-path call when the snapshot spacing is small (escape is honoured at
    each chunk), pieces of about PIECE seconds when it is large."""
    try:
        goal = target_epoch(c, epochs)
        # r runs to the last sub-step; R N lands on step 1 of its epoch, the last epoch's too,
        # and ends on the last sub-step only when it runs through the last epoch
        to_end = epochs is None or goal > c.last_epoch
        goal = min(goal, c.last_epoch)
        last = time.monotonic()

        def on_epoch(epoch: int, loss: float) -> bool | None:
            nonlocal last
            if stop.is_set():
                return False
            now = time.monotonic()
            if now - last >= PROGRESS_EVERY:
                last = now
                post(RunProgress(epoch, loss, c.losses.upto(len(c.losses))))
            return None

        result: bp.TrainResult | None = None
        # the snapshots' memory is made ready on the other core while this one trains
        ready = threading.Event()
        helper = threading.Thread(target=c.make_snapshots_ready, args=(goal - 1, ready),
                                  name="bptui-snapshots", daemon=True)
        helper.start()
        piece = 1 if c.snapshot_every > MIN_SPACING else goal
        while c.epoch < goal and not stop.is_set() and c.diverged_at is None:
            n = min(piece, goal - c.epoch)
            began = time.monotonic()
            # run(m) trains m epochs on the fast path and loads the next one: it moves m + 1
            result = c.run(n - 1, on_epoch=on_epoch)
            took = max(time.monotonic() - began, 1e-6)
            if result.diverged_at is not None or result.stopped:
                break
            piece = max(1, min(piece * 4, int(n * PIECE / took)))
        ready.set()
        helper.join()
        c.spare.clear()  # what a stopped run did not use
        diverged_now = result is not None and result.diverged_at is not None
        if to_end and c.epoch == c.last_epoch and not diverged_now and not stop.is_set():
            c.index = len(c.events) - 1  # the run reached the end: its last sub-step
        stopped = stop.is_set() or (result is not None and result.stopped)
        post(RunFinished(c, result, stopped=stopped))
    except Exception as exc:  # noqa: BLE001 - shown on the screen, never a traceback
        post(RunFinished(None, None, error=exc))
