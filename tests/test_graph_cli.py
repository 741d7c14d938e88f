"""Graph scenarios through the real command line: every action, and bad input (exit 2, one
line per problem with file:line, never a traceback, the file never written)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from .conftest import run_cli_inprocess

GOOD = """\
title = "ok"
[graph]
values = { a = 2.0, b = -3.0 }
expression = \"\"\"
e = a * b
L = e + a
\"\"\"
"""


def test_check_lists_nodes_and_shared_values():
    r = run_cli_inprocess("micrograd_expression", "--check")
    assert r.returncode == 0, r.stderr
    assert "node n1 = a·b  (staged)" in r.stdout and "output: L" in r.stdout


def test_list_has_one_line_per_scenario_name_first():
    r = run_cli_inprocess("--list")
    assert r.returncode == 0
    for name in ("micrograd_expression", "micrograd_neuron", "cs231n_sigmoid_gate"):
        line = next(ln for ln in r.stdout.splitlines() if ln.startswith(name))
        assert "graph" in line


def test_trace_is_strict_json_with_node_fields():
    r = run_cli_inprocess("micrograd_neuron", "--trace", "--epochs", "2")
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert {e["epoch"] for e in events} == {1, 2}
    assert all("node" in e for e in events if e["phase"] != "forward")
    assert {e["kind"] for e in events} == {"node", "local", "chain", "grad", "update"}
    assert all("tree" in e for e in events)


def test_train_json_has_leaves_and_output_per_epoch():
    r = run_cli_inprocess("micrograd_neuron", "--train", "4", "--json")
    data = json.loads(r.stdout)
    assert len(data["output"]) == 4 and set(data["leaves"]) == {"x1", "x2", "w1", "w2", "b"}
    assert data["leaves"]["x1"] == 2.0  # not trained
    # by hand, epoch 1: w1 = -3 - 0.1·1.0, b = b - 0.1·0.5
    assert data["leaves"]["w2"] == 1.0


def test_gradcheck_passes_on_every_builtin_graph():
    for name in ("micrograd_expression", "micrograd_neuron", "cs231n_sigmoid_gate"):
        r = run_cli_inprocess(name, "--gradcheck")
        assert r.returncode == 0, r.stdout + r.stderr
        assert "FAIL" not in r.stdout


def test_export_markdown_and_json(tmp_path):
    out = tmp_path / "x.md"
    r = run_cli_inprocess("cs231n_sigmoid_gate", "--export", "markdown", "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "$$n_{1} = w_{0} \\cdot x_{0} = 2 \\cdot (-1) = -2$$" in text
    again = run_cli_inprocess("cs231n_sigmoid_gate", "--export", "markdown", "-o", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr
    r = run_cli_inprocess("micrograd_expression", "--export", "json")
    doc = json.loads(r.stdout)
    assert doc["scenario"]["kind"] == "graph" and doc["scenario"]["output"] == "L"
    assert doc["events"][-1]["kind"] == "grad"


def test_sample_and_epochs_that_mean_nothing_on_a_graph():
    r = run_cli_inprocess("micrograd_expression", "--gradcheck", "--sample", "2")
    assert r.returncode == 2 and "no samples" in r.stderr
    r = run_cli_inprocess("micrograd_expression", "--trace", "--epochs", "2")
    assert r.returncode == 2 and "[training]" in r.stderr


@dataclass
class Case:
    id: str
    text: str
    expect: tuple[str, ...]
    lines: tuple[int, ...]  # the file:line of each message, in order


CASES = [
    Case("undefined-did-you-mean", GOOD.replace("e + a", "e + aa"),
         ("undefined name 'aa'", "did you mean 'a'"), (6,)),
    Case("assigned-twice", GOOD.replace("L = e + a", "e = a + b\nL = e + a"),
         ("'e' is assigned twice (first on line 5)",), (6,)),
    Case("cycle", GOOD.replace("e = a * b", "e = L * b"), ("cycle: e uses L, L uses e",), (5,)),
    Case("unknown-function", GOOD.replace("a * b", "tan(a) * b"),
         ("unknown function 'tan'", "did you mean 'tanh'"), (5,)),
    Case("exponent", GOOD.replace("a * b", "a ** b"), ("exponent of ** must be a number",),
         (5,)),
    Case("log-domain", GOOD.replace("e + a", "log(e) + a"),
         ("at node n1 = log(e)", "positive", "e = -6"), (6,)),
    Case("division-by-zero", GOOD.replace("b = -3.0", "b = 0.0").replace("e + a", "a / e"),
         ("division by zero", "e = 0"), (6,)),
    Case("sqrt-negative", GOOD.replace("e + a", "sqrt(e) + a"),
         ("sqrt needs a number that is not negative",), (6,)),
    Case("all-at-once", GOOD.replace("a * b", "tan(a) * bb").replace("e + a", "e ** a"),
         ("unknown function 'tan'", "undefined name 'bb'", "exponent"), (5, 5, 6)),
    Case("not-python-we-allow", GOOD.replace("a * b", "__import__('os').system('true')"),
         ("only the functions exp, log",), (5,)),
    Case("unknown-call", GOOD.replace("a * b", "__import__(a)"),
         ("unknown function '__import__'",), (5,)),
    Case("unused-leaf", GOOD.replace("b = -3.0", "b = -3.0, z = 1.0"),
         ("leaf 'z' is never used",), (3,)),
    Case("syntax", GOOD.replace("e + a", "e + * a"), ("not a valid expression",), (6,)),
    Case("train-not-a-leaf", GOOD + "[training]\nlearning_rate = 0.1\ntrain = [\"e\", \"bb\"]\n",
         ("'e' is computed by the graph", "'bb' is not a leaf; did you mean 'b'"), (10, 10)),
    Case("unknown-key", GOOD.replace("[graph]", "[graph]\nexpresion = 'x'"),
         ("unknown key 'expresion'; did you mean 'expression'",), (3,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_graph_files(case, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(case.text, encoding="utf-8")
    before = path.stat().st_mtime_ns
    r = run_cli_inprocess(str(path), "--check")
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    for want in case.expect:
        assert want in r.stderr, (want, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == len(case.lines), r.stderr
    for line, n in zip(lines, case.lines, strict=True):
        assert re.search(rf"bad\.toml:{n}(:\d+)?: ", line), (n, line)
    assert path.stat().st_mtime_ns == before


def test_serve_on_a_graph_checks_its_address_like_any_scenario():
    """--serve works on graphs (tests/test_serve.py serves one); a bad port is still one line."""
    r = run_cli_inprocess("micrograd_expression", "--serve", "--host", "not a host")
    assert r.returncode == 2, r.stderr
    assert "--host not a host: not a host name or IP address" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_compare_on_a_graph_reads_the_learners_file():
    """--compare works on graphs (tests/test_graph_compare.py); a missing file is exit 2."""
    r = run_cli_inprocess("micrograd_expression", "--compare", "answers.toml")
    assert r.returncode == 2 and "answers.toml: cannot be read" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_graph_of_a_large_network_is_refused():
    r = run_cli_inprocess("batch_relu_1000_100_10", "--graph", "--check")
    assert r.returncode == 2 and "too large" in r.stderr


def test_control_characters_in_a_graph_file_are_written_out(tmp_path):
    path = tmp_path / "esc.toml"
    path.write_text('[graph]\nvalues = { "a\\u001b[2J" = 1.0, b = 2.0 }\n'
                    'expression = "L = b ** \\"\\u001b[31m\\""\n', encoding="utf-8")
    r = run_cli_inprocess(str(path), "--check")
    assert r.returncode == 2 and "\x1b" not in r.stderr and "\\x1b" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 2


def test_mistakes_lists_graph_mistakes_and_which_apply():
    r = run_cli_inprocess("--mistakes", "micrograd_neuron")
    assert r.returncode == 0
    assert "micrograd_neuron: applies" in r.stdout
    assert "grad-overwritten" in r.stdout and "does not apply" in r.stdout
    everything = run_cli_inprocess("--mistakes")
    assert "missing-sum" in everything.stdout and "grad-not-zeroed" in everything.stdout


def test_quiz_kinds_must_be_the_scenarios_kinds_of_step():
    r = run_cli_inprocess("micrograd_expression", "--quiz", "net")
    assert r.returncode == 2 and "not a kind of step of a computational graph" in r.stderr
    r = run_cli_inprocess("mazur_2_2_2", "--quiz", "node")
    assert r.returncode == 2 and "not a kind of step of a layered network" in r.stderr
