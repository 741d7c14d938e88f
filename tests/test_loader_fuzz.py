"""Fuzzing the scenario loader: any document gives a Scenario or a located ScenarioError.

Documents are the built-in scenarios mutated structurally (a key deleted, a value replaced by
one of another type, a number made huge, negative, zero, non-finite, a string or a list) and
textually (truncated, garbage inserted, a line dropped or doubled), plus small random
documents. Never another exception, never a hang: a valid result also runs one epoch.
Hypothesis is derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import tomllib
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bptui import backprop as bp
from bptui import scenario
from bptui.engine import epoch_events
from bptui.errors import ScenarioError

FUZZ = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The 1000-100-10 file is mutated as the others are but each example costs ~10x (its
#: weight matrices are parsed and checked): fewer examples of the same strategies for it.
FUZZ_LARGE = settings(FUZZ, max_examples=30)
LARGE = "batch_relu_1000_100_10"
FILE = "fuzz.toml"
BUILTINS = scenario.builtin_names()
TEXTS = {
    name: (scenario.BUILTIN_FOLDER / f"{name}.toml").read_text(encoding="utf-8")
    for name in BUILTINS
}


# ----------------------------------------------------------------------------- a small TOML writer


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, datetime.date | datetime.time):
        return v.isoformat()
    raise TypeError(type(v))


def dump(doc: dict) -> str:
    """TOML text for a parsed document: top-level values, then [tables] and [[arrays]]."""
    head, body = [], []
    for k, v in doc.items():
        if isinstance(v, dict):
            body.append(f"[{_key(k)}]")
            body += [f"{_key(kk)} = {_value(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                body.append(f"[[{_key(k)}]]")
                body += [f"{_key(kk)} = {_value(vv)}" for kk, vv in item.items()]
        else:
            head.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(head + body) + "\n"


def test_writer_round_trips_builtins():
    for name, text in TEXTS.items():
        doc = tomllib.loads(text)
        assert tomllib.loads(dump(doc)) == doc, name
        assert scenario.parse(dump(doc), file=FILE, name=name).shape == scenario.load(name).shape


# ----------------------------------------------------------------------------- the property


def check_document(text: str) -> None:
    try:
        scn = scenario.parse(text, file=FILE, name="fuzz")
    except ScenarioError as err:
        problems = getattr(err, "problems", [err])  # every problem of the file, each located
        lines = str(err).splitlines()
        assert len(lines) == min(len(problems), 20) + (len(problems) > 20)
        for problem, line in zip(problems, lines, strict=False):
            assert problem.file == FILE
            assert problem.key or problem.line is not None, f"no location: {problem}"
            assert line.startswith(FILE) and problem.message
        assert len({p.render() for p in problems}) == len(problems), f"repeated: {err}"
        assert "Traceback" not in str(err)
        return
    if getattr(scn, "is_graph", False):  # a [graph] built-in: bptui.graph checked it
        assert scn.nodes and all(math.isfinite(v) for v in scn.leaves.values())
        return
    assert isinstance(scn, scenario.Scenario)
    assert scn.inputs.shape == (scn.samples, scn.input_size)
    assert scn.targets.shape == (scn.samples, scn.layers[-1].size)
    assert np.isfinite(scn.inputs).all() and np.isfinite(scn.targets).all()
    assert math.isfinite(scn.learning_rate) and scn.learning_rate > 0
    prev = scn.input_size
    for layer in scn.layers:
        assert layer.weights.shape == (layer.size, prev)
        assert np.isfinite(layer.weights).all()
        prev = layer.size
    # a valid scenario must also run: one epoch of events never raises
    with np.errstate(all="ignore"):
        epoch_events(scn, bp.Params.initial(scn), 1)


# ----------------------------------------------------------------------------- mutations


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a parsed document (dict keys and list indexes)."""
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out += paths(v, (*prefix, k))
    elif isinstance(node, list) and len(node) <= 8:
        for n, v in enumerate(node):
            out.append((*prefix, n))
            out += paths(v, (*prefix, n))
    return out


def get_parent(doc: Any, path: tuple) -> Any:
    for p in path[:-1]:
        doc = doc[p]
    return doc


ODD_VALUES = st.one_of(
    st.sampled_from([0, -1, 1, 2, 3, 0.0, -0.5, 1e-300, 10**9, 2**63, 10**30, 10**400, 1e300,
                     float("inf"), float("-inf"), float("nan"), True, False, "", "0.5",
                     "sigmoid", "half_sse", "batch", [], [[]], [0], [[0.1, 0.2]], [1, "a"],
                     {}, {"seed": 1}, datetime.date(2020, 1, 1)]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.floats(-10, 10), max_size=4),
)


def mutate(data, doc: dict) -> None:
    """One structural change somewhere in ``doc`` (in place)."""
    all_paths = paths(doc)
    if not all_paths:
        doc[data.draw(st.text(min_size=1, max_size=8))] = data.draw(ODD_VALUES)
        return
    path = data.draw(st.sampled_from(all_paths))
    parent = get_parent(doc, path)
    here = parent[path[-1]]
    how = data.draw(st.sampled_from(["delete", "replace", "number", "rename", "wrap", "add"]))
    if how == "delete":
        del parent[path[-1]]
    elif how == "replace":
        parent[path[-1]] = data.draw(ODD_VALUES)
    elif how == "number" and isinstance(here, int | float) and not isinstance(here, bool):
        parent[path[-1]] = data.draw(st.sampled_from(
            [-here, 0, here * 10**6, here * 10**300, str(here), [here], float("nan"), -1,
             int(here) if isinstance(here, float) and math.isfinite(here) else 0.5]))
    elif how == "rename" and isinstance(parent, dict):
        parent[path[-1] + data.draw(st.sampled_from(["x", "_", "s"]))] = parent.pop(path[-1])
    elif how == "wrap":
        parent[path[-1]] = data.draw(st.sampled_from([[here], {"value": here}]))
    elif how == "add" and isinstance(here, dict):
        here[data.draw(st.sampled_from(["seed", "size", "extra", "names", "weights", "bias"]))] \
            = data.draw(ODD_VALUES)
    else:
        parent[path[-1]] = data.draw(ODD_VALUES)


@pytest.mark.parametrize("name", BUILTINS)
def test_structural_mutations(name):
    (FUZZ_LARGE if name == LARGE else FUZZ)(given(data=st.data())(_structural_mutations))(name)


def _structural_mutations(name, data):
    doc = tomllib.loads(TEXTS[name])
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(data, doc)
    try:
        text = dump(doc)
    except TypeError:  # a value the writer cannot express (never produced by the strategies)
        return
    check_document(text)


GARBAGE = st.one_of(
    st.sampled_from(["[", "]]", "= =", '"', "'", "\x00", "[[layers]]", "size = ", "\n[training]\n",
                     "inf", "nan", "\\u", "{", "}", "#", "\n\n", "=", "[data]\ninputs = 1\n",
                     "\ufeff", "\r", "1e999", "0x", "-", "\t", "é"]),
    st.text(max_size=8),
)


@pytest.mark.parametrize("name", BUILTINS)
def test_text_mutations(name):
    (FUZZ_LARGE if name == LARGE else FUZZ)(given(data=st.data())(_text_mutations))(name)


def _text_mutations(name, data):
    text = TEXTS[name]
    for _ in range(data.draw(st.integers(1, 3))):
        how = data.draw(st.sampled_from(["truncate", "insert", "drop-line", "double-line",
                                         "replace-number"]))
        if how == "truncate":
            text = text[: data.draw(st.integers(0, len(text)))]
        elif how == "insert":
            at = data.draw(st.integers(0, len(text)))
            text = text[:at] + data.draw(GARBAGE) + text[at:]
        elif how in ("drop-line", "double-line"):
            lines = text.splitlines(keepends=True)
            if lines:
                n = data.draw(st.integers(0, len(lines) - 1))
                lines[n:n + 1] = [] if how == "drop-line" else [lines[n], lines[n]]
                text = "".join(lines)
        else:
            numbers = list(re.finditer(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?", text))
            if numbers:
                m = data.draw(st.sampled_from(numbers))
                new = data.draw(st.sampled_from(["0", "-1", "1e999", "nan", '"1"', "[1]",
                                                 "99999999999999999999999", "0.0", "true"]))
                text = text[:m.start()] + new + text[m.end():]
    check_document(text)


KEYS = st.sampled_from(["title", "input", "layers", "training", "data", "size", "activation",
                        "weights", "init", "bias", "loss", "learning_rate", "inputs",
                        "targets", "random", "seed", "count", "names", "mode", "x"])
LEAF = st.one_of(st.integers(-3, 5), st.floats(-2, 2), st.sampled_from(
    ["sigmoid", "relu", "half_sse", "sse", "sample", "batch"]), st.booleans(),
    st.lists(st.lists(st.floats(-1, 1), min_size=1, max_size=3), min_size=1, max_size=3))
DOCS = st.recursive(LEAF, lambda inner: st.one_of(
    st.dictionaries(KEYS, inner, max_size=5),
    st.lists(st.dictionaries(KEYS, inner, max_size=4), min_size=1, max_size=3),
), max_leaves=25)


@FUZZ
@given(doc=st.dictionaries(KEYS, DOCS, max_size=6))
def test_random_documents(doc):
    check_document(dump(doc))


@FUZZ
@given(text=st.text(max_size=200))
def test_arbitrary_text(text):
    check_document(text)
