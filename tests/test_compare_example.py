"""examples/stale_weights.py: a learner's script with the stale-weights bug, and its report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_example_script_gets_the_shipped_report_naming_stale_weights(tmp_path):
    mine = subprocess.run([sys.executable, str(ROOT / "examples" / "stale_weights.py")],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    (tmp_path / "mine.jsonl").write_text(mine, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bptui", "mazur_2_2_2", "--compare",
                           "mine.jsonl"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "mistake 'stale-weights'" in done.stdout
    assert "First wrong value: ∂E/∂out_h1" in done.stdout
    shipped = (ROOT / "examples" / "stale_weights_report.txt").read_text(encoding="utf-8")
    assert done.stdout == shipped
