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
