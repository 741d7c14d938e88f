"""The values panel: everything computed so far in this epoch, the newest marked."""

from __future__ import annotations

import re

import numpy as np
from rich.cells import cell_len
from rich.text import Text

from bptui.graph.steps import show as graph_show
from bptui.i18n import _
from bptui.notation import fmt, pretty, shape_text
from bptui.tui.panel import Body
from bptui.tui.text import CURRENT, HEADING, LABEL, MARK, NO_MARK, aligned, short_matrix
from bptui.tui.view import View


def learner_note(view: View, ev) -> str:
    """``  ✗ 0.59`` beside a value a loaded learner's file gave: their mark and number."""
    lm = view.learner
    m = None if lm is None else lm.given.get((ev.sample, ev.symbol))
    if m is None:
        return ""
    yours = np.asarray(m.yours, dtype=np.float64)
    number = shape_text(yours) if yours.size > 1 else fmt(float(yours.reshape(-1)[0]))
    return f"  {lm.sign(ev.sample, ev.symbol)} {number}"


class ValuesBody(Body):
    FILL = True  # a line more at every step: see Body.FILL
    KEEP_SIZE = True  # and back to a few lines at each new epoch: see Body.KEEP_SIZE
    RECENTRE = True  # and ▶ walks down it: see Body.RECENTRE

    def build(self, view: View, width: int) -> Text:
        s = view.scenario
        rows: list[tuple[str, str, str]] = []  # name, value text, style ("head" rows: name only)
        refs: list[tuple | None] = []  # what each row is, for picking it (provenance)
        sample = object()
        graph = getattr(s, "is_graph", False)
        name_of = graph_show if graph else pretty
        for ev in view.events:
            if ev.sample != sample:
                sample = ev.sample
                if graph:  # a graph: its leaves, then every node and gradient in order
                    rows.append((_("── leaves ──"), "", HEADING))
                    refs.append(None)
                    rows += [(NO_MARK + k, aligned(float(v)), LABEL)
                             for k, v in view.start_params.values.items() if k in s.leaves]
                    refs += [("data", k, None) for k in s.leaves]
                    rows.append((_("── steps ──"), "", HEADING))
                    refs.append(None)
                elif ev.sample is None:
                    rows.append((_("── all {n} samples ──", n=s.samples), "", HEADING))
                    refs.append(None)
                else:
                    rows.append((_("── sample {k} ──", k=ev.sample), "", HEADING))
                    refs.append(None)
                    given = self._given(view, ev.sample)
                    rows += given
                    refs += self._given_refs(view, ev.sample)[: len(given)]
            here = ev is view.event
            refs.append(("step", ev.position))
            if here and view.hidden:
                val = "    ?  (quiz)"
            else:
                val = short_matrix(ev.value) if ev.is_matrix else aligned(float(ev.value))
                val += learner_note(view, ev)
            rows.append(((MARK if here else NO_MARK) + name_of(ev.symbol), val,
                         CURRENT if here else ""))
        # names longer than this put their value on the next line: a value takes up to 20
        # columns (text.aligned), and a line must fit the box (no number cut)
        room = max(8, width - 20)
        name_w = min(room, max(len(r[0]) for r in rows if r[2] != HEADING) + 2)
        # a column spare for the scroll bar that the growing list brings (the text is built
        # before the box knows it will need one)
        fits = width - 1
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        self.refs = []
        for n, (name, val, style) in enumerate(rows):
            if n:
                out.append("\n")
            self.refs.append(refs[n])
            if style == HEADING:
                out.append(name, style=HEADING)
            elif len(name) + 1 > name_w or name_w + cell_len(val.rstrip()) > fits:
                # the value under its name: a long name, or a value longer than 20 columns (a
                # large matrix's norm, a learner's number beside it) that would not fit beside
                # it (at 100x32 a norm of 2846412 read "2.84641e" at the box's edge)
                self.refs.append(refs[n])
                val = val.rstrip()
                if cell_len(val) > fits - 2:  # without the padding that lines up the points
                    val = re.sub(" {3,}", "  ", val.strip())
                indent = max(2, min(name_w, fits - cell_len(val)))
                out.append(name + "\n" + (" " * indent + val).rstrip(), style=style or None)
            else:
                out.append((name.ljust(name_w) + val).rstrip(), style=style or None)
        return out

    def expected_lines(self, lines: int) -> int:
        """A line per step still to come in this epoch, and for each sample still to come
        its heading and given rows."""
        view = self.view
        more = view.steps - 1 - view.index
        k = view.event.sample
        if k is not None and k < view.scenario.samples:
            more += (view.scenario.samples - k) * (1 + len(self._given_refs(view, k)))
        return lines + more

    def _given_refs(self, view: View, k: int) -> list[tuple]:
        """("data", symbol, sample) for each row :meth:`_given` makes."""
        s = view.scenario
        if not s.unit_by_unit:
            return [("data", "X", k), ("data", "T", k)]
        return ([("data", name, k) for name in s.input_names]
                + [("data", f"target_{name}", k) for name in s.layers[-1].names])

    def _given(self, view: View, k: int) -> list[tuple[str, str, str]]:
        """The sample's inputs and targets: data, not computed, shown dim."""
        s = view.scenario
        x, t = s.inputs[k - 1], s.targets[k - 1]
        if not s.unit_by_unit:
            return [(NO_MARK + "x", _("{shape} given", shape=shape_text(x)), LABEL),
                    (NO_MARK + "target", _("{shape} given", shape=shape_text(t)), LABEL)]
        rows = [(NO_MARK + name, aligned(float(v)), LABEL)
                for name, v in zip(s.input_names, x, strict=True)]
        rows += [(NO_MARK + f"target_{name}", aligned(float(v)), LABEL)
                 for name, v in zip(s.layers[-1].names, t, strict=True)]
        return rows
