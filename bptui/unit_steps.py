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
from bptui.expr import Node, Num, Op, Sum, call, mul, sub
from bptui.i18n import N_
from bptui.losses import LOSSES
from bptui.notation import fmt_term
from bptui.steps import Context, sym

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
        symbol=net, lhs=net, value=fw.nets[lay][j],
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
            symbol=out, lhs=out, value=fw.outs[lay][j], why=because(act.out_why, unit=unit),
            tree=Op("/", (call("exp", sym(net, fw.nets[lay][j])), Sum(tuple(
                call("exp", sym(n, v)) for n, v in zip(nets, fw.nets[lay], strict=True))))),
        )
    return ctx.event(
        sample=sample, phase="forward", kind="out", layer=lay, unit=j, param=None,
        symbol=out, lhs=out, bare=True, value=fw.outs[lay][j],
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
        rule = loss.term_rule.format(t=f"target_{unit}", out=f"out_{unit}", n=n_out)
        nums = loss.term_rule.format(t=fmt_term(t[k]), out=fmt_term(fw.outs[-1][k]), n=n_out)
        yield ctx.event(
            sample=sample, phase="loss", kind="loss", layer=ctx.n, unit=k, param=None,
            symbol=e, equation=f"{e} = {rule}", substituted=f"{e} = {nums}",
            value=terms[k],
            why=because(N_("{e} measures how far {unit}'s output is from its target "
                           "({loss}: {description})"), e=e, unit=unit, loss=loss.name,
                        description=because(loss.description)),
            tree=loss.term_tree(sym(f"target_{unit}", t[k]), sym(f"out_{unit}", fw.outs[-1][k]),
                                n_out),
        )
    yield ctx.event(
        sample=sample, phase="loss", kind="loss", layer=ctx.n, unit=None, param=None,
        symbol="E_total", lhs="E_total", value=float(terms.sum()),
        why=N_("the error of this sample adds the terms of every output unit"),
        tree=Sum(tuple(sym(e, v) for e, v in zip(names, terms, strict=True))),
    )


def batch_loss_event(ctx: Context, losses: list[float]) -> Event:
    """The epoch's loss in batch mode: the samples' losses summed or averaged."""
    s = ctx.s
    n = len(losses)
    op = "Σ_s E_s" if s.reduction == "sum" else "(1/N) Σ_s E_s"
    value = float(np.sum(losses) if s.reduction == "sum" else np.mean(losses))
    joined = " + ".join(fmt_term(v) for v in losses)
    total = Sum(tuple(sym("E_total", v) for v in losses))
    return ctx.event(
        sample=None, phase="loss", kind="loss", layer=ctx.n, unit=None, param=None,
        symbol="E_batch", equation=f"E_batch = {op}",
        substituted=f"E_batch = {joined}" if s.reduction == "sum"
        else f"E_batch = ({joined}) / {n}",
        value=value,
        why=because(N_("in batch mode the {n} samples' errors are summed before one update")
                    if s.reduction == "sum" else
                    N_("in batch mode the {n} samples' errors are averaged before one update"),
                    n=n),
        tree=total if s.reduction == "sum" else Op("/", (total, Num(float(n)))),
    )


# ----------------------------------------------------------------------------- backward


def output_error_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, t: np.ndarray, k: int,
                       sample: int) -> Event:
    s = ctx.s
    unit = s.layers[-1].names[k]
    loss = LOSSES[s.loss]
    n_out = s.layers[-1].size
    rule, bug = ctx.rules.error_rule(loss)
    why = bug or because(N_("the derivative of {rule} with respect to out"),
                         rule=loss.term_rule.format(t='target', out='out', n=n_out))
    return ctx.event(
        sample=sample, phase="backward", kind="dE_dout", layer=ctx.n, unit=k, param=None,
        symbol=f"dE/dout_{unit}",
        equation=f"∂E/∂out_{unit} = "
        + rule.format(t=f"target_{unit}", out=f"out_{unit}", n=n_out),
        substituted=f"∂E/∂out_{unit} = "
        + rule.format(t=fmt_term(t[k]), out=fmt_term(fw.outs[-1][k]), n=n_out),
        value=bw.err[ctx.n][k], why=why,
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
    terms, tree = [], []
    for k, row, col in ctx.rules.sent_back_terms(nxt.size, j):
        wn = ctx.w_name(lay + 1, row, col)
        d = bw.delta[lay + 1][k]
        terms.append(f"δ_{nxt.names[k]} · {wn}⁺")
        tree.append(mul(sym(f"delta_{nxt.names[k]}", d), sym(wn, w[row, col])))
    feeds_msg = Phrases(tuple(because(N_("{unit} through {w}"), unit=nxt.names[k],
                                      w=ctx.w_name(lay + 1, k, j)) for k in range(nxt.size)))
    if nxt.size == 1:
        why = because(N_("{unit} feeds only {feeds}, so its error is what comes back along "
                         "that weight"), unit=unit, feeds=feeds_msg)
    else:
        why = because(N_("{unit} feeds {feeds}: its error is the SUM of what comes back along "
                         "each"), unit=unit, feeds=feeds_msg)
    why = ctx.rules.sent_back_why(unit, feeds_msg) or why
    chain = ("Σ_k δ_k · w_k," + unit,) if nxt.size > 1 else ()
    # updated weights (inline updates) are marked ⁺ in the rule; the tree keeps the weight's
    # own symbol, so their rule is written out here
    inline_rule = {"equation": " = ".join([f"∂E/∂out_{unit}", *chain, " + ".join(terms)])
                   } if inline else {}
    return ctx.event(
        sample=sample, phase="backward", kind="dE_din", layer=lay, unit=j, param=None,
        symbol=f"dE/dout_{unit}", lhs=f"∂E/∂out_{unit}", chain=chain, **inline_rule,
        value=bw.err[lay][j], why=why, tree=Sum(tuple(tree)),
    )


def slope_event(ctx: Context, fw: bp.Forward, bw: bp.Backward, lay: int, j: int, sample: int
                ) -> Event:
    layer = ctx.s.layers[lay - 1]
    unit = layer.names[j]
    act = ACTIVATIONS[layer.activation]
    rule, bug, _ = ctx.rules.slope_rule(act)
    net, out = fw.nets[lay][j], fw.outs[lay][j]
    return ctx.event(
        sample=sample, phase="backward", kind="dout_dnet", layer=lay, unit=j, param=None,
        symbol=f"dout_{unit}/dnet_{unit}",
        equation=f"∂out_{unit}/∂net_{unit} = "
        + rule.format(out=f"out_{unit}", net=f"net_{unit}"),
        substituted=f"∂out_{unit}/∂net_{unit} = "
        + rule.format(out=fmt_term(out), net=fmt_term(net)),
        value=bw.fprime[lay][j], why=bug or act.why_prime,
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
        chain = f"Σ_j ∂E/∂out_j · ∂out_j/∂net_{unit}"
        why = because(N_("softmax ties every output to every net (∂out_j/∂net_{unit} = "
                         "out_j([j = {unit}] - out_{unit}), where [j = {unit}] is 1 for j = "
                         "{unit}, else 0); multiplied by cross-entropy's -target_j/out_j and "
                         "summed, everything cancels to out - target because the targets sum "
                         "to 1"), unit=unit)
    else:
        chain = f"∂E/∂out_{unit} · ∂out_{unit}/∂net_{unit}"
        why = N_("the sigmoid's slope out(1 - out) cancels the denominator of the "
                 "cross-entropy's derivative, leaving out - target")
    sign, bug = ctx.rules.shortcut_text()
    return ctx.event(
        sample=sample, phase="backward", kind="delta", layer=ctx.n, unit=k, param=None,
        symbol=f"delta_{unit}",
        equation=f"δ_{unit} = ∂E/∂net_{unit} = {chain} = {sign}(out_{unit} - target_{unit})",
        substituted=f"δ_{unit} = {sign}({fmt_term(fw.outs[-1][k])} - {fmt_term(t[k])})",
        value=bw.delta[ctx.n][k], why=bug or why,
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
        symbol=f"delta_{unit}", lhs=f"δ_{unit}", chain=(f"Σ_j ∂E/∂out_j · ∂out_j/∂net_{unit}",),
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
        symbol=f"delta_{unit}",
        lhs=f"δ_{unit}", value=bw.delta[lay][j],
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
    numbers: dict[str, str] = {}
    if (lay == ctx.n and takes_shortcut(ctx)) or not ACTIVATIONS[layer.activation].per_unit:
        chain = f"∂E/∂net_{unit} · ∂net_{unit}/∂{wn}"
    else:
        chain = f"∂E/∂out_{unit} · ∂out_{unit}/∂net_{unit} · ∂net_{unit}/∂{wn}"
        # the numbers expand δ into its two factors (the tree reads δ itself)
        numbers["substituted"] = (f"∂E/∂{wn} = {fmt_term(bw.err[lay][j])} · "
                                  f"{fmt_term(bw.fprime[lay][j])} · "
                                  f"{fmt_term(fw.outs[lay - 1][i])}")
    return ctx.event(
        sample=sample, phase="backward", kind="grad", layer=lay, unit=j,
        param=ParamRef(lay, "weight", j, i), symbol=f"dE/d{wn}", lhs=f"∂E/∂{wn}",
        chain=(chain,), **numbers,
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
            lhs=f"∂E/∂{bn}", chain=("Σ_j δ_j · 1",), value=bw.grad_b[lay][0],
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
        lhs=f"∂E/∂{bn}", chain=(f"δ_{unit} · ∂net_{unit}/∂{bn}",), value=bw.grad_b[lay][j],
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
    grad_word = ctx.rules.batch_grad_word(ctx.s) if summed else "∂E/∂{p}"
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
        if frozen_layer:
            eq, text = f"{name}⁺ = {name}", f"{name}⁺ = {fmt_term(old)}"
            why = ctx.rules.frozen_why(name)
            tree = sym(name, old)
        else:
            eq = f"{name}⁺ = {name} - η · " + grad_word.format(p=name)
            why = because(N_("gradient descent steps against the gradient, scaled by η = {eta}"),
                          eta=ctx.eta)
            if summed:
                total = Sum(tuple(sym("dE/d" + name, v) for v in each))
                grad: Node = total if scale == 1.0 else Op("/", (total, Num(float(n))))
                shown = "(" + " + ".join(fmt_term(v) for v in each) + ")" + (
                    "" if scale == 1.0 else f" / {n}")
                why = because(N_("gradient descent steps against the gradient, scaled by "
                                 "η = {eta}; the gradient is the sum of the {n} samples' "
                                 "gradients") if scale == 1.0 else
                              N_("gradient descent steps against the gradient, scaled by "
                                 "η = {eta}; the gradient is the sum of the {n} samples' "
                                 "gradients, divided by N = {n} for the mean"),
                              eta=ctx.eta, n=n)
            else:
                grad, shown = sym("dE/d" + name, g), fmt_term(g)
            text = f"{name}⁺ = {fmt_term(old)} - {ctx.eta} · {shown}"
            tree = sub(sym(name, old), mul(Num(ctx.lr), grad))
        yield ctx.event(
            sample=sample, phase="update", kind="update", layer=lay,
            unit=ref.row, param=ref, symbol=f"{name}+", equation=eq, substituted=text,
            value=new, old=old, grad=g, why=why, tree=tree,
        )
