"""Where a number comes from: the step that computed it and the earlier values it read.

The tracing itself is :func:`bptui.provenance.trace`; this screen lays it out and lets the
learner follow any source back, one screen per step, down to the data and the starting
parameters (the leaves). Escape goes back one step, q closes them all.
"""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bptui import provenance
from bptui.backprop import Params
from bptui.events import Event, shown_why
from bptui.i18n import N_, _
from bptui.notation import fmt, pretty, summary
from bptui.provenance import Source
from bptui.scenario import Scenario
from bptui.tui.status import PHASE_WORDS
from bptui.tui.text import wrap

LABEL_WIDTH = 9
#: Where a source comes from (``Source.origin``), in words for the screen.
ORIGINS = {"step": N_("step"), "input": N_("input"), "target": N_("target"),
           "parameter": N_("parameter"), "leaf": N_("leaf")}


def value_text(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, np.ndarray):
        return summary(value)
    return fmt(float(value))


def source_line(src: Source) -> str:
    """One line of the list of sources: name, value, where it comes from."""
    head = f"{src.label} = {value_text(src.value)}"
    if src.origin == "step" and src.index is not None:
        return head + "    " + _("← step {step}: {note}", step=src.index + 1, note=src.note)
    if src.origin == "step":
        return f"{head}    ({src.note})"
    return head + "    " + _("■ {origin}: {note} (a leaf)", origin=_(ORIGINS.get(src.origin, src.origin)),
                              note=src.note)


def leaf_source(scenario: Scenario, symbol: str, sample: int | None) -> Source:
    """An input or target of ``sample`` (1-based), as a Source (for a picked data row)."""
    k = (sample or 1) - 1
    if symbol in scenario.input_names:
        i = scenario.input_names.index(symbol)
        return Source(symbol, float(scenario.inputs[k, i]), "input", None,
                      _("input of sample {k}, from the scenario's data", k=k + 1))
    if symbol.startswith("target_") and symbol.removeprefix("target_") in scenario.layers[-1].names:
        j = scenario.layers[-1].names.index(symbol.removeprefix("target_"))
        return Source(symbol, float(scenario.targets[k, j]), "target", None,
                      _("target of sample {k}, from the scenario's data", k=k + 1))
    if symbol == "X":
        return Source(symbol, scenario.inputs[k], "input", None,
                      _("the inputs of sample {k}, from the scenario's data", k=k + 1))
    return Source(symbol, scenario.targets[k], "target", None,
                  _("the targets of sample {k}, from the scenario's data", k=k + 1))


class Head(Widget):
    """Labelled rows (label, text, style), wrapped to the width with the label column kept."""

    DEFAULT_CSS = "Head { height: auto; width: 1fr; }"

    def __init__(self, rows: list[tuple[str, str, str]], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.rows = rows

    def text_for(self, width: int) -> Text:
        out = Text(end="")
        for label, text, style in self.rows:
            if label is None:  # a line of its own
                for line in wrap("", text, max(20, width), 0):
                    out.append(("\n" if out.plain else "") + line, style=style or None)
                continue
            shown = _(label)
            cut = len(shown) + max(0, LABEL_WIDTH - cell_len(shown))  # cells, not characters
            for n, line in enumerate(wrap(shown, text, max(20, width), LABEL_WIDTH)):
                at = cut if n == 0 else LABEL_WIDTH
                out.append("\n" if out.plain else "")
                out.append(line[:at], style="dim")
                out.append(line[at:], style=style or None)
        return out

    def render(self) -> Text:
        return self.text_for(self.size.width)

    def get_content_height(self, container, viewport, width: int) -> int:
        return self.text_for(width).plain.count("\n") + 1


class ProvenanceScreen(ModalScreen[None]):
    """The provenance of one step (``index`` into the epoch's events) or of one leaf."""

    BINDINGS = [
        Binding("escape", "back", N_("Back")),
        Binding("q", "close_all", N_("Close all")),
    ]

    def __init__(self, scenario: Scenario, events: list[Event], start: Params,
                 index: int | None = None, leaf: Source | None = None,
                 trail: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.scenario = scenario
        self.events = events
        self.start = start
        self.index = index
        self.leaf = leaf
        self.prov = provenance.trace(scenario, events, start, index) if index is not None \
            else None
        name = self.prov.event.symbol if self.prov is not None else leaf.symbol
        self.trail = (*trail, pretty(name))

    # -- text -------------------------------------------------------------------------

    def head_rows(self) -> list[tuple[str | None, str, str]]:
        """(label, text, style) rows; label None: a line of its own."""
        rows: list[tuple[str | None, str, str]] = []
        if len(self.trail) > 1:
            rows.append((N_("path"), " ← ".join(self.trail), "dim"))
        if self.prov is None:
            src = self.leaf
            rows.append((None, f"{src.label} = {value_text(src.value)}", "bold"))
            rows.append((N_("from"), f"{_(ORIGINS.get(src.origin, src.origin))}: {src.note}", ""))
            rows.append((None, "", ""))
            rows.append((None, _("A leaf: nothing in this epoch computed it; the chain stops "
                                 "here."),
                         "italic"))
            return rows
        p = self.prov
        ev = p.event
        sample = _("sample {k}", k=ev.sample) if ev.sample is not None else _("all samples")
        rows.append((None, f"{pretty(ev.symbol)} = {value_text(ev.value)}", "bold"))
        rows.append((N_("computed"), _("at step {step} of {steps}, epoch {epoch}, {sample}, "
                                       "{phase} phase", step=ev.position + 1,
                                       steps=len(self.events), epoch=ev.epoch, sample=sample,
                                       phase=_(PHASE_WORDS[ev.phase])), ""))
        rows.append((N_("rule"), ev.equation, "bold"))
        rows.append((N_("numbers"), ev.substituted, ""))
        if ev.why:
            rows.append((N_("why"), shown_why(ev), "italic"))
        if ev.mistake:
            rows.append((N_("mistake"), _("computed with the mistake '{name}'; right: {right} = "
                                          "{value}", name=ev.mistake, right=ev.correct_equation,
                                          value=value_text(ev.correct_value)), ""))
        if p.terms:
            unit = ev.symbol.removeprefix("dE/dout_")
            rows.append((None, "", ""))
            rows.append((None, _("{unit}'s error is the sum over every unit it feeds:",
                                 unit=unit), "bold"))
            for t in p.terms:
                rows.append((f"  {t.unit}", _("through {w}:  {rule} = {numbers} = {product}",
                                              w=t.weight, rule=f"δ_{t.unit} · {t.weight}",
                                              numbers=f"{fmt(t.delta)} · {fmt(t.weight_value)}",
                                              product=fmt(t.product)), ""))
            rows.append((N_("  sum"), fmt(sum(t.product for t in p.terms)), "bold"))
        return rows

    def head_text(self) -> Text:
        return Head(self.head_rows()).text_for(200)

    # -- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="provenance-box", classes="dialog"):
            with VerticalScroll(id="provenance-head"):
                yield Head(self.head_rows(), id="provenance-text")
            if self.prov is not None and self.prov.sources:
                yield Static(Text(_("It used (enter: where that one comes from):"), style="bold"),
                             id="provenance-used")
                options = [Option(Text(source_line(src)), id=str(n))
                           for n, src in enumerate(self.prov.sources)]
                yield OptionList(*options, id="provenance-list")
            yield Static("", id="provenance-details", markup=False)
            yield Static(Text(_("escape back · q closes all · ↑↓ enter follow a source")
                              if self.prov else _("escape back · q closes all"), style="dim"))

    def on_mount(self) -> None:
        # a title is parsed as markup: a name such as [i]b2 must show as it is
        self.query_one("#provenance-box").border_title = (
            _("Where {name} comes from", name=escape(self.trail[-1])))
        # query, not query_one: a screen closed in the same burst of keys that opened it
        # (w then escape) is mounted after its children are gone (the mashing test found it)
        for ol in self.query(OptionList):
            ol.focus()
            ol.highlighted = 0

    @property
    def plain(self) -> str:
        """What the screen says, as plain text (for tests)."""
        text = self.head_text().plain
        if self.prov is not None:
            text += "\n".join(source_line(s) for s in self.prov.sources)
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        src = self.prov.sources[int(event.option.id)]
        if src.origin == "step" and src.index is not None:
            self.app.push_screen(ProvenanceScreen(self.scenario, self.events, self.start,
                                                  index=src.index, trail=self.trail))
        elif src.origin == "step":
            self.query_one("#provenance-details", Static).update(
                f"{src.label}: {src.note}")
        else:
            self.app.push_screen(ProvenanceScreen(self.scenario, self.events, self.start,
                                                  leaf=src, trail=self.trail))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_close_all(self) -> None:
        while isinstance(self.app.screen, ProvenanceScreen):
            self.app.pop_screen()
