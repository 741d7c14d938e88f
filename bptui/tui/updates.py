"""The updates panel: every trained parameter, old, gradient, new and change."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from bptui.events import Event
from bptui.i18n import _
from bptui.notation import fmt
from bptui.tui.panel import Body
from bptui.tui.text import (
    CURRENT,
    HEADING,
    LABEL,
    MARK,
    NO_MARK,
    TABLE_DIGITS,
    ljust,
    norm,
    rjust,
    wrap_cells,
)
from bptui.tui.view import View

#: Separates a row's cells until :func:`_fit_columns` lays them out (never in a number).
CELL = "\t"
#: Starts a number cell, whose digits :func:`_fit_columns` chooses (the number follows, exact).
NUMBER = "\x00"


def _num(x: float | None) -> str:
    """A number cell; its digits and width are set by :func:`_fit_columns` (a fixed width
    cut a 16-character number such as -0.0008833873178 into the next column)."""
    return CELL + ("·" if x is None else NUMBER + repr(float(x)))


def _cell(text: str) -> str:
    return CELL + text


class UpdatesBody(Body):
    def build(self, view: View, width: int) -> Text:
        s = view.scenario
        if getattr(s, "is_graph", False):
            return self._graph(view, width)
        eta = fmt(s.learning_rate)
        grad_word = "∂E/∂w" if s.mode == "sample" else (
            "Σ_s ∂E_s/∂w" if s.reduction == "sum" else "(1/N) Σ_s ∂E_s/∂w")
        head = [(_("w⁺ = w - η · {grad}    with η = {eta}", grad=grad_word, eta=eta), HEADING)]
        if s.mode == "batch":
            head.append((_("one update per epoch, from the whole batch's gradient"), LABEL))
        self._row_refs: list[tuple | None] = []
        rows = self._units(view) if s.unit_by_unit else self._layers(view)
        rows = _fit_columns(rows, width)
        head = [(part, style) for line, style in head for part in _wrapped(line, width)]
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, (line, style) in enumerate(head + rows):
            if n:
                out.append("\n")
            out.append(line, style=style or None)
        # what each line is, for picking it (provenance): headings and column names are None
        self.refs = [None] * (len(head) + len(rows) - len(self._row_refs)) + self._row_refs
        return out

    def _graph(self, view: View, width: int) -> Text:
        """A computational graph: each trained leaf, old, gradient, new and change; a graph
        without [training] says that nothing is updated."""
        s = view.scenario
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        if not s.trained or not s.train:
            out.append(_("nothing is updated (no [training] table)"), style=LABEL)
            self.refs = [None]
            return out
        grad_word = f"∂{s.output}/∂leaf"
        rows = [(_("leaf⁺ = leaf - η · {grad}    with η = {eta}", grad=grad_word,
                   eta=fmt(s.learning_rate)), HEADING)]
        name_w = max([5, cell_len(_("leaf"))] + [len(k) for k in s.train]) + 1
        rows.append((NO_MARK + ljust(_("leaf"), name_w) + _cell(_("old")) + _cell(_("gradient"))
                     + _cell(_("new")) + _cell(_("change")), LABEL))
        updates = {e.node: e for e in view.events if e.kind == "update"}
        grads = {e.node: e for e in view.events if e.kind == "grad"}
        self.refs = [None, None]
        for leaf in s.train:
            self.refs.append(("data", leaf, None))
            e = updates.get(leaf)
            if e is not None:
                here = e is view.event
                old, grad, new = float(e.old), float(e.grad), float(e.value)
                tail = (_cell("?") * 2 if here and view.hidden
                        else _num(new) + _num(new - old))
                rows.append(((MARK if here else NO_MARK) + leaf.ljust(name_w) + _num(old)
                             + _num(grad) + tail, CURRENT if here else ""))
                continue
            g = grads.get(leaf)
            gtext = (_cell("?") if g is not None and g is view.event and view.hidden
                     else _num(None if g is None else float(g.value)))
            rows.append((NO_MARK + leaf.ljust(name_w) + _num(view.params.values[leaf]) + gtext
                         + _num(None) + _num(None), ""))
        rows = [(part, HEADING) for part in _wrapped(rows[0][0], width)] + _fit_columns(
            rows[1:], width)
        self.refs = [None] * (len(rows) - len(s.train)) + self.refs[2:]
        for n, (line, style) in enumerate(rows):
            if n:
                out.append("\n")
            out.append(line, style=style or None)
        return out

    def _current_block(self, view: View) -> list[Event]:
        """Events since the current sample started (the whole epoch in batch mode)."""
        if view.scenario.mode == "batch":
            return list(view.events)
        return view.sample_events()

    def _units(self, view: View) -> list[tuple[str, str]]:
        s = view.scenario
        block = self._current_block(view)
        updates = {e.param: e for e in block if e.kind == "update" and e.param is not None}
        grads = {e.param: e for e in block if e.kind == "grad" and e.param is not None}
        names = []
        for lay, layer in enumerate(s.layers, start=1):
            for j in range(layer.size):
                for i in range(layer.inputs):
                    names.append((lay, "weight", j, i, layer.weight_name(j, i, lay)))
            if layer.bias is not None and layer.train_bias:
                for j in range(layer.bias.size):
                    names.append((lay, "bias", j, 0, layer.bias_name(j, lay)))
        name_w = max([5] + [len(n[-1]) for n in names]) + 1
        rows = [(NO_MARK + ljust(_("param"), name_w) + _cell(_("old")) + _cell(_("gradient"))
                 + _cell(_("new")) + _cell(_("change")), LABEL)]
        self._name_w = name_w
        for lay, kind, j, i, name in names:
            self._row_refs.append(("param", lay, kind, j, i, name))
            ref = next((r for r in updates if (r.layer, r.kind, r.row, r.col) == (lay, kind, j, i)),
                       None)
            if ref is not None:
                e = updates[ref]
                here = e is view.event
                old, grad, new = float(e.old), float(e.grad), float(e.value)
                if here and view.hidden:  # quiz: the new value is the question
                    line = (name.ljust(name_w) + _num(old) + _num(grad) + _cell("?")
                            + _cell("?"))
                else:
                    line = (name.ljust(name_w) + _num(old) + _num(grad) + _num(new)
                            + _num(new - old))
                rows.append(((MARK if here else NO_MARK) + line, CURRENT if here else ""))
                continue
            gref = next((r for r in grads if (r.layer, r.kind, r.row, r.col) == (lay, kind, j, i)),
                        None)
            grad = float(grads[gref].value) if gref is not None and s.mode == "sample" else None
            old = view.params.value(lay, kind, j, i)
            gtext = _num(grad)
            if view.hidden and gref is not None and grads[gref] is view.event:
                gtext = _cell("?")  # quiz: this gradient is the question
            rows.append((NO_MARK + name.ljust(name_w) + _num(old) + gtext + _num(None)
                         + _num(None), ""))
        return rows

    def _layers(self, view: View) -> list[tuple[str, str]]:
        s = view.scenario
        updates = {e.symbol: e for e in self._current_block(view) if e.kind == "update"}
        rows = [(_("norms ‖·‖ of each matrix"), LABEL),
                (NO_MARK + ljust(_("param"), 6) + _cell(_("‖old‖")) + _cell(_("‖gradient‖"))
                 + _cell(_("‖new‖")) + _cell(_("‖change‖")), LABEL)]
        for lay, layer in enumerate(s.layers, start=1):
            kinds = [("W", view.params.weights[lay - 1])]
            if layer.bias is not None and layer.train_bias:
                kinds.append(("b", view.params.biases[lay - 1]))
            for prefix, now in kinds:
                name = f"{prefix}{lay}"
                self._row_refs.append(("param", lay, "weight" if prefix == "W" else "bias",
                                       None, None, name))
                e = updates.get(name + "+")
                if e is None:
                    rows.append((NO_MARK + name.ljust(6) + _num(norm(now)) + _num(None)
                                 + _num(None) + _num(None), ""))
                    continue
                here = e is view.event
                old, new = np.asarray(e.old), np.asarray(e.value)
                rows.append(((MARK if here else NO_MARK) + name.ljust(6) + _num(norm(old))
                             + _num(norm(e.grad)) + _num(norm(new)) + _num(norm(new - old)),
                             CURRENT if here else ""))
        return rows



def _wrapped(line: str, width: int) -> list[str]:
    """A heading as it is, or in lines of ``width`` cells when it is wider."""
    return [line] if cell_len(line) <= width else wrap_cells(line, width)


def _fit_columns(rows: list[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    """The number columns each as wide as their widest entry (header included) plus one
    space, so that no number and no column name is ever cut, with the most significant
    digits (:data:`TABLE_DIGITS`) with which the table fits ``width``. A row's cells follow
    its name, each after :data:`CELL`; a row without cells (a heading) is kept as it is.
    Widths are in terminal cells: a Chinese column name takes two cells a character."""
    for digits in TABLE_DIGITS:
        split = [[fmt(float(p[1:]), digits) if p[:1] == NUMBER else p
                  for p in line.split(CELL)] for line, _style in rows]
        n = max(len(parts) - 1 for parts in split)
        widths = [max([cell_len(p[k + 1]) for p in split if len(p) > k + 1] + [0]) + 1
                  for k in range(n)]
        widest = max(cell_len(p[0]) + sum(widths) for p in split if len(p) > 1)
        if widest <= width:
            break
    out = []
    for (_line, style), parts in zip(rows, split, strict=True):
        out.append((parts[0] + "".join(rjust(v, w) for v, w in zip(parts[1:], widths,
                                                                   strict=False)), style))
    return out
