"""The real command line, run as a user runs it: ``python -m bptui ...`` in a fresh process."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bptui import scenario

from .conftest import run_cli, run_cli_inprocess

BUILTINS = scenario.builtin_names()
TRACE_FIELDS = {"position", "epoch", "sample", "phase", "kind", "layer", "unit", "symbol",
                "equation", "substituted", "value"}
ALL_MAZUR = {f"w{n}" for n in range(1, 9)}
HIDDEN_MAZUR = {"w1", "w2", "w3", "w4"}
# what each mistake breaks in the 2-2-2 net's gradient (from the mistakes' own descriptions)
GRADCHECK_FAILS = {
    "stale-weights": HIDDEN_MAZUR,
    "missing-sum": HIDDEN_MAZUR,
    "wrong-weight-in-sum": HIDDEN_MAZUR,
    "gradient-ascent": ALL_MAZUR,
    "loss-as-gradient": ALL_MAZUR,
    "sigmoid-prime-of-net": ALL_MAZUR,
    "tanh-prime-for-sigmoid": ALL_MAZUR,
    "no-hidden-update": set(),
}


def test_list_names_every_builtin():
    run = run_cli("--list")
    assert run.returncode == 0, run.stderr
    for name in BUILTINS:
        assert re.search(rf"^{re.escape(name)}\s", run.stdout, re.M), name
    assert "2-2-2" in run.stdout and "1000-100-10" in run.stdout


@pytest.mark.parametrize("name", BUILTINS)
def test_the_list_reads_each_builtin_as_loading_it_would(name):
    """--list reads sizes (a graph's leaves) from the file without building the scenario:
    what it shows must be what the loaded scenario says."""
    s = scenario.load(name)
    assert scenario.listing(name) == (s.shape, s.title, s.title_zh, s.source)


def test_console_script_exists_and_runs():
    exe = Path(sys.executable).with_name("bptui")
    script = str(exe) if exe.exists() else shutil.which("bptui")
    if script is None:
        pytest.skip("console script not installed")
    proc = subprocess.run([script, "--list"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "mazur_2_2_2" in proc.stdout


@pytest.mark.parametrize("name", BUILTINS)
def test_check_every_builtin(name):
    run = run_cli_inprocess(name, "--check")
    assert run.returncode == 0, run.stderr
    s = scenario.load(name)
    assert f"shape: {s.shape}" in run.stdout
    assert run.stdout.splitlines()[0].endswith(": ok")


def test_check_a_file_path(tmp_path):
    src = scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml"
    dst = tmp_path / "my net.toml"
    dst.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    run = run_cli(str(dst), "--check")
    assert run.returncode == 0, run.stderr
    assert "shape: 2-2-2" in run.stdout


@pytest.mark.parametrize("name", BUILTINS)
def test_trace_is_json_lines(name):
    run = run_cli_inprocess(name, "--trace")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines
    unit_by_unit = getattr(scenario.load(name), "unit_by_unit", False)  # False: a graph
    positions = []
    for line in lines:
        ev = json.loads(line)
        assert TRACE_FIELDS <= set(ev), TRACE_FIELDS - set(ev)
        assert ev["epoch"] == 1
        assert ev["phase"] in ("forward", "loss", "backward", "update")
        positions.append(ev["position"])
        if "param" in ev:
            assert set(ev["param"]) == {"layer", "kind", "row", "col"}
            assert ev["param"]["kind"] in ("weight", "bias")
        if unit_by_unit and ev["kind"] in ("grad", "update"):
            assert "param" in ev, ev["symbol"]  # every gradient and update names its parameter
    assert positions == list(range(len(lines)))


def test_trace_mazur_values_full_precision():
    run = run_cli("mazur_2_2_2", "--trace", "--epochs", "2")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert {e["epoch"] for e in events} == {1, 2}
    first = [e for e in events if e["epoch"] == 1]
    e_total = next(e for e in first if e["symbol"] == "E_total")
    assert round(e_total["value"], 9) == 0.298371109
    # full precision: many more digits than the screen's 10 significant ones
    assert len(repr(e_total["value"]).replace("0.", "", 1)) > 12
    w5 = next(e for e in first if e["symbol"] == "w5+")
    assert w5["param"] == {"layer": 2, "kind": "weight", "row": 0, "col": 0}
    assert round(w5["value"], 8) == 0.35891648
    assert round(w5["old"], 2) == 0.40
    assert round(w5["grad"], 9) == 0.082167041
    grads = [e for e in first if e["kind"] == "grad"]
    assert {e["symbol"] for e in grads} == {f"dE/dw{n}" for n in range(1, 9)}
    assert all("param" in e for e in grads)


def test_trace_matrix_values_for_large_net():
    run = run_cli_inprocess("batch_relu_1000_100_10", "--trace")
    assert run.returncode == 0, run.stderr
    events = {json.loads(line)["symbol"]: json.loads(line) for line in run.stdout.splitlines()}
    w1 = events["W1+"]
    assert len(w1["value"]) == 100 and len(w1["value"][0]) == 1000
    assert events["dE/dW2"]["value"] and len(events["dE/dW2"]["value"]) == 10


def test_trace_with_mistake_marks_changed_steps():
    run = run_cli_inprocess("mazur_2_2_2", "--trace", "--mistake", "missing-sum")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    changed = {e["symbol"] for e in events if e.get("mistake") == "missing-sum"}
    assert {"dE/dw1", "dE/dw2", "dE/dw3", "dE/dw4"} <= changed
    assert not {"dE/dw5", "dE/dw6", "dE/dw7", "dE/dw8", "E_total"} & changed


def test_train_json_fields():
    run = run_cli("two_three_one", "--train", "5", "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert {"epochs", "loss", "parameters", "outputs"} <= set(data)
    assert data["epochs"] == 5 and len(data["loss"]) == 5
    assert data["diverged_at"] is None
    layers = data["parameters"]
    assert len(layers) == 2
    assert [len(r) for r in layers[0]["weights"]] == [2, 2, 2]
    assert layers[1]["bias"] == [0.1]  # not trained in this scenario
    assert len(data["outputs"]) == 1 and len(data["outputs"][0]) == 1
    assert data["loss"][-1] < data["initial_loss"]


def test_train_text_output():
    run = run_cli("mazur_2_2_2", "--train", "3")
    assert run.returncode == 0, run.stderr
    assert "trained 3 epochs" in run.stdout
    assert "sample 1: out [" in run.stdout


@pytest.mark.parametrize("name", BUILTINS)
def test_gradcheck_passes_on_every_builtin(name):
    run = run_cli_inprocess(name, "--gradcheck")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAIL" not in run.stdout
    assert re.search(r"(\d+) of \1 gradients agree", run.stdout)


ROW = re.compile(r"^(\S+)(?:\s+\S+){4}\s+(ok|FAIL)$")


def gradcheck_rows(stdout: str) -> dict[str, str]:
    """parameter name -> "ok" / "FAIL" from the table --gradcheck prints."""
    return {m[1]: m[2] for m in map(ROW.match, stdout.splitlines()) if m}


def failing_parameters(stdout: str) -> set[str]:
    return {name for name, result in gradcheck_rows(stdout).items() if result == "FAIL"}


@pytest.mark.parametrize("mistake", sorted(GRADCHECK_FAILS))
def test_gradcheck_catches_exactly_what_a_mistake_breaks(mistake):
    run = run_cli_inprocess("mazur_2_2_2", "--gradcheck", "--mistake", mistake)
    expected = GRADCHECK_FAILS[mistake]
    assert run.returncode == (1 if expected else 0), run.stdout + run.stderr
    assert failing_parameters(run.stdout) == expected
    assert set(gradcheck_rows(run.stdout)) == ALL_MAZUR
    failed = len(expected)
    assert f"{8 - failed} of 8 gradients agree" in run.stdout


def test_unknown_mistake_is_bad_input():
    run = run_cli_inprocess("mazur_2_2_2", "--gradcheck", "--mistake", "stale-weight")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "stale-weights" in run.stderr  # the closest valid name


def test_mistake_that_does_not_apply_is_refused():
    run = run_cli_inprocess("linear_chain_1_1_1", "--train", "3", "--mistake", "sigmoid-prime-of-net")
    assert run.returncode == 2
    assert "does not apply" in run.stderr and "sigmoid" in run.stderr


@pytest.mark.parametrize("args", [["--train", "0"], ["--train", "x"], ["--epochs", "-1"],
                                  ["--gradcheck", "--epsilon", "nan"],
                                  ["--gradcheck", "--sample", "2"]])
def test_bad_options_exit_2(args):
    run = run_cli_inprocess("mazur_2_2_2", *args)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "error" in run.stderr


NO_TEXTUAL = textwrap.dedent("""
    import io, sys, contextlib
    from bptui import cli
    for argv in {argvs!r}:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cli.main(argv)
        assert code == 0, (argv, code)
        assert out.getvalue(), argv
    bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    assert not bad, bad
    print("no textual")
""")


def test_non_interactive_options_do_not_import_textual():
    argvs = [["--list"], ["mazur_2_2_2", "--check"], ["mazur_2_2_2", "--trace"],
             ["mazur_2_2_2", "--train", "5"], ["mazur_2_2_2", "--train", "5", "--json"],
             ["two_three_one", "--gradcheck"], ["--mistakes"]]
    proc = subprocess.run([sys.executable, "-c", NO_TEXTUAL.format(argvs=argvs)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no textual" in proc.stdout


def test_version():
    run = run_cli("--version")
    assert run.returncode == 0
    assert run.stdout.startswith("bptui ")
