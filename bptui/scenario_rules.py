"""The rules of a scenario beyond single keys: shapes follow sizes, names are unique, the loss
fits the output layer, the network fits in memory.

The schema (:mod:`bptui.scenario_schema`) has already read every simple key; these rules use
what it read, record every problem they find in the same :class:`~bptui.toml_reader.Problems`,
and skip a rule whose inputs were wrong (a matrix cannot be checked against a size that is not a
number), so that one mistake gives one message, and every mistake a message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bptui import scenario_schema as schema
from bptui import toml_reader as tr
from bptui.activations import ACTIVATIONS
from bptui.i18n import _
from bptui.losses import LOSSES
from bptui.scenario import Layer, Scenario
from bptui.toml_reader import Invalid, count_text, kind

#: Parameters a scenario may ask for; beyond this the arrays (and a gradient and snapshots
#: of each) would not fit comfortably in memory, so the file is refused before allocating.
MAX_PARAMETERS = 20_000_000
#: Values held for one pass over the data (samples x units, all layers).
MAX_ACTIVATIONS = 50_000_000


def check(doc: dict[str, Any], problems: tr.Problems, name: str) -> Scenario:
    """The validated Scenario, or ScenarioProblems with every problem of the file."""
    return _Rules(problems, name).scenario(doc)


class _Rules:
    def __init__(self, problems: tr.Problems, name: str) -> None:
        self.p = problems
        self.name = name

    def scenario(self, doc: dict[str, Any]) -> Scenario:
        p = self.p
        top = schema.read_table(p, doc, schema.TOP, "") or {}
        inp = schema.read_table(p, top["input"], schema.INPUT, "input") if "input" in top else None
        n_in = (inp or {}).get("size")
        tables: list[dict | None] = []
        clean: list[bool] = []  # no problem in the layer's own keys
        if "layers" in top:
            raw_layers = top["layers"]
            if not isinstance(raw_layers, list) or not raw_layers:
                p.add("layers", _("expected at least one [[layers]] table"))
            else:
                for n, raw in enumerate(raw_layers, start=1):
                    before = len(p.found)
                    tables.append(schema.read_table(p, raw, schema.LAYER, f"layers[{n}]"))
                    clean.append(len(p.found) == before)
        sizes = [t.get("size") if t else None for t in tables]
        if n_in is not None and tables and None not in sizes:
            if not p.value("", lambda: check_size(n_in, sizes, doc) or True):
                p.raise_all()  # nothing else is worth checking on a network that cannot exist
        input_names = tuple(f"x{i + 1}" for i in range(n_in or 0))
        if inp and n_in is not None and "names" in inp:
            input_names = p.value("input.names", lambda: names(inp["names"], n_in, "input.names")) or ()

        layers: list[Layer | None] = []
        for n, t in enumerate(tables, start=1):
            prev = n_in if n == 1 else sizes[n - 2]
            ok = t is not None and prev is not None and t.get("size") is not None
            layers.append(self.layer(t, n, prev, last=n == len(tables), hidden=len(tables) - 1,
                                     clean=clean[n - 1]) if ok else None)
        complete = bool(layers) and None not in layers and n_in is not None
        if complete:
            self.check_unit_names(layers, input_names)
            self.check_parameter_names(layers, input_names)

        training = (schema.read_table(p, top["training"], schema.TRAINING, "training")
                    if "training" in top else None) or {}
        loss = training.get("loss")
        if complete and loss is not None:
            self.check_output(layers, loss)
        data = None
        if "data" in top and n_in is not None:  # the targets are checked when n_out is known
            data = self.data(top["data"], n_in, sizes[-1] if tables else None)
        if data is not None and loss is not None:
            self.check_targets(data[1], loss)
        p.raise_all()
        assert data is not None and complete  # raise_all raised otherwise
        return Scenario(
            title=top.get("title", self.name or "untitled"), source=top["source"],
            notes=top["notes"], title_zh=top["title_zh"], notes_zh=top["notes_zh"],
            input_size=n_in, input_names=input_names, layers=tuple(layers),
            loss=loss, learning_rate=training["learning_rate"], epochs=training["epochs"],
            mode=training["mode"], reduction=training["reduction"], inputs=data[0],
            targets=data[1], path=p.file, name=self.name,
        )

    def clean_table(self, raw: Any, table: schema.Table, path: str) -> dict | None:
        """The table's values when all of them are right, else None (problems recorded)."""
        before = len(self.p.found)
        values = schema.read_table(self.p, raw, table, path)
        return values if len(self.p.found) == before else None

    # -- a layer ----------------------------------------------------------------------------

    def layer(self, t: dict, n: int, n_in: int, *, last: bool, hidden: int,
              clean: bool) -> Layer | None:
        """The layer, or None when any of its keys is wrong (``clean``: its simple keys are
        right); every problem of its weights, bias and names is recorded either way."""
        p, key, size = self.p, f"layers[{n}]", t["size"]
        before = len(p.found)
        weights = bias = weight_names = bias_names = None
        if "weights" in t and "init" in t:
            p.add(f"{key}.init", _("give either 'weights' or 'init', not both"))
        elif "weights" in t:
            what = _("weights[j][i] from each of the {inputs} inputs into each of the {size} units",
                     inputs=n_in, size=size)
            weights = p.value(f"{key}.weights",
                              lambda: matrix(t["weights"], f"{key}.weights", size, n_in, what))
        elif "init" in t:
            init = self.clean_table(t["init"], schema.INIT, f"{key}.init")
            if init is not None:
                weights = _draw(np.random.default_rng(init["seed"]), (size, n_in),
                                init["distribution"], init["scale"])
                if not np.isfinite(weights).all():
                    p.add(f"{key}.init.scale", _("scale {scale} makes some weights overflow to "
                                                  "infinity", scale=f"{init['scale']:g}"))
        else:
            p.add(key, _("missing required key '{key}.weights' (or '{key}.init')", key=key))
        if "bias" in t:
            bias = p.value(f"{key}.bias", lambda: _bias(t["bias"], f"{key}.bias", size))
        if "names" in t:
            unit_names = p.value(f"{key}.names", lambda: names(t["names"], size, f"{key}.names"))
        elif last:
            unit_names = tuple(f"o{j + 1}" if size > 1 else "o" for j in range(size))
        elif hidden == 1:
            unit_names = tuple(f"h{j + 1}" for j in range(size))
        else:
            unit_names = tuple(f"h{n}_{j + 1}" for j in range(size))
        if "weight_names" in t:
            weight_names = p.value(f"{key}.weight_names",
                                   lambda: _name_matrix(t["weight_names"], size, n_in,
                                                        f"{key}.weight_names"))
        if "bias_names" in t:
            if "bias" not in t:
                p.add(f"{key}.bias_names", _("names a bias, but the layer has no 'bias'"))
            elif bias is not None:
                bias_names = p.value(f"{key}.bias_names", lambda: names(
                    t["bias_names"], bias.size, f"{key}.bias_names"))
        if not clean or len(p.found) > before or weights is None:
            return None
        return Layer(
            size=size, activation=t["activation"], weights=weights, bias=bias,
            train_bias=t["train_bias"] and bias is not None, names=unit_names,
            weight_names=weight_names, bias_names=bias_names,
            name=t.get("name", "output" if last else f"hidden {n}"),
            bias_per_unit=isinstance(t.get("bias"), list),
        )

    def check_unit_names(self, layers: list[Layer], input_names: tuple[str, ...]) -> None:
        for n, la in enumerate(layers, start=1):
            clash = set(la.names) & set(input_names)
            for m in range(1, n):
                clash |= set(la.names) & set(layers[m - 1].names)
            if clash:
                self.p.add(f"layers[{n}].names", _("unit name '{name}' is used twice",
                                                    name=sorted(clash)[0]))

    def check_parameter_names(self, layers: list[Layer], input_names: tuple[str, ...]) -> None:
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
                    self.p.add(key, _("parameter name '{name}' is already used by {other}: every "
                                      "weight, bias and input needs its own name", name=name,
                                      other=seen[name]))
                    return
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
                            self.p.add(seen[name], _("parameter name '{name}' is also the generated "
                                                    "name of a weight in layers[{n}]", name=name,
                                                    n=n))
                            return

    def check_output(self, layers: list[Layer], loss: str) -> None:
        """Softmax and the cross-entropies only make sense in the pairs the maths is for."""
        p, last = self.p, len(layers)
        for n, la in enumerate(layers, start=1):
            if la.activation == "softmax" and n != last:
                p.add(f"layers[{n}].activation", _("softmax is only allowed on the last layer (it "
                                                     "turns the outputs into probabilities)"))
        out = layers[-1]
        if out.activation == "softmax" and out.size < 2:
            p.add(f"layers[{last}].size",
                  _("a softmax layer needs at least 2 units (with one it always outputs 1)"))
        rule = LOSSES.get(loss)
        # an output activation that some loss requires (softmax) is only for such a loss
        partners = [x.name for x in LOSSES.values() if x.output == out.activation]
        act = ACTIVATIONS.get(out.activation)
        if act is not None and not act.per_unit and partners and loss not in partners:
            p.add("training.loss", _("a {activation} output layer needs loss = \"{needs}\", "
                                     "found \"{loss}\"", activation=out.activation,
                                     needs=partners[0], loss=loss))
        if rule is not None and rule.output is not None and out.activation != rule.output:
            p.add(f"layers[{last}].activation",
                  _("loss \"{loss}\" needs {output}, found \"{activation}\"{hint}", loss=loss,
                    output=_(rule.output_words), activation=out.activation,
                    hint=_(rule.output_hint) if rule.output_hint else ""))

    def check_targets(self, targets: np.ndarray, loss: str) -> None:
        """The range the loss's maths needs of its targets (from the loss registry)."""
        rule = LOSSES.get(loss)
        if rule is None:
            return
        if rule.targets_sum_to_one:
            for r, row in enumerate(targets, start=1):  # sample numbers count from 1
                if (row < 0).any() or abs(row.sum() - 1.0) > 1e-9:
                    self.p.add(f"data.targets[{r}]", _("{activation} targets must be "
                                                        "probabilities: non-negative and summing "
                                                        "to 1, found {row} (sum {sum})",
                                                        activation=rule.output, row=row.tolist(),
                                                        sum=f"{row.sum():g}"))
                    return
        elif rule.targets is not None:
            lo, hi = rule.targets
            bad = (targets < lo) | (targets > hi)
            if bad.any():
                r = int(np.argwhere(bad)[0][0])
                self.p.add(f"data.targets[{r + 1}]", _("{words} targets must lie between {lo} "
                                                        "and {hi}, found {row}",
                                                        words=_(rule.words), lo=f"{lo:g}",
                                                        hi=f"{hi:g}", row=targets[r].tolist()))

    # -- the data ---------------------------------------------------------------------------

    def data(self, raw: Any, n_in: int, n_out: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        p = self.p
        block = schema.read_table(p, raw, schema.DATA, "data")
        if block is None:
            return None
        if "random" in block:
            if "inputs" in block or "targets" in block:
                p.add("data.random", _("give either 'random' or 'inputs'/'targets'"))
                return None
            rnd = self.clean_table(block["random"], schema.RANDOM_DATA, "data.random")
            if rnd is None or n_out is None:
                return None
            rng = np.random.default_rng(rnd["seed"])
            inputs = _draw(rng, (rnd["count"], n_in), rnd["distribution"], rnd["scale"])
            targets = _draw(rng, (rnd["count"], n_out), rnd["distribution"], rnd["scale"])
            if not (np.isfinite(inputs).all() and np.isfinite(targets).all()):
                p.add("data.random.scale",
                      _("scale {scale} makes some values overflow to infinity",
                        scale=f"{rnd['scale']:g}"))
                return None
            return inputs, targets
        missing = [k for k in ("inputs", "targets") if k not in block]
        for k in missing:
            p.add("data", _("missing required key 'data.{key}' (or 'data.random')", key=k))
        if missing:
            return None
        rows_in, rows_t = block["inputs"], block["targets"]
        if not isinstance(rows_in, list):
            p.add("data.inputs", _("expected a list of samples (one list of {n} numbers each), "
                                  "found {found}", n=n_in, found=kind(rows_in)))
            return None
        if not rows_in:
            p.add("data.inputs", _("the data set is empty: expected at least one sample"))
            return None
        inputs = p.value("data.inputs", lambda: rows(rows_in, "data.inputs", n_in, _("input")))
        if not isinstance(rows_t, list) or len(rows_t) != len(rows_in):
            found = len(rows_t) if isinstance(rows_t, list) else kind(rows_t)
            p.add("data.targets", _("expected {n} target rows (one per input), found {found}",
                                   n=len(rows_in), found=found))
            return None
        if n_out is None:
            return None
        targets = p.value("data.targets", lambda: rows(rows_t, "data.targets", n_out, _("target")))
        return None if inputs is None or targets is None else (inputs, targets)


def check_size(n_in: int, sizes: list[int], doc: dict) -> None:
    """Refuse a network too large for memory before a single array is allocated."""
    per_layer = []
    prev = n_in
    for s in sizes:
        per_layer.append(prev * s + s)
        prev = s
    params = sum(per_layer)
    if params > MAX_PARAMETERS:
        big = max(range(len(sizes)), key=per_layer.__getitem__)
        where = "input.size" if n_in > max(sizes) else f"layers[{big + 1}].size"
        shape = "-".join(str(n) if n < 10**15 else count_text(n) for n in (n_in, *sizes))
        if params < 10**15:
            gib = params * 8 * 4 / 2**30  # weights, gradient, update and a snapshot
            has = _("up to {n} weights and biases and would need about {gib} GiB",
                    n=f"{params:,}", gib=f"{gib:.1f}")
        else:
            has = _("{n} parameters, far beyond any computer's memory", n=count_text(params))
        raise Invalid(_("network too large: a {shape} network has {has}; bptui allows at "
                        "most {most} parameters", shape=shape, has=has,
                        most=f"{MAX_PARAMETERS:,}"), key=where)
    data = doc.get("data")
    count, where = 0, "data"
    if isinstance(data, dict):
        rnd = data.get("random")
        if isinstance(rnd, dict) and isinstance(rnd.get("count"), int):
            count, where = rnd["count"], "data.random.count"
        elif isinstance(data.get("inputs"), list):
            count, where = len(data["inputs"]), "data.inputs"
    values = count * (n_in + 2 * sum(sizes))
    if values > MAX_ACTIVATIONS:
        raise Invalid(_("data set too large: {n} samples through this network hold {values} "
                        "values at once; bptui allows at most {most}", n=count_text(count),
                        values=count_text(values), most=f"{MAX_ACTIVATIONS:,}"), key=where)


# ----------------------------------------------------------------------------- values


def names(value: Any, count: int, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise Invalid(_("expected a list of {n} strings, found {found}", n=count, found=kind(value)))
    for n, v in enumerate(value, start=1):
        if not isinstance(v, str):
            raise Invalid(_("expected a string (a name), found {found}", found=kind(v)),
                          key=f"{key}[{n}]")
    if len(value) != count:
        raise Invalid(_("expected {n} names, found {found}", n=count, found=len(value)))
    for n, v in enumerate(value, start=1):
        one_name(v, f"{key}[{n}]")
    if len(set(value)) != len(value):
        raise Invalid(_("names must be different from each other"))
    return tuple(value)


def one_name(value: str, key: str) -> str:
    """A name is one word a learner can read and type: an empty name made the symbols
    "net_" and "out_", and a space or "=" made an equation that reads as another."""
    bad = not value or any(c.isspace() or c == "=" for c in value)
    if bad:
        raise Invalid(_("a name must be one word without spaces or '=', found {found}",
                        found=repr(value)), key=key)
    return value


def matrix(value: Any, key: str, rows_: int, cols: int, what: str) -> np.ndarray:
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        raise Invalid(_("expected a list of {rows} rows of {cols} numbers ({what}), found {found}",
                        rows=rows_, cols=cols, what=what, found=kind(value)))
    widths = {len(r) for r in value}
    if len(value) != rows_ or widths != {cols}:
        if len(widths) == 1:
            found = f"{len(value)}x{widths.pop()}"
        elif not widths:
            found = _("an empty list")
        else:
            r = next(n for n, row in enumerate(value, start=1) if len(row) != cols)
            found = _("{rows} rows, row {r} with {n} numbers", rows=len(value), r=r,
                      n=len(value[r - 1]))
        raise Invalid(_("wrong shape: expected {rows}x{cols} ({what}), found {found}", rows=rows_,
                        cols=cols, what=what, found=found))
    return _numbers(value, key)


def rows(value: list, key: str, width: int, what: str) -> np.ndarray:
    out = []
    for r, row in enumerate(value, start=1):
        if not isinstance(row, list):
            row = [row] if width == 1 else row
        if not isinstance(row, list) or len(row) != width:
            found = len(row) if isinstance(row, list) else kind(row)
            raise Invalid(_("sample {r}: expected {width} {what} value(s), found {found}", r=r,
                            width=width, what=what, found=found), key=f"{key}[{r}]")
        out.append(row)
    return _numbers(out, key)


def _numbers(value: list[list], key: str) -> np.ndarray:
    """A rectangular list of lists as floats; the first value that is not a finite number
    is named by its place. Fast on the usual case (every value a number) for large data."""
    if all(type(x) is float or type(x) is int for row in value for x in row):
        try:
            arr = np.array(value, dtype=np.float64)
        except OverflowError:
            arr = None
        if arr is not None and np.isfinite(arr).all():
            return arr
    for r, row in enumerate(value, start=1):
        for c, x in enumerate(row, start=1):
            try:
                tr.number(x)
            except Invalid as exc:
                raise Invalid(str(exc), key=f"{key}[{r}][{c}]") from None
    raise AssertionError("unreachable: a value was not a finite number")  # pragma: no cover


def _bias(value: Any, key: str, size: int) -> np.ndarray:
    if isinstance(value, list):
        if len(value) != size:
            raise Invalid(_("expected one number shared by the layer or {size} numbers (one per "
                            "unit), found {found}", size=size, found=len(value)))
        out = []
        for i, x in enumerate(value, start=1):
            try:
                out.append(tr.number(x))
            except Invalid as exc:
                raise Invalid(str(exc), key=f"{key}[{i}]") from None
        return np.array(out)
    return np.array([tr.number(value)])


def _name_matrix(value: Any, size: int, n_in: int, key: str) -> tuple[tuple[str, ...], ...]:
    shape = _shape(value)
    if shape != (size, n_in):
        found = "x".join(str(s) for s in shape) if shape else kind(value)
        raise Invalid(_("wrong shape: expected {size}x{inputs} names (same orientation as "
                        "weights), found {found}", size=size, inputs=n_in, found=found))
    for j, row in enumerate(value, start=1):
        for i, v in enumerate(row, start=1):
            one_name(v, f"{key}[{j}][{i}]")
    return tuple(tuple(row) for row in value)


def _shape(value: Any) -> tuple[int, int] | None:
    """(rows, cols) of a rectangular list of lists of strings, or None when it is not one."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(r, list) for r in value):
        return None
    widths = {len(r) for r in value}
    if len(widths) != 1:
        return None
    if not all(isinstance(x, str) for r in value for x in r):
        return None
    return (len(value), widths.pop())


def _draw(rng: np.random.Generator, shape: tuple[int, ...], dist: str, scale: float) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # a huge scale is reported by the caller
        if dist == "normal":
            return rng.standard_normal(shape) * scale
        try:
            return rng.uniform(-scale, scale, shape)
        except OverflowError:  # the range 2·scale is not a finite float
            return np.full(shape, np.inf)
