"""Snapshot tests of the main screen at chosen sub-steps, wide (120x40) and small (80x24).

Baselines live in tests/tui/__snapshots__; regenerate with ``pytest --snapshot-update``
after a deliberate layout change, and look at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import BRACKETS, make_app, n_presses

# (scenario, how snap_compare gets there, what the learner should see): a step after many
# presses of n is reached as after them, in fewer keys (tests.tui.helpers.n_presses)
STEPS = {
    "start": ("mazur_2_2_2", {}),  # net_h1, the first sub-step
    "total_error": ("mazur_2_2_2", {"press": ["right_square_bracket"] + ["n"] * 2}),  # E_total
    "dE_dw5": ("mazur_2_2_2", n_presses(14)),  # the chain rule for w5
    "update_w1": ("mazur_2_2_2", n_presses(35)),  # w1 updated, the table half filled in
    "large_backward": ("batch_relu_1000_100_10", n_presses(8)),  # ∂E/∂W2 as a block
    "brackets": (BRACKETS, n_presses(16)),
}


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("step", ["start", "total_error", "dE_dw5", "update_w1"])
def test_mazur_screens(snap_compare, step, size):
    name, reach = STEPS[step]
    assert snap_compare(make_app(name), **reach, terminal_size=size)


@pytest.mark.parametrize("step", ["large_backward", "brackets"])
def test_other_screens(snap_compare, step):
    name, reach = STEPS[step]
    assert snap_compare(make_app(name), **reach, terminal_size=(120, 40))


def test_small_terminal_values_tab(snap_compare):
    assert snap_compare(make_app(), **n_presses(10, "2"), terminal_size=(80, 24))


def test_mistake_beside_the_right_equation(snap_compare):
    app = make_app(mistake="gradient-ascent")  # step 12, ∂E/∂out_o1: the rule it changes
    assert snap_compare(app, **n_presses(11), terminal_size=(120, 40))


def test_mistake_carried_into_a_right_rule(snap_compare):
    app = make_app(mistake="gradient-ascent")  # step 15, ∂E/∂w5: right rule, wrong δ_o1
    assert snap_compare(app, **n_presses(14), terminal_size=(120, 40))


def test_gradient_check_panel(snap_compare):
    assert snap_compare(make_app(), **n_presses(14, "c"), terminal_size=(120, 40))
