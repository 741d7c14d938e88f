"""The drawn network and the general nodes-in-columns drawing (bptui.drawing, bptui.netdraw).

The room is the Network panel's inside at 120x40 (72 x 17 characters): there the 2-2-2 and
the 2-3-1 must show every weight's name and value at once.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bptui import scenario as scn
from bptui.cursor import Cursor
from bptui.drawing import Diagram, Edge, Node, compact, draw
from bptui.netdraw import NetworkPainter, graph_diagram, lit_by, network_text
from tests.tui.helpers import DATA

ROOM = (72, 17)
DENSE = str(DATA / "dense_12_12.toml")


def picture_at(name: str, steps: int, width: int = ROOM[0], height: int = ROOM[1]):
    s = scn.load(name)
    c = Cursor(s)
    for _ in range(steps):
        c.next()
    ev = c.event
    events = [e for e in c.events[: c.index + 1] if e.sample == ev.sample]
    pic = NetworkPainter(s).picture(c.params_now(), events, ev, ev.sample, False, width,
                                    height)
    return s, c, pic


def params_of(s, params):
    """(ref, name, value) of every weight and bias of the scenario."""
    out = []
    for lay, la in enumerate(s.layers, start=1):
        for j in range(la.size):
            for i in range(la.inputs):
                out.append((("param", lay, "weight", j, i, la.weight_name(j, i, lay)),
                            la.weight_name(j, i, lay), float(params.weights[lay - 1][j, i])))
        if la.bias is not None:
            for j in range(la.bias.size):
                ref = ("param", lay, "bias", j, 0, la.bias_name(j, lay))
                out.append((ref, la.bias_name(j, lay), float(params.biases[lay - 1][j])))
    return out


def label_cells(pic, ref) -> list[str]:
    """The texts written on cells whose click reference is ``ref`` (per row)."""
    rows = []
    for y, row in enumerate(pic.refs):
        xs = [x for x, r in enumerate(row) if r == ref]
        if xs:
            rows.append("".join(pic.chars[y][x] for x in xs))
    return rows


@pytest.mark.parametrize("name", ["mazur_2_2_2", "two_three_one"])
@pytest.mark.parametrize("steps", [0, 14, 35])
def test_every_weight_has_an_edge_with_its_name_and_value_in_the_panel(name, steps):
    s, c, pic = picture_at(name, steps)
    assert len(pic.chars) <= ROOM[1] and len(pic.chars[0]) <= ROOM[0]
    for ref, pname, value in params_of(s, c.params_now()):
        texts = " ".join(label_cells(pic, ref))
        assert pname in texts, (pname, texts)
        if s.layers[ref[1] - 1].bias_mode == "shared":
            continue  # a shared bias is one node with its value
        m = re.search(re.escape(pname) + r" (-?[\d.]+(?:e-?\d+)?)(?:→(-?[\d.e-]+))?", texts)
        assert m, texts
        shown = float(m.group(2) or m.group(1))
        assert shown == pytest.approx(value, rel=2e-3, abs=1e-6), (pname, texts)


def test_labels_never_overlap_boxes_or_each_other():
    for name, steps in (("mazur_2_2_2", 0), ("two_three_one", 3), (DENSE, 40)):
        s, c, pic = picture_at(name, steps, 72, 17)
        for ref, pname, _ in params_of(s, c.params_now()):
            for text in label_cells(pic, ref):
                # the label is whole where it is written: nothing else wrote over it
                assert pname in text or all("\u2500" <= ch <= "\u257f" or ch in "▶◀"
                                            for ch in text), (pname, text)


def test_a_dense_12_12_layer_thins_its_labels_and_keeps_the_highlighted_one():
    s = scn.load(DENSE)
    c = Cursor(s)
    while not (c.event.kind == "grad" and c.event.param is not None
               and (c.event.param.row, c.event.param.col) == (6, 2)):
        c.next()
    ev = c.event
    events = [e for e in c.events[: c.index + 1] if e.sample == ev.sample]
    pic = NetworkPainter(s).picture(c.params_now(), events, ev, ev.sample, False, 52, 17)
    text = "\n".join(pic.lines())
    assert len(pic.chars[0]) <= 52
    assert "W1[7,3]" in text  # the lit edge keeps its name
    shown = sum(1 for _, pname, _ in params_of(s, c.params_now()) if pname + " " in text)
    assert shown < 144  # the others have thinned out
    f = pic.focus
    assert f is not None and "W1[7,3]" in pic.lines()[f.y]


def test_boxes_stay_where_they_are_as_values_fill_in():
    s = scn.load("mazur_2_2_2")
    c = Cursor(s)
    painter = NetworkPainter(s)
    places = set()
    for _ in range(39):
        ev = c.event
        events = [e for e in c.events[: c.index + 1] if e.sample == ev.sample]
        lines = painter.picture(c.params_now(), events, ev, ev.sample, False, *ROOM).lines()
        places.add(tuple((y, line.index("o1")) for y, line in enumerate(lines) if "o1" in line))
        c.next()
    assert len(places) == 1


def test_what_each_step_lights():
    s = scn.load("mazur_2_2_2")
    ev = {e.symbol: e for e in Cursor(s).events}
    assert lit_by(s, ev["net_h1"]).edges == {("w", 1, 0, 0), ("w", 1, 0, 1), ("b", 1, 0)}
    back = lit_by(s, ev["dE/dout_h1"])  # a hidden unit's error: every edge of its sum
    assert back.back and back.edges == {("w", 2, 0, 0), ("w", 2, 1, 0)}
    assert lit_by(s, ev["dE/dw5"]).edges == {("w", 2, 0, 0)}
    assert lit_by(s, ev["w1+"]).edges == {("w", 1, 0, 0)}
    assert lit_by(s, ev["delta_o1"]).units == {(2, 0)}


def test_the_update_shows_old_and_new_and_backward_edges_flow_left():
    _, _, pic = picture_at("mazur_2_2_2", 35)  # w1 updated
    text = "\n".join(pic.lines())
    assert re.search(r"w1 0\.15→0\.149\d", text), text
    _, _, pic = picture_at("mazur_2_2_2", 21)  # dE/dout_h1 = δ_o1·w5 + δ_o2·w7
    lines = pic.lines()
    for w in ("w5", "w7"):
        line = next(x for x in lines if w in x)
        assert "◀" in line and "━" in line  # heavy, flowing back to h1
    assert not any("◀" in x for x in lines if "w6" in x or "w8" in x)


def test_the_drawing_as_plain_text_for_exports():
    s = scn.load("mazur_2_2_2")
    lines = network_text(s, Cursor(s).start_params)
    assert all(isinstance(x, str) for x in lines)
    text = "\n".join(lines)
    for name in ("i1", "i2", "h1", "h2", "o1", "o2", "b1 0.35", "w1 0.15", "w8 0.55"):
        assert name in text
    assert max(len(x) for x in lines) <= 100


def test_compact_numbers_fit_their_slot_and_keep_what_digits_they_can():
    for x in (0.1497807161, -0.00021928386, 1234567.0, -3.5e-12, 0.05, 1.0):
        for w in (6, 7, 8):
            s = compact(x, w)
            assert len(s) <= w
            assert float(s) == pytest.approx(x, rel=10 ** -(w - 5) * 5)
    assert compact(0.1497807161, 6) == "0.1498"
    assert compact(-0.00021928386, 7) == "-2.2e-4"


def test_a_computational_graph_draws_through_the_same_layout():
    # micrograd's first expression: L = (a*b + c) * f, staged e = a*b, d = e + c
    inputs = {"a": (), "b": (), "c": (), "f": (), "e": ("a", "b"), "d": ("e", "c"),
              "L": ("d", "f")}
    ops = {"e": "*", "d": "+", "L": "*"}
    values = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0, "e": -6.0, "d": 4.0, "L": -8.0}
    grads = {"L": 1.0, "d": -2.0, "f": 4.0, "e": -2.0, "c": -2.0, "a": 6.0, "b": -4.0}
    d = graph_diagram(inputs, ops, values, grads, current="c", lit_edges=[("c", "d")],
                      back=True)
    assert {n.key: n.column for n in d.nodes} == {"a": 0, "b": 0, "c": 0, "f": 0, "e": 1,
                                                  "d": 2, "L": 3}
    pic = draw(d, 100, 30)
    lines = pic.lines()
    text = "\n".join(lines)
    for name in values:
        assert f"─{name}─" in text or f"━{name}━" in text
    # every edge is drawn, the ones skipping columns too, each with its operation
    for a, node in [("a", "e"), ("b", "e"), ("e", "d"), ("c", "d"), ("d", "L"), ("f", "L")]:
        cells = label_cells(pic, ("edge", a, node))
        assert ops[node] in "".join(cells), (a, node, cells)
    assert re.search(r"grad +6│", text) and re.search(r"val +-8 *│", text)
    assert "◀" in text  # the gradient flowing back into c


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        graph_diagram({"a": ("b",), "b": ("a",)}, {}, {})


def test_edges_go_left_to_right():
    d = Diagram(("x", "y"), (Node("p", 1, "p"), Node("q", 0, "q")), (Edge("e", "p", "q"),))
    with pytest.raises(ValueError, match="left to right"):
        draw(d, 40)


def test_the_core_drawing_never_imports_textual():
    code = ("import sys, bptui.drawing, bptui.netdraw; "
            "sys.exit(any(m.split('.')[0] == 'textual' for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
