"""A layered scenario as its computational graph: the bridge between the two ways of teaching.

Every weighted sum, activation and loss term of a sample becomes a line of an expression
(``net_h1 = w1*i1 + w2*i2 + b1``, ``out_h1 = sigmoid(net_h1)``, ``E_o1 = 0.5*(target_o1 -
out_o1)**2``, ``E_total = E_o1 + E_o2``); the result goes through the same reader as a file,
so the graph has the same numbers as the layered walkthrough.

Which loss the graph is, decided by what the layered engine differentiates in its first epoch:

- one sample: that sample's loss ``E_total``;
- a batch (``mode = "batch"``): the loss of the whole batch, ``E_batch`` = the sum (or mean, as
  the scenario's loss says) of every sample's ``E_total``, each sample's nodes suffixed
  ``_s1``, ``_s2``, ...; every weight is ONE leaf used by every sample, so its gradient is the
  sum over the samples (the graph's lesson, and the batch gradient exactly), and training is
  the same batch gradient descent;
- samples one at a time (``mode = "sample"``): the layered network is updated after every
  sample, so no single graph is its epoch; the graph is sample 1's loss, whose gradients are
  the first epoch's first ∂E/∂w, and the title, notes and every command say so;
- a batch whose graph would have more than :data:`MAX_NODES` nodes: sample 1, saying why.
"""

from __future__ import annotations

import re

from bptui.errors import BptuiError
from bptui.events import Why
from bptui.graph.model import GraphScenario
from bptui.graph.ops import FUNCTIONS
from bptui.i18n import N_, _

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


#: More nodes than this is more than a learner can follow node by node: a batch's graph that
#: would be larger shows sample 1 and says so (4 samples of a 2-3-2 network fit).
MAX_NODES = 200


def from_layered(scenario) -> GraphScenario:
    """The computational graph of ``scenario``'s loss: the whole batch's, or one sample's
    (``extra["shown"]`` then says which and why)."""
    s = scenario
    _check(s)
    first = _build(s, [1], note=None)
    if s.samples == 1:
        return first
    if s.mode == "batch":
        estimate = s.samples * (len(first.nodes) + 1)
        if estimate <= MAX_NODES:
            return _build(s, list(range(1, s.samples + 1)), note=None)
        why = Why(TOO_BIG, (("samples", s.samples), ("nodes", estimate), ("most", MAX_NODES)))
    else:
        why = Why(ONE_AT_A_TIME)
    return _build(s, [1], note=why)


TOO_BIG = N_("the graph of all {samples} samples' loss would have about {nodes} nodes, more "
             "than can be followed node by node (at most {most})")
ONE_AT_A_TIME = N_("the network is updated after every sample (mode = \"sample\"), so each "
                   "sample's loss is a graph of its own; sample 1's gradients are the first "
                   "epoch's first ∂E/∂w, and training this graph is gradient descent on "
                   "sample 1 alone")


def shown_note(graph: GraphScenario) -> str | None:
    """For a layered scenario's graph of one sample out of several: which sample, and why
    (None for every other graph). Every command and the screen show it."""
    why = graph.extra.get("shown")
    if why is None:
        return None
    return _("--graph shows sample 1 of {samples}: {why}", samples=graph.extra["samples"],
             why=why.text())


def _check(s) -> None:
    if not s.unit_by_unit:
        raise BptuiError(_("--graph: {name} has a layer of more than 12 units; its graph would "
                           "be too large to follow node by node", name=s.name))
    for la in s.layers:
        if la.activation not in _ACTIVATION and la.activation != "softmax":
            raise BptuiError(_("--graph: the activation '{name}' has no graph form yet",
                               name=la.activation))
    if s.loss not in _LOSS:
        raise BptuiError(_("--graph: the loss '{name}' has no graph form yet", name=s.loss))


def _build(s, samples: list[int], note: Why | None) -> GraphScenario:
    """The graph of the loss of ``samples`` (1-based): one sample's E_total, or E_batch."""
    from bptui.graph.load import read

    taken: set[str] = set()
    values: dict[str, float] = {}
    train: list[str] = []
    lines: list[str] = []
    weights: list[dict] = []  # per layer: (j, i) -> leaf, "bias" -> [leaves]
    names: dict[str, str] = {}  # a parameter's layered name -> its leaf (W1[1,2] -> W1_1_2)
    for n, la in enumerate(s.layers, start=1):  # the parameters: one leaf each, shared
        leaves: dict = {"bias": []}
        if la.bias is not None:
            for j in range(la.bias.size):
                leaf = names[la.bias_name(j, n)] = _ident(la.bias_name(j, n), taken)
                values[leaf] = float(la.bias[j])
                leaves["bias"].append(leaf)
                if la.train_bias:
                    train.append(leaf)
        for j in range(la.size):
            for i in range(la.inputs):
                leaf = names[la.weight_name(j, i, n)] = _ident(la.weight_name(j, i, n), taken)
                values[leaf] = float(la.weights[j, i])
                train.append(leaf)
                leaves[(j, i)] = leaf
        weights.append(leaves)
    inputs: dict[str, float] = {}
    targets: dict[str, float] = {}
    totals = [_sample_lines(s, k, "" if len(samples) == 1 else f"_s{k}", weights, taken,
                            (inputs, targets), lines) for k in samples]
    if len(samples) > 1:
        rhs = " + ".join(totals)
        if s.reduction == "mean":
            rhs = f"({rhs}) / {len(samples)}"
        lines.append(f"{_ident('E_batch', taken)} = {rhs}")
    order = {**inputs, **values, **targets}  # as the layered walkthrough: x, w, target
    if len(samples) > 1:
        what = (f"all {s.samples} samples in one batch: the output E_batch is the "
                f"{'mean' if s.reduction == 'mean' else 'sum'} of every sample's loss "
                "E_total, each weight is one leaf used by every sample (its gradient adds up "
                "over the samples: the batch gradient), and training is the same batch "
                "gradient descent")
        title, title_zh = (f"{s.title} (as a computational graph of all {s.samples} samples)",
                           f"{s.title_zh or s.title}（计算图，全部 {s.samples} 个样本）")
        what_zh = (f"全部 {s.samples} 个样本作为一个批次：输出 E_batch 是每个样本的损失 E_total 的"
                   f"{'平均' if s.reduction == 'mean' else '总和'}，每个权重是所有样本共用的一个"
                   "叶子（它的梯度是各样本贡献之和，也就是批量梯度），训练就是同样的批量梯度下降")
    elif s.samples == 1:
        what = ("the output E_total is its loss, so each leaf's gradient is ∂E/∂(leaf) and "
                "training is the same gradient descent")
        title, title_zh = f"{s.title} (as a computational graph)", f"{s.title_zh or s.title}（计算图）"
        what_zh = "输出 E_total 就是它的损失，所以每个叶子的梯度是 ∂E/∂(叶子)，训练就是同样的梯度下降"
    else:
        what = (f"sample 1 of {s.samples} only: the output E_total is that sample's loss, so "
                "each leaf's gradient is ∂E/∂(leaf) of sample 1")
        title = f"{s.title} (as a computational graph: sample 1 of {s.samples})"
        title_zh = f"{s.title_zh or s.title}（计算图：第 1 个样本，共 {s.samples} 个）"
        what_zh = (f"只取 {s.samples} 个样本中的样本 1：输出 E_total 是这个样本的损失，所以每个叶子"
                   "的梯度是样本 1 的 ∂E/∂(叶子)")
    notes = f"The layered scenario {s.name} as its computational graph, {what}."
    if note is not None:
        notes += f" Why one sample: {note}."  # English, as a scenario's notes
    doc = {
        "title": title, "source": s.source,
        "notes": notes + "\n" + s.notes,
        "graph": {"values": order, "expression": "\n".join(lines)},
        "training": {"learning_rate": s.learning_rate, "epochs": s.epochs, "train": train},
    }
    # the Chinese twins (shown when the language is Chinese), as a built-in's file has them
    doc["title_zh"] = title_zh
    notes_zh = f"分层场景 {s.name} 表示为计算图，{what_zh}。"
    if note is not None:
        notes_zh += f"为什么只取一个样本：{note.text()}。"
    doc["notes_zh"] = notes_zh + "\n" + (s.notes_zh or s.notes)
    graph = read(doc, "", file=f"{s.path} --graph", name=s.name)
    graph.extra["from_layered"] = True
    graph.extra["samples"] = s.samples
    graph.extra["shown"] = note
    graph.extra["leaf_of"] = names
    return graph


def _sample_lines(s, k: int, suffix: str, weights: list[dict], taken: set[str],
                  data: tuple[dict[str, float], dict[str, float]], lines: list[str]) -> str:
    """Sample ``k``'s lines (its names end in ``suffix``), its inputs and targets into
    ``data``; the name of its E_total."""
    x, t = s.inputs[k - 1], s.targets[k - 1]
    prev = []
    for i, name in enumerate(s.input_names):
        leaf = _ident(name + suffix, taken)
        data[0][leaf] = float(x[i])
        prev.append(leaf)
    for n, la in enumerate(s.layers, start=1):
        leaves = weights[n - 1]
        nets, outs = [], []
        for j, unit in enumerate(la.names):
            terms = [f"{leaves[(j, i)]}*{prev[i]}" for i in range(la.inputs)]
            if leaves["bias"]:
                terms.append(leaves["bias"][0 if len(leaves["bias"]) == 1 else j])
            net = _ident(f"net_{unit}{suffix}", taken)
            lines.append(f"{net} = " + " + ".join(terms))
            nets.append(net)
        if la.activation == "softmax":
            exps = [_ident(f"exp_{u}{suffix}", taken) for u in la.names]
            lines += [f"{e} = exp({net})" for e, net in zip(exps, nets, strict=True)]
            total = _ident(f"sum_{n}{suffix}", taken)
            lines.append(f"{total} = " + " + ".join(exps))
            for e, unit in zip(exps, la.names, strict=True):
                out = _ident(f"out_{unit}{suffix}", taken)
                lines.append(f"{out} = {e} / {total}")
                outs.append(out)
        else:
            for net, unit in zip(nets, la.names, strict=True):
                out = _ident(f"out_{unit}{suffix}", taken)
                lines.append(f"{out} = " + _ACTIVATION[la.activation].format(net=net))
                outs.append(out)
        prev = outs
    terms = []
    n_out = s.layers[-1].size
    for j, unit in enumerate(s.layers[-1].names):
        target = _ident(f"target_{unit}{suffix}", taken)
        data[1][target] = float(t[j])
        e = _ident(f"E_{unit}{suffix}", taken)
        lines.append(f"{e} = " + _LOSS[s.loss].format(t=target, out=prev[j], n=n_out))
        terms.append(e)
    total = _ident(f"E_total{suffix}", taken)
    lines.append(f"{total} = " + " + ".join(terms))
    return total
