"""Quiz mode's marking and the provenance of any number (the core of the 'learn actively' issue)."""

from __future__ import annotations

import pytest

from bptui import backprop as bp
from bptui import scenario
from bptui.engine import epoch_events
from bptui.provenance import trace
from bptui.quiz import Quiz, parse_kinds


@pytest.fixture(scope="module")
def mazur():
    s = scenario.load("mazur_2_2_2")
    start = bp.Params.initial(s)
    return s, start, epoch_events(s, start, 1).events


def find(events, symbol):
    return next(k for k, e in enumerate(events) if e.symbol == symbol)


def test_published_total_error_is_marked_right(mazur) -> None:
    s, start, events = mazur
    quiz = Quiz(s)
    verdict = quiz.check(events[find(events, "E_total")], 0.298371109, start)
    assert verdict.correct
    assert quiz.score.first_try == 1


def test_wrong_weight_in_sum_answer_is_named(mazur) -> None:
    s, start, events = mazur
    quiz = Quiz(s)
    ev = events[find(events, "dE/dout_h1")]
    # The 2-2-2 tutorial's code: w5 in both terms, δ_o1·w5 + δ_o2·w5 (published δs, w5 = 0.40).
    d_o1, d_o2 = 0.138498562, -0.038098237
    verdict = quiz.check(ev, d_o1 * 0.40 + d_o2 * 0.40, start)
    assert not verdict.correct and verdict.mistake == "wrong-weight-in-sum"
    assert "wrong-weight-in-sum" in verdict.message
    assert quiz.score.wrong == 1 and quiz.score.first_try == 0


def test_sign_flip_is_named(mazur) -> None:
    s, start, events = mazur
    quiz = Quiz(s)
    ev = events[find(events, "dE/dout_o1")]
    verdict = quiz.check(ev, 0.01 - 0.75136507, start)  # target - out instead of -(target - out)
    assert not verdict.correct and verdict.mistake == "gradient-ascent"


def test_hint_then_right_counts_after_hint_and_skip_counts_revealed(mazur) -> None:
    s, start, events = mazur
    quiz = Quiz(s)
    ev = events[find(events, "dE/dw5")]
    hint = quiz.hint(ev)
    assert "first factor" in hint and "0.7413650696" in hint
    assert quiz.check(ev, 0.082167041, start).correct
    assert quiz.score.after_hint == 1 and quiz.score.first_try == 0
    quiz.reveal(events[find(events, "dE/dw6")])
    assert quiz.score.revealed == 1
    assert "1 after a hint" in quiz.score.line()


def test_quiz_kinds_filter() -> None:
    assert parse_kinds("grad,update") == {"grad", "update"}
    with pytest.raises(ValueError, match="unknown sub-step kind"):
        parse_kinds("grad,bogus")


def test_provenance_of_dE_dw1(mazur) -> None:
    s, start, events = mazur
    prov = trace(s, events, start, find(events, "dE/dw1"))
    used = {src.symbol: src for src in prov.sources}
    # the three factors shown: ∂E/∂out_h1 · ∂out_h1/∂net_h1 · i1 (issue 11: the tree and
    # its uses are what the substituted equation multiplies)
    assert set(used) == {"dE/dout_h1", "dout_h1/dnet_h1", "i1"}
    assert used["i1"].origin == "input" and used["i1"].value == 0.05
    err = used["dE/dout_h1"]
    assert err.origin == "step" and events[err.index].symbol == "dE/dout_h1"
    # and further back, to the scenario's data: ∂E/∂out_h1 <- δ_o1, w5, δ_o2, w7
    back = trace(s, events, start, err.index)
    assert {src.symbol for src in back.sources} == {"delta_o1", "w5", "delta_o2", "w7"}


def test_provenance_of_hidden_error_lists_both_terms(mazur) -> None:
    s, start, events = mazur
    prov = trace(s, events, start, find(events, "dE/dout_h1"))
    terms = {(t.unit, t.weight): t for t in prov.terms}
    assert set(terms) == {("o1", "w5"), ("o2", "w7")}
    assert terms[("o1", "w5")].weight_value == 0.40 and terms[("o2", "w7")].weight_value == 0.50
    assert sum(t.product for t in prov.terms) == pytest.approx(0.036350306, abs=1e-9)
    assert "term from o2 through w7" in prov.describe()
