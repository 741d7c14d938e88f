"""The fast path's training loop: many epochs without events, in bounded memory.

Three engines run an epoch: generated scalar Python for tiny networks (:mod:`bptui.scalar`),
numpy with preallocated buffers for a whole batch without a mistake (:class:`BatchBuffers`),
and numpy through :mod:`bptui.backprop`'s functions for everything else (the reference, and the
only one that knows the mistakes). All three leave bit-identical numbers.

Divergence is any non-finite loss, parameter or output, and every engine reports it at the
same epoch as the event stream does. Checking every parameter after every epoch, and keeping a
copy to fall back on, would cost as much as the epoch itself on a large net, so the loop checks
the loss every epoch (free: it is computed anyway), checks the parameters and takes a copy only
every :data:`CHECK_EVERY` epochs, and on a failed check replays from that copy on the reference
path, checking everything after each epoch, to name the exact epoch and its last finite state.
A non-finite parameter never becomes finite again (inf - x and NaN - x stay non-finite), so a
check at the end of a stretch sees any blow-up inside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from bptui import backprop as bp
from bptui import ordered
from bptui.backprop import Params, TrainResult
from bptui.functions import ACTIVATIONS
from bptui.scenario import Scenario

#: Epochs between parameter checks (and copies to replay from) on the numpy paths.
CHECK_EVERY = 64
#: Epochs per chunk when the caller sets none, so that no list grows with the run's length.
DEFAULT_CHUNK = 4096

OnChunk = Callable[[int, list[float], Params], "bool | None"]


class BatchBuffers:
    """One batch epoch with every large array preallocated (correct backprop only).

    The floating-point operations are those of :func:`bptui.backprop.forward`,
    :func:`~bptui.backprop.backward` and :func:`~bptui.backprop.apply_update`, in the same
    order: matrix products write into buffers (``out=``), relu and its mask work in place, an
    update subtracts in place. Small arrays (the output layer's error, bias gradients) are
    computed by the same functions as the reference, so a change there is seen here too.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        rows = scenario.inputs.shape[0]
        self.nets: list[np.ndarray] = [np.empty(0)]
        self.outs: list[np.ndarray] = [scenario.inputs]
        self.errs: list[np.ndarray] = [np.empty(0)]
        self.masks: list[np.ndarray | None] = [None]
        for la in scenario.layers:
            net = np.empty((rows, la.size))
            self.nets.append(net)
            # a linear unit's out equals its net (the reference copies it; same values)
            self.outs.append(net if la.activation == "linear" else np.empty((rows, la.size)))
            self.errs.append(np.empty((rows, la.size)))
            self.masks.append(np.empty((rows, la.size), dtype=bool)
                              if la.activation == "relu" else None)
        self.grads = [np.empty(la.weights.shape) for la in scenario.layers]
        self.fresh = False  # whether nets/outs hold the forward pass of the current params
        # Upper bounds on max|x| for ordered.matmul's overflow guard, so that no large array
        # is scanned every epoch (a scan of the 1000-100-10 net's inputs and weights was 11%
        # of its epoch): the inputs never change; a weight matrix's bound is measured when
        # the loop starts and carried through each update (|W - η·g| ≤ max|W| + |η|·max|g|).
        self.input_max = ordered.largest(scenario.inputs)
        self.w_max = [math.inf] * len(scenario.layers)
        self.out_max = [self.input_max] + [math.inf] * len(scenario.layers)
        self.scale = bp.batch_scale(scenario)
        self.simplified = bp.simplified(scenario)

    @staticmethod
    def supports(scenario: Scenario, mistake: str | None) -> bool:
        return mistake is None and scenario.mode == "batch"

    def measure(self, params: Params) -> None:
        """Bounds from the weights themselves: when the loop starts or resumes."""
        self.w_max = [ordered.largest(w) for w in params.weights]

    def forward(self, params: Params) -> None:
        a = self.outs[0]
        for lay, (la, w, b) in enumerate(zip(self.s.layers, params.weights, params.biases,
                                             strict=True), start=1):
            net, out = self.nets[lay], self.outs[lay]
            if lay > 1:
                self.out_max[lay - 1] = ordered.largest(a)
            ordered.matmul_within(a, w.T, self.out_max[lay - 1], self.w_max[lay - 1], out=net)
            if b is not None:
                np.add(net, b, out=net)
            if la.activation == "relu":
                np.maximum(net, 0.0, out=out)
            elif la.activation != "linear":
                out[...] = ACTIVATIONS[la.activation].forward(net)
            a = out
        self.fresh = True

    def epoch(self, params: Params) -> float:
        """Backward pass, update in place, forward pass of the new params: the epoch's loss."""
        s, n = self.s, len(self.s.layers)
        if not self.fresh:
            self.measure(params)
            self.forward(params)
        rows = s.inputs.shape[0]
        grad_max = [math.inf] * n
        targets = s.targets
        delta = bp.output_error(s, self.outs[n], targets, None) * self.scale
        grads_b: list[np.ndarray | None] = [None] * (n + 1)
        for lay in range(n, 0, -1):
            la = s.layers[lay - 1]
            net, out = self.nets[lay], self.outs[lay]
            if lay == n and self.simplified:
                delta = 1.0 * (out - targets) * self.scale
            elif la.activation == "relu":
                mask = self.masks[lay]
                np.less(net, 0.0, out=mask)
                np.logical_not(mask, out=mask)  # relu'(net) = 1 where net >= 0 (or NaN)
                np.multiply(delta, mask, out=delta)
            elif la.activation != "linear":  # linear: δ = err · 1 = err
                delta = delta * ACTIVATIONS[la.activation].prime(net, out)
            d_max = ordered.largest(delta)
            ordered.matmul_within(delta.T, self.outs[lay - 1], d_max, self.out_max[lay - 1],
                                  out=self.grads[lay - 1])
            grad_max[lay - 1] = ordered.product_bound(rows, d_max, self.out_max[lay - 1])
            bias = params.biases[lay - 1]
            if bias is not None:
                gb = delta.sum(axis=0)
                grads_b[lay] = np.array([gb.sum()]) if bias.shape == (1,) else gb
            if lay > 1:
                err = self.errs[lay - 1]
                ordered.matmul_within(delta, params.weights[lay - 1], d_max,
                                      self.w_max[lay - 1], out=err)
                delta = err
        lr = s.learning_rate
        for lay in range(1, n + 1):
            g = self.grads[lay - 1]
            np.multiply(lr, g, out=g)
            np.subtract(params.weights[lay - 1], g, out=params.weights[lay - 1])
            self.w_max[lay - 1] = ((self.w_max[lay - 1] + abs(lr) * grad_max[lay - 1])
                                   * ordered.slack(2))
            b, gb = params.biases[lay - 1], grads_b[lay]
            if b is not None and gb is not None and s.layers[lay - 1].train_bias:
                b -= lr * gb
        self.forward(params)
        per = bp.loss_terms(s.loss, self.outs[n], targets)
        return float(per.sum()) * self.scale


class ReferenceEpochs:
    """One epoch in place through :mod:`bptui.backprop`'s functions (any mistake, any mode)."""

    def __init__(self, scenario: Scenario, mistake: str | None) -> None:
        self.s = scenario
        self.mistake = mistake
        self.scale = bp.batch_scale(scenario)
        self.fw: bp.Forward | None = None  # batch mode: the forward pass of the current params
        self.fresh = False

    def epoch(self, params: Params) -> tuple[Params, float]:
        s = self.s
        if s.mode != "batch":
            params = bp.train_epoch(s, params, self.mistake)
            return params, bp.dataset_loss(s, params)
        # One forward pass per epoch, as in the tutorial: the pass that ends epoch k (its
        # loss) is the pass that starts epoch k + 1.
        if not self.fresh or self.fw is None:
            self.fw = bp.forward(s, params, s.inputs)
        bw = bp.backward(s, params, self.fw, s.targets, mistake=self.mistake, scale=self.scale)
        params = bp.apply_update(s, params, bw, self.mistake)
        self.fw = bp.forward(s, params, s.inputs)
        self.fresh = True
        per = bp.loss_terms(s.loss, self.fw.outs[-1], s.targets)
        return params, float(per.sum()) * self.scale


def _finite_flat(flat: list[float]) -> bool:
    return all(map(math.isfinite, flat))


def train(
    scenario: Scenario,
    params: Params,
    epochs: int,
    *,
    mistake: str | None = None,
    first_epoch: int = 1,
    on_chunk: OnChunk | None = None,
    chunk: int | None = None,
    keep_losses: bool = True,
) -> TrainResult:
    """Train ``epochs`` epochs on the fast path, without making events; ``params`` is consumed.

    Work is done in chunks whose ends fall on multiples of ``chunk`` epochs; after each,
    ``on_chunk(last_epoch_done, chunk_losses, params)`` may record progress, keep a snapshot,
    or return False to stop. Every finite epoch's loss reaches ``on_chunk`` exactly once, the
    epochs before a divergence included. A divergence ends the run on the last finite state
    and names the epoch where the numbers blew up. With ``keep_losses=False`` the result keeps
    no loss history (only ``last_loss`` and ``epochs_done``), so memory does not grow with
    ``epochs``: a caller that wants every loss streams them from ``on_chunk``.
    """
    from bptui import scalar

    result = TrainResult(params, [])
    end = first_epoch + epochs - 1
    chunk = chunk or min(max(1, epochs), DEFAULT_CHUNK)
    fast = scalar.supported(scenario, mistake)
    data = (scenario.inputs.tolist(), scenario.targets.tolist()) if fast else None
    run = scalar.runner(scenario) if fast else None  # its source is written once, not per chunk
    buffers = BatchBuffers(scenario) if BatchBuffers.supports(scenario, mistake) else None
    ref = ReferenceEpochs(scenario, mistake)
    saved: Params | None = None  # the numpy path's copy for a replay, its arrays reused

    def report(done: int, got: list[float], p: Params, final: bool) -> bool:
        """Hand a finished stretch to the caller; False when the caller asked to stop."""
        if got:
            result.last_loss = got[-1]
            result.epochs_done += len(got)
            if keep_losses:
                result.losses += got
        if on_chunk is None or (final and not got):
            return True
        return on_chunk(done, got, p) is not False

    e = first_epoch
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while e <= end:
            n = min(end - e + 1, chunk - (e - 1) % chunk)
            got: list[float] = []
            diverged: int | None = None
            if fast and data is not None and run is not None:
                flat, got, blew = run(
                    scalar.flatten(params.weights, params.biases), data[0], data[1], n,
                    scenario.learning_rate, bp.batch_scale(scenario))
                if blew or not _finite_flat(flat):
                    # scalar relu turns NaN into 0, hiding it from the loss: redo this chunk
                    # on the reference path, which finds the epoch
                    fast = False
                    continue
                params = Params(*scalar.unflatten(flat, params.weights, params.biases))
            else:
                params, got, diverged, saved = _numpy_stretch(scenario, params, e, n, buffers,
                                                              ref, saved)
            result.params = params
            e += len(got)
            if diverged is not None:
                report(e - 1, got, params, final=True)
                result.diverged_at = diverged
                return result
            if not report(e - 1, got, params, final=False):
                result.stopped = e <= end
                return result
    return result


def _numpy_stretch(
    scenario: Scenario, params: Params, first: int, n: int,
    buffers: BatchBuffers | None, ref: ReferenceEpochs, saved: Params | None,
) -> tuple[Params, list[float], int | None, Params | None]:
    """Epochs ``first``..``first+n-1`` in place, checked; (params, losses, diverged epoch,
    the copy kept for a replay). That copy's arrays are handed back to be reused by the next
    stretch: the screen trains in stretches of a snapshot's spacing (16 epochs on the
    1000-100-10), and a fresh 800 kB copy each time cost its run about 14 ms of page faults."""
    got: list[float] = []
    e, end = first, first + n - 1
    while e <= end:
        m = min(CHECK_EVERY, end - e + 1)
        saved = params.copy_into(saved)
        ok = True
        losses: list[float] = []
        for _ in range(m):
            if buffers is not None:
                loss = buffers.epoch(params)
            else:
                params, loss = ref.epoch(params)
            if not math.isfinite(loss):
                ok = False
                break
            losses.append(loss)
        if ok and params.finite():
            got += losses
            e += m
            continue
        # replay from the copy, checking every epoch, to find where it blew up
        params = saved.copy()
        ref.fresh = False
        if buffers is not None:
            buffers.fresh = False
        for k in range(e, e + m):
            trial = params.copy()
            if buffers is not None:
                loss = buffers.epoch(trial)
            else:
                trial, loss = ref.epoch(trial)
            if not math.isfinite(loss) or not trial.finite():
                if buffers is not None:
                    buffers.fresh = False
                ref.fresh = False
                return params, got, k, saved
            params = trial
            got.append(loss)
        raise AssertionError("a stretch failed its check but its replay did not")  # pragma: no cover
    return params, got, None, saved
