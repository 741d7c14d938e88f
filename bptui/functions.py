"""The activation and loss registries, under the name the scenario loader imports them by.

They live in :mod:`bptui.activations` and :mod:`bptui.losses`; new code imports from there.
"""

from bptui.activations import ACTIVATIONS, Activation
from bptui.losses import LOSSES, Loss

__all__ = ["ACTIVATIONS", "LOSSES", "Activation", "Loss"]
