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
