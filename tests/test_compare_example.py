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


def test_the_readme_worked_example_is_what_compare_prints(tmp_path):
    """The README's report is reproduced from the sheet it describes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Check your own work", 1)[1]
    shown = section.split("$ bptui mazur_2_2_2 --compare sheet.csv\n", 1)[1].split("```", 1)[0]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    made = subprocess.run([sys.executable, "-m", "bptui", "mazur_2_2_2", "--worksheet",
                           "--format", "csv", "-o", "sheet.csv"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    filled = {"net_h1": "0.3775", "out_h1": "0.59327", "delta_o1": "0.138499",
              "dE/dw5": "0.082167", "w5+": "0.358916", "dE/dout_h1": "0.0302297",
              "delta_h1": "0.0072945", "w1+": "0.1498176"}
    sheet = tmp_path / "sheet.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    sheet.write_text("\n".join(line + filled.get(line.split(",")[0], "") if n else line
                               for n, line in enumerate(lines)) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bptui", "mazur_2_2_2", "--compare",
                           "sheet.csv"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert done.stdout == shown
