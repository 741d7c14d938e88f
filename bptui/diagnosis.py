"""Where a learner went wrong, and why: the first wrong value and the mistake that explains it.

A mark says *that* a number is wrong; a tutor says *why*. The first wrong value in computation
order is where the learner's work left the right path (everything after it may only be carried
forward). Each mistake from the lab is run on the same scenario, and the one whose trace
reproduces the learner's wrong numbers best is named, with its description. Small slips a
mistake from the lab does not cover (a sign, a factor of 2, two weights swapped, another
sample's numbers) are named too when they reproduce the first wrong value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np

from bptui.events import Event
from bptui.i18n import N_, _
from bptui.marking import Mark, Marking, close, correct_events, evaluate_step, find_mistake, side, side_of
from bptui.notation import fmt, fmt_term, pretty, shape_text

NO_MISTAKE = N_("no known mistake explains this")


@dataclass(frozen=True)
class Diagnosis:
    first_wrong: Mark | None
    rule: str | None  # the step's rule in symbols
    rule_correct: str | None  # the rule with the correct numbers
    rule_yours: str | None  # the rule with the learner's own numbers
    mistake: str | None  # the lab mistake that explains the learner's numbers best
    explained: int  # how many of the learner's wrong (or carried, or unknown) values it gives
    unexplained: int  # how many it does not
    slips: tuple[str, ...]  # sign slip, factor, swapped weights, wrong sample: what matched

    @property
    def mistake_line(self) -> str:
        if self.mistake is None:
            return _(NO_MISTAKE)
        m = find_mistake(self.mistake)
        scope = _("all") if self.unexplained == 0 else _(
            "{explained} of {total}", explained=self.explained,
            total=self.explained + self.unexplained)
        return _("mistake '{name}' ({title}) gives {scope} of your values that differ from "
                 "correct backpropagation: {wrong}; right: {right}", name=self.mistake,
                 title=m.title.lower(), scope=scope, wrong=m.wrong, right=m.right)


def diagnose(marking: Marking) -> Diagnosis:
    first = marking.first_wrong
    rule = correct_rule = yours_rule = None
    slips: tuple[str, ...] = ()
    if first is not None and first.event is not None:
        rule = first.event.equation
        correct_rule, yours_rule = both_rules(first, marking.scenario.learning_rate)
        slips = tuple(_slips(marking, first))
    name, explained, unexplained = best_mistake(marking)
    return Diagnosis(first, rule, correct_rule, yours_rule, name, explained, unexplained, slips)


def both_rules(m: Mark, eta: float | None) -> tuple[str, str | None]:
    """A marked step's rule with the correct numbers, and with the learner's own numbers
    (None when they cannot be put in): the report's first wrong value and the screen's
    Equation panel show the same two lines."""
    ev = m.event
    assert ev is not None
    bare = ev.node is not None and ev.substituted.endswith(f" = {fmt(ev.value)}")  # a
    # graph's gradient of one use is that use's share: ∂o/∂b = 0.69, not ∂o/∂b = 0.69 = 0.69
    correct_rule = ev.substituted + ("" if ev.is_matrix or bare else f" = {fmt(ev.value)}")
    rule_with = side_of(ev).rule_with
    yours_rule = rule_with(ev, m.env, eta) if rule_with is not None else substitute(
        ev, m.env, eta)
    if yours_rule and m.expected is not None and not ev.is_matrix and not (
            ev.node is not None and yours_rule.endswith(f" = {fmt(m.expected)}")):
        yours_rule += f" = {fmt(m.expected)}"
    return correct_rule, yours_rule


def substitute(ev: Event, env: Mapping[str, object], eta: float) -> str | None:
    """``ev``'s rule with the numbers in ``env`` put in for its symbols (the learner's)."""
    if any(isinstance(env.get(u), np.ndarray) and np.size(env.get(u)) > 1 for u in ev.uses):
        return f"{ev.equation.split(' = ')[0]} from " + ", ".join(
            f"{pretty(u)} ({shape_text(np.asarray(env[u]))})" for u in ev.uses if u in env)
    parts = ev.equation.split(" = ")
    if len(parts) < 2:
        return None
    names = {pretty(u): u for u in ev.uses if env.get(u) is not None}
    names["η"] = "eta"
    values = dict(env, eta=eta)
    pattern = re.compile("|".join(re.escape(p) for p in sorted(names, key=len, reverse=True))
                         + r"(?![\w⁺])")
    rhs = pattern.sub(lambda m: fmt_term(float(values[names[m.group(0)]])), parts[-1])
    return f"{parts[0]} = {rhs}"


def best_mistake_named(marking: Marking, diagnosis: Diagnosis, name: str) -> Diagnosis:
    """The diagnosis with only mistake ``name`` considered (``--compare --mistake NAME``)."""
    found, explained, unexplained = best_mistake(marking, only=name)
    return replace(diagnosis, mistake=found, explained=explained, unexplained=unexplained)


def best_mistake(marking: Marking, only: str | None = None) -> tuple[str | None, int, int]:
    """The applicable mistake whose trace gives most of the learner's off values and
    contradicts fewest of their right ones; it must give the first wrong value."""
    off = [m for m in marking.marks if m.mark != "right"]
    if not off:
        return None, 0, 0
    first = marking.first_wrong
    epochs = max(m.epoch for m in marking.marks)
    best: tuple | None = None
    for name, mistake in side(marking.scenario).mistakes().items():
        if mistake.applies(marking.scenario) is not None or only not in (None, name):
            continue
        trace = _trace(marking.scenario, epochs, name)
        hits = sum(1 for m in off if _gives(trace, m, marking.tolerance))
        against = sum(1 for m in marking.marks if m.mark == "right"
                      and not _gives(trace, m, marking.tolerance))
        explains_first = first is None or _gives(trace, first, marking.tolerance)
        if not explains_first or hits == 0:
            continue
        score = (hits - against, hits)
        if best is None or score > best[0]:
            best = (score, name, hits, len(off) - hits)
    if best is None:
        return None, 0, len(off)
    return best[1], best[2], best[3]


_TRACES: dict[tuple[int, int, str], tuple[object, dict]] = {}


def _trace(scenario, epochs: int, name: str) -> dict:
    """Mistake ``name``'s steps by (epoch, sample, symbol); kept while the same scenario is
    marked, so a class of files runs each mistake once."""
    key = (id(scenario), epochs, name)
    hit = _TRACES.get(key)
    if hit is not None and hit[0] is scenario:
        return hit[1]
    if len(_TRACES) > 64:
        _TRACES.clear()
    trace = {(ev.epoch, ev.sample, ev.symbol): ev
             for ev in correct_events(scenario, epochs, name)}
    _TRACES[key] = (scenario, trace)
    return trace


def _gives(trace: dict, m: Mark, tol: float) -> bool:
    ev = trace.get((m.epoch, m.sample, m.symbol))
    if ev is None:
        return False
    if np.size(ev.value) != np.size(m.yours):
        return False
    if ev.kind == "update" and ev.old is not None:
        old = np.asarray(ev.old)
        return close(np.asarray(m.yours) - old, np.asarray(ev.value) - old, tol)
    return close(m.yours, ev.value, tol)


def _slips(marking: Marking, m: Mark) -> list[str]:
    """Small slips that reproduce the learner's first wrong value."""
    ev, tol = m.event, marking.tolerance
    if ev is None or ev.is_matrix:
        return []
    yours, right = float(m.yours), float(ev.value)
    base = 0.0
    if ev.kind == "update" and ev.old is not None:
        base = float(ev.old)  # an update's slip is in its change
    dy, dc = yours - base, right - base
    found = []
    if dc != 0 and close(dy, -dc, tol):
        found.append(_("a sign slip: your number is the correct one with the opposite sign")
                     if not base else _("a sign slip: your step went the opposite way"))
    if dc != 0 and close(dy, 2 * dc, tol):
        found.append(_("a factor of 2: your number is twice the correct one"))
    if dc != 0 and close(dy, dc / 2, tol):
        found.append(_("a factor of ½: your number is half the correct one"))
    env = dict(marking.contexts.get((ev.epoch, ev.position), {}))
    weights = side(marking.scenario).swappable(marking.scenario)
    used = [u for u in ev.uses if u in weights]
    for a, b in combinations(dict.fromkeys(used), 2):
        swapped = dict(env, **{a: env.get(b), b: env.get(a)})
        value = evaluate_step(ev, swapped, marking.scenario)
        if value is not None and not close(value, right, tol) and close(yours, value, tol):
            found.append(_("{a} and {b} swapped: the rule with them exchanged gives your "
                           "number", a=a, b=b))
    if side(marking.scenario).values_before is not None:
        found += _read_another(marking, ev, env, yours, right)
    for other in marking.events:
        if (other.symbol == ev.symbol and other.epoch == ev.epoch and other.sample != ev.sample
                and not other.is_matrix and not close(float(other.value), right, tol)
                and close(yours, float(other.value), tol)):
            found.append(_("the wrong sample: your number is {symbol} of sample {sample}",
                           symbol=pretty(ev.symbol), sample=other.sample))
    return found


def _read_another(marking: Marking, ev: Event, env: dict, yours: float, right: float
                  ) -> list[str]:
    """A graph's classic slip: a rule read with another value of the graph in place of one of
    its symbols (∂(x·y)/∂x written as x instead of y: the node's own input for the other)."""
    tol = marking.tolerance
    found = []
    others = side(marking.scenario).values_before(marking.scenario, marking.events, ev)
    for used in dict.fromkeys(ev.uses):
        if used not in others:  # only leaves and node values: not gradients or η
            continue
        for name, value in others.items():
            if name == used or close(value, env.get(used, value), tol):
                continue
            got = evaluate_step(ev, dict(env, **{used: value}), marking.scenario)
            if got is not None and not close(got, right, tol) and close(yours, got, tol):
                found.append(_("{other} in place of {used}: the rule with {other}'s value "
                               "gives your number", other=name, used=used))
    return found[:3]
