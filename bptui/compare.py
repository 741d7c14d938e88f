"""``--compare``: mark learners' files and say where each one went wrong, readably or as JSON.

One file gives one report; several files (a class) give a report each and a summary: for each
step how many got it right, and the commonest mistake. The marks come from
:mod:`bptui.marking` and the explanations from :mod:`bptui.diagnosis`; this module only puts
them into words and numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bptui import learner
from bptui.diagnosis import Diagnosis, best_mistake_named, diagnose
from bptui.i18n import N_, _
from bptui.marking import TOLERANCE, Mark, Marking, find_mistake, mark, side
from bptui.notation import fmt, pretty, summary
from bptui.scenario import Scenario
from bptui.visible import visible

#: Bumped whenever a field of the --json output changes meaning.
FORMAT = "bptui-compare/1"
SIGNS = {"right": "✓", "wrong": "✗", "carried_forward": "→", "unknown": "?"}
WORDS = {"right": N_("right"), "wrong": N_("wrong"), "carried_forward": N_("carried forward"),
         "unknown": N_("unknown (only a lab mistake computes it)")}  # translated when shown


@dataclass
class Result:
    """One learner's file, marked and diagnosed."""

    file: str
    marking: Marking
    diagnosis: Diagnosis

    @property
    def exit_code(self) -> int:
        return 1 if self.marking.any_wrong else 0


def check_file(scenario: Scenario, path: str, tolerance: float = TOLERANCE,
               mistake: str | None = None) -> Result:
    """Read, mark and diagnose one file (only read: never written)."""
    marking = mark(scenario, learner.read(path), tolerance)
    diagnosis = diagnose(marking)
    if mistake is not None:
        diagnosis = best_mistake_named(marking, diagnosis, mistake)
    return Result(path, marking, diagnosis)


# ----------------------------------------------------------------------------- text


def _num(x: object) -> str:
    if isinstance(x, np.ndarray) and x.size > 1:
        return summary(x)
    return fmt(float(np.asarray(x).reshape(-1)[0]))


def _where(m: Mark) -> str:
    if m.sample is None:
        return _("epoch {epoch}", epoch=m.epoch)
    return _("epoch {epoch}, sample {sample}", epoch=m.epoch, sample=m.sample)


def value_line(m: Mark, show: Callable[[str], str] = pretty) -> str:
    """One marked value; ``show`` writes its symbol (a graph's as ∂L/∂a|via n1)."""
    head = f"{SIGNS[m.mark]} {show(m.symbol)} ({_where(m)}) = {_num(m.yours)}"
    if m.mark == "right":
        return head
    if m.mark == "unknown":
        return f"{head}: {_(WORDS['unknown'])}"
    if m.mark == "carried_forward":
        return _("{head}: carried forward, right from your own earlier numbers (correct "
                 "{correct})", head=head, correct=_num(m.correct))
    return _("{head}: wrong, correct {correct}", head=head, correct=_num(m.correct))


def report(result: Result) -> str:
    mk, dg = result.marking, result.diagnosis
    s = mk.scenario
    lines = [_("{file}: your values against {scenario} (tolerance {tolerance})",
               file=result.file, scenario=s.name or s.title, tolerance=f"{mk.tolerance:g}"), ""]
    show = side(s).show
    lines += [value_line(m, show) for m in mk.marks]
    lines += ["", counts_line(mk)]
    first = dg.first_wrong
    if first is not None:
        lines += ["", _("First wrong value: {symbol} ({where}): yours {yours}, correct "
                        "{correct}", symbol=show(first.symbol), where=_where(first),
                        yours=_num(first.yours), correct=_num(first.correct))]
        if dg.rule:
            lines.append(_("  rule:              {rule}", rule=dg.rule))
        if dg.rule_correct:
            lines.append(_("  correct numbers:   {numbers}", numbers=dg.rule_correct))
        if dg.rule_yours:
            lines.append(_("  your numbers:      {numbers} (you wrote {yours})",
                           numbers=dg.rule_yours, yours=_num(first.yours)))
        lines += [_("  looks like {slip}", slip=slip) for slip in dg.slips]
    if mk.any_wrong or mk.count("unknown"):
        lines += ["", dg.mistake_line]
    elif mk.marks:
        lines += ["", _("All right.")]
    return visible("\n".join(lines))  # file and unit names are the user's text


def counts_line(mk: Marking) -> str:
    return _("{checked} checked: {right} right, {wrong} wrong, {carried} carried forward, "
             "{unknown} unknown", checked=len(mk.marks), right=mk.count("right"),
             wrong=mk.count("wrong"), carried=mk.count("carried_forward"),
             unknown=mk.count("unknown"))


# ----------------------------------------------------------------------------- JSON


def _plain(x: object) -> object:
    if x is None:
        return None
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()] if x.ndim else _plain(float(x))
    if isinstance(x, list):
        return [_plain(v) for v in x]
    x = float(x)
    return x if math.isfinite(x) else None


def as_json(result: Result) -> dict:
    mk, dg = result.marking, result.diagnosis
    first = dg.first_wrong
    return {
        "format": FORMAT,
        "file": result.file,
        "scenario": mk.scenario.name,
        "tolerance": mk.tolerance,
        "checked": len(mk.marks),
        "right": mk.count("right"),
        "wrong": mk.count("wrong"),
        "carried_forward": mk.count("carried_forward"),
        "unknown": mk.count("unknown"),
        "first_wrong": None if first is None else {
            "symbol": first.symbol, "epoch": first.epoch, "sample": first.sample,
            "yours": _plain(first.yours), "correct": _plain(first.correct),
            "rule": dg.rule, "correct_numbers": dg.rule_correct, "your_numbers": dg.rule_yours,
            "slips": list(dg.slips),
        },
        "mistake": dg.mistake,
        "mistake_description": None if dg.mistake is None else find_mistake(dg.mistake).title,
        "values": [{
            "symbol": m.symbol, "epoch": m.epoch, "sample": m.sample, "line": m.given.line,
            "yours": _plain(m.yours), "correct": _plain(m.correct),
            "from_your_numbers": _plain(m.expected), "mark": m.mark,
        } for m in mk.marks],
    }


# ----------------------------------------------------------------------------- a class


def class_summary(results: Sequence[Result]) -> dict:
    """Per step, how many learners got it right; the commonest mistake over the class."""
    steps: dict[tuple, Counter] = {}
    order: dict[tuple, int] = {}
    for r in results:
        for n, m in enumerate(r.marking.marks):
            key = (m.symbol, m.epoch, m.sample)
            order.setdefault(key, m.event.position if m.event is not None else 10**9 + n)
            steps.setdefault(key, Counter())[m.mark] += 1
    mistakes = Counter(r.diagnosis.mistake for r in results if r.diagnosis.mistake)
    common = mistakes.most_common(1)
    return {
        "files": len(results),
        "all_right": sum(1 for r in results if r.exit_code == 0),
        "steps": [{"symbol": k[0], "epoch": k[1], "sample": k[2], "checked": sum(c.values()),
                   **{mk: c.get(mk, 0) for mk in SIGNS}}
                  for k, c in sorted(steps.items(), key=lambda kv: (kv[0][1], order[kv[0]]))],
        "commonest_mistake": common[0][0] if common else None,
        "commonest_mistake_files": common[0][1] if common else 0,
    }


def class_report(summary_: dict, show: Callable[[str], str] = pretty) -> str:
    lines = [_("Class: {files} files, {right} all right", files=summary_["files"],
               right=summary_["all_right"]), ""]
    for st in summary_["steps"]:
        if st["sample"] is None:
            where = _("epoch {epoch}", epoch=st["epoch"])
        else:
            where = _("epoch {epoch}, sample {sample}", epoch=st["epoch"], sample=st["sample"])
        lines.append(_("{symbol} ({where}): {right} of {checked} right", symbol=show(st["symbol"]),
                       where=where, right=st["right"], checked=st["checked"])
                     + (_(", {n} wrong", n=st["wrong"]) if st["wrong"] else "")
                     + (_(", {n} carried forward", n=st["carried_forward"])
                        if st["carried_forward"] else ""))
    name = summary_["commonest_mistake"]
    lines += ["", _("Commonest mistake: {name} ({title}), in {n} file(s)", name=name,
                    title=find_mistake(name).title.lower(), n=summary_["commonest_mistake_files"])
              if name else _("Commonest mistake: none that the lab knows")]
    return visible("\n".join(lines))
