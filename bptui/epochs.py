"""Epochs of events with the training paths' divergence rule: what --trace and both export
formats are written from, one epoch in memory at a time.

Apart from :mod:`bptui.export` so that --trace, which writes events and no document, does not
import the document writers (their LaTeX tables and regular expressions).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np

from bptui import backprop as bp
from bptui.engine import epoch_events
from bptui.errors import BptuiError
from bptui.events import Event
from bptui.i18n import _
from bptui.scenario import Scenario


class Outcome:
    """What streaming a document found out by its end: the epoch training diverged at."""

    def __init__(self) -> None:
        self.diverged_at: int | None = None


def start_params(scenario: Scenario, first_epoch: int, mistake: str | None) -> bp.Params:
    """The parameters epoch ``first_epoch`` starts from: the earlier epochs trained on the
    fast path, under the same mistake. A training that diverged before it is an error."""
    params = bp.Params.initial(scenario)
    if first_epoch <= 1:
        return params
    from bptui.training import train

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        result = train(scenario, params, first_epoch - 1, mistake=mistake, keep_losses=False)
    if result.diverged_at is not None:
        raise BptuiError(_("training diverged at epoch {epoch}, before epoch {first}: nothing "
                           "to export from there", epoch=result.diverged_at, first=first_epoch))
    return result.params


def with_params(scenario: Scenario, params: bp.Params) -> Scenario:
    """The scenario with its starting weights and biases replaced by ``params``."""
    layers = []
    for lay, layer in enumerate(scenario.layers):
        bias = params.biases[lay]
        layers.append(dataclasses.replace(layer, weights=params.weights[lay].copy(),
                                          bias=None if bias is None else bias.copy()))
    return dataclasses.replace(scenario, layers=tuple(layers))


def loss_of(scenario: Scenario, params: bp.Params) -> float:
    """A loss that may overflow (a diverging file): no raw warning then."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return bp.dataset_loss(scenario, params)


def checked_epochs(
    scenario: Scenario, epochs: int, mistake: str | None, outcome: Outcome | None = None,
    first_epoch: int = 1, params: bp.Params | None = None,
) -> Iterator[tuple[int, list[Event], float]]:
    """(epoch, its events, the loss after it) for ``epochs`` epochs from ``first_epoch``, one
    epoch in memory at a time: what both document formats and --trace are written from.

    ``outcome.diverged_at`` becomes the first epoch after which the dataset loss or a
    parameter is no longer finite: the training paths' rule (bptui.training), so that every
    output agrees on the epoch. An inf inside a step (a net overflowing under tanh) is not
    divergence when the epoch ends finite. The epochs go on, as --trace's do, with nulls."""
    if params is None:
        params = start_params(scenario, first_epoch, mistake)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for e in range(first_epoch, first_epoch + epochs):
            result = epoch_events(scenario, params, e, mistake)
            params = result.params
            loss = bp.dataset_loss(scenario, params)
            if outcome is not None and outcome.diverged_at is None and not (
                    np.isfinite(loss) and params.finite()):
                outcome.diverged_at = e
            yield e, result.events, loss
