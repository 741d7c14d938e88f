"""What each unit-by-unit step computes and says: one function per kind of step.

Each function takes the epoch's :class:`~bptui.steps.Context` and the numbers of the pass
(from :mod:`bptui.backprop`) and returns one event with its rule, the rule with the numbers in
it, a sentence on why, and the expression tree its ``uses`` come from. The order in which the
steps are made is :mod:`bptui.schedule`'s business.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bptui import backprop as bp
from bptui.activations import ACTIVATIONS
from bptui.events import Event, ParamRef, Phrases, because
from bptui.expr import Node, Num, Op, Sum, call, mul, sub, text
from bptui.i18n import N_
from bptui.losses import LOSSES
from bptui.steps import Context, form, sym


def over(index: str, term: Node) -> Sum:
    """A rule's form Σ_index term (the sum written with its index, not its terms)."""
    return Sum((), index, term)


# ----------------------------------------------------------------------------- forward


def net_event(ctx: Context, params: bp.Params, fw: bp.Forward, lay: int, j: int, sample: int
              ) -> Event:
    layer = ctx.s.layers[lay - 1]
    unit = layer.names[j]
    w = params.weights[lay - 1]
    b = params.biases[lay - 1]
    tree = []
    for i in range(layer.inputs):
        wn, an = ctx.w_name(lay, j, i), ctx.in_name(lay - 1, i)
        tree.append(mul(sym(wn, w[j, i]), sym(an, fw.outs[lay - 1][i])))
    if b is not None:
        bn = ctx.b_name(lay, j)
        tree.append(sym(bn, b[0 if b.size == 1 else j]))
    net = f"net_{unit}"
    return ctx.event(
        sample=sample, phase="forward", kind="net", layer=lay, unit=j, param=None,
        symbol=net, value=fw.nets[lay][j],
        why=because(N_("{net} is the weighted sum of what flows into {unit}, plus its bias")
                    if b is not None else N_("{net} is the weighted sum of what flows into {unit}"),
                    net=net, unit=unit),
        tree=Sum(tuple(tree)),
    )


def out_event(ctx: Context, fw: bp.Forward, lay: int, j: int, sample: int) -> Event:
    layer = ctx.s.layers[lay - 1]
    unit = layer.names[j]
    net, out = f"net_{unit}", f"out_{unit}"
    act = ACTIVATIONS[layer.activation]
    if not act.per_unit:  # softmax: every net of the layer
        nets = [f"net_{u}" for u in layer.names]
        return ctx.event(
            sample=sample, phase="forward", kind="out", layer=lay, unit=j, param=None,
            symbol=out, value=fw.outs[lay][j], why=because(act.out_why, unit=unit),
            tree=Op("/", (call("exp", sym(net, fw.nets[lay][j])), Sum(tuple(
                call("exp", sym(n, v)) for n, v in zip(nets, fw.nets[lay], strict=True))))),
        )
    return ctx.event(
        sample=sample, phase="forward", kind="out", layer=lay, unit=j, param=None,
        symbol=out, value=fw.outs[lay][j],
        why=because(act.out_why, unit=unit),
        tree=act.tree(sym(net, fw.nets[lay][j])),
    )


def loss_events(ctx: Context, fw: bp.Forward, t: np.ndarray, sample: int) -> Iterator[Event]:
    """Each output's term of the sample's loss, then their sum."""
    s = ctx.s
    out_layer = s.layers[-1]
    loss = LOSSES[s.loss]
    terms = bp.loss_terms(s.loss, fw.outs[-1], t)
    n_out = out_layer.size
    names = []
    for k, unit in enumerate(out_layer.names):
        e = f"E_{unit}"
        names.append(e)
        yield ctx.event(
            sample=sample, phase="loss", kind="loss", layer=ctx.n, unit=k, param=None,
            symbol=e, value=terms[k],
            why=because(N_("{e} measures how far {unit}'s output is from its target "
                           "({loss}: {description})"), e=e, unit=unit, loss=loss.name,
                        description=because(loss.description)),
            tree=loss.term_tree(sym(f"target_{unit}", t[k]), sym(f"out_{unit}", fw.outs[-1][k]),
                                n_out),
        )
    yield ctx.event(
        sample=sample, phase="loss", kind="loss", layer=ctx.n, unit=None, param=None,
        symbol="E_total", value=float(terms.sum()),
        why=N_("the error of this sample adds the terms of every output unit"),
        tree=Sum(tuple(sym(e, v) for e, v in zip(names, terms, strict=True))),
    )


def batch_loss_event(ctx: Context, losses: list[float]) -> Event:
    """The epoch's loss in batch mode: the samples' losses summed or averaged."""
    s = ctx.s
    n = len(losses)
    value = float(np.sum(losses) if s.reduction == "sum" else np.mean(losses))
    total = Sum(tuple(sym("E_total", v) for v in losses), "s", form("E_s"))
    return ctx.event(
        sample=None, phase="loss", kind="loss", layer=ctx.n, unit=None, param=None,
        symbol="E_batch", value=value,
        why=because(N_("in batch mode the {n} samples' errors are summed before one update")
                    if s.reduction == "sum" else
                    N_("in batch mode the {n} samples' errors are averaged before one update"),
                    n=n),
        tree=total if s.reduction == "sum" else Op("/", (total, Num(float(n), "N"))),
    )


# ----------------------------------------------------------------------------- backward


def output_error_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, k: int,
                       sample: int) -> Event:
    s = ctx.s
    unit = s.layers[-1].names[k]
    loss = LOSSES[s.loss]
    n_out = s.layers[-1].size
    why = ctx.rules.error_why(loss) or because(
        N_("the derivative of {rule} with respect to out"),
        rule=text(loss.term_tree(form("target"), form("out"), n_out)))
    return ctx.event(
        sample=sample, phase="backward", kind="dE_dout", layer=ctx.n, unit=k, param=None,
        symbol=f"dE/dout_{unit}", value=bw.err[ctx.n][k], why=why,
        tree=ctx.rules.error_tree(loss, sym(f"target_{unit}", t[k]),
                                  sym(f"out_{unit}", fw.outs[-1][k]), n_out),
    )


def sent_back_event(ctx: Context, bw: bp.Backward, lay: int, j: int, sample: int, inline: bool
                    ) -> Event:
    """A hidden unit's error: the sum of what comes back along each weight out of it."""
    s = ctx.s
    unit = s.layers[lay - 1].names[j]
    nxt = s.layers[lay]
    w = bw.sent_with[lay]
    assert w is not None
    tree = []
    for k, row, col in ctx.rules.sent_back_terms(nxt.size, j):
        wn = ctx.w_name(lay + 1, row, col)
        d = bw.delta[lay + 1][k]
        # updated weights (inline updates) are written w5⁺: the value read is the new one
        tree.append(mul(sym(f"delta_{nxt.names[k]}", d), sym(wn, w[row, col], inline)))
    feeds_msg = Phrases(tuple(because(N_("{unit} through {w}"), unit=nxt.names[k],
                                      w=ctx.w_name(lay + 1, k, j)) for k in range(nxt.size)))
    if nxt.size == 1:
        why = because(N_("{unit} feeds only {feeds}, so its error is what comes back along "
                         "that weight"), unit=unit, feeds=feeds_msg)
    else:
        why = because(N_("{unit} feeds {feeds}: its error is the SUM of what comes back along "
                         "each"), unit=unit, feeds=feeds_msg)
    why = ctx.rules.sent_back_why(unit, feeds_msg) or why
    chain = (over("k", mul(form("delta_k"), form("w_k," + unit))),) if nxt.size > 1 else ()
    return ctx.event(
        sample=sample, phase="backward", kind="dE_din", layer=lay, unit=j, param=None,
        symbol=f"dE/dout_{unit}", chain=chain,
        value=bw.err[lay][j], why=why, tree=Sum(tuple(tree)),
    )


def slope_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int, j: int, sample: int
                ) -> Event:
    layer = ctx.s.layers[lay - 1]
    unit = layer.names[j]
    act = ACTIVATIONS[layer.activation]
    net, out = fw.nets[lay][j], fw.outs[lay][j]
    return ctx.event(
        sample=sample, phase="backward", kind="dout_dnet", layer=lay, unit=j, param=None,
        symbol=f"dout_{unit}/dnet_{unit}",
        value=bw.fprime[lay][j], why=ctx.rules.slope_why(act) or act.why_prime,
        tree=ctx.rules.slope_tree(act, sym(f"net_{unit}", net), sym(f"out_{unit}", out)),
    )


def takes_shortcut(ctx: Context) -> bool:
    """Cross-entropy after softmax/sigmoid: the output δ is out - target in one step."""
    return bp.simplified(ctx.s) and ctx.rules.shortcut_delta(
        np.zeros(1), np.zeros(1)) is not None


def shortcut_delta_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, k: int,
                         sample: int) -> Event:
    layer = ctx.s.layers[-1]
    unit = layer.names[k]
    if layer.activation == "softmax":
        chain = over("j", mul(form("dE/dout_j"), form(f"dout_j/dnet_{unit}")))
        why = because(N_("softmax ties every output to every net (∂out_j/∂net_{unit} = "
                         "out_j([j = {unit}] - out_{unit}), where [j = {unit}] is 1 for j = "
                         "{unit}, else 0); multiplied by cross-entropy's -target_j/out_j and "
                         "summed, everything cancels to out - target because the targets sum "
                         "to 1"), unit=unit)
    else:
        chain = mul(form(f"dE/dout_{unit}"), form(f"dout_{unit}/dnet_{unit}"))
        why = N_("the sigmoid's slope out(1 - out) cancels the denominator of the "
                 "cross-entropy's derivative, leaving out - target")
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=ctx.n, unit=k, param=None,
        symbol=f"delta_{unit}", chain=(form(f"dE/dnet_{unit}"), chain),
        value=bw.delta[ctx.n][k], why=ctx.rules.shortcut_why() or why,
        tree=ctx.rules.shortcut_tree(sym(f"out_{unit}", fw.outs[-1][k]),
                                     sym(f"target_{unit}", t[k])),
    )


def jacobian_delta_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int, j: int,
                         sample: int) -> Event:
    """δ of a softmax unit when dE/dout is not cross-entropy's (a mistake changed it): the
    chain rule through the softmax's whole Jacobian, cross terms included."""
    names = ctx.s.layers[lay - 1].names
    unit = names[j]
    out, err = fw.outs[lay], bw.err[lay]
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=lay, unit=j, param=None,
        symbol=f"delta_{unit}",
        chain=(over("j", mul(form("dE/dout_j"), form(f"dout_j/dnet_{unit}"))),),
        value=bw.delta[lay][j],
        why=because(N_("softmax ties every output to every net (∂out_j/∂net_{unit} = "
                       "out_j([j = {unit}] - out_{unit}), where [j = {unit}] is 1 for j = "
                       "{unit}, else 0), so {unit}'s δ collects the error of every output, not "
                       "only its own"), unit=unit),
        tree=mul(sym(f"out_{unit}", out[j]), sub(sym(f"dE/dout_{unit}", err[j]), Sum(tuple(
            mul(sym(f"dE/dout_{u}", e), sym(f"out_{u}", o))
            for u, e, o in zip(names, err, out, strict=True))))),
    )


def delta_event(ctx: Context, bw: bp.Backward, lay: int, j: int, sample: int) -> Event:
    unit = ctx.s.layers[lay - 1].names[j]
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=lay, unit=j, param=None,
        symbol=f"delta_{unit}", value=bw.delta[lay][j],
        why=because(N_("δ_{unit} = ∂E/∂net_{unit}: how fast the error changes with {unit}'s "
                       "net input; every weight into {unit} shares it"), unit=unit),
        tree=mul(sym(f"dE/dout_{unit}", bw.err[lay][j]),
                 sym(f"dout_{unit}/dnet_{unit}", bw.fprime[lay][j])),
    )


def weight_grad_event(ctx: Context, params: bp.Params, fw: bp.Forward, bw: bp.Backward,
                      lay: int, j: int, i: int, sample: int) -> Event:
    layer = ctx.s.layers[lay - 1]
    unit = layer.names[j]
    wn, an = ctx.w_name(lay, j, i), ctx.in_name(lay - 1, i)
    net_terms = [f"{ctx.w_name(lay, j, q)} · {ctx.in_name(lay - 1, q)}"
                 for q in range(layer.inputs)]
    if params.biases[lay - 1] is not None:
        net_terms.append(ctx.b_name(lay, j))
    a_in = sym(an, fw.outs[lay - 1][i])
    dnet = f"dnet_{unit}/d{wn}"
    if (lay == ctx.n and takes_shortcut(ctx)) or not ACTIVATIONS[layer.activation].per_unit:
        chain = mul(form(f"dE/dnet_{unit}"), form(dnet))
    else:
        # the chain rule's three factors, with their values: the numbers expand δ into its
        # two factors (the tree reads δ itself)
        chain = mul(sym(f"dE/dout_{unit}", bw.err[lay][j]),
                    sym(f"dout_{unit}/dnet_{unit}", bw.fprime[lay][j]),
                    sym(dnet, fw.outs[lay - 1][i]))
    return ctx.event(
        sample=sample, phase="backward", kind="grad", layer=lay, unit=j,
        param=ParamRef(lay, "weight", j, i), symbol=f"dE/d{wn}", chain=(chain,),
        value=bw.grad_w[lay][j, i],
        why=because(N_("∂net_{unit}/∂{w} is {a}, because net_{unit} = {terms}"), unit=unit,
                    w=wn, a=an, terms=" + ".join(net_terms)),
        # the rule's last form, δ · in: what the gradient is made from (its provenance); the
        # substituted numbers expand δ into its two factors
        tree=mul(sym(f"delta_{unit}", bw.delta[lay][j]), a_in),
    )


def bias_grad_event(ctx: Context, bw: bp.Backward, lay: int, j: int | None, sample: int
                    ) -> Event:
    """A per-unit bias's gradient (unit j), or a shared bias's (j None)."""
    layer = ctx.s.layers[lay - 1]
    if j is None:  # one bias shared by every unit of the layer
        bn = ctx.b_name(lay, 0)
        return ctx.event(
            sample=sample, phase="backward", kind="grad", layer=lay, unit=None,
            param=ParamRef(lay, "bias", 0, 0), symbol=f"dE/d{bn}",
            chain=(over("j", mul(form("delta_j"), Num(1.0))),), value=bw.grad_b[lay][0],
            why=because(N_("{b} is added to the net of every unit in the layer, so its "
                           "gradient sums their deltas (∂net/∂b = 1)"), b=bn),
            tree=Sum(tuple(sym(f"delta_{u}", d)
                           for u, d in zip(layer.names, bw.delta[lay], strict=True))),
        )
    unit = layer.names[j]
    bn = ctx.b_name(lay, j)
    return ctx.event(
        sample=sample, phase="backward", kind="grad", layer=lay, unit=j,
        param=ParamRef(lay, "bias", j, 0), symbol=f"dE/d{bn}",
        chain=(mul(form(f"delta_{unit}"), form(f"dnet_{unit}/d{bn}")),),
        value=bw.grad_b[lay][j],
        why=because(N_("∂net_{unit}/∂{b} is 1, because {b} is added to net_{unit} as it is"),
                    unit=unit, b=bn),
        tree=mul(sym(f"delta_{unit}", bw.delta[lay][j]), Num(1.0)),
    )


# ----------------------------------------------------------------------------- update


def update_events(
    ctx: Context, lay: int, before: bp.Params, after: bp.Params, gw: np.ndarray,
    gb: np.ndarray | None, sample: int | None, per_sample: list[bp.Backward] | None = None,
    scale: float = 1.0,
) -> Iterator[Event]:
    """One update event per parameter of layer ``lay``: ``before`` → ``after``.

    A batch update (``per_sample`` given: each sample's backward pass) shows the sum of the
    samples' gradients and, for a mean, the N it is divided by; ``scale`` is 1/N or 1.
    """
    layer = ctx.s.layers[lay - 1]
    frozen_layer = not ctx.rules.trains(ctx.s, lay)
    summed = per_sample is not None
    refs = [(ParamRef(lay, "weight", j, i), ctx.w_name(lay, j, i), gw[j, i],
             [p.grad_w[lay][j, i] for p in per_sample or ()])
            for j in range(layer.size) for i in range(layer.inputs)]
    b = before.biases[lay - 1]
    if b is not None and layer.train_bias and gb is not None:
        refs += [(ParamRef(lay, "bias", j, 0), ctx.b_name(lay, j), gb[j],
                  [p.grad_b[lay][j] for p in per_sample or ()]) for j in range(b.size)]
    n = len(per_sample or ())
    for ref, name, g, each in refs:
        old = before.value(ref.layer, ref.kind, ref.row, ref.col)
        new = after.value(ref.layer, ref.kind, ref.row, ref.col)
        note = ""
        if frozen_layer:
            why = ctx.rules.frozen_why(name)
            tree: Node = sym(name, old)
        else:
            why = because(N_("gradient descent steps against the gradient, scaled by η = {eta}"),
                          eta=ctx.eta)
            if summed:
                total = Sum(tuple(sym("dE/d" + name, v) for v in each), "s",
                            form(f"dE_s/d{name}"))
                grad: Node = total if scale == 1.0 else Op("/", (total, Num(float(n), "N")))
                note = ctx.rules.batch_grad_note()
                why = because(N_("gradient descent steps against the gradient, scaled by "
                                 "η = {eta}; the gradient is the sum of the {n} samples' "
                                 "gradients") if scale == 1.0 else
                              N_("gradient descent steps against the gradient, scaled by "
                                 "η = {eta}; the gradient is the sum of the {n} samples' "
                                 "gradients, divided by N = {n} for the mean"),
                              eta=ctx.eta, n=n)
            else:
                grad = sym("dE/d" + name, g)
            tree = ctx.step(sym(name, old), grad)
        yield ctx.event(
            sample=sample, phase="update", kind="update", layer=lay,
            unit=ref.row, param=ref, symbol=f"{name}+", note=note,
            value=new, old=old, grad=g, why=why, tree=tree,
        )
