"""The schema is the loader's list of keys, and the README's key reference is the schema."""

from __future__ import annotations

import re

import pytest

from bptui import scenario
from bptui import scenario_schema as schema
from bptui.errors import ScenarioError

from .conftest import ROOT
from .test_bad_input import TINY

START, END = "<!-- scenario-keys:start -->\n", "<!-- scenario-keys:end -->"

#: A file where each table of the schema sits at a known place, to put a stray key into.
PLACES = {
    "": ("", TINY),
    "input": ("[input]\n", TINY),
    "layers[]": ('activation = "sigmoid"\n', TINY),
    "layers[].init": ("init = { ", TINY.replace("weights = [[0.1, 0.2]]", "init = { seed = 1 }")),
    "training": ("[training]\n", TINY),
    "data": ("[data]\n", TINY),
    "data.random": ("random = { ", TINY.replace("inputs = [[0.0, 1.0]]\ntargets = [[1.0]]",
                                                "random = { count = 2, seed = 1 }")),
}


def test_readme_key_reference_is_generated_from_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(START) + len(START):readme.index(END)]
    assert block == schema.markdown(), (
        "README's scenario key reference differs from bptui/scenario_schema.py: paste the "
        "output of `python -m bptui.scenario_schema` between the scenario-keys markers")


def test_every_table_is_placed():
    assert set(PLACES) == {t.path for t in schema.TABLES}


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.path or "top")
def test_loader_allows_exactly_the_declared_keys(table):
    """A stray key in each table is refused with the schema's own list of valid keys, and
    every declared key is named there: the schema is the loader's list, not a copy of it."""
    anchor, text = PLACES[table.path]
    stray = "zzz_stray = 1, " if anchor.endswith("{ ") else "zzz_stray = 1\n"
    assert anchor in text, anchor
    broken = text.replace(anchor, anchor + stray, 1) if anchor else stray + text
    with pytest.raises(ScenarioError) as info:
        scenario.parse(broken, file="x.toml")
    message = str(info.value)
    assert "unknown key 'zzz_stray'" in message, message
    valid = re.search(r"\(valid keys: ([^)]*)\)", message).group(1).split(", ")
    assert valid == sorted(table.allowed)


def test_a_file_using_every_optional_key_loads():
    text = (TINY.replace('title = "tiny"', 'title = "tiny"\ntitle_zh = "小"\nsource = "s"\n'
                        'notes = "n"\nnotes_zh = "注"')
            .replace("size = 2\n", 'size = 2\nnames = ["a", "b"]\n', 1)
            .replace("weights = [[0.1, 0.2]]", 'weights = [[0.1, 0.2]]\nbias = [0.5]\n'
                     'bias_names = ["c"]\ntrain_bias = false\nnames = ["y"]\n'
                     'weight_names = [["wa", "wb"]]\nname = "out"')
            .replace("learning_rate = 0.5", 'learning_rate = 0.5\nepochs = 3\nmode = "batch"\n'
                     'reduction = "mean"'))
    s = scenario.parse(text, file="all.toml")
    la = s.layers[0]
    assert (s.title_zh, s.notes_zh, s.input_names, la.names, la.name) == (
        "小", "注", ("a", "b"), ("y",), "out")
    assert la.bias_mode == "unit" and la.bias_name(0, 1) == "c" and not la.train_bias
    assert (s.epochs, s.mode, s.reduction) == (3, "batch", "mean")


def test_one_number_list_bias_on_one_unit_is_that_units_own():
    s = scenario.parse(TINY.replace("weights = [[0.1, 0.2]]",
                                    "weights = [[0.1, 0.2]]\nbias = [0.5]"), file="b.toml")
    assert s.layers[0].bias_mode == "unit" and s.layers[0].bias_name(0, 1) == "b1[1]"
    s = scenario.parse(TINY.replace("weights = [[0.1, 0.2]]",
                                    "weights = [[0.1, 0.2]]\nbias = 0.5"), file="b.toml")
    assert s.layers[0].bias_mode == "shared" and s.layers[0].bias_name(0, 1) == "b1"
