"""The cursor: moving backwards and forwards, jumping, running, and bounded memory."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bptui import backprop as bp
from bptui import cursor as cursor_mod
from bptui import scenario
from bptui.cursor import Cursor
from bptui.events import Event


def same_event(a: Event, b: Event) -> bool:
    """Field-by-field equality; ndarray values compared by shape and content."""
    for name in Event.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
                return False
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
        elif x != y:
            return False
    return True


def assert_same_events(got: list[Event], want: list[Event], what: str = "") -> None:
    assert len(got) == len(want), f"{what}: {len(got)} events, expected {len(want)}"
    for n, (a, b) in enumerate(zip(got, want, strict=True)):
        assert same_event(a, b), f"{what}: event {n} differs: {a.symbol} vs {b.symbol}"


def key(c: Cursor) -> tuple[int, int]:
    return (c.epoch, c.index)


SMALL = ["mazur_2_2_2", "linear_chain_1_1_1", "two_three_one", "sigmoid_chain_1_1_1"]


@pytest.fixture(scope="module")
def chain():
    return scenario.load("linear_chain_1_1_1")


@pytest.mark.parametrize("name", [*SMALL, "batch_relu_1000_100_10"])
def test_back_then_forward_reproduces_events(name):
    scn = scenario.load(name)
    c = Cursor(scn)
    steps = 3 * len(c.events) + 2  # across two epoch boundaries
    forward = [c.event]
    for _ in range(steps):
        assert c.next()
        forward.append(c.event)
    assert c.epoch == 4
    backward = [c.event]
    for _ in range(steps):
        assert c.prev()
        backward.append(c.event)
    assert c.at_start
    assert not c.prev(), "prev at the very start must not move"
    assert c.at_start
    assert_same_events(backward[::-1], forward, f"{name} backwards")
    again = [c.event]
    for _ in range(steps):
        assert c.next()
        again.append(c.event)
    assert_same_events(again, forward, f"{name} forwards again")
    if scn.unit_by_unit:  # plain data too: as_dict must round-trip the same
        assert [e.as_dict() for e in again] == [e.as_dict() for e in forward]


def test_prev_across_sample_boundary(chain):
    c = Cursor(chain)
    events = list(c.events)
    first_of_2 = next(i for i, e in enumerate(events) if e.sample == 2)
    c.goto(1, first_of_2)
    assert c.event.sample == 2 and c.event.phase == "forward"
    assert c.prev()
    assert key(c) == (1, first_of_2 - 1)
    assert c.event.sample == 1 and c.event.kind == "update"
    assert same_event(c.event, events[first_of_2 - 1])
    # the parameters after sample 1's last update are those sample 2 starts from
    p = c.params_now()
    c.next()
    assert c.event.sample == 2
    fw = bp.forward(chain, p, chain.inputs[1])
    assert c.event.value == fw.nets[1][0]


def test_prev_across_epoch_boundary(chain):
    c = Cursor(chain)
    last_of_1 = c.events[-1]
    c.goto(2, 0)
    assert c.prev()
    assert key(c) == (1, len(c.events) - 1)
    assert same_event(c.event, last_of_1)
    assert c.next() and key(c) == (2, 0)


def test_event_positions_and_epochs_are_consistent(chain):
    c = Cursor(chain)
    c.goto(7)
    assert [e.position for e in c.events] == list(range(len(c.events)))
    assert {e.epoch for e in c.events} == {7}


@pytest.mark.parametrize("name", SMALL)
def test_goto_equals_stepping(name):
    scn = scenario.load(name)
    target = 6
    stepped = Cursor(scn)
    while stepped.epoch < target:
        assert stepped.next()
    assert key(stepped) == (target, 0)
    jumped = Cursor(scn)
    jumped.goto(target)
    assert key(jumped) == (target, 0)
    assert_same_events(jumped.events, stepped.events, f"{name} goto({target})")
    np.testing.assert_array_equal(jumped.start_params.weights[0], stepped.start_params.weights[0])
    # every loss up to here is known after a jump, as after stepping (the fast path may
    # differ from the event path in the last bit)
    assert len(jumped.losses) >= target - 1
    assert jumped.losses[:target - 1] == pytest.approx(stepped.losses[:target - 1], rel=1e-12)
    # index -1 is the last sub-step; indexes are clamped
    jumped.goto(target, -1)
    assert jumped.index == len(jumped.events) - 1
    jumped.goto(target, 10**6)
    assert jumped.index == len(jumped.events) - 1


def test_goto_clamps_epochs(chain):
    c = Cursor(chain)
    c.goto(0)
    assert key(c) == (1, 0)
    c.goto(10**6)
    assert c.epoch == chain.epochs


@pytest.mark.parametrize("name", ["linear_chain_1_1_1", "mazur_2_2_2"])
def test_run_then_goto_back_equals_stepping(name):
    scn = scenario.load(name)
    target = 23
    ran = Cursor(scn)
    result = ran.run(epochs=60)  # epoch 1 is on screen: trains epochs 2..61
    assert len(result.losses) == 60
    assert key(ran) == (62, 0)
    assert len(ran.losses) >= 61
    ran.goto(target, 3)
    stepped = Cursor(scn)
    while stepped.epoch < target:
        assert stepped.next()
    assert_same_events(ran.events, stepped.events, f"{name}: run then goto({target})")
    assert ran.index == 3
    assert ran.losses[: target - 1] == pytest.approx(stepped.losses[: target - 1], rel=1e-12)


def test_run_to_end_lands_on_last_substep(chain):
    c = Cursor(chain)
    result = c.run()
    assert result.diverged_at is None
    assert c.epoch == chain.epochs and c.at_end
    assert not c.next()
    assert len(c.losses) == chain.epochs
    fast = bp.train(chain, bp.Params.initial(chain), chain.epochs)
    np.testing.assert_allclose(c.end_params.weights[2], fast.params.weights[2], rtol=1e-12)
    assert c.losses[-1] == pytest.approx(fast.losses[-1], rel=1e-12)


def test_run_stops_when_callback_says_so(chain):
    c = Cursor(chain)
    seen = []

    def cb(epoch, loss):
        seen.append(epoch)
        return epoch < 5

    c.run(on_epoch=cb)
    # training starts after the current epoch (1); the callback may be told once per chunk
    assert seen and seen == sorted(seen) and seen[0] >= 2
    assert seen[-1] >= 5 and all(e < 5 for e in seen[:-1])
    assert c.epoch == seen[-1] + 1 and c.index == 0
    assert len(c.losses) == c.epoch  # up to and including the epoch on screen
    assert c.epoch < chain.epochs


def test_batch_relu_snapshots_stay_bounded(monkeypatch):
    scn = scenario.load("batch_relu_1000_100_10")
    assert scn.epochs == 500
    # The memory rule is under test, not the length of the run: a tenth of the run under a
    # twentieth of the budget, so that memory (not MIN_SPACING) spaces the snapshots, in a
    # tenth of the training.
    monkeypatch.setattr(cursor_mod, "SNAPSHOT_BUDGET", cursor_mod.SNAPSHOT_BUDGET // 20)
    scn = dataclasses.replace(scn, epochs=scn.epochs // 10)
    c = Cursor(scn)
    assert c.snapshot_every > cursor_mod.MIN_SPACING
    c.run()
    assert c.epoch == scn.epochs == 50
    p = c.start_params
    per = sum(w.nbytes for w in p.weights) + sum(0 if b is None else b.nbytes for b in p.biases)
    assert per >= 8 * 101_000
    assert len(c.snapshots) * per <= cursor_mod.SNAPSHOT_BUDGET
    # going back and forth does not pile up more
    for e in (37, 25, 3, 49, 12):
        c.goto(e)
    assert len(c.snapshots) * per <= cursor_mod.SNAPSHOT_BUDGET
    # and going back still gives the right parameters
    c.goto(30)
    fast = bp.train(scn, bp.Params.initial(scn), 29)
    np.testing.assert_allclose(c.start_params.weights[1], fast.params.weights[1], rtol=1e-10)


def test_set_mistake_keeps_place():
    scn = scenario.load("mazur_2_2_2")
    c = Cursor(scn)
    c.goto(3, 17)
    c.set_mistake("stale-weights")
    assert key(c) == (3, 17)
    assert any(e.mistake == "stale-weights" for e in c.events)
    c.set_mistake(None)
    assert key(c) == (3, 17)
    assert all(e.mistake is None for e in c.events)


def test_phase_moves_round_trip():
    scn = scenario.load("mazur_2_2_2")
    c = Cursor(scn)
    phases = [c.event.phase]
    while c.next_phase() and c.epoch == 1:
        phases.append(c.event.phase)
    assert phases == ["forward", "loss", "backward", "update"]
    assert key(c) == (2, 0)
    assert c.prev_phase()
    assert c.epoch == 1 and c.event.phase == "update"
    assert c.events[c.index - 1].phase == "backward"


@pytest.mark.parametrize("name", ["mazur_2_2_2", "micrograd_neuron"])
def test_a_copy_one_step_ahead_leaves_the_cursor_where_it_is(name):
    """Cursor.ahead (the screen prepares the next step with it): the cursor does not move,
    the copy stands where next() would, and the next epoch it works out ahead is the one
    the cursor then walks into."""
    c, fresh = Cursor(scenario.load(name)), Cursor(scenario.load(name))
    for _ in range(2 * len(c.events) + 1):
        here, events = key(c), list(c.events)
        ahead = c.ahead()
        assert key(c) == here and c.events == events
        fresh.next()
        assert key(ahead) == key(fresh)
        assert_same_events(list(ahead.events), list(fresh.events), "ahead")
        c.next()
        assert key(c) == key(fresh) and list(c.losses) == list(fresh.losses)
        assert_same_events(list(c.events), list(fresh.events), "after next")
    c.goto(c.last_epoch, -1)
    assert c.ahead() is None  # the very end


def test_a_next_epoch_worked_out_ahead_is_used_only_from_the_parameters_it_came_from():
    c = Cursor(scenario.load("mazur_2_2_2"))
    c.goto(1, -1)
    c.prepare_next_epoch()
    ready = c._ready.worked_out[0].events
    c.next()
    assert c.events is ready  # not worked out again
    c.goto(1, -1)
    c.prepare_next_epoch()
    other = c.end_params.copy()
    other.weights[0][0, 0] += 0.5  # as if the epoch had ended elsewhere
    c.end_params = other
    c.next()
    assert c.events is not c._ready.worked_out[0].events
    assert c.start_params.weights[0][0, 0] == other.weights[0][0, 0]
