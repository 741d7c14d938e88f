"""The unit of everything the learner sees: one sub-step of backpropagation, frozen.

The engine makes events, the cursor walks over them and the panels render them. An event is
immutable so that a panel can never change what another panel shows, and so that stepping
backwards and forwards again gives exactly the same object contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bptui.expr import plain, to_json
from bptui.i18n import _

PHASES = ("forward", "loss", "backward", "update")
KINDS = (
    "net", "out", "loss", "dE_dout", "dout_dnet", "delta", "dE_din", "grad", "update",
)


@dataclass(frozen=True)
class Why:
    """A step's reason as a message and its values, so it can be shown in either language.

    ``str()`` is the English sentence (what ``Event.why`` and ``--trace`` carry, unchanged);
    :meth:`text` is the same sentence in the learner's language. A value that is itself a
    phrase is a whole :class:`Why` message too, translated on its own, never glued.
    """

    msgid: str
    values: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        return self.msgid.format(**{k: str(v) for k, v in self.values}) if self.values \
            else self.msgid

    def text(self) -> str:
        """The sentence in the language in force."""
        return _(self.msgid, **{k: v.text() if isinstance(v, Why | Phrases) else v
                                for k, v in self.values})


@dataclass(frozen=True)
class Phrases:
    """A list of whole phrases (each a :class:`Why`), shown joined by a list separator."""

    items: tuple[Why, ...]

    def __str__(self) -> str:
        return ", ".join(str(p) for p in self.items)

    def text(self) -> str:
        return _(", ").join(p.text() for p in self.items)


def because(msgid: str, /, **values: object) -> Why:
    """A reason declared with ``N_()`` and its named values."""
    return Why(msgid, tuple(values.items()))


def shown_why(ev: Event) -> str:
    """The event's reason in the learner's language (its English ``why`` in English)."""
    if ev.why_msg is not None:
        return ev.why_msg.text()
    return _(ev.why) if ev.why else ""


@dataclass(frozen=True)
class ParamRef:
    """Which parameter an event is about, in the ``weights[j][i]`` orientation (0-based)."""

    layer: int  # 1-based
    kind: str  # "weight" or "bias"
    row: int
    col: int  # 0 for a bias; a shared bias is row 0

    def as_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "kind": self.kind, "row": self.row, "col": self.col}


@dataclass(frozen=True)
class LayerRef:
    """Which whole parameter matrix (or bias vector) a layer-level step is about."""

    layer: int  # 1-based
    kind: str  # "weight" or "bias"

    def as_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "kind": self.kind}


@dataclass(frozen=True)
class StepRef:
    """A reference to a step of the current epoch, by its position."""

    position: int


@dataclass(frozen=True)
class ParamAtStart:
    """A reference to a parameter's value at the start of the epoch (no step made it)."""

    param: ParamRef
    name: str


@dataclass(frozen=True)
class Event:
    """One sub-step: the rule, the rule with numbers in it, and the number that came out.

    ``value`` is a float for a single unit or parameter, or a read-only array for a whole
    layer. ``uses`` names the earlier values (symbols) the step read, which is what lets the
    screen show where any number comes from. When a mistake from the lab is switched on,
    ``correct_equation``/``correct_value`` hold what correct backpropagation would have done.
    """

    position: int  # 0-based within the epoch
    epoch: int  # 1-based
    sample: int | None  # 1-based; None for a step over the whole batch or epoch
    phase: str
    kind: str
    layer: int  # 1-based; 0 = inputs
    unit: int | None  # 0-based unit within the layer
    param: ParamRef | None
    symbol: str  # ASCII key in the scenario's notation: "net_h1", "dE/dw5", "w5+"
    equation: str  # the rule in symbols (Unicode)
    substituted: str  # the same rule with the current numbers in it
    value: float | np.ndarray
    why: str = ""  # one plain sentence on why this step is what it is
    uses: tuple[str, ...] = ()
    old: float | np.ndarray | None = None  # update events: the value before the step
    grad: float | np.ndarray | None = None  # update events: the gradient used
    correct_equation: str | None = None
    correct_value: float | np.ndarray | None = None
    mistake: str | None = None  # the mistake that changed this step, if any
    tree: Any = None  # the right-hand side of the rule as a bptui.expr tree
    # the rule's forms between its symbol and the tree (∂E/∂out · ∂out/∂net · ∂net/∂w5, Σ_k
    # δ_k · w_k,h1), as trees, and a note after it ("elementwise", a mistake's "(BUG: …)"):
    # the equation is written from these (bptui.expr_text.lines)
    chain: tuple = field(default=(), compare=False)
    note: str = ""
    layer_param: LayerRef | None = None  # layer-level grad/update steps: which matrix
    # Computational graphs (bptui.graph): the node a step is about and the use (edge) it goes
    # through ("n1", or "n1.2" for a second use within n1).
    node: str | None = None
    via: str | None = None
    # the reason as a message, for the screen and the Markdown export in the learner's
    # language; ``why`` stays its English text (for --trace and the event hashes)
    why_msg: Why | None = field(default=None, compare=False)

    @property
    def is_matrix(self) -> bool:
        return isinstance(self.value, np.ndarray)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, numbers at full precision."""
        d: dict[str, Any] = {
            "position": self.position,
            "epoch": self.epoch,
            "sample": self.sample,
            "phase": self.phase,
            "kind": self.kind,
            "layer": self.layer,
            "unit": self.unit,
            "symbol": self.symbol,
            "equation": self.equation,
            "substituted": self.substituted,
            "value": plain(self.value),
            "why": self.why,
            "uses": list(self.uses),
            "tree": to_json(self.tree),
        }
        if self.param is not None:
            d["param"] = self.param.as_dict()
        if self.layer_param is not None:
            d["layer_param"] = self.layer_param.as_dict()
        if self.old is not None:
            d["old"] = plain(self.old)
            d["grad"] = plain(self.grad)
        if self.node is not None:
            d["node"] = self.node
            if self.via is not None:
                d["via"] = self.via
        if self.mistake is not None:
            d["mistake"] = self.mistake
            d["correct_equation"] = self.correct_equation
            d["correct_value"] = plain(self.correct_value)
        return d
