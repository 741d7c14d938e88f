"""Every event of every built-in (under every applicable mistake, 2 epochs) is unchanged.

The stored hashes were taken from the core as it was before issue 11's restructuring (commit
b904f0c), one hash per group of fields (text, value, uses). A group of a run may differ only
for the events a deliberate change listed in CHANGED names, with the reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

from bptui.events import Event
from tests.event_hashes import GROUPS, STORED, hashes

#: The deliberate changes (issue 11): (runs, group, which events, why). ``uses`` are now the
#: symbols the step's expression tree reads, each once, in the order the rule reads them.
CHANGED: list[tuple[str, str, Callable[[Event], bool], str]] = [
    ("softmax_xor_2_3_2/loss-as-gradient", "*", lambda e: True,
     "issue 11 item 7: a mistake changes only the step it names; the softmax's δ now goes "
     "through the whole Jacobian (cross terms included) instead of its diagonal, and the "
     "diagonal slope step, never used alone, is no longer shown"),
    ("softmax_xor_2_3_2/*", "uses", lambda e: e.kind == "out",
     "softmax outs read their own net first (exp(net_o2) / (exp(net_o1) + ...)), so out_o2 "
     "lists net_o2 before net_o1"),
    ("*/no-hidden-update", "uses", lambda e: e.kind == "update",
     "a frozen parameter's update reads only the parameter, not its gradient"),
    ("batch_relu_1000_100_10/*", "uses", lambda e: e.kind in ("net", "loss", "dE_dout",
                                                              "dout_dnet"),
     "layer-level steps: net_l also reads the bias b_l, the loss and dE/dout read T before "
     "out (as the rule does), a slope reads only what its rule reads"),
    ("softmax_xor_2_3_2/*", "text", lambda e: e.kind == "delta" and "[j = " in e.why,
     "issue 12: the softmax's why writes the Kronecker delta as [j = o1] (1 for j = o1, else "
     "0), not δ_jo1 right after δ meant a unit's error"),
    ("*/wrong-weight-in-sum", "uses", lambda e: e.kind == "dE_din",
     "wrong-weight-in-sum reads w5 twice; uses names it once"),
    ("*/no-hidden-update", "text", lambda e: e.kind == "update" and e.layer_param is not None
     and e.equation == f"{e.symbol[:-1]}⁺ = {e.symbol[:-1]}",
     "issue 11 item 2: a frozen layer's numbers are written from its tree (W1⁺ = W1, shape), "
     "no longer as the step W1 - η · ∂E/∂W1 it does not take"),
]


def test_every_event_hashes_as_before() -> None:
    """In a child process with two BLAS threads: the stored values of the 1000-100-10 net were
    taken with OpenBLAS's multi-threaded kernels, whose last bits differ from the one-thread
    kernels that tests/conftest.py sets for the suite (OPENBLAS_NUM_THREADS=1, for speed)."""
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    done = subprocess.run(
        [sys.executable, "-c", "import json; from tests.test_event_hashes import differences; "
         "print(json.dumps(differences()))"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    diffs = json.loads(done.stdout.splitlines()[-1])
    assert not diffs, "\n".join(diffs)


def differences() -> list[str]:
    """What differs from the stored hashes, apart from the listed deliberate changes."""
    stored = json.loads(STORED.read_text())
    events: dict[str, list[Event]] = {}
    got = hashes(events=events)
    groups = list(GROUPS)
    diffs = []
    for run, old in stored.items():
        new = got.get(run)
        if new is None:
            diffs.append(f"{run}: no longer produced")
            continue
        if any(fnmatch(run, pat) and grp == "*" for pat, grp, _, _ in CHANGED):
            continue
        if len(old) != len(new):
            diffs.append(f"{run}: {len(old)} -> {len(new)} events")
            continue
        for g, group in enumerate(groups):
            bad = [k for k, (a, b) in enumerate(zip(old, new, strict=True))
                   if a.split(".")[g] != b.split(".")[g] and not any(
                       fnmatch(run, pat) and grp == group and which(events[run][k])
                       for pat, grp, which, _ in CHANGED)]
            if bad:
                diffs.append(f"{run}: {group} of events {bad[:8]} differ")
    return diffs
