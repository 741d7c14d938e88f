"""--compare: a learner's numbers marked right, wrong or carried forward, and the diagnosis.

The reference numbers are the published ones (Mazur's 2-2-2: net_h1 = 0.3775) or bptui's own
trace; a learner's file is made the way a learner's script would make it (json.dumps, csv).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bptui import compare, scenario
from bptui.errors import BptuiError
from bptui.marking import close, correct_events
from bptui.mistakes import MISTAKES

from .conftest import run_cli_inprocess

ROOT = Path(__file__).resolve().parent.parent


def run_real(*args: str) -> subprocess.CompletedProcess:
    """``python -m bptui ARGS``: the entry point itself (test_own_trace_through_the_cli...)."""
    return subprocess.run([sys.executable, "-m", "bptui", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def run_cli(*args: str):
    """bptui's command line in this interpreter (:func:`run_cli_inprocess`: the same code
    path as the real process, without its start-up); the real process is run_real's."""
    return run_cli_inprocess(*args, cwd=ROOT)


def write_jsonl(path: Path, events) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for ev in events:
            value = ev.value.tolist() if isinstance(ev.value, np.ndarray) else ev.value
            fh.write(json.dumps({"symbol": ev.symbol, "epoch": ev.epoch, "sample": ev.sample,
                                 "value": value}) + "\n")
    return path


def first_changed(events):
    """The first step a mistake changes: its value differs from correct backprop's (an update
    by its change, as --compare judges it)."""
    for ev in events:
        if ev.mistake is None or ev.correct_value is None:
            continue
        if np.size(ev.value) != np.size(ev.correct_value):
            return ev
        base = np.asarray(ev.old) if ev.kind == "update" else 0.0
        if not close(np.asarray(ev.value) - base, np.asarray(ev.correct_value) - base):
            return ev
    return None


# The layered networks here; computational graphs (bptui.graph) are marked in
# tests/test_graph_compare.py and tests/test_graph_compare_property.py.
LAYERED = [name for name in scenario.builtin_names()
           if not getattr(scenario.load(name), "is_graph", False)]
MISTAKE_CASES = [(name, m) for name in LAYERED for m in MISTAKES
                 if MISTAKES[m].applies(scenario.load(name)) is None]


@pytest.mark.parametrize("name", LAYERED)
def test_own_trace_is_all_right(name, tmp_path):
    s = scenario.load(name)
    path = write_jsonl(tmp_path / "mine.jsonl", correct_events(s, 1))
    result = compare.check_file(s, str(path))
    mk = result.marking
    assert mk.count("right") == len(mk.marks) == len(correct_events(s, 1))
    assert result.exit_code == 0
    assert result.diagnosis.first_wrong is None and result.diagnosis.mistake is None


def test_own_trace_through_the_cli_is_all_right(tmp_path):
    trace = run_real("mazur_2_2_2", "--trace", "--epochs", "2")
    path = tmp_path / "trace.jsonl"
    path.write_text(trace.stdout, encoding="utf-8")
    done = run_real("mazur_2_2_2", "--compare", str(path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["checked"] == report["right"] == 78
    assert report["wrong"] == report["carried_forward"] == report["unknown"] == 0
    assert report["first_wrong"] is None and report["mistake"] is None
    assert report["format"] == compare.FORMAT


@pytest.mark.parametrize(("name", "mistake"), MISTAKE_CASES)
def test_each_mistake_is_named_at_the_first_step_it_changes(name, mistake, tmp_path):
    s = scenario.load(name)
    buggy = correct_events(s, 1, mistake)
    path = write_jsonl(tmp_path / "buggy.jsonl", buggy)
    result = compare.check_file(s, str(path))
    changed = first_changed(buggy)
    first = result.diagnosis.first_wrong
    assert first is not None and changed is not None
    assert (first.symbol, first.sample) == (changed.symbol, changed.sample)
    assert result.diagnosis.mistake == mistake
    assert result.diagnosis.unexplained == 0
    assert result.exit_code == 1


@pytest.mark.parametrize(("name", "mistake"), [("mazur_2_2_2", "stale-weights"),
                                                ("sigmoid_chain_1_1_1", "gradient-ascent"),
                                                ("softmax_xor_2_3_2", "missing-sum")])
def test_a_mistake_trace_through_the_cli(name, mistake, tmp_path):
    trace = run_cli(name, "--trace", "--mistake", mistake)
    path = tmp_path / "trace.jsonl"
    path.write_text(trace.stdout, encoding="utf-8")
    done = run_cli(name, "--compare", str(path), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["mistake"] == mistake
    assert report["wrong"] >= 1
    text = run_cli(name, "--compare", str(path))
    assert text.returncode == 1
    assert f"mistake '{mistake}'" in text.stdout and "First wrong value" in text.stdout


def test_wrong_net_and_its_sigmoid_give_one_wrong_and_one_carried_forward(tmp_path):
    net = 0.3775 + 0.01  # Mazur's published net_h1 = 0.3775, off by 0.01
    out = 1 / (1 + math.exp(-net))
    path = tmp_path / "mine.csv"
    path.write_text(f"symbol,value\nnet_h1,{net}\nout_h1,{out!r}\n", encoding="utf-8")
    done = run_cli("mazur_2_2_2", "--compare", str(path), "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert (report["checked"], report["right"], report["wrong"], report["carried_forward"]) \
        == (2, 0, 1, 1)
    assert [v["mark"] for v in report["values"]] == ["wrong", "carried_forward"]
    first = report["first_wrong"]
    assert first["symbol"] == "net_h1" and first["epoch"] == 1 and first["sample"] == 1
    assert first["correct"] == pytest.approx(0.3775, abs=1e-12)
    assert first["yours"] == pytest.approx(0.3875, abs=1e-12)
    text = run_cli("mazur_2_2_2", "--compare", str(path)).stdout
    assert "✗ net_h1" in text and "→ out_h1" in text


def test_published_mazur_numbers_are_right_in_both_spellings(tmp_path):
    # Mazur's published values: out_h1 = 0.593269992, ∂E/∂w5 = 0.082167041, w5⁺ = 0.35891648
    path = tmp_path / "mine.jsonl"
    rows = [("out_h1", 0.593269992), ("∂E/∂w5", 0.082167041), ("w5⁺", 0.35891648),
            ("δ_o1", 0.138498562), ("dE/dw1", 0.000438568), ("w1+", 0.149780716)]
    path.write_text("".join(json.dumps({"symbol": s, "value": v}, ensure_ascii=False) + "\n"
                            for s, v in rows), encoding="utf-8")
    result = compare.check_file(scenario.load("mazur_2_2_2"), str(path))
    assert [m.mark for m in result.marking.marks] == ["right"] * len(rows)
    assert [m.symbol for m in result.marking.marks] == [
        "out_h1", "delta_o1", "dE/dw5", "dE/dw1", "w5+", "w1+"]  # computation order


def test_an_update_is_judged_by_its_change(tmp_path):
    # w5⁺ = 0.35891648 (Mazur, from w5 = 0.40): 0.3592 is within 1e-3 of the new weight, but
    # its change, -0.0408 against -0.04108352, is 0.7 % off: wrong.
    path = tmp_path / "mine.csv"
    path.write_text("symbol,value\nw5+,0.3592\nw6+,0.408666186\n", encoding="utf-8")
    result = compare.check_file(scenario.load("mazur_2_2_2"), str(path))
    assert [m.mark for m in result.marking.marks] == ["wrong", "right"]
    assert close(0.3592, 0.35891648)  # so a test on the value alone would have passed it


def test_sign_slip_and_swapped_weights_are_named(tmp_path):
    s = scenario.load("mazur_2_2_2")
    path = tmp_path / "mine.csv"
    path.write_text("symbol,value\ndE/dout_o1,-0.7413650696\n", encoding="utf-8")
    slips = compare.check_file(s, str(path)).diagnosis.slips
    assert any("sign slip" in x for x in slips)
    # net_h1 with w1 and w2 exchanged: 0.20·0.05 + 0.15·0.10 + 0.35 = 0.375
    path.write_text("symbol,value\nnet_h1,0.375\n", encoding="utf-8")
    slips = compare.check_file(s, str(path)).diagnosis.slips
    assert any("w1 and w2 swapped" in x for x in slips)


def test_no_known_mistake(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("symbol,value\nnet_h1,0.5\n", encoding="utf-8")
    done = run_cli("mazur_2_2_2", "--compare", str(path))
    assert done.returncode == 1
    assert "no known mistake explains this" in done.stdout


def test_unknown_symbol_is_an_error_with_the_closest_names(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("symbol,value\nnet_h1,0.3775\nnet_h3,0.5\n", encoding="utf-8")
    done = run_cli("mazur_2_2_2", "--compare", str(path))
    assert done.returncode == 2
    assert f"{path}:3: unknown symbol 'net_h3'" in done.stderr
    assert "net_h1" in done.stderr and "Traceback" not in done.stderr


def test_a_symbol_only_a_mistake_computes_is_unknown(tmp_path, monkeypatch):
    """A symbol only a lab mistake computes is marked 'unknown', not rejected. Since the merge
    of the expression trees no built-in mistake adds a step (softmax's δ is one Jacobian step
    with or without the shortcut: checked first), so the mistake-only list is given here."""
    from bptui import marking

    s = scenario.load("softmax_xor_2_3_2")
    valid = {ev.symbol for ev in correct_events(s, 1)}
    assert marking.mistake_only_symbols(s, valid) == []
    monkeypatch.setattr(marking, "mistake_only_symbols", lambda scn, val: ["dout_a/dnet_a"])
    path = write_jsonl(tmp_path / "buggy.jsonl", correct_events(s, 1, "loss-as-gradient"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"symbol": "dout_a/dnet_a", "epoch": 1, "sample": 1,
                             "value": 0.25}) + "\n")
    result = compare.check_file(s, str(path))
    assert [m.symbol for m in result.marking.marks if m.mark == "unknown"] == ["dout_a/dnet_a"]
    assert result.diagnosis.mistake == "loss-as-gradient"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ('{"symbol": "net_h1", "value": 0.3775}\n{"symbol": "out_h1", "value": }\n', 2,
     "not valid JSON"),
    ('{"symbol": "net_h1"}\n', 1, "no 'value' field"),
    ("symbol,value\nnet_h1,abc\n", 2, "expected a number"),
    ("sym,val\nnet_h1,1\n", 1, "the header must name the columns symbol and value"),
    # the line quoted as written: not lower-cased, its quote not escaped
    ("# How do I update the learner's W1?\n", 1, "found '# How do I update the learner's W1?'"),
    ("symbol,value,epoch\nnet_h1,1,0\n", 2, "epoch: expected a number of at least 1"),
    ("symbol,value\nnet_h1,0.3775\nnet_h1,0.3775\n", 3, "given twice; first on line 2"),
    ("symbol,value,sample\nnet_h1,0.3775,5\n", 2, "net_h1 has no sample 5"),
])
def test_unreadable_files_name_the_line(tmp_path, text, line, reason):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BptuiError) as info:
        compare.check_file(scenario.load("mazur_2_2_2"), str(path))
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert reason in str(info.value)


def test_unreadable_file_exits_2_and_the_file_is_only_read(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"symbol": "net_h1", "value": true}\n', encoding="utf-8")
    os.utime(path, (1_000_000, 1_000_000))
    done = run_cli("mazur_2_2_2", "--compare", str(path))
    assert done.returncode == 2
    assert done.stderr.strip() == f"bptui: error: {path}:1: value: expected a number, found True"
    assert path.stat().st_mtime == 1_000_000
    assert path.read_text(encoding="utf-8") == '{"symbol": "net_h1", "value": true}\n'


def test_empty_values_are_skipped(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("symbol,epoch,sample,value\nnet_h1,1,1,0.3775\nout_h1,1,1,\n",
                    encoding="utf-8")
    result = compare.check_file(scenario.load("mazur_2_2_2"), str(path))
    assert [m.symbol for m in result.marking.marks] == ["net_h1"]


def test_layer_level_matrices_are_compared_element_by_element(tmp_path):
    s = scenario.load("batch_relu_1000_100_10")
    events = correct_events(s, 1)
    net = next(ev for ev in events if ev.symbol == "net_1")
    off = np.array(net.value)
    off[3, 7] += 1.0
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"symbol": "net_1", "value": off.tolist()}) + "\n"
                    + json.dumps({"symbol": "W2+", "value": next(
                        ev for ev in events if ev.symbol == "W2+").value.tolist()}) + "\n",
                    encoding="utf-8")
    marks = compare.check_file(s, str(path)).marking.marks
    assert [m.mark for m in marks] == ["wrong", "right"]


def test_a_class_at_once(tmp_path):
    s = scenario.load("mazur_2_2_2")
    good = write_jsonl(tmp_path / "ann.jsonl", correct_events(s, 1))
    bad1 = write_jsonl(tmp_path / "bob.jsonl", correct_events(s, 1, "missing-sum"))
    bad2 = write_jsonl(tmp_path / "cy.jsonl", correct_events(s, 1, "missing-sum"))
    done = run_cli("mazur_2_2_2", "--compare", str(good), str(bad1), str(bad2), "--json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert [f["mistake"] for f in doc["files"]] == [None, "missing-sum", "missing-sum"]
    total = doc["total"]
    assert total["files"] == 3 and total["all_right"] == 1
    assert total["commonest_mistake"] == "missing-sum"
    step = next(st for st in total["steps"] if st["symbol"] == "dE/dout_h1")
    assert (step["checked"], step["right"], step["wrong"]) == (3, 1, 2)
    text = run_cli("mazur_2_2_2", "--compare", str(good), str(bad1), str(bad2)).stdout
    assert "Class: 3 files, 1 all right" in text
    assert "∂E/∂out_h1 (epoch 1, sample 1): 1 of 3 right, 2 wrong" in text
    assert "Commonest mistake: missing-sum" in text


def test_mistake_option_checks_one_mistake(tmp_path):
    s = scenario.load("mazur_2_2_2")
    path = write_jsonl(tmp_path / "buggy.jsonl", correct_events(s, 1, "stale-weights"))
    assert compare.check_file(s, str(path), mistake="stale-weights").diagnosis.mistake \
        == "stale-weights"
    assert compare.check_file(s, str(path), mistake="missing-sum").diagnosis.mistake is None


def test_options_that_mean_nothing_with_compare_are_errors(tmp_path):
    done = run_cli("mazur_2_2_2", "--compare", "x.jsonl", "--format", "csv")
    assert done.returncode == 2
    assert "--format means nothing with --compare" in done.stderr


def test_marks_for_the_screen(tmp_path):
    from bptui.marking import marks_for_epoch

    path = tmp_path / "mine.csv"
    path.write_text("symbol,value\nnet_h1,0.3875\nout_h1,0.5956\nnet_h2,0.3925\n",
                    encoding="utf-8")
    result = compare.check_file(scenario.load("mazur_2_2_2"), str(path))
    assert marks_for_epoch(result.marking, 1) == {
        (1, "net_h1"): "wrong", (1, "out_h1"): "carried_forward", (1, "net_h2"): "right"}
    assert marks_for_epoch(result.marking, 2) == {}


def test_batch_mode_carries_forward_through_the_summed_update(tmp_path):
    """Unit by unit in batch mode: the update reads every sample's gradient, and E_batch every
    sample's E_total; a mistake's wrong values are exactly the steps its rule changes."""
    text = (scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml").read_text(encoding="utf-8")
    text = (text.replace('mode = "sample"', 'mode = "batch"\nreduction = "mean"')
            .replace("train_bias = false", "train_bias = true")
            .replace("inputs = [[0.05, 0.10]]", "inputs = [[0.05, 0.10], [0.3, -0.2]]")
            .replace("targets = [[0.01, 0.99]]", "targets = [[0.01, 0.99], [0.5, 0.2]]"))
    path = tmp_path / "batch.toml"
    path.write_text(text, encoding="utf-8")
    s = scenario.load(str(path))
    assert s.mode == "batch" and s.samples == 2 and s.unit_by_unit
    own = compare.check_file(s, str(write_jsonl(tmp_path / "own.jsonl", correct_events(s, 2))))
    assert own.marking.count("right") == len(own.marking.marks) > 100
    buggy = write_jsonl(tmp_path / "buggy.jsonl", correct_events(s, 2, "missing-sum"))
    result = compare.check_file(s, str(buggy))
    wrong = [(m.epoch, m.sample, m.symbol) for m in result.marking.marks if m.mark == "wrong"]
    assert wrong == [(e, k, f"dE/dout_{h}") for e in (1, 2) for k in (1, 2) for h in ("h1", "h2")]
    assert result.marking.count("carried_forward") > 50
    assert result.diagnosis.mistake == "missing-sum"


def test_factor_of_two_and_wrong_sample_are_named(tmp_path):
    s = scenario.load("mazur_2_2_2")
    path = tmp_path / "mine.csv"
    # ∂E/∂out_o1 = out_o1 - target_o1 = 0.7413650696 for ½(target - out)²; 2(out - target) is
    # the derivative of the loss without the ½
    path.write_text("symbol,value\ndE/dout_o1,1.4827301391\n", encoding="utf-8")
    assert any("factor of 2" in x for x in compare.check_file(s, str(path)).diagnosis.slips)
    chain = scenario.load("linear_chain_1_1_1")
    first = next(ev for ev in correct_events(chain, 1) if ev.symbol == "net_y")
    path.write_text(f"symbol,sample,value\nnet_y,2,{first.value!r}\n", encoding="utf-8")
    slips = compare.check_file(chain, str(path)).diagnosis.slips
    assert any("the wrong sample: your number is net_y of sample 1" in x for x in slips)


def test_a_softmax_output_is_carried_forward_from_its_own_net():
    """evaluate_step is the step's tree on the learner's numbers: out_b = e^net_b / Σ e^net
    (the recomputation it replaced read the nets in the order of `uses`, and gave out_a)."""
    from bptui.marking import evaluate_step

    s = scenario.load("softmax_xor_2_3_2")
    ev = next(e for e in correct_events(s, 1) if e.symbol == "out_b")
    got = evaluate_step(ev, {"net_a": 0.1, "net_b": 0.7}, s)
    assert got == pytest.approx(math.exp(0.7) / (math.exp(0.1) + math.exp(0.7)), rel=1e-12)
    assert evaluate_step(ev, {"net_a": 0.1}, s) is None  # a symbol it reads is missing


# -- a hostile sweep's learner files: each is one line naming the file and line, status 2 --

@pytest.mark.parametrize(("name", "line", "says"), [
    ("mazur_2_2_2", '{"symbol": "net_h1", "value": [[1, 2], [3, 4]]}',
     "net_h1 is one number, found a 2×2 matrix"),
    ("mazur_2_2_2", '{"symbol": "net_h1", "value": []}', "an empty list"),
    ("batch_relu_1000_100_10", '{"symbol": "net_1", "value": 1}',
     "net_1 is a 64×100 matrix, found one number"),
    ("mazur_2_2_2", '{"symbol": "net_h1", "value": ' + "9" * 5000 + "}", "not valid JSON"),
    ("mazur_2_2_2", '{"symbol": "net_h1", "value": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "not valid JSON"),
])
def test_a_value_of_the_wrong_size_or_unreadable_is_a_line_of_the_file(tmp_path, name, line,
                                                                        says):
    f = tmp_path / "mine.jsonl"
    f.write_text(line + "\n")
    run = run_cli(name, "--compare", str(f))
    assert run.returncode == 2, run.stderr
    assert "mine.jsonl:1: " in run.stderr and says in run.stderr
    assert "Traceback" not in run.stderr


def test_a_csv_file_that_cannot_be_read_or_holds_nan_is_never_all_right(tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("symbol,value\nnet_h1," + "1" * 200_000 + "\n")
    run = run_cli("mazur_2_2_2", "--compare", str(huge))
    assert run.returncode == 2 and "huge.csv:2: not a CSV row" in run.stderr
    quote = tmp_path / "quote.csv"
    quote.write_text('symbol,value\n"net_h1,0.3775\n')
    run = run_cli("mazur_2_2_2", "--compare", str(quote))
    assert run.returncode == 2 and "closing quote" in run.stderr
    nan = tmp_path / "nan.csv"
    nan.write_text("symbol,value\nnet_h1,nan\nout_h1,inf\n")
    run = run_cli("mazur_2_2_2", "--compare", str(nan))
    assert run.returncode == 1 and "2 checked" in run.stdout and "2 wrong" in run.stdout
