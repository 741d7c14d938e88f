"""Every event of every built-in (under every applicable mistake, 2 epochs) is unchanged.

The stored hashes were taken from the core as it was before issue 11's restructuring (commit
b904f0c), one hash per group of fields (text, value, uses). A group of a run may differ only
where a deliberate fix is listed in CHANGED, with the reason.
"""

from __future__ import annotations

import json

from tests.event_hashes import GROUPS, STORED, hashes

#: Why ``uses`` changed (issue 11): they are now the symbols the step's expression tree reads,
#: each once, in the order the rule reads them.
_SOFTMAX_OUT = ("softmax outs read their own net first (exp(net_o2) / (exp(net_o1) + ...)), "
                "so out_o2 lists net_o2 before net_o1")
_FROZEN = "a frozen parameter's update reads only the parameter, not its gradient"
_LAYER = ("layer-level steps: net_l also reads the bias b_l, the loss and dE/dout read T before "
          "out (as the rule does), a slope reads only what its rule reads (out for sigmoid)")
_TWICE = "wrong-weight-in-sum reads w5 twice; uses names it once"
CHANGED: dict[str, dict[str, str]] = {
    **{f"batch_relu_1000_100_10/{m}": {"uses": _LAYER} for m in (
        "-", "gradient-ascent", "loss-as-gradient", "missing-sum", "no-hidden-update",
        "wrong-weight-in-sum")},
    **{f"{s}/no-hidden-update": {"uses": _FROZEN} for s in (
        "linear_chain_1_1_1", "mazur_2_2_2", "sigmoid_chain_1_1_1", "two_three_one")},
    "mazur_2_2_2/wrong-weight-in-sum": {"uses": _TWICE},
    **{f"softmax_xor_2_3_2/{m}": {"uses": _SOFTMAX_OUT} for m in (
        "-", "gradient-ascent", "loss-as-gradient", "missing-sum", "stale-weights")},
    "softmax_xor_2_3_2/no-hidden-update": {"uses": _SOFTMAX_OUT + "; " + _FROZEN},
    "softmax_xor_2_3_2/wrong-weight-in-sum": {"uses": _SOFTMAX_OUT + "; " + _TWICE},
}


def test_every_event_hashes_as_before() -> None:
    stored = json.loads(STORED.read_text())
    got = hashes()
    groups = list(GROUPS)
    diffs = []
    for run, old in stored.items():
        new = got.get(run)
        if new is None:
            diffs.append(f"{run}: no longer produced")
            continue
        if len(old) != len(new):
            diffs.append(f"{run}: {len(old)} -> {len(new)} events")
            continue
        allowed = CHANGED.get(run, {})
        for g, group in enumerate(groups):
            if group in allowed:
                continue
            bad = [k for k, (a, b) in enumerate(zip(old, new, strict=True))
                   if a.split(".")[g] != b.split(".")[g]]
            if bad:
                diffs.append(f"{run}: {group} of events {bad[:8]} differ")
    assert not diffs, "\n".join(diffs)
