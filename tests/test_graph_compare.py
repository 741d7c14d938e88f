"""--compare, --worksheet and --symbols on computational graphs, through the command line.

A learner's numbers are the published ones (micrograd's L = -8 and ∂L/∂a = 6, CS231n's
f = 0.73) or worked out here by hand with ``math`` from the expression, never copied from
bptui's output; the traces of a graph mistake are the command line's own ``--trace
--mistake``, and the first step each mistake changes is found by comparing two traces.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from .conftest import run_cli, run_cli_inprocess

MICROGRAD_LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
NEURON_B = 6.8813735870195432


def write_jsonl(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row if isinstance(row, dict) else
                                {"symbol": row[0], "value": row[1]}) + "\n")
    return path


def compare(*args: str) -> tuple[int, dict]:
    r = run_cli_inprocess(*args, "--json")
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, json.loads(r.stdout)


def marks(report: dict) -> dict[str, str]:
    return {v["symbol"]: v["mark"] for v in report["values"]}


def trace(*args: str) -> list[dict]:
    r = run_cli_inprocess(*args, "--trace")
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.splitlines()]


# ----------------------------------------------------------------------------- right numbers


@pytest.mark.parametrize("args", [("micrograd_expression",), ("micrograd_neuron",),
                                  ("micrograd_neuron", "--epochs", "3"),
                                  ("cs231n_sigmoid_gate",), ("mazur_2_2_2", "--graph")])
def test_own_trace_is_all_right(args, tmp_path):
    path = tmp_path / "trace.jsonl"
    lines = trace(*args)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    status, report = compare(args[0], *args[1:2] if "--graph" in args else (),
                             "--compare", str(path))
    assert status == 0
    assert report["checked"] == report["right"] == len(lines) > 20
    assert report["first_wrong"] is None and report["mistake"] is None


def test_published_micrograd_numbers_are_right(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("L", -8), ("dL/da", 6), ("∂L/∂b", -4), ("dL/dc", -2), ("∂L/∂f", 4)])
    status, report = compare("micrograd_expression", "--compare", str(path))
    assert status == 0 and report["right"] == 5, report


def test_published_neuron_numbers_are_right(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("o", 0.7071), ("do/dx1", -1.5), ("do/dw1", 1.0), ("do/dx2", 0.5), ("do/dw2", 0.0),
        ("do/db", 0.5)])
    status, report = compare("micrograd_neuron", "--compare", str(path))
    assert status == 0 and report["right"] == 6, report


def test_published_sigmoid_gate_numbers_are_right_to_their_two_digits(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("f", 0.73), ("df/dw0", -0.20), ("df/dx0", 0.39), ("df/dw1", -0.39), ("df/dx1", -0.59),
        ("df/dw2", 0.20)])
    status, report = compare("cs231n_sigmoid_gate", "--compare", str(path), "--tolerance",
                             "0.02")
    assert status == 0 and report["right"] == 6, report
    status, report = compare("cs231n_sigmoid_gate", "--compare", str(path))  # 1e-3: too coarse
    assert status == 1 and report["wrong"] >= 1


def test_published_mazur_numbers_through_its_graph(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("net_h1", 0.3775), ("E_total", 0.298371109), ("dE_total/dw5", 0.082167041),
        ("∂E_total/∂w1", 0.000438568)])
    status, report = compare("mazur_2_2_2", "--graph", "--compare", str(path))
    assert status == 0 and report["right"] == 4, report


# ----------------------------------------------------------------------------- carried forward


def test_a_wrong_node_is_carried_forward_through_the_expression(tmp_path):
    a, b, c, f = MICROGRAD_LEAVES.values()
    n1 = a * b + 1  # the slip: -5 instead of -6
    n2 = n1 + c
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("n1", n1), ("n2", n2), ("L", n2 * f),
        ("∂L/∂f", n2),  # ∂L/∂f = n2 (the other input of L = n2·f): carried forward
        ("dL/da", 6.0)])  # ∂L/∂a = f·b does not read n1: right
    status, report = compare("micrograd_expression", "--compare", str(path))
    assert status == 1
    assert marks(report) == {"n1": "wrong", "n2": "carried_forward", "L": "carried_forward",
                             "dL/df": "carried_forward", "dL/da": "right"}
    first = report["first_wrong"]
    assert first["symbol"] == "n1" and first["yours"] == -5 and first["correct"] == -6
    assert first["correct_numbers"] == "n1 = 2·(-3) = -6"
    assert report["mistake"] is None


def test_a_wrong_neuron_sum_is_carried_forward_through_tanh(tmp_path):
    n4 = 1.0  # instead of x1·w1 + x2·w2 + b = 0.8813735870195432
    o = math.tanh(n4)
    local = 1 - o * o  # ∂o/∂n4 from their o
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("n4", n4), ("o", o), ("∂o/∂n4 (local)", local), ("do/dw1", local * 2.0),
        ("do/dw2", 0.0), ("do/dx1", 1.5 * -1.0 * -1.0)])  # x1's: -1.5 as published... wrong sign
    status, report = compare("micrograd_neuron", "--compare", str(path))
    assert status == 1
    assert marks(report) == {"n4": "wrong", "o": "carried_forward",
                             "do/dn4|local": "carried_forward", "do/dw1": "carried_forward",
                             "do/dw2": "right", "do/dx1": "wrong"}


def test_a_sign_slip_in_the_sigmoid_gate_is_named_and_carried_forward(tmp_path):
    w0, x0, w1, x1, w2 = 2.0, -1.0, -3.0, -2.0, -3.0
    n1 = -(w0 * x0)  # the slip: +2 instead of -2
    n4 = n1 + w1 * x1 + w2
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("n1", n1), ("n3", n1 + w1 * x1), ("n4", n4), ("f", 1 / (1 + math.exp(-n4))),
        ("df/dw1", -0.39)])  # ∂f/∂w1 = f(1-f)·x1: their f would give another number
    status, report = compare("cs231n_sigmoid_gate", "--compare", str(path), "--tolerance",
                             "0.02")
    assert status == 1 and report["first_wrong"]["symbol"] == "n1"
    assert any("sign slip" in s for s in report["first_wrong"]["slips"]), report
    assert marks(report) == {"n1": "wrong", "n3": "carried_forward", "n4": "carried_forward",
                             "f": "carried_forward", "df/dw1": "right"}


def test_another_value_read_in_place_of_one_is_named(tmp_path):
    # n2 = w1·x1 = (-3)·(-2) = 6; a learner who read w0 = 2 for w1 writes 2·(-2) = -4
    path = write_jsonl(tmp_path / "mine.jsonl", [("n2", 2.0 * -2.0)])
    status, report = compare("cs231n_sigmoid_gate", "--compare", str(path))
    assert status == 1
    assert "w0 in place of w1: the rule with w0's value gives your number" in \
        report["first_wrong"]["slips"], report
    # ∂n1/∂w0 = x0 = -1: the product's OTHER input; the node's own input w0 = 2 is the slip
    path = write_jsonl(tmp_path / "mine.jsonl", [("dn1/dw0", 2.0)])
    status, report = compare("cs231n_sigmoid_gate", "--compare", str(path))
    assert "w0 in place of x0: the rule with w0's value gives your number" in \
        report["first_wrong"]["slips"], report


# ----------------------------------------------------------------------------- the graph lab


def first_changed(right: list[dict], wrong: list[dict]) -> str:
    """The first symbol, in computation order, whose value the mistake changes."""
    theirs = {(x["epoch"], x["symbol"]): x["value"] for x in wrong}
    for x in right:
        y = theirs.get((x["epoch"], x["symbol"]))
        if y is not None and not math.isclose(x["value"], y, rel_tol=1e-9, abs_tol=1e-12):
            return x["symbol"]
    raise AssertionError("the mistake changes nothing")


SHARED = """\
title = "micrograd's b = a + a"
[graph]
values = { a = 3.0, x = -2.0 }
expression = \"\"\"
b = a + a
L = b * x + exp(a * x)
\"\"\"
"""


@pytest.mark.parametrize("args, mistake", [
    (("SHARED",), "grad-overwritten"),
    (("mazur_2_2_2", "--graph"), "grad-overwritten"),
    (("micrograd_neuron",), "tanh-prime-of-input"),
    (("micrograd_neuron", "--epochs", "3"), "grad-not-zeroed"),
])
def test_a_graph_mistakes_trace_names_it(args, mistake, tmp_path):
    if args[0] == "SHARED":
        (tmp_path / "shared.toml").write_text(SHARED, encoding="utf-8")
        args = (str(tmp_path / "shared.toml"),)
    right = trace(*args)
    wrong = trace(*args, "--mistake", mistake)
    path = tmp_path / "theirs.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in wrong), encoding="utf-8")
    scenario = [a for a in args if a != "--epochs" and not a.isdigit()]
    status, report = compare(*scenario, "--compare", str(path))
    assert status == 1
    assert report["mistake"] == mistake, report["mistake"]
    assert report["first_wrong"]["symbol"] == first_changed(right, wrong)
    text = run_cli_inprocess(*scenario, "--compare", str(path)).stdout
    assert f"mistake '{mistake}'" in text


def test_equals_instead_of_plus_equals_by_hand(tmp_path):
    """The lecture's bug: b = a + a with self.grad = ... gives ∂b/∂a = 1 instead of 2."""
    (tmp_path / "b.toml").write_text('[graph]\nvalues = { a = 3.0 }\nexpression = "b = a + a"\n',
                                     encoding="utf-8")
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("b", 6.0), ("∂b/∂a|via b.1", 1.0), ("∂b/∂a|via b.2", 1.0), ("∂b/∂a", 1.0)])
    status, report = compare(str(tmp_path / "b.toml"), "--compare", str(path))
    assert status == 1
    assert marks(report) == {"b": "right", "db/da|b.1": "right", "db/da|b.2": "right",
                             "db/da": "wrong"}
    assert report["first_wrong"]["correct"] == 2.0
    assert report["first_wrong"]["correct_numbers"] == "∂b/∂a = 1 + 1 = 2"
    assert report["mistake"] == "grad-overwritten"
    assert "(a gradient overwritten at a value used twice)" in run_cli_inprocess(
        str(tmp_path / "b.toml"), "--compare", str(path)).stdout


def test_tanh_slope_on_the_input_by_hand(tmp_path):
    n4 = 2 * -3 + 0 * 1 + NEURON_B  # x1·w1 + x2·w2 + b
    path = write_jsonl(tmp_path / "mine.jsonl", [
        ("o", math.tanh(n4)), ("∂o/∂n4 (local)", 1 - n4 * n4)])
    status, report = compare("micrograd_neuron", "--compare", str(path))
    assert status == 1 and report["mistake"] == "tanh-prime-of-input"
    assert report["first_wrong"]["rule"] == "∂o/∂n4 (local) = 1 - o²"


def test_mistake_option_narrows_the_diagnosis_to_graph_mistakes(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [("do/dn4|local", 0.0)])
    r = run_cli_inprocess("micrograd_neuron", "--compare", str(path), "--mistake",
                          "stale-weights")
    assert r.returncode == 2 and "layered networks" in r.stderr


# ----------------------------------------------------------------------------- the files


def test_worksheet_csv_filled_in_by_hand_is_marked(tmp_path):
    sheet = tmp_path / "sheet.csv"
    r = run_cli_inprocess("micrograd_expression", "--worksheet", "--format", "csv", "-o",
                          str(sheet))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert [x["symbol"] for x in rows[:3]] == ["n1", "n2", "L"]
    assert all(x["value"] == "" and x["sample"] == "" for x in rows)
    a, b, c, f = MICROGRAD_LEAVES.values()
    by_hand = {"n1": a * b, "n2": a * b + c, "L": (a * b + c) * f, "dL/da": f * b,
               "dL/db": f * a, "dL/dc": f, "dL/df": a * b + c}
    for x in rows:
        x["value"] = by_hand.get(x["symbol"], "")
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["symbol", "epoch", "sample", "value"])
        w.writeheader()
        w.writerows(rows)
    status, report = compare("micrograd_expression", "--compare", str(sheet))
    assert status == 0 and report["right"] == len(by_hand)


def test_worksheet_markdown_has_the_graph_rules():
    r = run_cli_inprocess("micrograd_neuron", "--worksheet", "--epochs", "2")
    assert r.returncode == 0, r.stderr
    assert "## Epoch 1: forward" in r.stdout and "## Epoch 2: update" in r.stdout
    assert "∂o/∂n4 (local) = 1 - o²" in r.stdout
    assert "--compare FILE" in r.stdout and "the whole batch" not in r.stdout
    r = run_cli_inprocess("mazur_2_2_2", "--graph", "--worksheet")
    assert "bptui mazur_2_2_2 --graph --compare FILE" in r.stdout


def test_worksheet_of_two_epochs_without_training_is_refused():
    r = run_cli_inprocess("micrograd_expression", "--worksheet", "--epochs", "2")
    assert r.returncode == 2 and "no [training]" in r.stderr


def test_symbols_lists_the_graph_steps_in_order():
    r = run_cli_inprocess("micrograd_expression", "--symbols")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[:4] == ["n1\tnode", "n2\tnode", "L\tnode", "dL/dL\tgrad"]
    assert "dL/da|n1\tchain" in lines and "dn1/da\tlocal" in lines


def test_every_spelling_of_a_graph_symbol(tmp_path):
    for spelling in ("dL/da|n1", "∂L/∂a|via n1", "∂L/∂a|n1", "∂L/∂a | via n1"):
        path = write_jsonl(tmp_path / "mine.jsonl", [(spelling, 6.0)])
        status, report = compare("micrograd_expression", "--compare", str(path))
        assert status == 0 and report["values"][0]["symbol"] == "dL/da|n1", spelling


def test_unknown_symbol_and_epoch_beyond_a_single_pass(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [("dL/dz", 1.0)])
    r = run_cli_inprocess("micrograd_expression", "--compare", str(path))
    assert r.returncode == 2 and "mine.jsonl:1: unknown symbol 'dL/dz'" in r.stderr
    assert "did you mean" in r.stderr
    path = write_jsonl(tmp_path / "mine.jsonl", [{"symbol": "L", "value": -8, "epoch": 2}])
    r = run_cli_inprocess("micrograd_expression", "--compare", str(path))
    assert r.returncode == 2 and "mine.jsonl:1: epoch: 2" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_class_of_graph_files(tmp_path):
    good = write_jsonl(tmp_path / "ann.jsonl", [("L", -8), ("dL/da", 6)])
    bad = write_jsonl(tmp_path / "bob.jsonl", [("L", -8), ("dL/da", -6)])
    r = run_cli_inprocess("micrograd_expression", "--compare", str(good), str(bad))
    assert r.returncode == 1
    assert "∂L/∂a (epoch 1): 1 of 2 right, 1 wrong" in r.stdout
    status, doc = compare("micrograd_expression", "--compare", str(good), str(bad))
    assert doc["total"]["files"] == 2 and doc["total"]["all_right"] == 1


def test_report_writes_graph_symbols_as_the_screen_does(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [("dL/da|n1", 6.0), ("dL/dn2|local", -2.0)])
    r = run_cli_inprocess("micrograd_expression", "--compare", str(path))
    assert "✓ ∂L/∂a|via n1 (epoch 1) = 6" in r.stdout
    assert "✓ ∂L/∂n2 (local) (epoch 1) = -2" in r.stdout


def test_readme_graph_example_is_current(tmp_path):
    """The README's graph report: a learner who took tanh's slope at the input (1 - n4²)."""
    n4 = 2 * -3 + 0 * 1 + NEURON_B
    slip = round(1 - n4 * n4, 7)  # 0.2231806, as a learner writes it down
    write_jsonl(tmp_path / "neuron.jsonl", [
        ("n4", n4), ("o", math.tanh(n4)), ("∂o/∂n4 (local)", slip), ("∂o/∂n4|via o", slip),
        ("∂o/∂w1", round(slip * 2, 7))])  # ∂o/∂w1 = ∂o/∂n4 · x1, x1 = 2
    r = run_cli_inprocess("micrograd_neuron", "--compare", "neuron.jsonl", cwd=tmp_path)
    assert r.returncode == 1
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ bptui micrograd_neuron --compare neuron.jsonl\n", 1)[1]
    assert block.split("\n```", 1)[0] + "\n" == r.stdout


def test_a_sample_number_on_a_graph_value(tmp_path):
    path = write_jsonl(tmp_path / "mine.jsonl", [{"symbol": "L", "value": -8, "sample": 1}])
    status, report = compare("micrograd_expression", "--compare", str(path))
    assert status == 0  # sample 1 is the one there is
    path = write_jsonl(tmp_path / "mine.jsonl", [{"symbol": "L", "value": -8, "sample": 2}])
    r = run_cli_inprocess("micrograd_expression", "--compare", str(path))
    assert r.returncode == 2 and "mine.jsonl:1: L: a graph has no samples" in r.stderr


def test_the_real_entry_point_marks_a_graph(tmp_path):
    """One real process (python -m bptui): exit 1 and the report on stdout."""
    path = write_jsonl(tmp_path / "mine.jsonl", [("L", -8), ("dL/da", -6)])
    r = run_cli("micrograd_expression", "--compare", str(path))
    assert r.returncode == 1, r.stderr
    assert "✗ ∂L/∂a (epoch 1) = -6: wrong, correct 6" in r.stdout
    assert "looks like a sign slip" in r.stdout
