"""A layer-level step's numbers line in words ("64×10 values", "sum of 640 terms") is said in
the learner's language on the screen and in the Markdown export; the event (``--trace``) keeps
its English line. Issue 17: every word on the screen."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bptui import i18n
from bptui.backprop import Params
from bptui.engine import epoch_events
from bptui.notation import summary
from bptui.scenario import load
from bptui.steps import shown_numbers

WORDS = re.compile(r"\b(values|sum of|terms|over samples|row sums|min|max|mean)\b")


@pytest.fixture(scope="module")
def events():
    s = load("batch_relu_1000_100_10")
    return epoch_events(s, Params.initial(s), 1).events


@pytest.fixture()
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def test_english_shows_exactly_what_the_event_carries(events):
    i18n.set_language("en")
    for ev in events:
        assert shown_numbers(ev) == ev.substituted


def test_chinese_says_the_layer_words_in_chinese(events, chinese):
    worded = [ev for ev in events if WORDS.search(ev.substituted)]
    assert {"sum of", "values"} <= {m for ev in worded for m in WORDS.findall(ev.substituted)}
    for ev in worded:
        shown = shown_numbers(ev)
        assert not WORDS.search(shown), shown
        assert re.search(r"[\u4e00-\u9fff]", shown), shown
        assert ev.substituted.isascii() or WORDS.search(ev.substituted)  # the event: English
    assert "最小" in summary(np.arange(6.0).reshape(2, 3))


def test_a_worker_thread_renders_english_while_the_screen_renders_chinese(events, chinese):
    """The words are chosen per thread (a context variable): a run's worker building events
    while the screen paints never writes Chinese into an event."""
    import threading

    from bptui import expr_text

    seen = []
    ev = next(e for e in events if "values" in e.substituted)
    with expr_text.in_words(i18n._):
        t = threading.Thread(target=lambda: seen.append(
            expr_text.numbers_line("x", ev.tree, ev.value, ev.chain)))
        t.start()
        t.join()
    assert "values" in seen[0]


def test_a_graphs_shape_is_said_in_chinese_in_list_and_check():
    from tests.conftest import run_cli

    listed = run_cli("--list", "--lang", "zh")
    assert listed.returncode == 0
    row = next(line for line in listed.stdout.splitlines()
               if line.startswith("micrograd_expression"))
    assert "计算图 4→1" in row and "graph" not in row
    checked = run_cli("micrograd_neuron", "--check", "--lang", "zh")
    assert "结构：计算图 5→1" in checked.stdout, checked.stdout
    assert "graph 5→1" in run_cli("micrograd_neuron", "--check").stdout
