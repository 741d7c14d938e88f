"""The event stream: one epoch of backpropagation as the sub-steps a person computes by hand.

The numbers come from :mod:`bptui.backprop` (the same functions the fast path uses); this
module only decides the order of the sub-steps and writes each one's equation, the equation
with the numbers substituted, and a sentence on why. Small networks go unit by unit and
parameter by parameter; a network with a layer too large to show that way goes layer by layer
with matrix values and vectorised equations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from bptui import backprop as bp
from bptui.activations import ACTIVATIONS
from bptui.events import Event, ParamRef
from bptui.losses import LOSSES
from bptui.mistakes import rules
from bptui.notation import fmt, fmt_term, shape_text
from bptui.scenario import Scenario


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
    builder = _Builder(scenario, params.copy(), epoch, mistake)
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
        for ev in _Builder(scenario, params.copy(), epoch, None).run():
            right[(ev.sample, ev.symbol)] = ev
    else:
        for s in sorted({ev.sample for ev in events if ev.sample is not None}):
            builder = _Builder(scenario, _params_before_sample(scenario, params, epoch, mistake, s),
                               epoch, None)
            if scenario.unit_by_unit:
                twins = builder.sample_events(s - 1)
            else:
                twins = builder._layer_pass(scenario.inputs[s - 1:s], scenario.targets[s - 1:s], s,
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
    if a.equation != b.equation:
        return False
    va, vb = np.asarray(a.value), np.asarray(b.value)
    return va.shape == vb.shape and bool(np.array_equal(va, vb))


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


# ----------------------------------------------------------------------------- builder


class _Builder:
    """Writes the events of one epoch; holds the parameters as they change."""

    def __init__(
        self, scenario: Scenario, params: bp.Params, epoch: int, mistake: str | None
    ) -> None:
        self.s = scenario
        self.params = params
        self.epoch = epoch
        self.mistake = mistake
        self.rules = rules(mistake)
        self.position = 0
        self.n = len(scenario.layers)
        self.eta = fmt(scenario.learning_rate)

    # -- plumbing ---------------------------------------------------------------------

    def _event(self, **kw) -> Event:
        value = kw.pop("value")
        if isinstance(value, np.ndarray) and value.ndim > 0 and value.size > 1:
            value = value.copy()
            value.setflags(write=False)
        else:
            value = float(np.asarray(value).reshape(-1)[0]) if isinstance(
                value, np.ndarray) else float(value)
        for k in ("old", "grad"):
            v = kw.get(k)
            if isinstance(v, np.ndarray) and v.size > 1:
                v = v.copy()
                v.setflags(write=False)
                kw[k] = v
            elif v is not None:
                kw[k] = float(np.asarray(v).reshape(-1)[0])
        ev = Event(position=self.position, epoch=self.epoch, value=value, **kw)
        self.position += 1
        return ev

    def run(self) -> Iterator[Event]:
        s = self.s
        if not s.unit_by_unit:
            yield from self._layer_epoch()
            return
        if s.mode == "sample":
            for k in range(s.samples):
                yield from self.sample_events(k)
            return
        # batch mode, unit by unit: every sample's forward and backward, then one update
        total_w = [np.zeros_like(w) for w in self.params.weights]
        total_b = [None if b is None else np.zeros_like(b) for b in self.params.biases]
        losses = []
        for k in range(s.samples):
            events = list(self.sample_events(k, update=False))
            yield from events
            bw = self._last_backward
            losses.append(self._last_loss)
            for lay in range(1, self.n + 1):
                total_w[lay - 1] += bw.grad_w[lay]
                if total_b[lay - 1] is not None and bw.grad_b[lay] is not None:
                    total_b[lay - 1] += bw.grad_b[lay]
        yield self._epoch_loss_event(losses)
        yield from self._batch_update_events(total_w, total_b)

    # -- unit by unit -----------------------------------------------------------------

    def in_name(self, lay: int, i: int) -> str:
        """The symbol of the value unit i of layer ``lay`` sends forward."""
        if lay == 0:
            return self.s.input_names[i]
        return f"out_{self.s.layers[lay - 1].names[i]}"

    def w_name(self, lay: int, j: int, i: int) -> str:
        return self.s.layers[lay - 1].weight_name(j, i, lay)

    def b_name(self, lay: int, j: int) -> str:
        return self.s.layers[lay - 1].bias_name(j, lay)

    def sample_events(self, k: int, update: bool = True) -> Iterator[Event]:
        """Forward, loss, backward and (in sample mode) update for sample k (0-based)."""
        s = self.s
        x, t = s.inputs[k], s.targets[k]
        fw = bp.forward(s, self.params, x)
        sample = k + 1
        yield from self._forward_units(fw, sample)
        yield from self._loss_units(fw, t, sample)
        inline = update and bp.uses_inline_update(s, self.mistake)
        bw = bp.backward(s, self.params, fw, t, mistake=self.mistake, update_inline=inline)
        self._last_backward = bw
        self._last_loss = float(bp.loss_terms(s.loss, fw.outs[-1], t).sum())
        yield from self._backward_units(fw, bw, t, sample, inline)
        if update and not inline:
            before = self.params.copy()
            self.params = bp.apply_update(s, self.params, bw, self.mistake)
            for lay in range(self.n, 0, -1):
                yield from self._update_units(lay, before, bw.grad_w[lay], bw.grad_b[lay],
                                              sample)
        elif inline:
            self.params = bw.params

    def _forward_units(self, fw: bp.Forward, sample: int) -> Iterator[Event]:
        s = self.s
        for lay in range(1, self.n + 1):
            layer = s.layers[lay - 1]
            w = self.params.weights[lay - 1]
            b = self.params.biases[lay - 1]
            softmax = layer.activation == "softmax"
            for j, unit in enumerate(layer.names):
                terms, nums, uses = [], [], []
                for i in range(layer.inputs):
                    wn, an = self.w_name(lay, j, i), self.in_name(lay - 1, i)
                    terms.append(f"{wn}·{an}")
                    nums.append(f"{fmt_term(w[j, i])}·{fmt_term(fw.outs[lay - 1][i])}")
                    uses += [wn, an]
                if b is not None:
                    bn = self.b_name(lay, j)
                    terms.append(bn)
                    nums.append(fmt_term(b[0 if b.size == 1 else j]))
                    uses.append(bn)
                net = f"net_{unit}"
                yield self._event(
                    sample=sample, phase="forward", kind="net", layer=lay, unit=j, param=None,
                    symbol=net, equation=f"{net} = " + " + ".join(terms),
                    substituted=f"{net} = " + " + ".join(nums), value=fw.nets[lay][j],
                    why=f"{net} is the weighted sum of what flows into {unit}"
                    + (", plus its bias" if b is not None else ""),
                    uses=tuple(uses),
                )
                if not softmax:  # a softmax needs every net of its layer first
                    yield self._out_event(fw, lay, j, sample)
            if softmax:
                for j in range(layer.size):
                    yield self._out_event(fw, lay, j, sample)

    def _out_event(self, fw: bp.Forward, lay: int, j: int, sample: int) -> Event:
        layer = self.s.layers[lay - 1]
        unit = layer.names[j]
        net, out = f"net_{unit}", f"out_{unit}"
        if layer.activation == "softmax":
            nets = [f"net_{u}" for u in layer.names]
            return self._event(
                sample=sample, phase="forward", kind="out", layer=lay, unit=j, param=None,
                symbol=out, equation=f"{out} = exp({net}) / ("
                + " + ".join(f"exp({n})" for n in nets) + ")",
                substituted=f"{out} = exp({fmt(fw.nets[lay][j])}) / ("
                + " + ".join(f"exp({fmt(v)})" for v in fw.nets[lay]) + ")",
                value=fw.outs[lay][j], why=ACTIVATIONS["softmax"].out_why.format(unit=unit), uses=tuple(nets),
            )
        act = ACTIVATIONS[layer.activation]
        return self._event(
            sample=sample, phase="forward", kind="out", layer=lay, unit=j, param=None,
            symbol=out, equation=f"{out} = " + act.symbol.format(net=net),
            substituted=f"{out} = " + act.symbol.format(net=fmt(fw.nets[lay][j])),
            value=fw.outs[lay][j], why=ACTIVATIONS[layer.activation].out_why.format(unit=unit), uses=(net,),
        )

    def _loss_units(self, fw: bp.Forward, t: np.ndarray, sample: int) -> Iterator[Event]:
        s = self.s
        out_layer = s.layers[-1]
        loss = LOSSES[s.loss]
        terms = bp.loss_terms(s.loss, fw.outs[-1], t)
        n_out = out_layer.size
        names = []
        for k, unit in enumerate(out_layer.names):
            sym = f"E_{unit}"
            names.append(sym)
            rule = loss.term_rule.format(t=f"target_{unit}", out=f"out_{unit}", n=n_out)
            nums = loss.term_rule.format(t=fmt_term(t[k]), out=fmt_term(fw.outs[-1][k]), n=n_out)
            yield self._event(
                sample=sample, phase="loss", kind="loss", layer=self.n, unit=k, param=None,
                symbol=sym, equation=f"{sym} = {rule}", substituted=f"{sym} = {nums}",
                value=terms[k],
                why=f"{sym} measures how far {unit}'s output is from its target ({loss.name}: "
                f"{loss.description})",
                uses=(f"target_{unit}", f"out_{unit}"),
            )
        total = float(terms.sum())
        yield self._event(
            sample=sample, phase="loss", kind="loss", layer=self.n, unit=None, param=None,
            symbol="E_total", equation="E_total = " + " + ".join(names),
            substituted="E_total = " + " + ".join(fmt_term(v) for v in terms), value=total,
            why="the error of this sample adds the terms of every output unit",
            uses=tuple(names),
        )

    def _backward_units(
        self, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, sample: int, inline: bool
    ) -> Iterator[Event]:
        s = self.s
        before = self.params.copy() if inline else None
        for lay in range(self.n, 0, -1):
            layer = s.layers[lay - 1]
            for j in range(layer.size):
                if lay == self.n:
                    yield self._output_error_event(fw, bw, t, j, sample)
                else:
                    yield self._sent_back_event(bw, lay, j, sample, inline)
                shortcut = lay == self.n and self._shortcut()
                if not (shortcut and layer.activation == "softmax"):
                    yield self._slope_event(fw, bw, lay, j, sample)
                if shortcut:
                    yield self._shortcut_delta_event(fw, bw, t, j, sample)
                else:
                    yield self._delta_event(bw, lay, j, sample)
                for i in range(layer.inputs):
                    yield self._weight_grad_event(fw, bw, lay, j, i, sample)
                b = self.params.biases[lay - 1]
                if b is not None and layer.train_bias and b.size > 1:
                    yield self._bias_grad_event(bw, lay, j, sample)
            b = self.params.biases[lay - 1]
            if b is not None and layer.train_bias and b.size == 1:
                yield self._bias_grad_event(bw, lay, None, sample)
            if inline:  # the stale-weights mistake: this layer is updated right away
                yield from self._update_units(lay, before, bw.grad_w[lay], bw.grad_b[lay],
                                              sample, after=bw.params)

    def _output_error_event(
        self, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, k: int, sample: int
    ) -> Event:
        s = self.s
        unit = s.layers[-1].names[k]
        loss = LOSSES[s.loss]
        n_out = s.layers[-1].size
        rule, bug = self.rules.error_rule(loss)
        why = bug or (f"the derivative of {loss.term_rule.format(t='target', out='out', n=n_out)}"
                      " with respect to out")
        sym = f"dE/dout_{unit}"
        return self._event(
            sample=sample, phase="backward", kind="dE_dout", layer=self.n, unit=k, param=None,
            symbol=sym,
            equation=f"∂E/∂out_{unit} = "
            + rule.format(t=f"target_{unit}", out=f"out_{unit}", n=n_out),
            substituted=f"∂E/∂out_{unit} = "
            + rule.format(t=fmt_term(t[k]), out=fmt_term(fw.outs[-1][k]), n=n_out),
            value=bw.err[self.n][k], why=why, uses=(f"target_{unit}", f"out_{unit}"),
        )

    def _sent_back_event(
        self, bw: bp.Backward, lay: int, j: int, sample: int, inline: bool
    ) -> Event:
        s = self.s
        unit = s.layers[lay - 1].names[j]
        nxt = s.layers[lay]
        w = bw.sent_with[lay]
        assert w is not None
        terms, nums, uses = [], [], []
        for k, row, col in self.rules.sent_back_terms(nxt.size, j):
            wn = self.w_name(lay + 1, row, col) + ("⁺" if inline else "")
            dn = f"delta_{nxt.names[k]}"
            terms.append(f"δ_{nxt.names[k]}·{wn}")
            nums.append(f"{fmt_term(bw.delta[lay + 1][k])}·{fmt_term(w[row, col])}")
            uses += [dn, self.w_name(lay + 1, row, col)]
        feeds = ", ".join(
            f"{nxt.names[k]} through {self.w_name(lay + 1, k, j)}" for k in range(nxt.size)
        )
        if nxt.size == 1:
            why = f"{unit} feeds only {feeds}, so its error is what comes back along that weight"
        else:
            why = f"{unit} feeds {feeds}: its error is the SUM of what comes back along each"
        why = self.rules.sent_back_why(unit, feeds) or why
        rule = "Σ_k δ_k·w_k," + unit + " = " if nxt.size > 1 else ""
        return self._event(
            sample=sample, phase="backward", kind="dE_din", layer=lay, unit=j, param=None,
            symbol=f"dE/dout_{unit}",
            equation=f"∂E/∂out_{unit} = {rule}" + " + ".join(terms),
            substituted=f"∂E/∂out_{unit} = " + " + ".join(nums),
            value=bw.err[lay][j], why=why, uses=tuple(uses),
        )

    def _slope_event(self, fw: bp.Forward, bw: bp.Backward, lay: int, j: int, sample: int
                     ) -> Event:
        layer = self.s.layers[lay - 1]
        unit = layer.names[j]
        act = ACTIVATIONS[layer.activation]
        rule, bug, _ = self.rules.slope_rule(act)
        why = bug or act.why_prime
        net, out = fw.nets[lay][j], fw.outs[lay][j]
        uses = tuple(u for u, tag in ((f"out_{unit}", "{out}"), (f"net_{unit}", "{net}"))
                     if tag in rule)
        return self._event(
            sample=sample, phase="backward", kind="dout_dnet", layer=lay, unit=j, param=None,
            symbol=f"dout_{unit}/dnet_{unit}",
            equation=f"∂out_{unit}/∂net_{unit} = "
            + rule.format(out=f"out_{unit}", net=f"net_{unit}"),
            substituted=f"∂out_{unit}/∂net_{unit} = "
            + rule.format(out=fmt_term(out), net=fmt_term(net)),
            value=bw.fprime[lay][j], why=why, uses=uses,
        )

    def _shortcut(self) -> bool:
        """Cross-entropy after softmax/sigmoid: the output δ is out - target in one step."""
        return bp.simplified(self.s) and self.rules.shortcut_delta(
            np.zeros(1), np.zeros(1)) is not None

    def _shortcut_delta_event(
        self, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, k: int, sample: int
    ) -> Event:
        layer = self.s.layers[-1]
        unit = layer.names[k]
        if layer.activation == "softmax":
            chain = (f"Σ_j ∂E/∂out_j · ∂out_j/∂net_{unit}")
            why = (f"softmax ties every output to every net (∂out_j/∂net_{unit} = out_j(δ_j{unit} "
                   f"- out_{unit})); multiplied by cross-entropy's -target_j/out_j and summed, "
                   "everything cancels to out - target because the targets sum to 1")
            uses = (f"out_{unit}", f"target_{unit}")
        else:
            chain = f"∂E/∂out_{unit} · ∂out_{unit}/∂net_{unit}"
            why = ("the sigmoid's slope out(1 - out) cancels the denominator of the "
                   "cross-entropy's derivative, leaving out - target")
            uses = (f"dE/dout_{unit}", f"dout_{unit}/dnet_{unit}", f"out_{unit}", f"target_{unit}")
        sign, bug = self.rules.shortcut_text()
        rule = f"{sign}(out_{unit} - target_{unit})"
        why = bug or why
        return self._event(
            sample=sample, phase="backward", kind="delta", layer=self.n, unit=k, param=None,
            symbol=f"delta_{unit}", equation=f"δ_{unit} = ∂E/∂net_{unit} = {chain} = {rule}",
            substituted=f"δ_{unit} = {sign}({fmt_term(fw.outs[-1][k])} - {fmt_term(t[k])})",
            value=bw.delta[self.n][k], why=why, uses=uses,
        )

    def _delta_event(self, bw: bp.Backward, lay: int, j: int, sample: int) -> Event:
        unit = self.s.layers[lay - 1].names[j]
        return self._event(
            sample=sample, phase="backward", kind="delta", layer=lay, unit=j, param=None,
            symbol=f"delta_{unit}",
            equation=f"δ_{unit} = ∂E/∂out_{unit} · ∂out_{unit}/∂net_{unit}",
            substituted=f"δ_{unit} = {fmt_term(bw.err[lay][j])} · {fmt_term(bw.fprime[lay][j])}",
            value=bw.delta[lay][j],
            why=f"δ_{unit} = ∂E/∂net_{unit}: how fast the error changes with {unit}'s net input; "
            f"every weight into {unit} shares it",
            uses=(f"dE/dout_{unit}", f"dout_{unit}/dnet_{unit}"),
        )

    def _weight_grad_event(
        self, fw: bp.Forward, bw: bp.Backward, lay: int, j: int, i: int, sample: int
    ) -> Event:
        layer = self.s.layers[lay - 1]
        unit = layer.names[j]
        wn, an = self.w_name(lay, j, i), self.in_name(lay - 1, i)
        net_terms = [f"{self.w_name(lay, j, q)}·{self.in_name(lay - 1, q)}"
                     for q in range(layer.inputs)]
        if self.params.biases[lay - 1] is not None:
            net_terms.append(self.b_name(lay, j))
        if lay == self.n and self._shortcut():
            equation = f"∂E/∂{wn} = ∂E/∂net_{unit} · ∂net_{unit}/∂{wn} = δ_{unit} · {an}"
            substituted = f"∂E/∂{wn} = {fmt_term(bw.delta[lay][j])} · {fmt_term(fw.outs[lay - 1][i])}"
        else:
            equation = (f"∂E/∂{wn} = ∂E/∂out_{unit} · ∂out_{unit}/∂net_{unit} · ∂net_{unit}/∂{wn}"
                        f" = δ_{unit} · {an}")
            substituted = (f"∂E/∂{wn} = {fmt_term(bw.err[lay][j])} · "
                           f"{fmt_term(bw.fprime[lay][j])} · {fmt_term(fw.outs[lay - 1][i])}")
        return self._event(
            sample=sample, phase="backward", kind="grad", layer=lay, unit=j,
            param=ParamRef(lay, "weight", j, i), symbol=f"dE/d{wn}",
            equation=equation, substituted=substituted,
            value=bw.grad_w[lay][j, i],
            why=f"∂net_{unit}/∂{wn} is {an}, because net_{unit} = " + " + ".join(net_terms),
            uses=(f"delta_{unit}", an),
        )

    def _bias_grad_event(self, bw: bp.Backward, lay: int, j: int | None, sample: int
                         ) -> Event:
        layer = self.s.layers[lay - 1]
        if j is None:  # one bias shared by every unit of the layer
            bn = self.b_name(lay, 0)
            deltas = [f"δ_{u}" for u in layer.names]
            return self._event(
                sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
                param=ParamRef(lay, "bias", 0, 0), symbol=f"dE/d{bn}",
                equation=f"∂E/∂{bn} = Σ_j δ_j · 1 = " + " + ".join(deltas),
                substituted=f"∂E/∂{bn} = " + " + ".join(fmt_term(d) for d in bw.delta[lay]),
                value=bw.grad_b[lay][0],
                why=f"{bn} is added to the net of every unit in the layer, so its gradient "
                "sums their deltas (∂net/∂b = 1)",
                uses=tuple(f"delta_{u}" for u in layer.names),
            )
        unit = layer.names[j]
        bn = self.b_name(lay, j)
        return self._event(
            sample=sample, phase="backward", kind="grad", layer=lay, unit=j,
            param=ParamRef(lay, "bias", j, 0), symbol=f"dE/d{bn}",
            equation=f"∂E/∂{bn} = δ_{unit} · ∂net_{unit}/∂{bn} = δ_{unit} · 1",
            substituted=f"∂E/∂{bn} = {fmt_term(bw.delta[lay][j])} · 1",
            value=bw.grad_b[lay][j],
            why=f"∂net_{unit}/∂{bn} is 1, because {bn} is added to net_{unit} as it is",
            uses=(f"delta_{unit}",),
        )

    def _update_units(
        self, lay: int, before: bp.Params, gw: np.ndarray, gb: np.ndarray | None,
        sample: int | None, summed: bool = False, after: bp.Params | None = None,
    ) -> Iterator[Event]:
        """Update events of one layer; ``after`` holds the new values (default: self.params)."""
        after = self.params if after is None else after
        layer = self.s.layers[lay - 1]
        frozen = not bp.trains(self.s, lay, self.mistake)
        grad_word = self.rules.batch_grad_word(self.s) if summed else "∂E/∂{p}"
        refs = [(ParamRef(lay, "weight", j, i), self.w_name(lay, j, i), gw[j, i])
                for j in range(layer.size) for i in range(layer.inputs)]
        b = before.biases[lay - 1]
        if b is not None and layer.train_bias and gb is not None:
            refs += [(ParamRef(lay, "bias", j, 0), self.b_name(lay, j), gb[j])
                     for j in range(b.size)]
        for ref, name, g in refs:
            old = before.value(ref.layer, ref.kind, ref.row, ref.col)
            new = after.value(ref.layer, ref.kind, ref.row, ref.col)
            gname = "dE/d" + name
            if frozen:
                eq, sub = f"{name}⁺ = {name}", f"{name}⁺ = {fmt_term(old)}"
                why = self.rules.frozen_why(name)
            else:
                eq = f"{name}⁺ = {name} - η · " + grad_word.format(p=name)
                sub = f"{name}⁺ = {fmt_term(old)} - {self.eta} · {fmt_term(g)}"
                why = f"gradient descent steps against the gradient, scaled by η = {self.eta}"
            yield self._event(
                sample=sample, phase="update", kind="update", layer=lay,
                unit=ref.row, param=ref, symbol=f"{name}+", equation=eq, substituted=sub,
                value=new, old=old, grad=g, why=why, uses=(name, gname),
            )

    def _epoch_loss_event(self, losses: list[float]) -> Event:
        s = self.s
        n = len(losses)
        op = "Σ_s E_s" if s.reduction == "sum" else "(1/N) Σ_s E_s"
        value = float(np.sum(losses) if s.reduction == "sum" else np.mean(losses))
        joined = " + ".join(fmt_term(v) for v in losses)
        return self._event(
            sample=None, phase="loss", kind="loss", layer=self.n, unit=None, param=None,
            symbol="E_batch", equation=f"E_batch = {op}",
            substituted=f"E_batch = {joined}" if s.reduction == "sum"
            else f"E_batch = ({joined}) / {n}",
            value=value,
            why=f"in batch mode the {n} samples' errors are "
            + ("summed" if s.reduction == "sum" else "averaged") + " before one update",
            uses=("E_total",),
        )

    def _batch_update_events(
        self, total_w: list[np.ndarray], total_b: list[np.ndarray | None]
    ) -> Iterator[Event]:
        scale = self.rules.gradient_scale(self.s, bp.batch_scale(self.s))
        before = self.params.copy()
        bw = bp.Backward(
            err=[], fprime=[], delta=[], grad_w=[np.empty(0)] + [g * scale for g in total_w],
            grad_b=[None] + [None if g is None else g * scale for g in total_b],
            sent_with=[], params=self.params, updated_inline=False,
        )
        self.params = bp.apply_update(self.s, self.params, bw, self.mistake)
        for lay in range(self.n, 0, -1):
            yield from self._update_units(lay, before, bw.grad_w[lay], bw.grad_b[lay], None,
                                          summed=True)

    # -- layer by layer ---------------------------------------------------------------

    def _layer_epoch(self) -> Iterator[Event]:
        s = self.s
        if s.mode == "batch":
            yield from self._layer_pass(s.inputs, s.targets, None, bp.batch_scale(s))
            return
        for k in range(s.samples):
            yield from self._layer_pass(s.inputs[k:k + 1], s.targets[k:k + 1], k + 1, 1.0)

    def _layer_pass(
        self, x: np.ndarray, t: np.ndarray, sample: int | None, scale: float
    ) -> Iterator[Event]:
        """One forward/backward/update over a matrix of samples, one event per layer step."""
        s = self.s
        n = self.n
        fw = bp.forward(s, self.params, x)
        rows = "X" if sample is None else "x"
        for lay in range(1, n + 1):
            layer = s.layers[lay - 1]
            a_prev = rows if lay == 1 else f"out_{lay - 1}"
            bias = " + b" + str(lay) if self.params.biases[lay - 1] is not None else ""
            w = self.params.weights[lay - 1]
            yield self._event(
                sample=sample, phase="forward", kind="net", layer=lay, unit=None, param=None,
                symbol=f"net_{lay}", equation=f"net_{lay} = {a_prev} · W{lay}ᵀ{bias}",
                substituted=f"net_{lay} = ({shape_text(fw.outs[lay - 1])}) · "
                f"({shape_text(w)})ᵀ{bias}",
                value=fw.nets[lay],
                why=f"every unit of the {layer.name} layer sums its weighted inputs, for every "
                "sample at once: one matrix product",
                uses=(a_prev, f"W{lay}"),
            )
            act = ACTIVATIONS[layer.activation]
            yield self._event(
                sample=sample, phase="forward", kind="out", layer=lay, unit=None, param=None,
                symbol=f"out_{lay}",
                equation=f"out_{lay} = " + act.symbol.format(net=f"net_{lay}")
                + (" row by row" if layer.activation == "softmax" else " elementwise"),
                substituted=f"out_{lay} = {layer.activation}(net_{lay}) over "
                f"{shape_text(fw.nets[lay])} values",
                value=fw.outs[lay], why=act.out_why.format(unit=f"the {layer.name} layer"),
                uses=(f"net_{lay}",),
            )
        loss = LOSSES[s.loss]
        per = bp.loss_terms(s.loss, fw.outs[n], t)
        total = float(per.sum()) * (scale if sample is None else 1.0)
        red = "Σ_s " if sample is None and s.reduction == "sum" else (
            "(1/N)Σ_s " if sample is None else "")
        yield self._event(
            sample=sample, phase="loss", kind="loss", layer=n, unit=None, param=None,
            symbol="E", equation=f"E = {red}Σ_k "
            + loss.term_rule.format(t="T", out=f"out_{n}", n=s.layers[-1].size),
            substituted=f"E = sum of {per.size} terms ({shape_text(per)})", value=total,
            why=f"{loss.name}: {loss.description}"
            + (", over every sample of the batch" if sample is None else ""),
            uses=(f"out_{n}", "T"),
        )
        inline = bp.uses_inline_update(s, self.mistake)
        before = self.params.copy()
        bw = bp.backward(s, self.params, fw, t, mistake=self.mistake, scale=scale,
                         update_inline=inline)
        grad_rule = self.rules.error_rule(loss)[0].format(
            t="T", out=f"out_{n}", n=s.layers[-1].size)
        gscale = self.rules.gradient_scale(s, scale)
        if gscale != 1.0:
            grad_rule = f"(1/N)·{grad_rule}"
        for lay in range(n, 0, -1):
            layer = s.layers[lay - 1]
            if lay == n:
                yield self._event(
                    sample=sample, phase="backward", kind="dE_dout", layer=lay, unit=None,
                    param=None, symbol=f"dE/dout_{lay}",
                    equation=f"∂E/∂out_{lay} = {grad_rule}",
                    substituted=f"∂E/∂out_{lay}: {shape_text(bw.err[lay])} values",
                    value=bw.err[lay], why="the loss's derivative for every output and sample",
                    uses=(f"out_{lay}", "T"),
                )
            else:
                w_sym = f"W{lay + 1}" + ("⁺" if inline else "")
                rule = self.rules.sent_back_layer_rule(lay, w_sym)
                yield self._event(
                    sample=sample, phase="backward", kind="dE_din", layer=lay, unit=None,
                    param=None, symbol=f"dE/dout_{lay}",
                    equation=f"∂E/∂out_{lay} = {rule}",
                    substituted=f"∂E/∂out_{lay} = ({shape_text(bw.delta[lay + 1])}) · "
                    f"({shape_text(self.params.weights[lay])})",
                    value=bw.err[lay],
                    why="each hidden unit's error is the sum over every unit it feeds of δ·w: "
                    "one matrix product does all the sums",
                    uses=(f"delta_{lay + 1}", f"W{lay + 1}"),
                )
            act = ACTIVATIONS[layer.activation]
            if lay == n and self._shortcut():
                sign = self.rules.shortcut_text()[0]
                per = "(1/N)·" if gscale != 1.0 else ""
                yield self._event(
                    sample=sample, phase="backward", kind="delta", layer=lay, unit=None,
                    param=None, symbol=f"delta_{lay}",
                    equation=f"δ_{lay} = ∂E/∂net_{lay} = {sign}{per}(out_{lay} - T)",
                    substituted=f"δ_{lay} = {sign}(({shape_text(fw.outs[lay])}) - "
                    f"({shape_text(t)}))",
                    value=bw.delta[lay],
                    why="with cross-entropy after a softmax or sigmoid the chain rule collapses "
                    "to out - target",
                    uses=(f"out_{lay}", "T"),
                )
            else:
                slope_rule, _, tag = self.rules.slope_rule(ACTIVATIONS[layer.activation])
                if tag:
                    slope_rule += f"  (BUG: {tag})"
                yield self._event(
                    sample=sample, phase="backward", kind="dout_dnet", layer=lay, unit=None,
                    param=None, symbol=f"dout_{lay}/dnet_{lay}",
                    equation=f"∂out_{lay}/∂net_{lay} = "
                    + slope_rule.format(out=f"out_{lay}", net=f"net_{lay}") + " elementwise",
                    substituted=f"∂out_{lay}/∂net_{lay}: {shape_text(bw.fprime[lay])} values",
                    value=bw.fprime[lay], why=act.why_prime, uses=(f"out_{lay}", f"net_{lay}"),
                )
                yield self._event(
                    sample=sample, phase="backward", kind="delta", layer=lay, unit=None,
                    param=None, symbol=f"delta_{lay}",
                    equation=f"δ_{lay} = ∂E/∂out_{lay} ⊙ ∂out_{lay}/∂net_{lay}",
                    substituted=f"δ_{lay} = ({shape_text(bw.err[lay])}) ⊙ "
                    f"({shape_text(bw.fprime[lay])})",
                    value=bw.delta[lay],
                    why="⊙ multiplies element by element: each unit's error times its own slope",
                    uses=(f"dE/dout_{lay}", f"dout_{lay}/dnet_{lay}"),
                )
            a_prev = rows if lay == 1 else f"out_{lay - 1}"
            yield self._event(
                sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
                param=None, symbol=f"dE/dW{lay}",
                equation=f"∂E/∂W{lay} = δ_{lay}ᵀ · {a_prev}",
                substituted=f"∂E/∂W{lay} = ({shape_text(bw.delta[lay])})ᵀ · "
                f"({shape_text(fw.outs[lay - 1])})",
                value=bw.grad_w[lay],
                why=f"∂net/∂W{lay}[j,i] is input i's value, so the product sums δ_j·in_i over "
                "the samples",
                uses=(f"delta_{lay}", a_prev),
            )
            if bw.grad_b[lay] is not None and layer.train_bias:
                shared = layer.bias_mode == "shared"
                yield self._event(
                    sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
                    param=None, symbol=f"dE/db{lay}",
                    equation=f"∂E/∂b{lay} = " + ("Σ_s Σ_j δ_" if shared else "Σ_s δ_") + str(lay),
                    substituted=f"∂E/∂b{lay} = sum of ({shape_text(bw.delta[lay])}) over samples"
                    + (" and units" if shared else ""),
                    value=bw.grad_b[lay],
                    why="∂net/∂b = 1, so the bias gradient sums δ"
                    + (" over every unit the shared bias feeds" if shared else ""),
                    uses=(f"delta_{lay}",),
                )
        self.params = bp.apply_update(s, self.params, bw, self.mistake)
        for lay in range(n, 0, -1):
            frozen = not bp.trains(s, lay, self.mistake)
            layer = s.layers[lay - 1]
            yield self._event(
                sample=sample, phase="update", kind="update", layer=lay, unit=None, param=None,
                symbol=f"W{lay}+",
                equation=f"W{lay}⁺ = W{lay}" if frozen
                else f"W{lay}⁺ = W{lay} - η · ∂E/∂W{lay}",
                substituted=f"W{lay}⁺ = W{lay} - {self.eta} · ∂E/∂W{lay} "
                f"({shape_text(self.params.weights[lay - 1])})",
                value=self.params.weights[lay - 1], old=before.weights[lay - 1],
                grad=bw.grad_w[lay],
                why=self.rules.frozen_why(None) if frozen
                else f"every weight steps against its gradient, scaled by η = {self.eta}",
                uses=(f"W{lay}", f"dE/dW{lay}"),
            )
            b = self.params.biases[lay - 1]
            if b is not None and layer.train_bias and not frozen:
                yield self._event(
                    sample=sample, phase="update", kind="update", layer=lay, unit=None,
                    param=None, symbol=f"b{lay}+", equation=f"b{lay}⁺ = b{lay} - η · ∂E/∂b{lay}",
                    substituted=f"b{lay}⁺ = b{lay} - {self.eta} · ∂E/∂b{lay}",
                    value=b, old=before.biases[lay - 1], grad=bw.grad_b[lay],
                    why=f"the bias steps against its gradient, scaled by η = {self.eta}",
                    uses=(f"b{lay}", f"dE/db{lay}"),
                )
