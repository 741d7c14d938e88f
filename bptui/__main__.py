"""Allow ``python -m bptui``."""

import sys

from bptui.cli import run

sys.exit(run())
