"""Plural only when plural (issue 12): "1 linear unit", "1 weight", "1 sample"."""

from __future__ import annotations

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], capture_output=True,
                          text=True, env={"LANG": "C.UTF-8", "PATH": ""})


def test_check_says_one_unit_and_one_weight():
    out = run("linear_chain_1_1_1", "--check").stdout
    assert "1 linear unit, 1 weight, no bias" in out
    assert "units" not in out and "1 weights" not in out
    assert "2 sigmoid units, 4 weights" in run("mazur_2_2_2", "--check").stdout


def test_a_sample_out_of_range_names_one_sample():
    done = run("mazur_2_2_2", "--gradcheck", "--sample", "3")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("the scenario has 1 sample")
