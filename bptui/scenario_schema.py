"""What a scenario file may contain: every table and key, declared once.

This declaration is the list of allowed keys (anything else is an "unknown key" with a
did-you-mean), says which keys are required, their defaults and how simple values are read,
and is also the README's key reference (``python -m bptui.scenario_schema`` prints it; a test
fails when the README and this file disagree). Rules that tie keys together (a weight matrix's
shape follows the layer sizes, softmax needs cross-entropy) live in :mod:`bptui.scenario_rules`.
Activation and loss names are read from :mod:`bptui.functions`, never listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from bptui import functions
from bptui import toml_reader as tr
from bptui.i18n import _

MODES = ("sample", "batch")
REDUCTIONS = ("sum", "mean")
DISTRIBUTIONS = ("normal", "uniform")


def activation_names() -> tuple[str, ...]:
    return tuple(functions.ACTIVATIONS)


def loss_names() -> tuple[str, ...]:
    return tuple(functions.LOSSES)


@dataclass(frozen=True)
class Key:
    """One key: what it holds, whether it is required, its default and how it is read.

    ``read`` checks a value that stands on its own (a string, a number, one of some names);
    keys whose value depends on others (a weight matrix, a list of names) have none and are
    checked by the scenario's rules. ``values`` lists the allowed names of a choice.
    """

    name: str
    value: str  # what the value is, in words, for the README
    meaning: str
    required: bool = False
    default: Any = None
    default_text: str = ""  # the default in words when it is not a plain value
    read: Callable[[Any], Any] | None = None
    values: Callable[[], Iterable[str]] | None = None


@dataclass(frozen=True)
class Table:
    """A table of the file (``[training]``, ``[[layers]]``, an inline table)."""

    path: str  # the key path it is found at; "" is the top level
    header: str  # how it is written in a file
    meaning: str
    keys: tuple[Key, ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.keys if k.required)

    def key(self, name: str) -> Key:
        return next(k for k in self.keys if k.name == name)


def _choice(names: Callable[[], Iterable[str]]) -> Callable[[Any], str]:
    return lambda value: tr.choice(value, names())


def _string(name: str, meaning: str, default_text: str = '""') -> Key:
    return Key(name, "string", meaning, default="", default_text=default_text, read=tr.string)


_count = partial(tr.integer, minimum=1)
_seed = partial(tr.integer, minimum=0)
_positive = partial(tr.number, positive=True)

TOP = Table("", "(top level)", "The file: text about the example and four tables.", (
    Key("title", "string", "shown in the header and in --list", default_text="the file's name",
        read=tr.string),
    _string("title_zh", "the title in Chinese, for the Chinese screen and exports",
            "none (the title is used)"),
    _string("source", "where the example and its numbers come from"),
    _string("notes", "anything a teacher wants to say about the example (several lines)"),
    _string("notes_zh", "the notes in Chinese", "none (the notes are used)"),
    Key("input", "table", "the inputs: see [input]", required=True),
    Key("layers", "array of tables", "the layers, input side first: see [[layers]]",
        required=True),
    Key("training", "table", "loss and updates: see [training]", required=True),
    Key("data", "table", "the samples: see [data]", required=True),
))

INPUT = Table("input", "[input]", "The network's inputs.", (
    Key("size", "whole number ≥ 1", "how many inputs", required=True, read=_count),
    Key("names", "list of `size` different one-word strings (no space or =)", "the inputs' names",
        default_text="x1, x2, ..."),
))

INIT = Table("layers[].init", "init = { ... }",
             "A seeded random start for a layer's weights (instead of `weights`).", (
                 Key("seed", "whole number ≥ 0", "the random generator's seed", required=True,
                     read=_seed),
                 Key("distribution", " or ".join(f'"{d}"' for d in DISTRIBUTIONS),
                     "normal: standard normal times scale; uniform: in [-scale, scale]",
                     default="normal", read=_choice(lambda: DISTRIBUTIONS)),
                 Key("scale", "number > 0", "multiplies the drawn values", default=1.0,
                     read=_positive),
             ))

LAYER = Table("layers[]", "[[layers]]", "One dense layer; one such table per layer, input side "
              "first. Either `weights` or `init` is required.", (
    Key("size", "whole number ≥ 1", "units in the layer", required=True, read=_count),
    Key("activation", "one of the activations below", "the units' activation function",
        required=True, read=_choice(activation_names), values=activation_names),
    Key("weights", "`size` rows of one number per input", "weights[j][i] is the weight from "
        "input i INTO unit j: row j lists the weights feeding unit j",
        default_text="this or `init`"),
    Key("init", "table", "a seeded random start instead of `weights`: see init",
        default_text="this or `weights`"),
    Key("bias", "number, or list of `size` numbers", "absent: no bias; a number: one bias "
        "shared by every unit of the layer; a list: one bias per unit (a list of one number "
        "on a one-unit layer is that unit's own bias, named bL[1] unless `bias_names` says)",
        default_text="no bias"),
    Key("train_bias", "true or false", "whether training changes the bias", default=True,
        read=tr.boolean),
    Key("names", "list of `size` different one-word strings (no space or =)", "the units' names",
        default_text="h1.. (one hidden layer), hL_j (several), o1.. (last layer; o alone)"),
    Key("weight_names", "`size` rows of one one-word string per input", "the weights' names, same "
        "orientation as `weights`", default_text="WL[j,i]"),
    Key("bias_names", "list of strings: one (shared bias) or `size` (one per unit)",
        "the biases' names", default_text="bL or bL[j]"),
    Key("name", "string", "the layer's label", default_text='"hidden L" or "output"',
        read=tr.string),
))

TRAINING = Table("training", "[training]", "How the network learns.", (
    Key("loss", "one of the losses below", "the loss the network minimises", required=True,
        read=_choice(loss_names), values=loss_names),
    Key("learning_rate", "number > 0", "η, the step size of every update", required=True,
        read=_positive),
    Key("epochs", "whole number ≥ 1", "how far \"run to the end\" goes", default=100,
        read=_count),
    Key("mode", " or ".join(f'"{m}"' for m in MODES), "sample: one update after each sample "
        "(as in every tutorial); batch: one update per epoch from all samples",
        default="sample", read=_choice(lambda: MODES)),
    Key("reduction", " or ".join(f'"{r}"' for r in REDUCTIONS), "how per-sample losses "
        "combine, in the batch gradient and the reported loss", default="sum",
        read=_choice(lambda: REDUCTIONS)),
))

DATA = Table("data", "[data]", "The samples: `inputs` and `targets`, or `random`.", (
    Key("inputs", "list of samples, each a list of one number per input", "one row per "
        "sample (a bare number is allowed when there is one input)",
        default_text="these or `random`"),
    Key("targets", "list of samples, each a list of one number per output", "one row per "
        "sample, in the same order as inputs", default_text="these or `random`"),
    Key("random", "table", "seeded random inputs and targets: see random",
        default_text="this or `inputs`/`targets`"),
))

RANDOM_DATA = Table("data.random", "random = { ... }",
                    "Seeded random data (inputs, then targets, from one generator).", (
                        Key("count", "whole number ≥ 1", "how many samples", required=True,
                            read=_count),
                        *INIT.keys,
                    ))

TABLES = (TOP, INPUT, LAYER, INIT, TRAINING, DATA, RANDOM_DATA)


def read_table(problems: tr.Problems, raw: Any, table: Table, path: str) -> dict[str, Any] | None:
    """The table's values: simple keys read (or defaulted), the others as found.

    Every problem (not a table, unknown keys, missing keys, a wrong simple value) is recorded;
    a key whose value is wrong is left out of the result so rules that need it skip quietly.
    Returns None when ``raw`` is not a table at all.
    """
    if not isinstance(raw, dict):
        problems.add(path, _("expected a table, found {found}", found=tr.kind(raw)))
        return None
    meant = set()
    for k in raw:
        if k not in table.allowed:
            message, hint = tr.unknown_key(k, table.allowed)
            problems.add(tr.join(path, k), message)
            meant.add(hint)
    # a typo'd required key is one mistake: the unknown key's line already says what it meant
    missing = [tr.join(path, k) for k in table.required if k not in raw and k not in meant]
    if len(missing) == 1:
        problems.add(path or missing[0], _("missing required key '{key}'", key=missing[0]))
    elif missing:  # several: the table that lacks them is the place (the file's top level)
        message = _("missing required keys: {keys}", keys=", ".join(f"'{m}'" for m in missing))
        problems.add(path, message, line=None if path else 1)
    values: dict[str, Any] = {}
    for key in table.keys:
        if key.name not in raw:
            if key.read is not None and key.default is not None:
                values[key.name] = key.default
            continue
        if key.read is None:
            values[key.name] = raw[key.name]
            continue
        where = tr.join(path, key.name)
        with problems.at(where):
            values[key.name] = key.read(raw[key.name])
    return values


# ----------------------------------------------------------------------------- the README


def markdown() -> str:
    """The README's key reference, generated so that it cannot drift from the loader."""
    out = []
    for table in TABLES:
        out += [f"**`{table.header}`**: {table.meaning}", "",
                "| key | value | default | meaning |", "|---|---|---|---|"]
        for k in table.keys:
            default = "required" if k.required else (k.default_text or _literal(k.default))
            out.append(f"| `{k.name}` | {k.value} | {default} | {k.meaning} |")
        out.append("")
    out += ["Activations (`activation`): " + ", ".join(f"`{a}`" for a in activation_names())
            + ". `softmax` only on the last layer, with at least 2 units and loss "
            "`cross_entropy`.", ""]
    out.append("Losses (`loss`):")
    out.append("")
    for name, loss in functions.LOSSES.items():
        out.append(f"- `{name}`: {loss.description}")
    out += ["", "`cross_entropy` needs a softmax output layer and targets that are "
            "probabilities (non-negative, summing to 1); `binary_cross_entropy` needs sigmoid "
            "outputs and targets between 0 and 1."]
    return "\n".join(out) + "\n"


def _literal(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    print(markdown(), end="")
