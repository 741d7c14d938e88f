"""Numerical gradient check: backprop's gradient beside a central finite difference.

The finite difference always differentiates the *true* loss, so with a mistake from the lab
switched on, the check marks exactly the gradients the mistake breaks. This is the check one
of the source tutorials teaches, done for every parameter (or a seeded sample of a large net).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bptui import backprop as bp
from bptui.i18n import _
from bptui.notation import fmt
from bptui.scenario import Scenario

EPSILON = 1e-4
TOLERANCE = 1e-6
#: The ε a learner may choose. Below 1e-7 the difference of two losses is mostly rounding
#: error. Above 3e-3 a difference steps across a ReLU's kink in the
#: 1000-100-10 net (relative error 6e-3 at ε = 0.01, 0.25 at 0.1: as large as a mistake's),
#: so no tolerance could keep "pass" meaning "backprop is right" there.
EPSILON_RANGE = (1e-7, 3e-3)
#: C in C·ε²: a central difference's own error grows like ε² (softmax_xor needs 0.33, the
#: micrograd_neuron graph 1.5: its tanh after a weight of -3 triples each ε).
CURVATURE = 2.0
#: R in R/ε: rounding in E(w+ε) - E(w-ε) grows like 1/ε (the 1000-100-10 net needs 7e-12).
ROUNDING = 1e-11
LARGE_SAMPLE = 50
#: Below this size both gradients count as zero: a relative error of two zeros means nothing.
ZERO = 1e-12


def tolerance(epsilon: float) -> float:
    """The pass rule for a given ε: relative error below max(1e-6, C·ε², R/ε).

    The one place the rule is set. A central difference is off by about ε²/6 times the third
    derivative, and rounding adds about u·E/ε; the tolerance follows both so that every
    built-in passes and every gradient-changing mistake fails at every allowed ε
    (tests/test_gradcheck_rule.py checks them all).
    """
    low, high = EPSILON_RANGE
    if not low <= epsilon <= high:
        raise ValueError(f"ε must be between {low:g} and {high:g}, not {epsilon:g}")
    return max(TOLERANCE, CURVATURE * epsilon * epsilon, ROUNDING / epsilon)


def rule(epsilon: float) -> str:
    """The pass rule in words, as the gradient check's panel states it."""
    tol = tolerance(epsilon)
    return _("ε = {eps}, pass when relative error < {tol} (= max(1e-6, {c}·ε², {r}/ε): a "
             "difference's own error grows like ε², its rounding like 1/ε)",
             eps=fmt(epsilon, 6), tol=fmt(tol, 2), c=fmt(CURVATURE, 6), r=fmt(ROUNDING, 6))


@dataclass(frozen=True)
class Row:
    name: str
    layer: int
    kind: str  # "weight" or "bias"
    row: int
    col: int
    backprop: float
    numeric: float
    abs_error: float
    rel_error: float
    ok: bool


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    sample: int | None  # 1-based sample checked; None for the whole batch
    epsilon: float
    tolerance: float
    checked: int
    total: int  # trainable parameters in the network
    mistake: str | None

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.rows)

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if not r.ok]


def sample_loss(scenario: Scenario, params: bp.Params, sample: int | None) -> float:
    """The loss whose gradient one backward pass computes (one sample, or the whole batch)."""
    if sample is None:
        return bp.dataset_loss(scenario, params)
    x, t = scenario.inputs[sample - 1], scenario.targets[sample - 1]
    out = bp.forward(scenario, params, x).outs[-1]
    return float(bp.loss_terms(scenario.loss, out, t).sum())


def backprop_grads(
    scenario: Scenario, params: bp.Params, sample: int | None, mistake: str | None
) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    if sample is None:
        x, t, scale = scenario.inputs, scenario.targets, bp.batch_scale(scenario)
    else:
        x, t, scale = scenario.inputs[sample - 1], scenario.targets[sample - 1], 1.0
    fw = bp.forward(scenario, params, x)
    bw = bp.backward(scenario, params, fw, t, mistake=mistake, scale=scale,
                     update_inline=bp.uses_inline_update(scenario, mistake))
    return bw.grad_w[1:], bw.grad_b[1:]


def trainable(scenario: Scenario) -> list[tuple[int, str, int, int]]:
    """Every trained parameter as (layer, kind, row, col)."""
    refs = []
    for lay, layer in enumerate(scenario.layers, start=1):
        refs += [(lay, "weight", j, i) for j in range(layer.size) for i in range(layer.inputs)]
        if layer.bias is not None and layer.train_bias:
            refs += [(lay, "bias", j, 0) for j in range(layer.bias.size)]
    return refs


def check(
    scenario: Scenario,
    params: bp.Params | None = None,
    *,
    sample: int | None = 1,
    mistake: str | None = None,
    epsilon: float = EPSILON,
    tolerance: float = TOLERANCE,
    limit: int = LARGE_SAMPLE,
    seed: int = 0,
) -> Report:
    """Compare backprop with (L(w+ε) - L(w-ε)) / 2ε for every parameter, or ``limit`` of them.

    ``sample`` is 1-based; None (or batch mode) checks the gradient of the whole data set.
    """
    if params is None:
        params = bp.Params.initial(scenario)
    if scenario.mode == "batch":
        sample = None
    grads_w, grads_b = backprop_grads(scenario, params, sample, mistake)
    refs = trainable(scenario)
    total = len(refs)
    if total > limit and not scenario.unit_by_unit:
        rng = np.random.default_rng(seed)
        picked = sorted(rng.choice(total, size=limit, replace=False))
        refs = [refs[k] for k in picked]
    rows = []
    probe = params.copy()
    for lay, kind, r, c in refs:
        layer = scenario.layers[lay - 1]
        name = layer.weight_name(r, c, lay) if kind == "weight" else layer.bias_name(r, lay)
        g = grads_w[lay - 1][r, c] if kind == "weight" else grads_b[lay - 1][r]
        w0 = probe.value(lay, kind, r, c)
        probe.set(lay, kind, r, c, w0 + epsilon)
        up = sample_loss(scenario, probe, sample)
        probe.set(lay, kind, r, c, w0 - epsilon)
        down = sample_loss(scenario, probe, sample)
        probe.set(lay, kind, r, c, w0)
        numeric = (up - down) / (2 * epsilon)
        err = abs(float(g) - numeric)
        scale = max(abs(float(g)), abs(numeric))
        rel = 0.0 if scale < ZERO else err / scale
        # a NaN or infinite gradient on either side is a failure, never "ok" (NaN compares
        # false with everything, so rel < tolerance alone could pass it)
        agree = math.isfinite(float(g)) and math.isfinite(numeric) and rel < tolerance
        rows.append(Row(name, lay, kind, r, c, float(g), numeric, err, rel, agree))
    return Report(tuple(rows), sample, epsilon, tolerance, len(rows), total, mistake)


def render(report: Report) -> str:
    """The report as a plain-text table for the command line."""
    from bptui.notation import fmt

    what = _("the whole batch") if report.sample is None else _("sample {k}", k=report.sample)
    # numbers written as everywhere else (1e-6, not 1e-06: the rule says max(1e-6, ...))
    values = {"what": what, "eps": fmt(report.epsilon, 6), "tol": fmt(report.tolerance, 6)}
    lines = [
        _("Gradient check on {what}: central difference with ε = {eps}, pass when relative "
          "error < {tol}; mistake: {name}", **values, name=report.mistake) if report.mistake
        else _("Gradient check on {what}: central difference with ε = {eps}, pass when "
               "relative error < {tol}", **values),
    ]
    if report.checked < report.total:
        lines.append(_("(checking a seeded random sample of {n} of {total} parameters: the "
                       "network is too large to check them all)", n=report.checked,
                       total=f"{report.total:,}"))
    header = (f"{_l(_('parameter'), 14)} {_r(_('backprop'), 17)} {_r(_('numerical'), 17)} "
              f"{_r(_('abs error'), 10)} {_r(_('rel error'), 10)}  {_('result')}")
    lines += [header, "-" * _cells(header)]
    for r in report.rows:
        lines.append(
            f"{r.name:<14} {fmt(r.backprop):>17} {fmt(r.numeric):>17} {r.abs_error:>10.2e} "
            f"{r.rel_error:>10.2e}  {_('ok') if r.ok else _('FAIL')}"
        )
    failed = len(report.failed)
    agree = report.checked - failed
    lines.append(_("{agree} of {n} gradients agree; {failed} FAIL", agree=agree,
                   n=report.checked, failed=failed) if failed
                 else _("{agree} of {n} gradients agree", agree=agree, n=report.checked))
    return "\n".join(lines)


def _l(text: str, width: int) -> str:
    """Left-aligned in ``width`` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - _cells(text))


def _r(text: str, width: int) -> str:
    return " " * max(0, width - _cells(text)) + text


def _cells(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
