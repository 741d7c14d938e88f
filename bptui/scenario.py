"""Scenario files: one worked network per TOML file, read and checked before anything runs.

The loader is strict on purpose. A teacher writing a file by hand makes typos, and a typo that
is silently ignored (``learning_rat = 0.1``) produces a lesson with the wrong numbers. Every
problem becomes one :class:`~bptui.errors.ScenarioError` naming the file, the key path, the
line where we can find it, what was expected and what was found.
"""

from __future__ import annotations

import datetime
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bptui.errors import ScenarioError, closest
from bptui.functions import ACTIVATIONS, LOSSES

#: Parameters a scenario may ask for; beyond this the arrays (and a gradient and snapshots
#: of each) would not fit comfortably in memory, so the file is refused before allocating.
MAX_PARAMETERS = 20_000_000
#: Values held for one pass over the data (samples x units, all layers).
MAX_ACTIVATIONS = 50_000_000
#: Above this many units in a layer the engine works layer by layer instead of unit by unit.
UNIT_BY_UNIT_LIMIT = 12

#: The scenarios shipped inside the package (package data, installed as plain files). A path
#: beside this module rather than importlib.resources, which costs the command line's start-up
#: a few milliseconds of imports (zipfile, tempfile) for nothing.
BUILTIN_FOLDER = Path(__file__).resolve().parent / "scenarios"

MODES = ("sample", "batch")
REDUCTIONS = ("sum", "mean")
DISTRIBUTIONS = ("normal", "uniform")

TOP_KEYS = {"title", "source", "notes", "input", "layers", "training", "data"}
INPUT_KEYS = {"size", "names"}
LAYER_KEYS = {
    "size", "activation", "names", "weights", "init", "weight_names", "bias", "bias_names",
    "train_bias", "name",
}
INIT_KEYS = {"distribution", "seed", "scale"}
TRAINING_KEYS = {"loss", "learning_rate", "epochs", "mode", "reduction"}
DATA_KEYS = {"inputs", "targets", "random"}
RANDOM_DATA_KEYS = {"count", "seed", "distribution", "scale"}


@dataclass(frozen=True)
class Layer:
    """One dense layer: ``weights[j][i]`` is the weight from input i into unit j."""

    size: int
    activation: str
    weights: np.ndarray  # (size, inputs)
    bias: np.ndarray | None  # shape (1,) when shared, (size,) per unit, None when absent
    train_bias: bool
    names: tuple[str, ...]
    weight_names: tuple[tuple[str, ...], ...] | None
    bias_names: tuple[str, ...] | None
    name: str  # the layer's own label ("hidden", "output"), for large-layer panels
    bias_shared: bool | None = None  # as the file wrote it: a number (shared) or a list

    @property
    def bias_mode(self) -> str:
        if self.bias is None:
            return "none"
        if self.bias_shared is not None:  # a one-unit layer's [b] is still a per-unit list
            return "shared" if self.bias_shared else "unit"
        return "shared" if self.bias.shape == (1,) else "unit"

    @property
    def inputs(self) -> int:
        return int(self.weights.shape[1])

    def weight_name(self, j: int, i: int, layer_number: int) -> str:
        if self.weight_names is not None:
            return self.weight_names[j][i]
        return f"W{layer_number}[{j + 1},{i + 1}]"

    def bias_name(self, j: int, layer_number: int) -> str:
        if self.bias_names is not None:
            return self.bias_names[0 if self.bias_mode == "shared" else j]
        if self.bias_mode == "shared":
            return f"b{layer_number}"
        return f"b{layer_number}[{j + 1}]"

    @property
    def parameter_count(self) -> int:
        n = self.weights.size
        if self.bias is not None and self.train_bias:
            n += self.bias.size
        return int(n)


@dataclass(frozen=True)
class Scenario:
    """A whole worked example: network, training settings and data, all validated."""

    title: str
    source: str
    notes: str
    input_size: int
    input_names: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: str
    learning_rate: float
    epochs: int
    mode: str  # "sample" or "batch"
    reduction: str  # how per-sample losses combine: "sum" or "mean"
    inputs: np.ndarray  # (samples, input_size)
    targets: np.ndarray  # (samples, output_size)
    path: str = ""
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def shape(self) -> str:
        return "-".join(str(n) for n in (self.input_size, *(la.size for la in self.layers)))

    @property
    def samples(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def parameter_count(self) -> int:
        return sum(la.parameter_count for la in self.layers)

    @property
    def unit_by_unit(self) -> bool:
        """Small enough to show every unit and weight as its own sub-step."""
        sizes = (self.input_size, *(la.size for la in self.layers))
        return max(sizes) <= UNIT_BY_UNIT_LIMIT

    def unit_names(self, layer: int) -> tuple[str, ...]:
        """Names of the units of ``layer`` (0 = inputs)."""
        return self.input_names if layer == 0 else self.layers[layer - 1].names


# --------------------------------------------------------------------------- built-ins


def builtin_names() -> list[str]:
    """Names of the scenarios shipped inside the package."""
    folder = BUILTIN_FOLDER
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def resolve(name_or_path: str) -> tuple[str, str]:
    """Find a scenario by path or built-in name; returns (display path, TOML text)."""
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in name_or_path:
        if not path.exists():
            raise ScenarioError(
                f"no such file. Built-in scenarios: {', '.join(builtin_names())}",
                file=name_or_path,
            )
        if path.is_dir():
            raise ScenarioError("is a folder, expected a .toml scenario file", file=name_or_path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ScenarioError(f"cannot be read: {exc.strerror or exc}", file=name_or_path) from None
        try:
            return str(path), data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise ScenarioError(
                f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded; "
                "save the scenario file as UTF-8",
                file=name_or_path, line=line, column=column,
            ) from None
    names = builtin_names()
    if name_or_path not in names:
        hint = closest(name_or_path, names)
        did = f" Did you mean '{hint}'?" if hint else ""
        raise ScenarioError(
            f"unknown scenario '{name_or_path}': neither a file nor a built-in.{did} "
            f"Built-in scenarios: {', '.join(names)}",
            file=name_or_path,
        )
    res = BUILTIN_FOLDER / f"{name_or_path}.toml"
    return f"{name_or_path} (built-in)", res.read_text(encoding="utf-8")


def load(name_or_path: str) -> Scenario:
    """Load and validate a scenario from a file path or a built-in name."""
    display, text = resolve(name_or_path)
    name = Path(name_or_path).stem if name_or_path.endswith(".toml") else name_or_path
    return parse(text, file=display, name=name)


def parse(text: str, *, file: str = "<scenario>", name: str = "") -> Scenario:
    """Parse and validate scenario TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = col = None
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            msg = msg[: m.start()].strip()
        elif msg.endswith("(at end of document)"):  # point at the end of the last line
            lines = text.split("\n")
            line, col = len(lines), len(lines[-1]) + 1
            msg = msg[: -len("(at end of document)")].strip() + " at the end of the file"
        raise ScenarioError(f"not valid TOML: {msg}", file=file, line=line, column=col) from None
    except RecursionError:
        lines = text.split("\n")
        deepest = max(range(len(lines)), key=lambda n: lines[n].count("[") + lines[n].count("{"))
        raise ScenarioError("not valid for bptui: arrays or tables are nested too deeply",
                            file=file, line=deepest + 1) from None
    return _Checker(doc, text, file, name).scenario()


# --------------------------------------------------------------------------- validation


class _Checker:
    """Walks the parsed TOML, checking each key and remembering where it is in the text."""

    def __init__(self, doc: dict[str, Any], text: str, file: str, name: str) -> None:
        self.doc = doc
        self.lines = text.splitlines()
        self.file = file
        self.name = name

    # -- helpers --------------------------------------------------------------------------

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(message, file=self.file, key=key, line=self._line_of(key))

    def _line_of(self, key: str) -> int | None:
        """Best-effort line of a key path such as ``layers[2].weights`` (1-based).

        ``name[n]`` is the n-th ``[[name]]`` table when there is one, else an element of the
        array ``name = [...]``, whose line is the key's. When only part of the path can be
        found (a key inside an inline table, say), the deepest line found is returned.
        """
        parts = re.findall(r"([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+)\])?", key)
        start = 0
        found: int | None = None
        table = ""
        for part, index in parts:
            name = re.escape(part)
            hit = None
            if index:
                count = 0
                for n in range(start, len(self.lines)):
                    if re.match(rf"\s*\[\[\s*{name}\s*\]\]", self.lines[n]):
                        count += 1
                        if count == int(index):
                            hit = n
                            break
                if hit is not None:
                    table = part
                    start = found = hit
                    continue
            header = re.escape(f"{table}.{part}" if table else part)
            for n in range(start, len(self.lines)):
                line = self.lines[n]
                if re.match(rf"\s*\[\s*({header}|{name})\s*\]", line):
                    hit = n
                    table = f"{table}.{part}" if table else part
                    break
                if re.match(rf"\s*{name}\s*=", line) or re.search(rf"[{{,]\s*{name}\s*=", line):
                    hit = n
                    break
            if hit is None:
                break
            start = found = hit
        return None if found is None else found + 1

    def table(self, value: Any, key: str, allowed: set[str], required: set[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, found {_kind(value)}")
        for k in value:
            if k not in allowed:
                hint = closest(k, allowed)
                did = f"; did you mean '{hint}'?" if hint else ""
                where = f"{key}.{k}" if key else k
                raise self.fail(
                    where, f"unknown key '{k}'{did} (valid keys: {', '.join(sorted(allowed))})"
                )
        missing = [f"{key}.{k}" if key else k for k in sorted(required) if k not in value]
        if len(missing) == 1:
            raise self.fail(key or missing[0], f"missing required key '{missing[0]}'")
        if missing:  # several: the table that lacks them is the place (the file's top level)
            message = "missing required keys: " + ", ".join(f"'{m}'" for m in missing)
            if not key:
                raise ScenarioError(message, file=self.file, line=1)
            raise self.fail(key, message)
        return value

    def number(self, value: Any, key: str, *, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"expected a number, found {_kind(value)}")
        try:
            x = float(value)
        except OverflowError:
            raise self.fail(key, f"expected a finite number, found {_kind(value)}") from None
        if not math.isfinite(x):
            raise self.fail(key, f"expected a finite number, found {value}")
        if positive and x <= 0:
            raise self.fail(key, f"expected a number greater than 0, found {value}")
        return x

    def integer(self, value: Any, key: str, *, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected a whole number, found {_kind(value)}")
        if value < minimum:
            raise self.fail(key, f"expected a whole number of at least {minimum}, found {value}")
        return int(value)

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, found {_kind(value)}")
        return value

    def choice(self, value: Any, key: str, choices: tuple[str, ...] | list[str]) -> str:
        text = self.string(value, key)
        if text not in choices:
            hint = closest(text, choices)
            did = f" Did you mean '{hint}'?" if hint else ""
            raise self.fail(
                key, f"unknown value '{text}'; expected one of: {', '.join(choices)}.{did}"
            )
        return text

    def names(self, value: Any, key: str, count: int) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list of {count} strings, found {_kind(value)}")
        for n, v in enumerate(value, start=1):
            if not isinstance(v, str):
                raise self.fail(f"{key}[{n}]", f"expected a string (a name), found {_kind(v)}")
        if len(value) != count:
            raise self.fail(key, f"expected {count} names, found {len(value)}")
        if len(set(value)) != len(value):
            raise self.fail(key, "names must be different from each other")
        return tuple(value)

    def matrix(self, value: Any, key: str, rows: int, cols: int, what: str) -> np.ndarray:
        if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
            raise self.fail(
                key, f"expected a list of {rows} rows of {cols} numbers ({what}), "
                f"found {_kind(value)}"
            )
        widths = {len(r) for r in value}
        if len(value) != rows or widths != {cols}:
            if len(widths) == 1:
                found = f"{len(value)}x{widths.pop()}"
            elif not widths:
                found = "an empty list"
            else:
                r = next(n for n, row in enumerate(value, start=1) if len(row) != cols)
                found = f"{len(value)} rows, row {r} with {len(value[r - 1])} numbers"
            raise self.fail(key, f"wrong shape: expected {rows}x{cols} ({what}), found {found}")
        for r, row in enumerate(value, start=1):
            for c, x in enumerate(row, start=1):
                self.number(x, f"{key}[{r}][{c}]")
        return np.array(value, dtype=np.float64)

    def rng_block(self, value: Any, key: str, allowed: set[str]) -> tuple[str, int, float]:
        block = self.table(value, key, allowed, {"seed"})
        dist = self.choice(block.get("distribution", "normal"), f"{key}.distribution",
                           DISTRIBUTIONS)
        seed = self.integer(block["seed"], f"{key}.seed", minimum=0)
        scale = self.number(block.get("scale", 1.0), f"{key}.scale", positive=True)
        return dist, seed, scale

    # -- the document ---------------------------------------------------------------------

    def scenario(self) -> Scenario:
        doc = self.table(self.doc, "", TOP_KEYS, {"input", "layers", "training", "data"})
        title = self.string(doc.get("title", self.name or "untitled"), "title")
        source = self.string(doc.get("source", ""), "source")
        notes = self.string(doc.get("notes", ""), "notes")

        inp = self.table(doc["input"], "input", INPUT_KEYS, {"size"})
        n_in = self.integer(inp["size"], "input.size")

        raw_layers = doc["layers"]
        if not isinstance(raw_layers, list) or not raw_layers:
            raise self.fail("layers", "expected at least one [[layers]] table")
        sizes = []
        for n, raw in enumerate(raw_layers, start=1):
            key = f"layers[{n}]"
            raw = self.table(raw, key, LAYER_KEYS, {"size", "activation"})
            sizes.append(self.integer(raw["size"], f"{key}.size"))
        self._check_size(n_in, sizes, doc)
        if "names" in inp:
            input_names = self.names(inp["names"], "input.names", n_in)
        else:
            input_names = tuple(f"x{i + 1}" for i in range(n_in))

        layers = []
        prev = n_in
        hidden = len(raw_layers) - 1
        for n, raw in enumerate(raw_layers, start=1):
            layers.append(self.layer(raw, n, prev, last=n == len(raw_layers), hidden=hidden))
            prev = layers[-1].size
        for n, la in enumerate(layers, start=1):
            clash = set(la.names) & set(input_names)
            for m in range(1, n):
                clash |= set(la.names) & set(layers[m - 1].names)
            if clash:
                raise self.fail(
                    f"layers[{n}].names", f"unit name '{sorted(clash)[0]}' is used twice"
                )
        self._check_parameter_names(layers, input_names)

        tr = self.table(doc["training"], "training", TRAINING_KEYS, {"loss", "learning_rate"})
        loss = self.choice(tr["loss"], "training.loss", list(LOSSES))
        lr = self.number(tr["learning_rate"], "training.learning_rate", positive=True)
        epochs = self.integer(tr.get("epochs", 100), "training.epochs")
        mode = self.choice(tr.get("mode", "sample"), "training.mode", MODES)
        reduction = self.choice(tr.get("reduction", "sum"), "training.reduction", REDUCTIONS)

        self._check_output(layers, loss)
        inputs, targets = self.data(doc["data"], n_in, layers[-1].size)
        self._check_targets(targets, loss)
        return Scenario(
            title=title, source=source, notes=notes, input_size=n_in, input_names=input_names,
            layers=tuple(layers), loss=loss, learning_rate=lr, epochs=epochs, mode=mode,
            reduction=reduction, inputs=inputs, targets=targets, path=self.file, name=self.name,
        )

    def _check_parameter_names(self, layers: list[Layer], input_names: tuple[str, ...]) -> None:
        """Every weight and bias needs its own name: steps, quiz and provenance look them up.

        Only named parameters can clash (generated names are unique), and only small
        networks are shown parameter by parameter, so large layers cost nothing here.
        """
        seen: dict[str, str] = {name: "input.names" for name in input_names}
        for n, la in enumerate(layers, start=1):
            if la.weight_names is None and la.bias_names is None:
                continue
            places = [(la.weight_name(j, i, n), f"layers[{n}].weight_names")
                      for j in range(la.size) for i in range(la.inputs)]
            if la.bias is not None:
                places += [(la.bias_name(j, n), f"layers[{n}].bias_names")
                           for j in range(la.bias.size)]
            for name, key in places:
                if name in seen:
                    raise self.fail(key, f"parameter name '{name}' is already used by "
                                    f"{seen[name]}: every weight, bias and input needs its own "
                                    "name")
                seen[name] = key
        if any(la.weight_names is not None or la.bias_names is not None for la in layers):
            # generated names of the other layers may still meet a teacher's name
            for n, la in enumerate(layers, start=1):
                if la.weight_names is not None or la.bias_names is not None:
                    continue
                if la.size * la.inputs > 10_000:
                    continue
                for j in range(la.size):
                    for i in range(la.inputs):
                        name = la.weight_name(j, i, n)
                        if name in seen:
                            raise self.fail(seen[name], f"parameter name '{name}' is also the "
                                            f"generated name of a weight in layers[{n}]")

    def _check_output(self, layers: list[Layer], loss: str) -> None:
        """Softmax and the cross-entropies only make sense in the pairs the maths is for."""
        last = len(layers)
        for n, la in enumerate(layers, start=1):
            if la.activation == "softmax" and n != last:
                raise self.fail(f"layers[{n}].activation",
                                "softmax is only allowed on the last layer (it turns the "
                                "outputs into probabilities)")
        out = layers[-1]
        if out.activation == "softmax" and out.size < 2:
            raise self.fail(f"layers[{last}].size",
                            "a softmax layer needs at least 2 units (with one it always outputs 1)")
        if out.activation == "softmax" and loss != "cross_entropy":
            raise self.fail("training.loss", f"a softmax output layer needs loss = "
                            f"\"cross_entropy\", found \"{loss}\"")
        if loss == "cross_entropy" and out.activation != "softmax":
            raise self.fail(f"layers[{last}].activation", "loss \"cross_entropy\" needs a "
                            f"softmax output layer, found \"{out.activation}\" (for sigmoid "
                            "outputs use \"binary_cross_entropy\")")
        if loss == "binary_cross_entropy" and out.activation != "sigmoid":
            raise self.fail(f"layers[{last}].activation", "loss \"binary_cross_entropy\" needs "
                            f"sigmoid output units, found \"{out.activation}\"")

    def _check_targets(self, targets: np.ndarray, loss: str) -> None:
        if loss == "cross_entropy":
            for r, row in enumerate(targets, start=1):  # sample numbers count from 1
                if (row < 0).any() or abs(row.sum() - 1.0) > 1e-9:
                    raise self.fail(f"data.targets[{r}]", "softmax targets must be "
                                    "probabilities: non-negative and summing to 1, found "
                                    f"{row.tolist()} (sum {row.sum():g})")
        if loss == "binary_cross_entropy" and ((targets < 0) | (targets > 1)).any():
            r = int(np.argwhere((targets < 0) | (targets > 1))[0][0])
            raise self.fail(f"data.targets[{r + 1}]", "binary cross-entropy targets must lie "
                            f"between 0 and 1, found {targets[r].tolist()}")

    def _check_size(self, n_in: int, sizes: list[int], doc: dict) -> None:
        """Refuse a network too large for memory before a single array is allocated."""
        params = 0
        prev = n_in
        per_layer = []
        for s in sizes:
            per_layer.append(prev * s + s)
            prev = s
        params = sum(per_layer)
        if params > MAX_PARAMETERS:
            big = max(range(len(sizes)), key=per_layer.__getitem__)
            where = f"layers[{big + 1}].size"
            if n_in > max(sizes):
                where = "input.size"
            sizes_text = "-".join(str(n) if n < 10**15 else _count(n) for n in (n_in, *sizes))
            if params < 10**15:
                gib = params * 8 * 4 / 2**30  # weights, gradient, update and a snapshot
                has = (f"up to {params:,} weights and biases and would need about {gib:.1f} "
                       "GiB")
            else:
                has = f"{_count(params)} parameters, far beyond any computer's memory"
            raise self.fail(
                where,
                f"network too large: a {sizes_text} network has {has}; "
                f"bptui allows at most {MAX_PARAMETERS:,} parameters",
            )
        data = doc.get("data")
        count = 0
        where = "data"
        if isinstance(data, dict):
            rnd = data.get("random")
            if isinstance(rnd, dict) and isinstance(rnd.get("count"), int):
                count = rnd["count"]
                where = "data.random.count"
            elif isinstance(data.get("inputs"), list):
                count = len(data["inputs"])
                where = "data.inputs"
        values = count * (n_in + 2 * sum(sizes))
        if values > MAX_ACTIVATIONS:
            raise self.fail(
                where,
                f"data set too large: {_count(count)} samples through this network hold "
                f"{_count(values)} values at once; bptui allows at most {MAX_ACTIVATIONS:,}",
            )

    def layer(self, raw: dict, n: int, n_in: int, *, last: bool, hidden: int) -> Layer:
        key = f"layers[{n}]"
        size = self.integer(raw["size"], f"{key}.size")
        activation = self.choice(raw["activation"], f"{key}.activation", list(ACTIVATIONS))
        if "weights" in raw and "init" in raw:
            raise self.fail(f"{key}.init", "give either 'weights' or 'init', not both")
        if "weights" in raw:
            weights = self.matrix(
                raw["weights"], f"{key}.weights", size, n_in,
                f"weights[j][i] from each of the {n_in} inputs into each of the {size} units",
            )
        elif "init" in raw:
            dist, seed, scale = self.rng_block(raw["init"], f"{key}.init", INIT_KEYS)
            weights = _random((size, n_in), dist, seed, scale)
            if not np.isfinite(weights).all():
                raise self.fail(f"{key}.init.scale",
                                f"scale {scale:g} makes some weights overflow to infinity")
        else:
            raise self.fail(key, f"missing required key '{key}.weights' (or '{key}.init')")

        bias = None
        if "bias" in raw:
            b = raw["bias"]
            if isinstance(b, list):
                if len(b) != size:
                    raise self.fail(
                        f"{key}.bias",
                        f"expected one number shared by the layer or {size} numbers (one per "
                        f"unit), found {len(b)}",
                    )
                bias = np.array([self.number(x, f"{key}.bias[{i}]")
                                 for i, x in enumerate(b, start=1)])
            else:
                bias = np.array([self.number(b, f"{key}.bias")])
        train_bias = raw.get("train_bias", True)
        if not isinstance(train_bias, bool):
            raise self.fail(f"{key}.train_bias", f"expected true or false, found {_kind(train_bias)}")

        if "names" in raw:
            names = self.names(raw["names"], f"{key}.names", size)
        elif last:
            names = tuple(f"o{j + 1}" if size > 1 else "o" for j in range(size))
        elif hidden == 1:
            names = tuple(f"h{j + 1}" for j in range(size))
        else:
            names = tuple(f"h{n}_{j + 1}" for j in range(size))

        weight_names = None
        if "weight_names" in raw:
            wn = raw["weight_names"]
            shape = _shape(wn, leaf=str)
            if shape != (size, n_in):
                found = "x".join(str(s) for s in shape) if shape else _kind(wn)
                raise self.fail(
                    f"{key}.weight_names",
                    f"wrong shape: expected {size}x{n_in} names (same orientation as weights), "
                    f"found {found}",
                )
            weight_names = tuple(tuple(row) for row in wn)
        bias_names = None
        if "bias_names" in raw:
            if bias is None:
                raise self.fail(f"{key}.bias_names", "names a bias, but the layer has no 'bias'")
            bias_names = self.names(raw["bias_names"], f"{key}.bias_names", bias.size)
        name = self.string(raw.get("name", "output" if last else f"hidden {n}"), f"{key}.name")
        return Layer(
            size=size, activation=activation, weights=weights, bias=bias,
            train_bias=bool(train_bias) and bias is not None, names=names,
            weight_names=weight_names, bias_names=bias_names, name=name,
            bias_shared=None if bias is None else not isinstance(raw["bias"], list),
        )

    def data(self, raw: Any, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
        block = self.table(raw, "data", DATA_KEYS, set())
        if "random" in block:
            if "inputs" in block or "targets" in block:
                raise self.fail("data.random", "give either 'random' or 'inputs'/'targets'")
            rnd = self.table(block["random"], "data.random", RANDOM_DATA_KEYS, {"count", "seed"})
            count = self.integer(rnd["count"], "data.random.count")
            dist, seed, scale = self.rng_block(
                {k: v for k, v in rnd.items() if k != "count"}, "data.random",
                RANDOM_DATA_KEYS - {"count"},
            )
            rng = np.random.default_rng(seed)
            inputs = _draw(rng, (count, n_in), dist, scale)
            targets = _draw(rng, (count, n_out), dist, scale)
            if not (np.isfinite(inputs).all() and np.isfinite(targets).all()):
                raise self.fail("data.random.scale",
                                f"scale {scale:g} makes some values overflow to infinity")
            return inputs, targets
        for k in ("inputs", "targets"):
            if k not in block:
                raise self.fail("data", f"missing required key 'data.{k}' (or 'data.random')")
        rows_in, rows_t = block["inputs"], block["targets"]
        if not isinstance(rows_in, list):
            raise self.fail("data.inputs", f"expected a list of samples (one list of "
                            f"{n_in} numbers each), found {_kind(rows_in)}")
        if not rows_in:
            raise self.fail("data.inputs", "the data set is empty: expected at least one sample")
        if not isinstance(rows_t, list) or len(rows_t) != len(rows_in):
            found = len(rows_t) if isinstance(rows_t, list) else _kind(rows_t)
            raise self.fail(
                "data.targets", f"expected {len(rows_in)} target rows (one per input), found {found}"
            )
        inputs = self._rows(rows_in, "data.inputs", n_in, "input")
        targets = self._rows(rows_t, "data.targets", n_out, "target")
        return inputs, targets

    def _rows(self, rows: list, key: str, width: int, what: str) -> np.ndarray:
        out = []
        for r, row in enumerate(rows, start=1):
            if not isinstance(row, list):
                row = [row] if width == 1 else row
            if not isinstance(row, list) or len(row) != width:
                found = len(row) if isinstance(row, list) else _kind(row)
                raise self.fail(
                    f"{key}[{r}]", f"sample {r}: expected {width} {what} value(s), found {found}"
                )
            out.append([self.number(x, f"{key}[{r}][{c}]") for c, x in enumerate(row, start=1)])
        return np.array(out, dtype=np.float64)


def _random(shape: tuple[int, int], dist: str, seed: int, scale: float) -> np.ndarray:
    return _draw(np.random.default_rng(seed), shape, dist, scale)


def _draw(rng: np.random.Generator, shape: tuple[int, ...], dist: str, scale: float) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # a huge scale is reported by the caller
        if dist == "normal":
            return rng.standard_normal(shape) * scale
        try:
            return rng.uniform(-scale, scale, shape)
        except OverflowError:  # the range 2·scale is not a finite float
            return np.full(shape, np.inf)


def _shape(value: Any, leaf: type | tuple[type, ...] = (int, float)) -> tuple[int, int] | None:
    """(rows, cols) of a rectangular list of lists, or None when it is not one."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(r, list) for r in value):
        return None
    widths = {len(r) for r in value}
    if len(widths) != 1:
        return None
    if not all(isinstance(x, leaf) and not isinstance(x, bool) for r in value for x in r):
        return None
    return (len(value), widths.pop())


def _count(n: int) -> str:
    """A whole number for a message: with thousands separators, or its size when enormous."""
    return f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        shown = str(value)
        return f"a number ({shown if len(shown) < 30 else shown[:12] + '...'})"
    if isinstance(value, str):
        shown = value if len(value) < 30 else value[:27] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return f"a {type(value).__name__} ({value.isoformat()})"
    return type(value).__name__
