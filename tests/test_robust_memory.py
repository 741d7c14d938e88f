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
    """Four times the epochs, the same peak: 40,000 more losses kept in a list would be
    320 kB more."""
    monkeypatch.setattr(export, "checked_epochs", cheap_epochs)
    monkeypatch.setattr(export, "SPOOL_CHUNK", 256, raising=False)
    s = scn.load("mazur_2_2_2")
    peak_bytes(s, fmt_name, 600)  # first use: imports, caches
    small, _ = peak_bytes(s, fmt_name, 10_000)
    large, tail = peak_bytes(s, fmt_name, 50_000)
    assert large - small < 100_000, (small, large)
    if fmt_name == "json":
        assert tail.endswith(f'{1.0 / 50_000!r}], "diverged_at": null}}\n')
    else:
        assert "| 50000 | 2e-5 |\n" in tail


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
