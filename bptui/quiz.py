"""Predict, then reveal: the learner types the next number before the screen shows it.

A wrong answer is compared with what each mistake from the lab would have computed at the same
step from the same starting point (and with the sign flipped), so that the feedback can name
the misconception instead of only saying "wrong".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bptui import backprop as bp
from bptui import expr
from bptui.engine import epoch_events
from bptui.events import KINDS, Event, shown_why
from bptui.i18n import N_, _
from bptui.mistakes import MISTAKES
from bptui.notation import fmt, pretty
from bptui.scenario import Scenario

TOLERANCE = 1e-3


def close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    """Equal within a relative tolerance (an absolute one near zero)."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-12)


def parse_kinds(text: str) -> frozenset[str]:
    """``grad,update`` -> the kinds to quiz; raises ValueError naming an unknown kind."""
    from bptui.graph.steps import GRAPH_KINDS

    kinds = frozenset(k.strip() for k in text.split(",") if k.strip())
    every = list(dict.fromkeys([*KINDS, *GRAPH_KINDS]))  # which apply: kinds_problem()
    unknown = sorted(kinds - set(every))
    if unknown or not kinds:
        raise ValueError(_("unknown sub-step kind {kinds}; choose from: {every}",
                           kinds=", ".join(unknown) or _("(none)"), every=", ".join(every)))
    return kinds


def kinds_problem(scenario, kinds: frozenset[str] | None) -> str | None:
    """Why ``--quiz kinds`` would ask nothing of some kinds on ``scenario`` (a graph's steps
    are node, local, chain, grad, update; a layered net's are bptui.events.KINDS), or None."""
    if kinds is None:
        return None
    allowed = default_kinds(scenario)
    foreign = sorted(kinds - allowed)
    if not foreign:
        return None
    said = dict(kinds=", ".join(foreign), allowed=", ".join(sorted(allowed)))
    return (_("--quiz: {kinds} is not a kind of step of a computational graph; choose from: "
              "{allowed}", **said) if getattr(scenario, "is_graph", False) else
            _("--quiz: {kinds} is not a kind of step of a layered network; choose from: "
              "{allowed}", **said))


@dataclass(frozen=True)
class Verdict:
    correct: bool
    expected: float
    given: float
    mistake: str | None  # a known mistake whose value the answer matches
    message: str


@dataclass
class Score:
    first_try: int = 0
    after_hint: int = 0  # right, but not at the first try: after a hint or a wrong answer
    revealed: int = 0
    wrong: int = 0  # wrong attempts, all told

    def line(self) -> str:
        return _("quiz: {first} right first try, {hint} after a hint or retry, {revealed} "
                 "revealed", first=self.first_try, hint=self.after_hint, revealed=self.revealed)

    def short(self) -> str:
        """The score in fewer words, for a narrow status line."""
        return _("quiz: {first} first try, {hint} retried, {revealed} shown",
                 first=self.first_try, hint=self.after_hint, revealed=self.revealed)

    def shortest(self) -> str:
        """The score's three numbers, marked: ✓ first try, ↻ after a hint or retry, ?
        revealed (for a status line too narrow for words; the quiz's summary has them)."""
        return _("quiz ✓{first} ↻{hint} ?{revealed}", first=self.first_try,
                 hint=self.after_hint, revealed=self.revealed)


def default_kinds(scenario) -> frozenset[str]:
    """Every kind of step ``scenario`` makes: a graph's (node, local, chain, grad, update) or
    a layered net's (:data:`bptui.events.KINDS`)."""
    if getattr(scenario, "is_graph", False):
        from bptui.graph.steps import GRAPH_KINDS

        return frozenset(GRAPH_KINDS)
    return frozenset(KINDS)


@dataclass
class Quiz:
    """The state of quiz mode for one scenario: what is asked, the score, the hint given."""

    scenario: Scenario
    kinds: frozenset[str] = frozenset(KINDS)
    tolerance: float = TOLERANCE
    score: Score = field(default_factory=Score)
    _hinted: set[tuple[int, int]] = field(default_factory=set)
    _tried: set[tuple[int, int]] = field(default_factory=set)
    _alternatives: dict[tuple[int, str], list[Event]] = field(default_factory=dict)

    @property
    def is_graph(self) -> bool:
        return bool(getattr(self.scenario, "is_graph", False))

    @property
    def mistakes(self) -> dict:
        """The mistakes a wrong answer is compared with: a graph's or a layered net's."""
        if self.is_graph:
            from bptui.graph.mistakes import MISTAKES as GRAPH_MISTAKES

            return GRAPH_MISTAKES
        return MISTAKES

    def name(self, symbol: str) -> str:
        """A step's symbol as shown: ∂L/∂a|via n1 on a graph, ∂E/∂w5 on a layered net."""
        if self.is_graph:
            from bptui.graph.steps import show

            return show(symbol)
        return pretty(symbol)

    def asks(self, event: Event) -> bool:
        """Whether this step is a question (only single numbers, of the chosen kinds)."""
        return event.kind in self.kinds and not event.is_matrix

    def check(self, event: Event, given: float, start: bp.Params) -> Verdict:
        """Mark an answer; on a wrong one, name the mistake it matches, if any."""
        key = (event.epoch, event.position)
        expected = float(event.value)
        if close(given, expected, self.tolerance):
            if key in self._hinted:
                self.score.after_hint += 1
            elif key not in self._tried:
                self.score.first_try += 1
            else:
                self.score.after_hint += 1
            return Verdict(True, expected, given, None,
                           _("right: {symbol} = {value}", symbol=self.name(event.symbol),
                             value=fmt(expected)))
        self._tried.add(key)
        self.score.wrong += 1
        name = self.diagnose(event, given, start)
        values = {"symbol": self.name(event.symbol), "value": fmt(expected),
                  "given": fmt(given)}
        if name == "sign":
            message = _("not quite: {symbol} = {value}, you said {given}. Your number has the "
                        "opposite sign: check which way round the difference (target - out) "
                        "goes.", **values)
        elif name is not None:
            m = self.mistakes[name]
            message = _("not quite: {symbol} = {value}, you said {given}. That is what the "
                        "mistake '{name}' gives: {title} ({wrong}; right: {right}).", **values,
                        name=name, title=_(m.title).lower(), wrong=_(m.wrong), right=_(m.right))
        else:
            message = _("not quite: {symbol} = {value}, you said {given}", **values)
        return Verdict(False, expected, given, name, message)

    def diagnose(self, event: Event, given: float, start: bp.Params) -> str | None:
        """The mistake (or "sign") whose value at this step matches ``given``."""
        for name in self.mistakes:
            if self.mistakes[name].applies(self.scenario):
                continue
            twin = self._twin(event, start, name)
            if twin is None or twin.is_matrix:
                continue
            wrong = float(twin.value)
            if not close(wrong, float(event.value), self.tolerance) and close(
                    given, wrong, self.tolerance):
                return name
        if float(event.value) != 0 and close(given, -float(event.value), self.tolerance):
            return "sign"
        return None

    def _twin(self, event: Event, start: bp.Params, mistake: str) -> Event | None:
        key = (event.epoch, mistake)
        if key not in self._alternatives:
            self._alternatives = {k: v for k, v in self._alternatives.items()
                                  if k[0] == event.epoch}
            events_of = epoch_events
            if self.is_graph:
                from bptui.graph.steps import epoch_events as events_of
            self._alternatives[key] = events_of(self.scenario, start, event.epoch,
                                                mistake).events
        for e in self._alternatives[key]:
            if e.symbol == event.symbol and e.sample == event.sample:
                return e
        return None

    def hint(self, event: Event) -> str:
        """One factor of the product (or term of the sum), then why the step is what it is."""
        self._hinted.add((event.epoch, event.position))
        done = self.worked(event)
        if done:
            return _("hint: {worked}. {why}.", worked=done, why=shown_why(event))
        return _("hint: {why}.", why=shown_why(event))

    def worked(self, event: Event) -> str:
        """The first factor (or term) of the step worked out, or "" when there is none."""
        if event.kind == "update" and event.old is not None and event.grad is not None \
                and not event.is_matrix:
            return _("new = old - η · gradient, with old = {old}, η = {eta} and gradient = "
                     "{grad}", old=fmt(event.old), eta=fmt(self.scenario.learning_rate),
                     grad=fmt(event.grad))
        word, parts = expr.parts(event.tree) if event.tree is not None else ("", ())
        if parts and not event.is_matrix:
            first = parts[0]
            if self.is_graph:
                from bptui.graph.steps import show
                from bptui.graph.tree import text

                rule, nums = text(first, show=show), text(first, numbers=True)
            else:
                rule, nums = expr.text(first), expr.text(first, numbers=True)
            shown = f"{rule} = {nums}" if rule != nums else nums
            text = N_("the first factor is {shown}; {more} more to combine") if word == "factor" \
                else N_("the first term is {shown}; {more} more to combine")
            return _(text, shown=shown, more=len(parts) - 1)
        return ""

    def reveal(self, event: Event) -> str:
        """Skip the question: count it as revealed and give the answer."""
        self.score.revealed += 1
        return _("revealed: {symbol} = {value}", symbol=self.name(event.symbol),
                 value=fmt(event.value))
