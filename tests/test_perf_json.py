"""Issue 14: plain data is written without the json module, text for text as json writes it."""

from __future__ import annotations

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from bptui.jsonout import dumps, strict

_leaf = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_data = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.tuples(inner, inner)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20)


def _nulled(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_nulled(v) for v in value]
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    return value


@given(_data)
def test_plain_data_is_written_as_json_writes_it(value):
    text, replaced = dumps(value)
    assert text == json.dumps(_nulled(value), ensure_ascii=False, allow_nan=False)
    assert replaced == (json.dumps(value) != json.dumps(_nulled(value)))


def test_values_json_must_escape_or_convert_still_go_through_it():
    import numpy as np

    for value in ('a "quoted" word', "back\\slash", "tab\there", "\u2028", {1: "int key"},
                  np.float64(0.1), np.arange(3), [np.nan, 1.0]):
        assert strict(value) == json.dumps(_nulled(np.asarray(value).tolist()
                                                   if isinstance(value, np.ndarray) else value),
                                           ensure_ascii=False, allow_nan=False,
                                           default=lambda o: o.item())
