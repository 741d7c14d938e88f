"""The network panel: layers as columns of units, or as summary blocks for large layers.

It shows values the events already carry (and the cursor's current parameters); it never
computes anything of backpropagation itself.
"""

from __future__ import annotations

import numpy as np
from rich.text import Text

from bptui.events import Event
from bptui.notation import fmt, pretty, shape_text
from bptui.tui.panel import Body
from bptui.tui.text import CURRENT, HEADING, LABEL, MARK, NO_MARK, heat_strip, stats
from bptui.tui.view import View

ACT = {"sigmoid": "σ", "tanh": "tanh", "relu": "relu", "linear": "linear"}
VALUE_KINDS = ("net", "out", "delta")
KIND_LABEL = {"net": "net", "out": "out", "delta": "δ"}


def focus_unit(ev: Event) -> tuple[int, int] | None:
    """(layer, unit) the current sub-step is about, if it is about one unit."""
    if ev.unit is not None:
        return ev.layer, ev.unit
    if ev.param is not None:
        return ev.param.layer, ev.param.row
    return None


class NetworkBody(Body):
    def build(self, view: View, width: int) -> Text:
        if view.scenario.unit_by_unit:
            return self._units(view, width)
        return self._blocks(view, width)

    # -- unit by unit -----------------------------------------------------------------

    def _unit_cells(self, view: View) -> list[list[list[tuple[str, str]]]]:
        """For each layer (0 = inputs), for each unit, its lines as (text, style)."""
        s = view.scenario
        ev = view.event
        known: dict[str, tuple[float, Event]] = {}
        for e in view.sample_events():
            if not e.is_matrix:
                known[e.symbol] = (float(e.value), e)
        focus = focus_unit(ev)
        k = view.sample
        layers = []
        names0 = s.unit_names(0)
        col0 = []
        for i, name in enumerate(names0):
            mark = MARK if focus == (0, i) else NO_MARK
            val = fmt(s.inputs[k - 1][i]) if k is not None else "·"
            col0.append([(f"{mark}{name} {val}", CURRENT if mark == MARK else "")])
        layers.append(col0)
        for lay, layer in enumerate(s.layers, start=1):
            col = []
            for j, unit in enumerate(layer.names):
                here = focus == (lay, j)
                lines = []
                for q, kind in enumerate(VALUE_KINDS):
                    sym = f"{kind}_{unit}"
                    got = known.get(sym)
                    val = fmt(got[0]) if got else "·"
                    if got is not None and got[1] is ev and view.hidden:
                        val = "?"
                    head = (MARK if here else NO_MARK) + unit if q == 0 else " " * (2 + len(unit))
                    style = CURRENT if got is not None and got[1] is ev else (
                        "bold" if here else "")
                    lines.append((f"{head} {KIND_LABEL[kind]:<3} {val}", style))
                col.append(lines)
            layers.append(col)
        return layers

    def _units(self, view: View, width: int) -> Text:
        s = view.scenario
        cells = self._unit_cells(view)
        titles = ["inputs"] + [f"{la.name} ({ACT.get(la.activation, la.activation)})"
                               for la in s.layers]
        widths = [max([len(titles[c])] + [len(t) for unit in col for t, _ in unit]) + 2
                  for c, col in enumerate(cells)]
        lines: list[list[tuple[str, str]]] = []
        if sum(widths) <= width:
            lines.append([(t.ljust(w), HEADING) for t, w in zip(titles, widths, strict=True)])
            flat = []
            for col in cells:
                f: list[tuple[str, str]] = []
                for n, unit in enumerate(col):
                    if n and len(unit) > 1:
                        f.append(("", ""))
                    f += unit
                flat.append(f)
            for r in range(max(len(f) for f in flat)):
                row = []
                for c, col in enumerate(flat):
                    t, st = col[r] if r < len(col) else ("", "")
                    row.append((t.ljust(widths[c]), st))
                lines.append(row)
        else:  # too narrow for columns: one layer after another
            for title, col in zip(titles, cells, strict=True):
                lines.append([(title, HEADING)])
                for unit in col:
                    for t, st in unit:
                        lines.append([(t, st)])
        out_text = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, row in enumerate(lines):
            if n:
                out_text.append("\n")
            for t, st in row:
                out_text.append(t, style=st or None)
        for line, st in self._weights(view):
            out_text.append("\n")
            out_text.append(line, style=st or None)
        return out_text

    def _weights(self, view: View) -> list[tuple[str, str]]:
        """The weights feeding the highlighted unit (and, going back, leaving it)."""
        s = view.scenario
        ev = view.event
        focus = focus_unit(ev)
        lines: list[tuple[str, str]] = [("", "")]
        if focus is None or focus[0] == 0:
            lines.append(("weights: pick a unit by stepping (n / p)", LABEL))
            return lines
        lay, j = focus
        layer = s.layers[lay - 1]
        unit = layer.names[j]
        w = view.params.weights[lay - 1]
        b = view.params.biases[lay - 1]
        lines.append((f"weights into {unit} (current values)", HEADING))
        src = s.unit_names(lay - 1)
        names = [layer.weight_name(j, i, lay) for i in range(layer.inputs)]
        if b is not None:
            names.append(layer.bias_name(j, lay))
        nw = max(len(n) for n in names)
        for i in range(layer.inputs):
            name = names[i]
            here = ev.param is not None and ev.param == _ref(lay, "weight", j, i)
            lines.append((f"{MARK if here else NO_MARK}{name:<{nw}} = {fmt(w[j, i]):<14} "
                          f"from {src[i]}", CURRENT if here else ""))
        if b is not None:
            bj = 0 if b.size == 1 else j
            name = layer.bias_name(j, lay)
            here = ev.param is not None and ev.param.kind == "bias" and ev.param.layer == lay \
                and ev.param.row == bj
            state = "trained" if layer.train_bias else "fixed"
            shared = ", shared by the layer" if b.size == 1 and layer.size > 1 else ""
            lines.append((f"{MARK if here else NO_MARK}{name:<{nw}} = {fmt(b[bj]):<14} "
                          f"bias ({state}{shared})",
                          CURRENT if here else ""))
        if ev.kind == "dE_din" and lay < len(s.layers):
            nxt = s.layers[lay]
            w2 = view.params.weights[lay]
            lines.append((f"weights out of {unit} (the error comes back along them)", HEADING))
            for k2, name2 in enumerate(nxt.names):
                lines.append((f"{NO_MARK}{nxt.weight_name(k2, j, lay + 1)} = {fmt(w2[k2, j])}"
                              f"   to {name2}", ""))
        return lines

    # -- large layers -----------------------------------------------------------------

    def _blocks(self, view: View, width: int) -> Text:
        s = view.scenario
        ev = view.event
        latest: dict[str, Event] = {}
        for e in view.sample_events():
            latest[e.symbol] = e
        out = Text(no_wrap=True, overflow="ellipsis", end="")

        def line(text: str, style: str = "") -> None:
            if out.plain:
                out.append("\n")
            out.append(text, style=style or None)

        x = s.inputs if ev.sample is None else s.inputs[ev.sample - 1: ev.sample]
        lw = 15
        line(f"inputs: {s.input_size} values per sample, {x.shape[0]} sample(s)", HEADING)
        line(f"{NO_MARK}{'X':<{lw}}{stats(x)}")
        for lay, layer in enumerate(s.layers, start=1):
            line(f"layer {lay}: {layer.name}, {layer.size} {layer.activation} units "
                 "(shape [min, max] mean ‖·‖)", HEADING)
            w = view.params.weights[lay - 1]
            line(f"{NO_MARK}{'W' + str(lay):<{lw}}{stats(w)}")
            for sym in (f"net_{lay}", f"out_{lay}", f"dE/dout_{lay}", f"dout_{lay}/dnet_{lay}",
                        f"delta_{lay}", f"dE/dW{lay}", f"W{lay}+"):
                e = latest.get(sym)
                if e is None:
                    continue
                here = e is ev
                value = e.value if isinstance(e.value, np.ndarray) else np.asarray([e.value])
                line(f"{MARK if here else NO_MARK}{pretty(sym):<{lw}}{stats(value)}",
                     CURRENT if here else "")
        if ev.is_matrix:
            m = np.atleast_2d(ev.value)
            cols = max(8, width - 4)
            rows = min(4, m.shape[0])
            line("")
            line(f"{pretty(ev.symbol)}: first {rows} row(s) × {min(cols, m.shape[1])} of "
                 f"{shape_text(m)} (· low … █ high)", HEADING)
            for strip in heat_strip(m, rows, cols):
                line("  " + strip)
        else:
            line("")
            line(f"{pretty(ev.symbol)} = {'?' if view.hidden else fmt(ev.value)}", CURRENT)
        line("(too large to draw unit by unit: each layer is one block)", LABEL)
        return out


def _ref(layer: int, kind: str, row: int, col: int):
    from bptui.events import ParamRef

    return ParamRef(layer, kind, row, col)
