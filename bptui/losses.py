"""Every loss, each one entry with everything about it: the one place to add one.

An entry carries the per-output terms of one sample's loss and their gradient, how both are
written (Unicode, LaTeX), what the loss requires of the network (its output activation, the
range of its targets), the output activation with which δ = ∂E/∂net collapses to out - target,
and the code the scalar fast path compiles. ``tests/test_registries.py`` fails when a piece is
missing and checks every gradient against central differences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bptui.activations import ex  # bptui.expr, imported when a tree is built
from bptui.i18n import N_

if TYPE_CHECKING:
    from bptui.expr import Node


Array = np.ndarray

#: Logs are taken of outputs clipped this far inside (0, 1), so a saturated unit gives a large
#: finite loss instead of inf; far below the precision any scenario shows.
CLIP = 1e-300


def _log(x: Array) -> Array:
    return np.log(np.maximum(x, CLIP))


@dataclass(frozen=True)
class Loss:
    """A loss over one sample's outputs: its terms, dE/dout and the words that explain both.

    Rules use ``{t}`` (target), ``{out}`` and ``{n}`` (number of outputs). ``code_term`` and
    ``code_grad`` are Python expressions over ``{t}``, ``{a}`` and ``{n}`` for the scalar fast
    path, None where that path does not apply.
    """

    name: str
    terms: Callable[[Array, Array], Array]  # (out, target) -> each output's share of E
    grad: Callable[[Array, Array], Array]  # (out, target) -> dE/dout
    term_rule: str
    grad_rule: str
    description: str
    latex_term: str
    latex_grad: str
    output: str | None  # the output activation it requires, None for any
    targets: tuple[float, float] | None  # the closed range targets must lie in, None for any
    targets_sum_to_one: bool  # one-hot or probability targets, one row per sample
    simplifies_with: str | None  # output activation with which δ = out - target
    code_term: str | None
    code_grad: str | None
    term_tree: Callable[[Node, Node, int], Node]  # (target, out, n outputs) -> E_k
    grad_tree: Callable[[Node, Node, int], Node]  # (target, out, n outputs) -> dE/dout_k
    # How the loader words what the loss requires (its error messages): the loss's name in a
    # sentence, the required output in a sentence, and a hint for a mismatched output.
    words: str = ""
    output_words: str = ""
    output_hint: str = ""


def _mse_terms(out: Array, target: Array) -> Array:
    d = target - out
    return d * d / out.shape[-1]


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss(
        "half_sse", lambda o, t: 0.5 * (t - o) * (t - o), lambda o, t: o - t,
        "½({t} - {out})²", "-({t} - {out})",
        N_("sum over outputs of ½(target - out)²"),
        r"\tfrac{{1}}{{2}}({t} - {out})^{{2}}", r"-({t} - {out})",
        None, None, False, None,
        "0.5 * ({t} - {a}) * ({t} - {a})", "({a} - {t})",
        term_tree=lambda t, o, n: ex.mul(ex.Num(0.5), ex.Op("**", (ex.sub(t, o), ex.Num(2.0)))),
        grad_tree=lambda t, o, n: ex.neg(ex.sub(t, o)),
    ),
    Loss(
        "sse", lambda o, t: (t - o) * (t - o), lambda o, t: 2.0 * (o - t),
        "({t} - {out})²", "-2({t} - {out})",
        N_("sum over outputs of (target - out)²"),
        r"({t} - {out})^{{2}}", r"-2({t} - {out})",
        None, None, False, None,
        "({t} - {a}) * ({t} - {a})", "2.0 * ({a} - {t})",
        term_tree=lambda t, o, n: ex.Op("**", (ex.sub(t, o), ex.Num(2.0))),
        grad_tree=lambda t, o, n: ex.neg(ex.mul(ex.Num(2.0), ex.sub(t, o))),
    ),
    Loss(
        "mse", _mse_terms, lambda o, t: 2.0 * (o - t) / o.shape[-1],
        "({t} - {out})²/{n}  (the mean over {n} outputs)", "-2({t} - {out})/{n}",
        N_("mean over outputs of (target - out)²"),
        r"\frac{{({t} - {out})^{{2}}}}{{{n}}}", r"-\frac{{2({t} - {out})}}{{{n}}}",
        None, None, False, None,
        "({t} - {a}) * ({t} - {a}) / {n}", "2.0 * ({a} - {t}) / {n}",
        # the mean over the n outputs, written with its N (not a bare /2 that reads like ½)
        term_tree=lambda t, o, n: ex.Op("/", (ex.Op("**", (ex.sub(t, o), ex.Num(2.0))),
                                              ex.Num(float(n), "N"))),
        grad_tree=lambda t, o, n: ex.neg(ex.Op("/", (ex.mul(ex.Num(2.0), ex.sub(t, o)),
                                                     ex.Num(float(n), "N")))),
    ),
    Loss(
        "cross_entropy", lambda o, t: -t * _log(o),
        lambda o, t: -t / np.maximum(o, CLIP),
        "-{t} · ln({out})", "-{t}/{out}",
        N_("minus the sum over outputs of target · ln(out), with a softmax output layer"),
        r"-{t} \ln {out}", r"-\frac{{{t}}}{{{out}}}",
        "softmax", (0.0, 1.0), True, "softmax",
        None, None,
        term_tree=lambda t, o, n: ex.neg(ex.mul(t, ex.call("ln", o))),
        grad_tree=lambda t, o, n: ex.neg(ex.Op("/", (t, o))),
        words=N_("cross-entropy"), output_words=N_("a softmax output layer"),
        output_hint=N_(" (for sigmoid outputs use \"binary_cross_entropy\")"),
    ),
    Loss(
        "binary_cross_entropy",
        lambda o, t: -(t * _log(o) + (1.0 - t) * _log(1.0 - o)),
        lambda o, t: (o - t) / np.maximum(o * (1.0 - o), CLIP),
        "-({t} · ln({out}) + (1 - {t}) · ln(1 - {out}))", "({out} - {t}) / ({out}(1 - {out}))",
        N_("minus target · ln(out) + (1 - target) · ln(1 - out), with sigmoid outputs"),
        r"-({t} \ln {out} + (1 - {t}) \ln(1 - {out}))",
        r"\frac{{{out} - {t}}}{{{out}(1 - {out})}}",
        "sigmoid", (0.0, 1.0), False, "sigmoid",
        None, None,
        term_tree=lambda t, o, n: ex.neg(ex.Op("+", (ex.mul(t, ex.call("ln", o)), ex.mul(
            ex.sub(ex.Num(1.0), t), ex.call("ln", ex.sub(ex.Num(1.0), o)))))),
        grad_tree=lambda t, o, n: ex.Op("/", (ex.sub(o, t), ex.mul(o, ex.sub(ex.Num(1.0), o)))),
        words=N_("binary cross-entropy"), output_words=N_("sigmoid output units"),
    ),
)}
