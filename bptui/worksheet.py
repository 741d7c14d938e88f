"""Blank worksheets: the steps of backpropagation with a gap for the learner's number.

A worksheet is the exercise a teacher hands out and ``--compare`` marks: the same steps, in
the same order and with the same symbols as ``--trace``, so a filled-in worksheet CSV is a
valid file for ``--compare`` as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import numpy as np

from bptui.events import Event
from bptui.export import _md_escape
from bptui.i18n import N_, _, local
from bptui.marking import correct_events, mistake_only_symbols, side
from bptui.notation import shape_text
from bptui.scenario import Scenario
from bptui.visible import visible

FORMATS = ("markdown", "csv")
CSV_COLUMNS = ("symbol", "epoch", "sample", "value")
BLANK = "________________"
#: the phases' words in headings (the phase names themselves stay English in --trace)
PHASE_WORDS = {"forward": N_("forward"), "loss": N_("loss"), "backward": N_("backward"),
               "update": N_("update")}


def steps(scenario: Scenario, epochs: int, kinds: Iterable[str] | None = None) -> list[Event]:
    """The steps of the first ``epochs`` epochs, of the kinds asked, in computation order."""
    wanted = None if kinds is None else set(kinds)
    return [ev for ev in correct_events(scenario, epochs) if wanted is None or ev.kind in wanted]


def render(scenario: Scenario, fmt: str, epochs: int = 1,
           kinds: Iterable[str] | None = None) -> str:
    chosen = steps(scenario, epochs, kinds)
    text = to_csv(chosen) if fmt == "csv" else to_markdown(scenario, chosen)
    return visible(text)  # symbols are built from the scenario's unit and weight names


def to_csv(events: list[Event]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for ev in events:
        writer.writerow([ev.symbol, ev.epoch, "" if ev.sample is None else ev.sample, ""])
    return out.getvalue()


def to_markdown(scenario: Scenario, events: list[Event]) -> str:
    title = _md_escape(visible(local(scenario.title, scenario.title_zh), keep_newlines=False))
    lines = [_("# Worksheet: {title}", title=title), "",
             _("Work out each value by hand and write it in the blank. To have it marked, fill "
               "in the CSV worksheet (`--worksheet --format csv`) or write JSON Lines, then run "
               "`{command}`.", command=_command(scenario)), ""]
    if scenario.learning_rate is not None:  # a graph without [training] has none
        lines += [_("Learning rate η = {rate}.", rate=f"{scenario.learning_rate:g}"), ""]
    show = side(scenario).show
    current = None
    for n, ev in enumerate(events, start=1):
        key = (ev.epoch, ev.sample, ev.phase)
        if key != current:
            current = key
            phase = _(PHASE_WORDS[ev.phase])
            if getattr(scenario, "is_graph", False):  # a graph's leaves are its one sample
                heading = _("## Epoch {epoch}: {phase}", epoch=ev.epoch, phase=phase)
            elif ev.sample is None:
                heading = _("## Epoch {epoch}, the whole batch: {phase}", epoch=ev.epoch,
                            phase=phase)
            else:
                heading = _("## Epoch {epoch}, sample {sample}: {phase}", epoch=ev.epoch,
                            sample=ev.sample, phase=phase)
            lines += [heading, ""]
        rule = _md_escape(ev.equation)
        if ev.is_matrix:
            blank = _("a {shape} matrix: {blank}", shape=shape_text(np.asarray(ev.value)),
                      blank=BLANK)
        else:
            blank = BLANK
        lines += [f"{n}. `{ev.symbol}` ({ev.kind.replace('_', ' ')}): {rule}", "",
                  f"   {_md_escape(show(ev.symbol))} = {blank}", ""]
    return "\n".join(lines)


def _command(scenario: Scenario) -> str:
    """The command that marks the filled-in worksheet (a layered scenario's graph needs
    --graph again: its symbols are the graph's)."""
    graph = " --graph" if getattr(scenario, "extra", {}).get("from_layered") else ""
    return f"bptui {scenario.name or 'SCENARIO'}{graph} --compare FILE"


def symbols(scenario: Scenario) -> str:
    """The symbols a learner's file may use, one per line with its kind, in computation order."""
    events = correct_events(scenario, 1)
    seen: dict[str, str] = {}
    for ev in events:
        seen.setdefault(ev.symbol, ev.kind)
    lines = [f"{sym}\t{kind}" for sym, kind in seen.items()]
    lines += [f"{sym}\t(computed only by a lab mistake)"
              for sym in mistake_only_symbols(scenario, set(seen))]
    return "\n".join(visible(line) for line in lines) + "\n"
