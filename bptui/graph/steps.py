"""The sub-steps of a graph's epoch as events: forward node by node, backward edge by edge.

Forward: one ``node`` step per node. Backward, from the output down, for each node in turn:
its total gradient (``grad``: the SUM of the shares of its uses), then for each edge into it
the local derivative (``local``) and the share it passes down (``chain``); a leaf's ``grad``
step comes as soon as its last use has passed its share. Then one ``update`` per trained
leaf. Every equation, substituted equation and ``uses`` is rendered from the step's tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bptui.events import Event, Why, because
from bptui.graph import engine
from bptui.graph.mistakes import MISTAKES, GraphMistake
from bptui.graph.model import GraphScenario, Use
from bptui.graph.ops import OPERATIONS, node_tree
from bptui.graph.tree import Num, Op, Sum, Sym, Tree, symbols, text
from bptui.i18n import N_

#: The kinds of step a graph makes (the layered ones are in bptui.events.KINDS).
GRAPH_KINDS = ("node", "local", "chain", "grad", "update")


# ----------------------------------------------------------------------------- symbols


def grad_symbol(graph: GraphScenario, name: str) -> str:
    return f"d{graph.output}/d{name}"


def local_symbol(graph: GraphScenario, use: Use) -> str:
    """``dn2/dn1``; ``dn1/da.2`` for a's second slot in n1; ``dL/dn2|local`` into the output
    (where ``dL/dn2`` is already the name of n2's total gradient)."""
    extra = "" if use.tag == use.consumer else f".{use.slot + 1}"
    if use.consumer == graph.output:
        extra += "|local"
    return f"d{use.consumer}/d{use.name}{extra}"


def share_symbol(graph: GraphScenario, use: Use) -> str:
    return f"d{graph.output}/d{use.name}|{use.tag}"


_D = re.compile(r"^d([^/]+)/d([^|]+?)(?:\|(.+))?$")


def show(symbol: str) -> str:
    """The Unicode form of an ASCII symbol: dL/da|n1 -> ∂L/∂a|via n1, a+ -> a⁺, eta -> η."""
    if symbol == "eta":
        return "η"
    m = _D.match(symbol)
    if m:
        via = m.group(3)
        if via is None:
            return f"∂{m.group(1)}/∂{m.group(2)}"
        if via == "local":
            return f"∂{m.group(1)}/∂{m.group(2)} (local)"
        if via.startswith("epoch "):
            return f"∂{m.group(1)}/∂{m.group(2)}|left from {via}"
        return f"∂{m.group(1)}/∂{m.group(2)}|via {via}"
    if symbol.endswith("+"):
        return symbol[:-1] + "⁺"
    return symbol


# ----------------------------------------------------------------------------- building


@dataclass
class EpochResult:
    events: list[Event]
    params: engine.GraphParams


class _Builder:
    def __init__(self, graph: GraphScenario, epoch: int, mistake: GraphMistake | None) -> None:
        self.g = graph
        self.epoch = epoch
        self.mistake = mistake
        self.position = 0

    def event(self, lhs: str, tree: Tree, **kw) -> Event:
        value = float(kw.pop("value")) if "value" in kw else _eval(tree)
        if isinstance(kw.get("why"), Why):  # the English text for --trace, the message beside
            kw["why_msg"], kw["why"] = kw["why"], str(kw["why"])
        ev = Event(
            position=self.position, epoch=self.epoch, sample=None, layer=0, unit=None,
            param=None, symbol=lhs, equation=f"{show(lhs)} = {text(tree, show=show)}",
            substituted=f"{show(lhs)} = {text(tree, numbers=True)}", value=value,
            uses=symbols(tree), tree=tree, **kw,
        )
        self.position += 1
        return ev

    def run(self, params: engine.GraphParams) -> tuple[list[Event], engine.GraphParams]:
        g = self.g
        values = engine.forward(g, params.values)
        bw = engine.backward(g, values, self.mistake, params.grads)
        events = list(self.forward(values))
        events += list(self.backward(values, bw, params.grads))
        new = engine.update(g, params, bw) if g.trained else _kept(g, params, bw)
        if g.trained:
            events += list(self.updates(params, bw))
        return events, new

    def sym(self, name: str, values) -> Sym:
        return Sym(name, values[name])

    def arg_trees(self, node, values) -> list[Tree]:
        return [Sym(i, values[i]) if isinstance(i, str) else Num(float(i)) for i in node.inputs]

    def forward(self, values) -> Iterator[Event]:
        for node in self.g.nodes:
            op = OPERATIONS[node.op]
            tree = node_tree(node.op, self.arg_trees(node, values))
            why = (because(N_("{why} (staged from a compound line)"), why=Why(op.why))
                   if node.staged else op.why)
            yield self.event(node.name, tree, value=values[node.name], phase="forward",
                             kind="node", node=node.name, why=why)

    def backward(self, values, bw: engine.Backward, carried) -> Iterator[Event]:
        g = self.g
        pending = {leaf: len(g.uses(leaf)) for leaf in g.leaves}
        for node in reversed(g.nodes):
            yield self.grad_event(node.name, values, bw, carried)
            op = OPERATIONS[node.op]
            args = self.arg_trees(node, values)
            out = Sym(node.name, values[node.name])
            done: list[str] = []
            for use in (u for i in dict.fromkeys(x for x in node.inputs if isinstance(x, str))
                        for u in g.uses(i) if u.consumer == node.name):
                key = (node.name, use.slot)
                override = (self.mistake.local(node.op, use.slot)
                            if self.mistake is not None and self.mistake.local else None)
                if override is not None:
                    rule, why = override.tree(args, out), override.why
                else:
                    rule, why = op.local_rule[use.slot](args, out), op.why_local[use.slot]
                yield self.event(local_symbol(g, use), rule, value=bw.local[key], phase="backward",
                                 kind="local", node=use.name, via=use.tag, why=why)
                chain = Op("*", (Sym(grad_symbol(g, node.name), bw.grads[node.name]),
                                 Sym(local_symbol(g, use), bw.local[key])))
                yield self.event(
                    share_symbol(g, use), chain, value=bw.share[key], phase="backward",
                    kind="chain", node=use.name, via=use.tag,
                    why=because(N_("the chain rule: what {node}'s gradient sends to {name} "
                                   "through this use is ∂{output}/∂{node} times the local "
                                   "derivative"), node=node.name, name=use.name, output=g.output))
                if use.name in pending:
                    pending[use.name] -= 1
                    if pending[use.name] == 0:
                        done.append(use.name)
            for leaf in done:
                yield self.grad_event(leaf, values, bw, carried)

    def grad_event(self, name: str, values, bw: engine.Backward, carried) -> Event:
        g = self.g
        sym = grad_symbol(g, name)
        if name == g.output:
            return self.event(sym, Num(1.0), value=1.0, phase="backward", kind="grad",
                              node=name, why=because(N_("the backward pass starts at the "
                              "output: ∂{name}/∂{name} = 1 (micrograd's o.grad = 1.0)"), name=name))
        uses = g.uses(name)
        shares = [Sym(share_symbol(g, u), bw.share[(u.consumer, u.slot)]) for u in uses]
        m = self.mistake
        why: Why | str = (
            because(N_("{name} is used {n} times: its gradient is the SUM of the shares of "
                       "every use (micrograd's +=)"), name=name, n=len(uses)) if len(uses) > 1
            else because(N_("{name} is used once, so its gradient is that use's share"),
                         name=name))
        if not uses:
            why = because(N_("{name} does not feed the output"), name=name)
        terms: list[Tree] = shares
        if m is not None and m.combine is not None and len(shares) > 1:
            terms = [shares[-1]]
            why = m.why_grad
        if m is not None and m.keeps_grads and name in g.leaves and self.epoch > 1:
            terms = [Sym(f"{sym}|epoch {self.epoch - 1}", carried.get(name, 0.0)), *terms]
            why = m.why_grad
        tree: Tree = Num(0.0) if not terms else terms[0] if len(terms) == 1 else Sum(tuple(terms))
        return self.event(sym, tree, value=bw.grads[name], phase="backward", kind="grad",
                          node=name, why=why)

    def updates(self, params: engine.GraphParams, bw: engine.Backward) -> Iterator[Event]:
        g = self.g
        lr = g.learning_rate or 0.0
        for leaf in g.train:
            old, grad = params.values[leaf], bw.grads[leaf]
            tree = Op("-", (Sym(leaf, old), Op("*", (Sym("eta", lr),
                                                     Sym(grad_symbol(g, leaf), grad)))))
            yield self.event(f"{leaf}+", tree, value=old - lr * grad, phase="update",
                             kind="update", node=leaf, old=old, grad=grad,
                             why=N_("gradient descent: a step against the gradient lowers "
                                    "the output"))


def _kept(g: GraphScenario, params: engine.GraphParams, bw: engine.Backward):
    new = params.copy()
    new.grads = {k: bw.grads[k] for k in g.leaves}
    return new


def _eval(tree: Tree) -> float:
    from bptui.graph.tree import evaluate

    return evaluate(tree)


def epoch_events(
    graph: GraphScenario, params: engine.GraphParams, epoch: int, mistake: str | None = None
) -> EpochResult:
    """Every step of ``epoch`` from ``params`` (not modified), as the layered epoch_events.

    With a mistake on, each step that differs from correct backprop (from the same start,
    gradients zeroed) carries the correct equation and value.
    """
    m = MISTAKES[mistake] if mistake is not None else None
    events, new = _Builder(graph, epoch, m).run(params)
    if m is None:
        return EpochResult(events, new)
    clean = params.copy()
    clean.grads = {k: 0.0 for k in clean.grads}
    right = {ev.symbol: ev for ev in _Builder(graph, epoch, None).run(clean)[0]}
    out = []
    for ev in events:
        twin = right.get(ev.symbol)
        if twin is None or (twin.equation == ev.equation and twin.value == ev.value):
            out.append(ev)
        else:
            out.append(replace(ev, mistake=mistake, correct_equation=twin.equation,
                               correct_value=twin.value))
    return EpochResult(out, new)


def iter_epochs(graph: GraphScenario, epochs: int, mistake: str | None = None) -> Iterator[Event]:
    params = engine.GraphParams.initial(graph)
    for e in range(1, epochs + 1):
        result = epoch_events(graph, params, e, mistake)
        yield from result.events
        params = result.params


def apply_updates(start: engine.GraphParams, events) -> engine.GraphParams:
    """``start`` with the values of the update steps among ``events`` written in (cursor)."""
    p = start.copy()
    for ev in events:
        if ev.kind == "update" and ev.node is not None:
            p.values[ev.node] = float(ev.value)
    return p
