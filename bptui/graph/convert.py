"""A layered scenario as its computational graph: the bridge between the two ways of teaching.

Every weighted sum, activation and loss term of one sample becomes a line of an expression
(``net_h1 = w1*i1 + w2*i2 + b1``, ``out_h1 = sigmoid(net_h1)``, ``E_o1 = 0.5*(target_o1 -
out_o1)**2``, ``E_total = E_o1 + E_o2``); the result goes through the same reader as a file,
so the graph has the same numbers as the layered walkthrough: ``E_total`` is the loss, the
leaves' gradients are ∂E/∂w, and training is the same gradient descent (one sample).
"""

from __future__ import annotations

import re

from bptui.errors import BptuiError
from bptui.graph.model import GraphScenario
from bptui.graph.ops import FUNCTIONS
from bptui.i18n import _

_ACTIVATION = {
    "sigmoid": "sigmoid({net})", "tanh": "tanh({net})", "relu": "relu({net})",
    "linear": "{net}",
}
_LOSS = {
    "half_sse": "0.5 * ({t} - {out}) ** 2",
    "sse": "({t} - {out}) ** 2",
    "mse": "({t} - {out}) ** 2 / {n}",
    "binary_cross_entropy": "-({t} * log({out}) + (1 - {t}) * log(1 - {out}))",
    "cross_entropy": "-({t} * log({out}))",
}


def _ident(name: str, taken: set[str]) -> str:
    """A name usable in an expression: W1[1,2] -> W1_1_2; never a function's name."""
    out = re.sub(r"\W+", "_", name).strip("_") or "v"
    if out[0].isdigit():
        out = "v" + out
    while out in FUNCTIONS or out in taken:
        out += "_"
    taken.add(out)
    return out


def from_layered(scenario, sample: int = 1) -> GraphScenario:
    """The computational graph of ``scenario``'s loss on one sample (1-based)."""
    from bptui.graph.load import read

    s = scenario
    if not s.unit_by_unit:
        raise BptuiError(_("--graph: {name} has a layer of more than 12 units; its graph would "
                           "be too large to follow node by node", name=s.name))
    for la in s.layers:
        if la.activation not in _ACTIVATION and la.activation != "softmax":
            raise BptuiError(_("--graph: the activation '{name}' has no graph form yet",
                               name=la.activation))
    if s.loss not in _LOSS:
        raise BptuiError(_("--graph: the loss '{name}' has no graph form yet", name=s.loss))
    taken: set[str] = set()
    values: dict[str, float] = {}
    train: list[str] = []
    lines: list[str] = []
    x, t = s.inputs[sample - 1], s.targets[sample - 1]
    prev = []
    for i, name in enumerate(s.input_names):
        leaf = _ident(name, taken)
        values[leaf] = float(x[i])
        prev.append(leaf)
    for n, la in enumerate(s.layers, start=1):
        bias_leaves: list[str] = []
        if la.bias is not None:
            for j in range(la.bias.size):
                leaf = _ident(la.bias_name(j, n), taken)
                values[leaf] = float(la.bias[j])
                bias_leaves.append(leaf)
                if la.train_bias:
                    train.append(leaf)
        nets, outs = [], []
        for j, unit in enumerate(la.names):
            terms = []
            for i in range(la.inputs):
                leaf = _ident(la.weight_name(j, i, n), taken)
                values[leaf] = float(la.weights[j, i])
                train.append(leaf)
                terms.append(f"{leaf}*{prev[i]}")
            if bias_leaves:
                terms.append(bias_leaves[0 if len(bias_leaves) == 1 else j])
            net = _ident(f"net_{unit}", taken)
            lines.append(f"{net} = " + " + ".join(terms))
            nets.append(net)
        if la.activation == "softmax":
            exps = [_ident(f"exp_{u}", taken) for u in la.names]
            lines += [f"{e} = exp({net})" for e, net in zip(exps, nets, strict=True)]
            total = _ident(f"sum_{n}", taken)
            lines.append(f"{total} = " + " + ".join(exps))
            for e, unit in zip(exps, la.names, strict=True):
                out = _ident(f"out_{unit}", taken)
                lines.append(f"{out} = {e} / {total}")
                outs.append(out)
        else:
            for net, unit in zip(nets, la.names, strict=True):
                out = _ident(f"out_{unit}", taken)
                lines.append(f"{out} = " + _ACTIVATION[la.activation].format(net=net))
                outs.append(out)
        prev = outs
    terms = []
    n_out = s.layers[-1].size
    for k, unit in enumerate(s.layers[-1].names):
        target = _ident(f"target_{unit}", taken)
        values[target] = float(t[k])
        e = _ident(f"E_{unit}", taken)
        lines.append(f"{e} = " + _LOSS[s.loss].format(t=target, out=prev[k], n=n_out))
        terms.append(e)
    lines.append(f"{_ident('E_total', taken)} = " + " + ".join(terms))
    note = (f"The layered scenario {s.name} as its computational graph, sample {sample} of "
            f"{s.samples}: the output E_total is that sample's loss, so each leaf's gradient "
            "is ∂E/∂(leaf) and training is gradient descent on that one sample.")
    doc = {
        "title": f"{s.title} (as a computational graph)", "source": s.source,
        "notes": note + "\n" + s.notes,
        # the Chinese twins (shown when the language is Chinese), as a built-in's file has them
        "title_zh": f"{s.title_zh or s.title}（计算图）",
        "notes_zh": (f"分层场景 {s.name} 表示为计算图，取 {s.samples} 个样本中的样本 {sample}："
                     "输出 E_total 就是这个样本的损失，所以每个叶子的梯度是 ∂E/∂(叶子)，训练就是"
                     "在这一个样本上做梯度下降。\n" + (s.notes_zh or s.notes)),
        "graph": {"values": values, "expression": "\n".join(lines)},
        "training": {"learning_rate": s.learning_rate, "epochs": s.epochs, "train": train},
    }
    return read(doc, "", file=f"{s.path} --graph", name=s.name)
