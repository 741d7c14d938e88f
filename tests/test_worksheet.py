"""--worksheet and --symbols: the exercise a teacher hands out, in the order --trace writes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from bptui import scenario
from bptui.marking import correct_events

from .conftest import run_cli, run_cli_inprocess

ROOT = Path(__file__).resolve().parent.parent


def test_csv_worksheet_lists_every_step_with_a_blank_value():
    done = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--format", "csv", "--epochs", "2")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    trace = [json.loads(line) for line in run_cli_inprocess("mazur_2_2_2", "--trace", "--epochs", "2")
             .stdout.splitlines()]
    assert list(rows[0]) == ["symbol", "epoch", "sample", "value"]
    assert [(r["symbol"], int(r["epoch"]), int(r["sample"])) for r in rows] == [
        (t["symbol"], t["epoch"], t["sample"]) for t in trace]
    assert all(r["value"] == "" for r in rows)


def test_kinds_choose_the_steps():
    done = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--format", "csv", "--kinds", "grad,update")
    symbols = [r["symbol"] for r in csv.DictReader(io.StringIO(done.stdout))]
    assert symbols[:2] == ["dE/dw5", "dE/dw6"] and symbols[-1] == "w4+"
    assert len(symbols) == 16
    bad = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--kinds", "gradient")
    assert bad.returncode == 2 and "unknown sub-step kind gradient" in bad.stderr


def test_markdown_worksheet_has_the_rules_and_blanks():
    done = run_cli_inprocess("mazur_2_2_2", "--worksheet")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("# Worksheet: ")
    assert "1. `net_h1` (net): net\\_h1 = w1 · i1 + w2 · i2 + b1" in text
    assert "∂E/∂w5 = ________________" in text
    large = run_cli_inprocess("batch_relu_1000_100_10", "--worksheet").stdout
    assert "W1⁺ = a 100×1000 matrix: ________________" in large


def test_filled_worksheet_is_marked_all_right(tmp_path):
    sheet = tmp_path / "sheet.csv"
    assert run_cli_inprocess("mazur_2_2_2", "--worksheet", "--format", "csv", "-o", str(sheet)
                   ).returncode == 0
    values = iter(ev.value for ev in correct_events(scenario.load("mazur_2_2_2"), 1))
    rows = list(csv.reader(sheet.open(encoding="utf-8")))
    for row in rows[1:]:
        row[3] = repr(next(values))
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    done = run_cli_inprocess("mazur_2_2_2", "--compare", str(sheet))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "39 checked: 39 right" in done.stdout


def test_worksheet_file_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "sheet.md"
    out.write_text("my notes\n", encoding="utf-8")
    done = run_cli_inprocess("mazur_2_2_2", "--worksheet", "-o", str(out))
    assert done.returncode == 2
    assert "already exists; not overwritten (use --force to replace it)" in done.stderr
    assert out.read_text(encoding="utf-8") == "my notes\n"
    assert run_cli_inprocess("mazur_2_2_2", "--worksheet", "-o", str(out), "--force").returncode == 0
    assert out.read_text(encoding="utf-8").startswith("# Worksheet: ")


def test_worksheet_never_replaces_the_scenario(tmp_path):
    copy = tmp_path / "net.toml"
    shutil.copy(scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml", copy)
    before = copy.read_bytes()
    done = run_cli_inprocess(str(copy), "--worksheet", "-o", str(copy), "--force")
    assert done.returncode == 2
    assert "is the scenario itself" in done.stderr
    assert copy.read_bytes() == before


def test_symbols_in_computation_order_with_their_kind():
    done = run_cli("mazur_2_2_2", "--symbols")  # a real process for --symbols
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["net_h1\tnet", "out_h1\tout", "net_h2\tnet"]
    assert "dE/dout_h1\tdE_din" in lines and lines[-1] == "w4+\tupdate"
    assert len(lines) == len({ev.symbol for ev in correct_events(scenario.load("mazur_2_2_2"),
                                                                 1)})
    soft = run_cli_inprocess("softmax_xor_2_3_2", "--symbols").stdout.splitlines()
    # no built-in mistake adds a step any more (softmax's δ is one Jacobian step either way);
    # tests/test_compare.py checks the mistake-only mechanism itself
    assert "dout_a/dnet_a\t(computed only by a lab mistake)" not in soft
    assert len(soft) == len({ev.symbol for ev in correct_events(
        scenario.load("softmax_xor_2_3_2"), 1)})
