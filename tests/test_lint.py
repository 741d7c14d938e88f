"""The code is lint-clean: `ruff check bptui tests bench` finds nothing (the README's test
command runs this, so a finding fails the suite rather than waiting for someone to look)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    """ruff is in the test extra; without it this fails (it never skips)."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "bptui", "tests", "bench"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
