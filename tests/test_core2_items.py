"""Issue 11/13 follow-ups: --list without building networks, and friends."""

from __future__ import annotations

from bptui import cli
from bptui import scenario as scn


def test_list_does_not_build_layered_networks(monkeypatch, capsys) -> None:
    """--list reads the declared sizes; the 1000-100-10's weights are never drawn."""
    built: list[str] = []
    real = scn.load

    def spy(name: str):
        built.append(name)
        return real(name)

    monkeypatch.setattr(scn, "load", spy)
    assert cli.main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "batch_relu_1000_100_10  1000-100-10" in out
    assert "mazur_2_2_2" in out and "2-2-2" in out
    layered = [n for n in built if "[graph]" not in scn.resolve(n)[1]]
    assert layered == []


def test_export_renders_every_step_from_its_tree(monkeypatch) -> None:
    """No equation string is re-parsed: the string reader is never called, and every math
    block is balanced LaTeX with no raw underscore inside \\mathrm{}."""
    import re

    from bptui import export

    def refuse(text: str) -> str:
        raise AssertionError(f"re-parsed an equation string: {text}")

    monkeypatch.setattr(export, "latex", refuse)
    for name in scn.builtin_names():
        s = scn.load(name)
        if getattr(s, "is_graph", False):
            continue
        text = export.markdown(s, epochs=1)
        for tex in re.findall(r"\$\$(.+?)\$\$", text, flags=re.S):
            assert not re.search(r"\\mathrm\{[^}]*(?<!\\)_", tex), (name, tex)
            assert "e-" not in tex.replace("\\left", ""), (name, tex)


def _section(text: str, start: str) -> str:
    return text[text.index(start):text.index("\n## Loss\n")]


def test_export_from_a_later_epoch_is_that_epoch_of_a_longer_export() -> None:
    """first_epoch=3 starts from the parameters two epochs trained to: its epoch 3 is the
    epoch 3 of an export from the start, step for step and number for number."""
    from bptui import export

    for name, mistake in (("mazur_2_2_2", None), ("two_three_one", None),
                          ("mazur_2_2_2", "wrong-weight-in-sum")):
        s = scn.load(name)
        whole = export.markdown(s, epochs=3, mistake=mistake)
        later = export.markdown(s, epochs=1, mistake=mistake, first_epoch=3)
        assert "Exported from epoch 3" in later
        assert _section(later, "## Epoch 3") == _section(whole, "## Epoch 3")
        doc = export.json_document(s, epochs=1, mistake=mistake, first_epoch=3)
        assert doc["first_epoch"] == 3 and {e["epoch"] for e in doc["events"]} == {3}


def test_export_draws_the_network_for_unit_by_unit_nets() -> None:
    from markdown_it import MarkdownIt

    from bptui import export
    from bptui.netdraw import network_text

    s = scn.load("mazur_2_2_2")
    text = export.markdown(s)
    fences = [t for t in MarkdownIt("commonmark").parse(text) if t.type == "fence"]
    assert len(fences) == 1 and fences[0].info == "text"
    from bptui import backprop as bp

    assert fences[0].content.splitlines() == network_text(s, bp.Params.initial(s))
    assert "w5 0.4" in fences[0].content
    assert "```" not in export.markdown(scn.load("batch_relu_1000_100_10"))


# -- --trace and the training paths agree on divergence (issue 13, item 1) -------------------

TANH_INF = """
title = "tanh saturated by an infinite net"
[input]
size = 1
[[layers]]
size = 1
activation = "tanh"
weights = [[1e308]]
[[layers]]
size = 1
activation = "linear"
weights = [[0.5]]
[training]
loss = "half_sse"
learning_rate = 0.1
epochs = 3
mode = "sample"
[data]
inputs = [[10.0]]
targets = [[0.25]]
"""


def _verdicts(path, epochs: int, capsys) -> tuple[tuple[int, int | None], tuple[int, int | None]]:
    """((exit, diverged_at) of --trace, (exit, diverged_at) of --train --json)."""
    import json
    import re

    capsys.readouterr()
    code = cli.main([str(path), "--trace", "--epochs", str(epochs)])
    err = capsys.readouterr().err
    m = re.search(r"diverged at epoch (\d+)", err)
    trace = (code, int(m.group(1)) if m else None)
    code = cli.main([str(path), "--train", str(epochs), "--json"])
    data = json.loads(capsys.readouterr().out)
    return trace, (code, data["diverged_at"])


def test_a_net_overflowing_under_tanh_is_not_divergence(tmp_path, capsys) -> None:
    """net = 1e308 · 10 = inf, tanh(inf) = 1: every epoch ends finite, so no path says
    diverged (the trace still writes the inf as null)."""
    path = tmp_path / "tanh_inf.toml"
    path.write_text(TANH_INF)
    trace, train = _verdicts(path, 3, capsys)
    assert trace == train == (0, None)


def test_trace_and_train_json_agree_on_divergence(tmp_path, capsys) -> None:
    from hypothesis import HealthCheck, given, settings

    from tests.test_training import diverging_scenarios

    path = tmp_path / "generated.toml"

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=diverging_scenarios())
    def check(text: str) -> None:
        path.write_text(text)
        trace, train = _verdicts(path, 8, capsys)
        assert trace == train
        assert trace[0] == (0 if trace[1] is None else 1)

    check()
