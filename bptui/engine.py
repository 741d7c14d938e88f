"""The event stream: one epoch of backpropagation as the sub-steps a person computes by hand.

The parts: :mod:`bptui.schedule` decides which steps come in which order (small networks
unit by unit and parameter by parameter, a network with a layer too large for that layer by
layer); :mod:`bptui.unit_steps` and :mod:`bptui.layer_steps` write what each step computes and
says; :mod:`bptui.backprop` has the numbers. This module is the entry point, and pairs every
step a mistake changed with what correct backpropagation would have done.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from bptui import backprop as bp
from bptui.events import Event
from bptui.expr import same_value
from bptui.scenario import Scenario
from bptui.schedule import Schedule


@dataclass
class EpochResult:
    """All the events of one epoch and the parameters they leave behind."""

    events: list[Event]
    params: bp.Params


def epoch_events(
    scenario: Scenario, params: bp.Params, epoch: int, mistake: str | None = None
) -> EpochResult:
    """Every sub-step of ``epoch`` starting from ``params`` (which are not modified).

    With a mistake switched on, each step is paired with what correct backpropagation would
    have computed from the same starting point, so the screen can show both.
    """
    builder = Schedule(scenario, params.copy(), epoch, mistake)
    events = list(builder.run())
    if mistake is not None:
        events = _pair_with_correct(scenario, params, epoch, mistake, events)
    return EpochResult(events, builder.params)


def iter_epochs(
    scenario: Scenario, epochs: int, mistake: str | None = None
) -> Iterator[Event]:
    """The events of the first ``epochs`` epochs, one epoch in memory at a time."""
    params = bp.Params.initial(scenario)
    for e in range(1, epochs + 1):
        result = epoch_events(scenario, params, e, mistake)
        yield from result.events
        params = result.params


def _pair_with_correct(
    scenario: Scenario, params: bp.Params, epoch: int, mistake: str, events: list[Event]
) -> list[Event]:
    """Attach to each wrong step the right equation and value, sample by sample.

    Within one sample both versions start from the same parameters, so a step is compared
    with its correct twin of the same symbol; later samples start from different parameters
    in the buggy run, and the comparison is still made from the buggy run's own start.
    """
    right: dict[tuple[int | None, str], Event] = {}
    if scenario.mode == "batch":
        # every sample of the epoch starts from the same parameters: one correct epoch
        for ev in Schedule(scenario, params.copy(), epoch, None).run():
            right[(ev.sample, ev.symbol)] = ev
    else:
        for s in sorted({ev.sample for ev in events if ev.sample is not None}):
            builder = Schedule(scenario, _params_before_sample(scenario, params, epoch, mistake, s),
                               epoch, None)
            if scenario.unit_by_unit:
                twins = builder.sample_events(s - 1)
            else:
                twins = builder.layer_pass(scenario.inputs[s - 1:s], scenario.targets[s - 1:s], s,
                                            1.0)
            for ev in twins:
                right[(s, ev.symbol)] = ev
    out: list[Event] = []
    for ev in events:
        twin = right.get((ev.sample, ev.symbol))
        if twin is None or _same(twin, ev):
            out.append(ev)
            continue
        out.append(replace(ev, mistake=mistake, correct_equation=twin.equation,
                           correct_value=twin.value))
    return out


def _same(a: Event, b: Event) -> bool:
    return a.equation == b.equation and same_value(a.value, b.value)


def _params_before_sample(
    scenario: Scenario, params: bp.Params, epoch: int, mistake: str, sample: int
) -> bp.Params:
    p = params.copy()
    if scenario.mode == "batch":
        return p
    inline = bp.uses_inline_update(scenario, mistake)
    for s in range(sample - 1):
        x, t = scenario.inputs[s], scenario.targets[s]
        fw = bp.forward(scenario, p, x)
        bw = bp.backward(scenario, p, fw, t, mistake=mistake, update_inline=inline)
        p = bp.apply_update(scenario, p, bw, mistake)
    return p
