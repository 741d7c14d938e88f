"""Hashes of every event of every built-in under no mistake and every applicable mistake.

Used by tests/test_event_hashes.py to prove a restructuring keeps every shown text and number
byte-for-byte (apart from deliberate, listed fixes). Run as a script to (re)write the stored
file: ``python -m tests.event_hashes --write``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np

#: each event is hashed in three groups, so that a deliberate change of one (say, uses) is
#: listed as exactly that
GROUPS = {
    "text": ("symbol", "equation", "substituted", "why", "correct_equation"),
    "value": ("value", "correct_value"),
    "uses": ("uses",),
}
STORED = Path(__file__).resolve().parent / "data" / "event_hashes.json"
EPOCHS = 2


def _plain(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, tuple):
        return list(v)
    return v


def _text(v):
    """Texts are compared without the spaces around '·' (issue 11 made them one spacing)."""
    return re.sub(r" *· *", "·", v) if isinstance(v, str) else v


def event_hash(ev) -> str:
    """Three 8-digit hashes, one per group, joined by '.'."""
    out = []
    for group, fields in GROUPS.items():
        data = json.dumps({f: _plain(getattr(ev, f)) if group != "text" else _text(getattr(
            ev, f)) for f in fields}, ensure_ascii=False, sort_keys=True, default=repr)
        out.append(hashlib.sha256(data.encode()).hexdigest()[:8])
    return ".".join(out)


def hashes(skip_large: bool = False, events: dict | None = None) -> dict[str, list[str]]:
    """{"scenario/mistake": [hashes of event 0, event 1, ...]} over EPOCHS epochs; the
    events themselves go into ``events`` (same keys) when given."""
    from bptui import mistakes
    from bptui import scenario as scn
    from bptui.engine import iter_epochs

    out: dict[str, list[str]] = {}
    for name in scn.builtin_names():
        s = scn.load(name)
        if not isinstance(s, scn.Scenario):  # a [graph] built-in: its own tests, not events
            continue
        if skip_large and not s.unit_by_unit:
            continue
        for m in [None, *mistakes.MISTAKES]:
            if m is not None and mistakes.MISTAKES[m].applies(s):
                continue
            with np.errstate(all="ignore"):
                evs = list(iter_epochs(s, EPOCHS, m))
            out[f"{name}/{m or '-'}"] = [event_hash(ev) for ev in evs]
            if events is not None:
                events[f"{name}/{m or '-'}"] = evs
    return out


if __name__ == "__main__":
    got = hashes()
    if "--write" in sys.argv:
        STORED.write_text(json.dumps(got, indent=0, sort_keys=True) + "\n")
    print(sum(len(v) for v in got.values()), "events in", len(got), "runs")
