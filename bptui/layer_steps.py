"""What each layer-by-layer step computes and says: one function per kind of step.

A network too large to show unit by unit is shown one layer at a time, with matrix values and
vectorised equations. ``x`` is the matrix of samples of the pass (one row for a sample, every
sample for a batch); ``sample`` is None for a step over the whole batch. The order of the steps
is :mod:`bptui.schedule`'s business.
"""

from __future__ import annotations

import numpy as np

from bptui import backprop as bp
from bptui.activations import ACTIVATIONS
from bptui.events import Event, LayerRef, because
from bptui.expr import Node, Num, add, call, mul, sub
from bptui.i18n import N_
from bptui.losses import LOSSES
from bptui.steps import Context, form, sym


def _rows(sample: int | None) -> str:
    return "X" if sample is None else "x"


def a_prev_name(lay: int, sample: int | None) -> str:
    return _rows(sample) if lay == 1 else f"out_{lay - 1}"


def _scaled(scale: float, tree: Node) -> Node:
    """The tree times 1/N (a batch mean), or the tree itself."""
    return tree if scale == 1.0 else mul(Num(scale, "(1/N)"), tree)


def net_event(ctx: Context, params: bp.Params, fw: bp.Forward, lay: int, sample: int | None
              ) -> Event:
    layer = ctx.s.layers[lay - 1]
    a_prev = a_prev_name(lay, sample)
    b = params.biases[lay - 1]
    w = params.weights[lay - 1]
    tree: Node = call("matmul", sym(a_prev, fw.outs[lay - 1]), call("transpose", sym(f"W{lay}", w)))
    if b is not None:
        tree = add(tree, sym(f"b{lay}", b))
    return ctx.event(
        sample=sample, phase="forward", kind="net", layer=lay, unit=None, param=None,
        symbol=f"net_{lay}", value=fw.nets[lay],
        why=because(N_("every unit of the {layer} layer sums its weighted inputs, for every "
                       "sample at once: one matrix product"), layer=layer.name),
        tree=tree,
    )


def out_event(ctx: Context, fw: bp.Forward, lay: int, sample: int | None) -> Event:
    layer = ctx.s.layers[lay - 1]
    act = ACTIVATIONS[layer.activation]
    return ctx.event(
        sample=sample, phase="forward", kind="out", layer=lay, unit=None, param=None,
        symbol=f"out_{lay}", note=" elementwise" if act.per_unit else " row by row",
        value=fw.outs[lay], why=because(act.out_why, unit=because(
            N_("the {layer} layer"), layer=layer.name)),
        # the activation by name (a linear one too), applied to the whole matrix
        tree=call(act.name, sym(f"net_{lay}", fw.nets[lay])),
    )


def loss_event(ctx: Context, fw: bp.Forward, t: np.ndarray, sample: int | None, scale: float
               ) -> Event:
    s = ctx.s
    n = ctx.n
    loss = LOSSES[s.loss]
    per = bp.loss_terms(s.loss, fw.outs[n], t)
    scale = scale if sample is None else 1.0
    terms = loss.term_tree(sym("T", t), sym(f"out_{n}", fw.outs[n]), s.layers[-1].size)
    return ctx.event(
        sample=sample, phase="loss", kind="loss", layer=n, unit=None, param=None,
        symbol="E", value=float(per.sum()) * scale,
        why=because(N_("{loss}: {description}") if sample is not None
                    else N_("{loss}: {description}, over every sample of the batch"),
                    loss=loss.name, description=because(loss.description)),
        tree=_scaled(scale, call("sum", terms)),
    )


def output_error_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, t: np.ndarray,
                       sample: int | None, gscale: float) -> Event:
    s = ctx.s
    lay = ctx.n
    loss = LOSSES[s.loss]
    return ctx.event(
        sample=sample, phase="backward", kind="dE_dout", layer=lay, unit=None,
        param=None, symbol=f"dE/dout_{lay}", value=bw.err[lay],
        why=N_("the loss's derivative for every output and sample"),
        tree=_scaled(gscale, ctx.rules.error_tree(loss, sym("T", t), sym(
            f"out_{lay}", fw.outs[lay]), s.layers[-1].size)),
    )


def sent_back_event(ctx: Context, params: bp.Params, bw: bp.Backward, lay: int,
                    sample: int | None, inline: bool) -> Event:
    w = bw.sent_with[lay]
    assert w is not None
    return ctx.event(
        sample=sample, phase="backward", kind="dE_din", layer=lay, unit=None,
        param=None, symbol=f"dE/dout_{lay}", note=ctx.rules.sent_back_note(),
        value=bw.err[lay],
        why=N_("each hidden unit's error is the sum over every unit it feeds of δ · w: "
               "one matrix product does all the sums"),
        tree=ctx.rules.send_back_tree(sym(f"delta_{lay + 1}", bw.delta[lay + 1]),
                                      sym(f"W{lay + 1}", w, inline)),
    )


def shortcut_delta_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, t: np.ndarray,
                         sample: int | None, gscale: float) -> Event:
    lay = ctx.n
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=lay, unit=None,
        param=None, symbol=f"delta_{lay}", chain=(form(f"dE/dnet_{lay}"),),
        value=bw.delta[lay],
        why=N_("with cross-entropy after a softmax or sigmoid the chain rule collapses "
               "to out - target"),
        tree=_scaled(gscale, ctx.rules.shortcut_tree(sym(f"out_{lay}", fw.outs[lay]),
                                                     sym("T", t))),
    )


def slope_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int, sample: int | None
                ) -> Event:
    layer = ctx.s.layers[lay - 1]
    act = ACTIVATIONS[layer.activation]
    return ctx.event(
        sample=sample, phase="backward", kind="dout_dnet", layer=lay, unit=None,
        param=None, symbol=f"dout_{lay}/dnet_{lay}",
        note=ctx.rules.slope_note(act) + " elementwise",
        value=bw.fprime[lay], why=act.why_prime,
        tree=ctx.rules.slope_tree(act, sym(f"net_{lay}", fw.nets[lay]),
                                  sym(f"out_{lay}", fw.outs[lay])),
    )


def jacobian_delta_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int,
                         sample: int | None) -> Event:
    """A softmax layer's δ when dE/dout is not cross-entropy's: the whole Jacobian, row by row."""
    out = sym(f"out_{lay}", fw.outs[lay])
    err = sym(f"dE/dout_{lay}", bw.err[lay])
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=lay, unit=None,
        param=None, symbol=f"delta_{lay}", value=bw.delta[lay],
        why=N_("softmax ties every output of a row to every net, so each δ collects the error "
               "of every output of its row"),
        tree=mul(out, sub(err, call("row_dot", err, out))),
    )


def delta_event(ctx: Context, bw: bp.Backward, lay: int, sample: int | None) -> Event:
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=lay, unit=None,
        param=None, symbol=f"delta_{lay}", value=bw.delta[lay],
        why=N_("⊙ multiplies element by element: each unit's error times its own slope"),
        tree=mul(sym(f"dE/dout_{lay}", bw.err[lay]), sym(f"dout_{lay}/dnet_{lay}",
                                                          bw.fprime[lay])),
    )


def weight_grad_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int,
                      sample: int | None) -> Event:
    a_prev = a_prev_name(lay, sample)
    return ctx.event(
        sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
        param=None, layer_param=LayerRef(lay, "weight"), symbol=f"dE/dW{lay}",
        value=bw.grad_w[lay],
        why=because(N_("∂net/∂W{layer}[j,i] is input i's value, so the product sums "
                       "δ_j · in_i over the samples"), layer=lay),
        tree=call("matmul", call("transpose", sym(f"delta_{lay}", np.atleast_2d(
            bw.delta[lay]))), sym(a_prev, np.atleast_2d(fw.outs[lay - 1]))),
    )


def bias_grad_event(ctx: Context, bw: bp.Backward, lay: int, sample: int | None) -> Event:
    layer = ctx.s.layers[lay - 1]
    shared = layer.bias_mode == "shared"
    delta = sym(f"delta_{lay}", np.atleast_2d(bw.delta[lay]))
    return ctx.event(
        sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
        param=None, layer_param=LayerRef(lay, "bias"), symbol=f"dE/db{lay}",
        value=bw.grad_b[lay],
        why=N_("∂net/∂b = 1, so the bias gradient sums δ over every unit the shared bias feeds")
        if shared else N_("∂net/∂b = 1, so the bias gradient sums δ"),
        tree=call("sum", delta) if shared else call("sum_rows", delta),
    )


def weight_update_event(ctx: Context, before: bp.Params, after: bp.Params, bw: bp.Backward,
                        lay: int, sample: int | None) -> Event:
    frozen = not ctx.rules.trains(ctx.s, lay)
    old = before.weights[lay - 1]
    return ctx.event(
        sample=sample, phase="update", kind="update", layer=lay, unit=None, param=None,
        layer_param=LayerRef(lay, "weight"), symbol=f"W{lay}+",
        value=after.weights[lay - 1], old=old, grad=bw.grad_w[lay],
        why=ctx.rules.frozen_why(None) if frozen
        else because(N_("every weight steps against its gradient, scaled by η = {eta}"),
                     eta=ctx.eta),
        tree=sym(f"W{lay}", old) if frozen else ctx.step(
            sym(f"W{lay}", old), sym(f"dE/dW{lay}", bw.grad_w[lay])),
    )


def bias_update_event(ctx: Context, before: bp.Params, after: bp.Params, bw: bp.Backward,
                      lay: int, sample: int | None) -> Event:
    old = before.biases[lay - 1]
    return ctx.event(
        sample=sample, phase="update", kind="update", layer=lay, unit=None,
        param=None, layer_param=LayerRef(lay, "bias"), symbol=f"b{lay}+",
        value=after.biases[lay - 1], old=old, grad=bw.grad_b[lay],
        why=because(N_("the bias steps against its gradient, scaled by η = {eta}"), eta=ctx.eta),
        tree=ctx.step(sym(f"b{lay}", old), sym(f"dE/db{lay}", bw.grad_b[lay])),
    )
