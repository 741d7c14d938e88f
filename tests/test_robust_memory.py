"""Issue 13, finding 4: an export's memory does not grow with --epochs.

Both document formats end with every epoch's loss (the Markdown table, the JSON "losses"
array) but are streamed epoch by epoch; the losses wait in a :class:`bptui.export.LossSpool`
(a few thousand in memory, the rest in a temporary file), not in a list that grows 8 bytes an
epoch without bound."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from bptui import backprop as bp
from bptui import cli, export
from bptui import scenario as scn


def cheap_epochs(scenario, epochs, mistake, outcome=None, first_epoch=1, params=None):
    """export.checked_epochs without the events: what is left is the document's own upkeep."""
    for e in range(first_epoch, first_epoch + epochs):
        yield e, [], 1.0 / e


def peak_bytes(s, fmt_name: str, epochs: int) -> tuple[int, str]:
    """(the peak memory traced while streaming the document, its last 200 characters)."""
    tail = ""
    tracemalloc.start()
    try:
        for chunk in export.chunks(s, fmt_name, epochs):
            tail = (tail + chunk)[-200:]
        return tracemalloc.get_traced_memory()[1], tail
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt_name", ["json", "markdown"])
def test_an_export_of_many_epochs_keeps_its_memory_bounded(monkeypatch, fmt_name) -> None:
    """Six times the epochs, the same peak: 25,000 more losses kept in a list would be
    200 kB more."""
    monkeypatch.setattr(export, "checked_epochs", cheap_epochs)
    monkeypatch.setattr(export, "SPOOL_CHUNK", 256, raising=False)
    s = scn.load("mazur_2_2_2")
    peak_bytes(s, fmt_name, 600)  # first use: imports, caches
    small, _ = peak_bytes(s, fmt_name, 5_000)
    large, tail = peak_bytes(s, fmt_name, 30_000)
    assert large - small < 100_000, (small, large)
    if fmt_name == "json":
        assert tail.endswith(f'{1.0 / 30_000!r}], "diverged_at": null}}\n')
    else:
        assert "| 30000 | 3.333333333e-5 |\n" in tail


def test_the_spool_gives_back_every_loss_in_order() -> None:
    spool = export.LossSpool(chunk=3)
    values = [0.5 * k for k in range(10)] + [float("nan"), float("inf")]
    for v in values:
        spool.append(v)
    got = [v for part in spool.chunks() for v in part]
    assert got[:10] == values[:10]
    assert got[10] != got[10] and got[11] == float("inf")
    assert spool.file is None  # closed (and so deleted) once read


def test_a_long_json_export_lists_every_loss_as_train_does(monkeypatch, capsys) -> None:
    """Epochs across several spool chunks: the "losses" array is still every epoch's loss,
    in order, the numbers the training path finds for the same epochs (strict JSON)."""
    monkeypatch.setattr(export, "SPOOL_CHUNK", 16)
    n = 70
    assert cli.main(["mazur_2_2_2", "--export", "json", "--epochs", str(n)]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(c))
    s = scn.load("mazur_2_2_2")
    trained = bp.train(s, bp.Params.initial(s), n)
    assert len(doc["losses"]) == n and doc["diverged_at"] is None
    assert doc["losses"] == pytest.approx(trained.losses, rel=1e-12)
    assert doc["losses"][0] == pytest.approx(0.291027774, abs=1e-9)  # Mazur, after epoch 1


class Sink:
    """A standard output that keeps only its length and its last characters."""

    def __init__(self) -> None:
        self.size, self.tail = 0, ""

    def write(self, text: str) -> int:
        self.size += len(text)
        self.tail = (self.tail + text)[-300:]
        return len(text)

    def flush(self) -> None:
        pass


def graph_train_peak(epochs: int, *args: str) -> tuple[int, Sink]:
    from contextlib import redirect_stdout

    sink = Sink()
    tracemalloc.start()
    try:
        with redirect_stdout(sink):
            assert cli.main(["micrograd_neuron", "--train", str(epochs), *args]) == 0
        return tracemalloc.get_traced_memory()[1], sink
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("args", [(), ("--json",)])
def test_a_graphs_train_keeps_its_memory_bounded(args) -> None:
    """A graph's --train kept every epoch's output (32 bytes an epoch, then the whole JSON
    text at once); it streams them now, as a layered network's --train does."""
    graph_train_peak(1000, *args)  # first use: imports, caches
    small, _ = graph_train_peak(4500, *args)  # past one 4,096-epoch chunk: its full size
    large, sink = graph_train_peak(12_000, *args)
    assert large - small < 100_000, (small, large)
    if args:
        assert sink.size > 12_000 * 10 and '], "epochs": 12000, "leaves": ' in sink.tail
    else:
        assert "trained 12000 epochs" in sink.tail


def test_a_graphs_streamed_outputs_are_its_outputs(capsys) -> None:
    """The streamed JSON holds every epoch's output, in order: those the engine's history
    holds for the same epochs (strict JSON, chunks of 4,096 crossed)."""
    from bptui.graph import engine

    g = scn.load("micrograd_neuron")
    assert cli.main(["micrograd_neuron", "--train", "5000", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(c))
    kept = engine.train(g, engine.GraphParams.initial(g), 5000)
    assert doc["output"] == kept.losses and doc["epochs"] == 5000 == kept.epochs_done
    assert doc["leaves"] == kept.params.as_dict() and doc["diverged_at"] is None


def test_a_graph_hands_over_every_finite_epoch_before_it_diverges() -> None:
    """on_chunk sees the outputs of the epochs before the divergence (the JSON's "output" is
    built from them), as bptui.backprop.train's callers do."""
    from bptui.graph import engine

    g = scn.parse(GROWING, file="growing.toml", name="growing")
    seen: list[float] = []
    result = engine.train(g, engine.GraphParams.initial(g), 50, chunk=1000,
                          on_chunk=lambda e, outs, p: seen.extend(outs), keep_losses=False)
    assert result.diverged_at is not None and result.diverged_at > 2
    assert len(seen) == result.epochs_done == result.diverged_at - 1
    assert result.losses == [] and result.last == seen[-1]


#: o = w², w ← w - η·2w = w(1 - 2·10¹⁰): |w| grows 2·10¹⁰ times an epoch until o overflows.
GROWING = """
title = "a square that grows until it overflows"
[graph]
values = { w = 2.0 }
expression = "o = w*w"
[training]
learning_rate = 1e10
epochs = 50
train = ["w"]
"""


def test_a_graph_export_too_long_to_hold_is_refused_up_front() -> None:
    """A graph's export is built whole in memory (about 1.3 kB a step): an --epochs that
    would not fit is refused at once, one line, exit 2, naming what does fit."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bptui", "micrograd_neuron", "--export", "json",
                           "--epochs", "1000000000"], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("bptui: error: --epochs")
    assert "at most 2,777 epochs" in done.stderr  # 36 steps an epoch, 100,000 steps
    assert time.monotonic() - start < 60
    done = subprocess.run([sys.executable, "-m", "bptui", "micrograd_neuron", "--export", "json",
                           "--epochs", "3"], cwd=root, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["epochs"] == 3
