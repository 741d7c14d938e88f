"""The schedule of an epoch: which steps come, in which order, unit by unit or layer by layer.

What each step computes and says is written by :mod:`bptui.unit_steps` and
:mod:`bptui.layer_steps`; the numbers come from :mod:`bptui.backprop` (the same functions the
fast path uses). This module only walks the network in the order a person computes by hand
and keeps the parameters as they change.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bptui import backprop as bp
from bptui import layer_steps as ls
from bptui import unit_steps as us
from bptui.activations import ACTIVATIONS
from bptui.events import Event
from bptui.scenario import Scenario
from bptui.steps import Context


class Schedule:
    """Makes the events of one epoch in order; holds the parameters as they change."""

    def __init__(
        self, scenario: Scenario, params: bp.Params, epoch: int, mistake: str | None
    ) -> None:
        self.s = scenario
        self.params = params
        self.mistake = mistake
        self.ctx = Context(scenario, epoch, mistake)
        self.n = len(scenario.layers)

    def run(self) -> Iterator[Event]:
        s = self.s
        if not s.unit_by_unit:
            if s.mode == "batch":
                yield from self.layer_pass(s.inputs, s.targets, None, bp.batch_scale(s))
            else:
                for k in range(s.samples):
                    yield from self.layer_pass(s.inputs[k:k + 1], s.targets[k:k + 1], k + 1, 1.0)
            return
        if s.mode == "sample":
            for k in range(s.samples):
                yield from self.sample_events(k)
            return
        yield from self._batch_units()

    # -- unit by unit -----------------------------------------------------------------

    def _batch_units(self) -> Iterator[Event]:
        """Batch mode, unit by unit: every sample's forward and backward, then one update."""
        s = self.s
        total_w = [np.zeros_like(w) for w in self.params.weights]
        total_b = [None if b is None else np.zeros_like(b) for b in self.params.biases]
        losses = []
        for k in range(s.samples):
            yield from self.sample_events(k, update=False)
            bw = self._last_backward
            losses.append(self._last_loss)
            for lay in range(1, self.n + 1):
                total_w[lay - 1] += bw.grad_w[lay]
                if total_b[lay - 1] is not None and bw.grad_b[lay] is not None:
                    total_b[lay - 1] += bw.grad_b[lay]
        yield us.batch_loss_event(self.ctx, losses)
        scale = self.ctx.rules.gradient_scale(s, bp.batch_scale(s))
        before = self.params.copy()
        bw = bp.Backward(
            err=[], fprime=[], delta=[], grad_w=[np.empty(0)] + [g * scale for g in total_w],
            grad_b=[None] + [None if g is None else g * scale for g in total_b],
            sent_with=[], params=self.params, updated_inline=False,
        )
        self.params = bp.apply_update(s, self.params, bw, self.mistake)
        for lay in range(self.n, 0, -1):
            yield from us.update_events(self.ctx, lay, before, self.params, bw.grad_w[lay],
                                        bw.grad_b[lay], None, summed=True)

    def sample_events(self, k: int, update: bool = True) -> Iterator[Event]:
        """Forward, loss, backward and (in sample mode) update for sample k (0-based)."""
        s = self.s
        x, t = s.inputs[k], s.targets[k]
        fw = bp.forward(s, self.params, x)
        sample = k + 1
        yield from self._forward_units(fw, sample)
        yield from us.loss_events(self.ctx, fw, t, sample)
        inline = update and bp.uses_inline_update(s, self.mistake)
        bw = bp.backward(s, self.params, fw, t, mistake=self.mistake, update_inline=inline)
        self._last_backward = bw
        self._last_loss = float(bp.loss_terms(s.loss, fw.outs[-1], t).sum())
        yield from self._backward_units(fw, bw, t, sample, inline)
        if update and not inline:
            before = self.params.copy()
            self.params = bp.apply_update(s, self.params, bw, self.mistake)
            for lay in range(self.n, 0, -1):
                yield from us.update_events(self.ctx, lay, before, self.params, bw.grad_w[lay],
                                            bw.grad_b[lay], sample)
        elif inline:
            self.params = bw.params

    def _forward_units(self, fw: bp.Forward, sample: int) -> Iterator[Event]:
        for lay in range(1, self.n + 1):
            layer = self.s.layers[lay - 1]
            per_unit = ACTIVATIONS[layer.activation].per_unit
            for j in range(layer.size):
                yield us.net_event(self.ctx, self.params, fw, lay, j, sample)
                if per_unit:  # a softmax needs every net of its layer first
                    yield us.out_event(self.ctx, fw, lay, j, sample)
            if not per_unit:
                for j in range(layer.size):
                    yield us.out_event(self.ctx, fw, lay, j, sample)

    def _backward_units(
        self, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, sample: int, inline: bool
    ) -> Iterator[Event]:
        ctx = self.ctx
        before = self.params.copy() if inline else None
        for lay in range(self.n, 0, -1):
            layer = self.s.layers[lay - 1]
            shortcut = lay == self.n and us.takes_shortcut(ctx)
            b = self.params.biases[lay - 1]
            for j in range(layer.size):
                if lay == self.n:
                    yield us.output_error_event(ctx, fw, bw, t, j, sample)
                else:
                    yield us.sent_back_event(ctx, bw, lay, j, sample, inline)
                if not (shortcut and not ACTIVATIONS[layer.activation].per_unit):
                    yield us.slope_event(ctx, fw, bw, lay, j, sample)
                if shortcut:
                    yield us.shortcut_delta_event(ctx, fw, bw, t, j, sample)
                else:
                    yield us.delta_event(ctx, bw, lay, j, sample)
                for i in range(layer.inputs):
                    yield us.weight_grad_event(ctx, self.params, fw, bw, lay, j, i, sample)
                if b is not None and layer.train_bias and b.size > 1:
                    yield us.bias_grad_event(ctx, bw, lay, j, sample)
            if b is not None and layer.train_bias and b.size == 1:
                yield us.bias_grad_event(ctx, bw, lay, None, sample)
            if inline:  # the stale-weights mistake: this layer is updated right away
                assert before is not None
                yield from us.update_events(ctx, lay, before, bw.params, bw.grad_w[lay],
                                            bw.grad_b[lay], sample)

    # -- layer by layer ---------------------------------------------------------------

    def layer_pass(
        self, x: np.ndarray, t: np.ndarray, sample: int | None, scale: float
    ) -> Iterator[Event]:
        """One forward/backward/update over a matrix of samples, one event per layer step."""
        s, n, ctx = self.s, self.n, self.ctx
        fw = bp.forward(s, self.params, x)
        for lay in range(1, n + 1):
            yield ls.net_event(ctx, self.params, fw, lay, sample)
            yield ls.out_event(ctx, fw, lay, sample)
        yield ls.loss_event(ctx, fw, t, sample, scale)
        inline = bp.uses_inline_update(s, self.mistake)
        before = self.params.copy()
        bw = bp.backward(s, self.params, fw, t, mistake=self.mistake, scale=scale,
                         update_inline=inline)
        gscale = ctx.rules.gradient_scale(s, scale)
        for lay in range(n, 0, -1):
            layer = s.layers[lay - 1]
            if lay == n:
                yield ls.output_error_event(ctx, fw, bw, t, sample, gscale)
            else:
                yield ls.sent_back_event(ctx, self.params, bw, lay, sample, inline)
            if lay == n and us.takes_shortcut(ctx):
                yield ls.shortcut_delta_event(ctx, fw, bw, t, sample, gscale)
            else:
                yield ls.slope_event(ctx, fw, bw, lay, sample)
                yield ls.delta_event(ctx, bw, lay, sample)
            yield ls.weight_grad_event(ctx, fw, bw, lay, sample)
            if bw.grad_b[lay] is not None and layer.train_bias:
                yield ls.bias_grad_event(ctx, bw, lay, sample)
        self.params = bp.apply_update(s, self.params, bw, self.mistake)
        for lay in range(n, 0, -1):
            yield ls.weight_update_event(ctx, before, self.params, bw, lay, sample)
            b = self.params.biases[lay - 1]
            if b is not None and s.layers[lay - 1].train_bias and ctx.rules.trains(s, lay):
                yield ls.bias_update_event(ctx, before, self.params, bw, lay, sample)
