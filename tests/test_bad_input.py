"""Broken scenarios through the real command line: exit 2, one clear message, no traceback.

Each case starts from the Mazur scenario (or a tiny one written here), breaks one thing, and
checks that the message names the problem: the file, the key path or line, what was
expected and what was found. The scenario file must never be written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest

from bptui import scenario

from .conftest import run_cli, run_cli_inprocess

MAZUR = (scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml").read_text(
    encoding="utf-8")
SOFTMAX_PATH = scenario.BUILTIN_FOLDER / "softmax_xor_2_3_2.toml"
SOFTMAX = SOFTMAX_PATH.read_text(encoding="utf-8") if SOFTMAX_PATH.exists() else ""
TINY = """\
title = "tiny"
[input]
size = 2
[[layers]]
size = 1
activation = "sigmoid"
weights = [[0.1, 0.2]]
[training]
loss = "half_sse"
learning_rate = 0.5
[data]
inputs = [[0.0, 1.0]]
targets = [[1.0]]
"""


def mazur(old: str, new: str) -> str:
    assert old in MAZUR, old
    return MAZUR.replace(old, new, 1)


@dataclass
class Case:
    id: str
    text: str | bytes
    expect: tuple[str, ...]  # every one must appear in stderr (case-insensitive)
    line: int | None = None  # the file:line the message must carry


CASES = [
    # a name is one word: an empty one made the symbols "net_" and "out_"
    Case("empty-unit-name", mazur('names = ["h1", "h2"]', 'names = ["", "h2"]'),
         ("layers[1].names[1]", "one word", "''"), line=28),
    Case("name-with-space", mazur('names = ["i1", "i2"]', 'names = ["i1", "i 2"]'),
         ("input.names[2]", "one word", "'i 2'"), line=22),
    Case("weight-name-with-equals", mazur('weight_names = [["w1", "w2"],',
                                          'weight_names = [["w=1", "w2"],'),
         ("layers[1].weight_names[1][1]", "'w=1'"), line=32),
    Case("toml-syntax", 'title = "unterminated\n[input]\nsize = 2\n',
         ("not valid toml",), line=1),
    Case("toml-syntax-later-line", TINY.replace("size = 1", "size = = 1"),
         ("not valid toml",), line=5),
    Case("unknown-key", mazur("learning_rate = 0.5", "learning_rat = 0.5"),
         ("learning_rat", "did you mean 'learning_rate'"), line=54),
    Case("unknown-layer-key", mazur('activation = "sigmoid"\nnames = ["h1"',
                                    'activaton = "sigmoid"\nnames = ["h1"'),
         ("activaton", "activation")),
    Case("unknown-top-key", "inptu = 1\n" + TINY, ("inptu", "input")),
    Case("wrong-type-string-for-number", mazur("learning_rate = 0.5", 'learning_rate = "0.5"'),
         ("training.learning_rate", "expected a number", "string"), line=54),
    Case("wrong-type-float-size", TINY.replace("size = 2", "size = 2.5"),
         ("input.size", "whole number", "2.5"), line=3),
    Case("wrong-type-bool", TINY.replace("size = 1", "size = true"),
         ("layers[1].size", "whole number", "boolean")),
    Case("wrong-type-table-for-list", TINY.replace("inputs = [[0.0, 1.0]]", "inputs = {a = 1}"),
         ("data.inputs", "list", "table")),
    Case("missing-training", TINY.split("[training]")[0] + "[data]\ninputs = [[0.0, 1.0]]\n"
         "targets = [[1.0]]\n", ("missing required key", "training")),
    Case("missing-loss", mazur('loss = "half_sse"', ""), ("training.loss", "missing")),
    Case("missing-weights", TINY.replace("weights = [[0.1, 0.2]]\n", ""),
         ("layers[1].weights", "missing")),
    Case("empty-file", "", ("missing required keys",)),
    Case("weights-wrong-shape", mazur("weights = [[0.40, 0.45],\n           [0.50, 0.55]]",
                                      "weights = [[0.40, 0.45, 0.1],\n [0.50, 0.55, 0.1]]"),
         ("layers[2].weights", "expected 2x2", "found 2x3"), line=44),
    Case("weights-too-few-rows", mazur("weights = [[0.15, 0.20],\n           [0.25, 0.30]]",
                                       "weights = [[0.15, 0.20]]"),
         ("layers[1].weights", "expected 2x2", "found 1x2")),
    Case("weights-ragged", mazur("weights = [[0.15, 0.20],\n           [0.25, 0.30]]",
                                 "weights = [[0.15, 0.20], [0.25]]"),
         ("layers[1].weights", "expected 2x2", "row 2")),
    Case("unknown-activation", mazur('activation = "sigmoid"', 'activation = "sigmod"'),
         ("sigmod", "sigmoid", "tanh", "relu", "linear"), line=27),
    Case("unknown-loss", mazur('loss = "half_sse"', 'loss = "l2"'),
         ("training.loss", "'l2'", "half_sse", "sse", "mse")),
    Case("zero-learning-rate", mazur("learning_rate = 0.5", "learning_rate = 0"),
         ("training.learning_rate", "greater than 0", "found 0"), line=54),
    Case("negative-learning-rate", mazur("learning_rate = 0.5", "learning_rate = -0.1"),
         ("training.learning_rate", "greater than 0", "-0.1")),
    Case("nan-learning-rate", mazur("learning_rate = 0.5", "learning_rate = nan"),
         ("training.learning_rate", "finite", "nan")),
    Case("inf-bias", mazur("bias = 0.35", "bias = inf"), ("layers[1].bias", "finite", "inf")),
    Case("minus-inf-weight", mazur("[0.25, 0.30]]", "[0.25, -inf]]"),
         ("layers[1].weights[2][2]", "finite", "-inf")),
    Case("nan-input", mazur("inputs = [[0.05, 0.10]]", "inputs = [[0.05, nan]]"),
         ("data.inputs[1][2]", "finite", "nan"), line=59),
    Case("huge-integer", mazur("learning_rate = 0.5", "learning_rate = " + "9" * 400),
         ("training.learning_rate", "finite")),
    Case("zero-epochs", mazur("epochs = 10000", "epochs = 0"),
         ("training.epochs", "at least 1", "found 0")),
    Case("empty-data", mazur("inputs = [[0.05, 0.10]]\ntargets = [[0.01, 0.99]]",
                             "inputs = []\ntargets = []"),
         ("data.inputs", "empty")),
    Case("input-wrong-length", mazur("inputs = [[0.05, 0.10]]", "inputs = [[0.05, 0.10, 0.2]]"),
         ("data.inputs[1]", "expected 2", "found 3")),
    Case("target-wrong-length", mazur("targets = [[0.01, 0.99]]", "targets = [[0.01]]"),
         ("data.targets[1]", "expected 2", "found 1"), line=60),
    Case("fewer-targets-than-inputs", TINY.replace("targets = [[1.0]]", "targets = []"),
         ("data.targets", "expected 1", "found 0")),
    Case("huge-layer", TINY.replace("size = 1\n", "size = 1000000000\n")
         .replace("weights = [[0.1, 0.2]]", "init = { seed = 1 }")
         .replace("targets = [[1.0]]", "targets = [[1.0]]"),
         ("layers[1].size", "too large", "2-1000000000", "at most 20,000,000")),
    Case("huge-input", TINY.replace("size = 2\n", "size = 1000000000\n", 1)
         .replace("weights = [[0.1, 0.2]]", "init = { seed = 1 }"),
         ("input.size", "too large")),
    Case("huge-random-data", TINY.replace("inputs = [[0.0, 1.0]]\ntargets = [[1.0]]",
                                          "random = { count = 1000000000000, seed = 0 }"),
         ("data", "too large")),
    Case("overflowing-init-scale", TINY.replace("weights = [[0.1, 0.2]]",
                                                "init = { seed = 1, scale = 1e308, "
                                                "distribution = \"uniform\" }"),
         ("layers[1].init.scale", "infinity")),
    Case("softmax-target-not-a-probability",
         SOFTMAX.replace("[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]]", "[0.0, 1.0], [0.5, 1.0], [1.0, 0.0]]"),
         ("data.targets[3]", "probabilities", "sum 1.5")),
    Case("deeply-nested", "a = " + "[" * 3000 + "]" * 3000 + "\n", ("nested",)),
    Case("not-utf8", TINY.encode("utf-8").replace(b'"tiny"', b'"t\xe9ny"'),
         ("utf-8",), line=1),
]


def assert_clean_error(run, *expect: str, line: int | None = None, name: str = "") -> None:
    assert run.returncode == 2, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stdout == ""
    err = run.stderr.strip()
    assert err.startswith("bptui: error: "), err
    assert len(err.splitlines()) == 1, f"expected one line: {err}"
    low = err.lower()
    for text in expect:
        assert text.lower() in low, f"{text!r} not in: {err}"
    if name:
        assert name in err, f"the message does not name the file {name}: {err}"
    if line is not None:
        assert re.search(rf"{re.escape(name)}:{line}\b", err), f"no line {line} in: {err}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_scenario(case, tmp_path):
    if case.id.startswith("softmax") and not SOFTMAX:
        pytest.skip("no softmax scenario")
    path = tmp_path / f"{case.id}.toml"
    if isinstance(case.text, bytes):
        path.write_bytes(case.text)
    else:
        path.write_text(case.text, encoding="utf-8")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    run = run_cli_inprocess(str(path), "--check", timeout=60)
    assert_clean_error(run, *case.expect, line=case.line, name=path.name)
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before, "scenario file written"


@pytest.mark.parametrize("option", [[], ["--train", "3"], ["--trace"], ["--gradcheck"]])
def test_every_action_reports_a_broken_file(option, tmp_path):
    """Also without --check (no option opens the screen: the file is refused first)."""
    path = tmp_path / "typo.toml"
    path.write_text(mazur("learning_rate = 0.5", "learning_rat = 0.5"), encoding="utf-8")
    run = run_cli_inprocess(str(path), *option, timeout=60)
    assert_clean_error(run, "learning_rate", name="typo.toml")


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    run = run_cli(str(missing), "--check")
    assert_clean_error(run, "no such file", name="nope.toml")


def test_unknown_builtin_lists_builtins():
    run = run_cli_inprocess("mazur_2_2", "--check")
    assert_clean_error(run, "unknown scenario", "mazur_2_2_2", *scenario.builtin_names())


def test_directory_as_scenario(tmp_path):
    folder = tmp_path / "scenes"
    folder.mkdir()
    run = run_cli_inprocess(str(folder), "--check")
    assert_clean_error(run, "folder", name="scenes")
    folder_toml = tmp_path / "looks_like.toml"
    folder_toml.mkdir()
    run = run_cli_inprocess(str(folder_toml), "--check")
    assert_clean_error(run, "folder", name="looks_like.toml")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unreadable_file(tmp_path):
    path = tmp_path / "locked.toml"
    path.write_text(TINY, encoding="utf-8")
    path.chmod(0)
    try:
        run = run_cli(str(path), "--check")
    finally:
        path.chmod(0o644)
    assert_clean_error(run, "cannot be read", name="locked.toml")


def test_valid_tiny_scenario_is_accepted(tmp_path):
    """The base the broken cases start from is itself valid (so each case breaks one thing)."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    run = run_cli_inprocess(str(path), "--check")
    assert run.returncode == 0, run.stderr
    run = run_cli_inprocess(str(path), "--train", "3")
    assert run.returncode == 0, run.stderr
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_builtin_files_unchanged_by_runs():
    path = scenario.BUILTIN_FOLDER / "linear_chain_1_1_1.toml"
    before = (path.read_bytes(), os.stat(path).st_mtime_ns)
    for args in (["--check"], ["--train", "5"], ["--trace"], ["--gradcheck"]):
        assert run_cli_inprocess(str(path), *args).returncode == 0
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_error_object_carries_location():
    """In-process: ScenarioError has file, key and line for the screen to show."""
    from bptui.errors import ScenarioError

    with pytest.raises(ScenarioError) as info:
        scenario.parse(mazur("learning_rate = 0.5", "learning_rat = 0.5"), file="x.toml")
    err = info.value
    assert (err.file, err.key, err.line) == ("x.toml", "training.learning_rat", 54)
    with pytest.raises(ScenarioError) as info:
        scenario.parse('a = "\n', file="y.toml")
    assert info.value.line == 1 and info.value.column is not None
