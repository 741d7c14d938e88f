"""Export: the worked example as Markdown/LaTeX and JSON, written safely."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from bptui import export, scenario
from bptui.errors import BptuiError

from .conftest import run_cli_inprocess

PUBLISHED = {  # Mazur's walkthrough: symbol -> (published value, digits printed)
    "E_total": ("0.298371109", 9),
    "dE/dw5": ("0.082167041", 9),
    "w5+": ("0.35891648", 8),
    "w1+": ("0.149780716", 9),
}


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bptui", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def run_inprocess(*args: str, cwd=None):
    """The same in this interpreter (no start-up): for what an option writes."""
    return run_cli_inprocess(*args, cwd=cwd or Path.cwd())


def math_blocks(text: str) -> list[str]:
    return re.findall(r"\$\$(.+?)\$\$", text, flags=re.S)


def balanced(tex: str) -> bool:
    depth = 0
    i = 0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            i += 2  # an escaped character such as \{ or \\ is not a brace
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0 and tex.count(r"\left") == tex.count(r"\right")


@pytest.fixture(scope="module")
def mazur_md() -> str:
    return export.markdown(scenario.load("mazur_2_2_2"), epochs=1)


def test_markdown_has_published_numbers_in_equations(mazur_md: str) -> None:
    blocks: dict[str, str] = {}
    current = None
    for para in mazur_md.split("\n\n"):
        m = re.match(r"\*\*\d+\. [^:]+: `([^`]+)`\*\*", para)
        if m:
            current = m.group(1)
        elif para.startswith("$$") and current is not None:
            blocks.setdefault(current, para)
    for symbol, (published, digits) in PUBLISHED.items():
        block = blocks[symbol]
        last = float(block.strip("$").rsplit("=", 1)[1].strip())
        assert round(last, digits) == pytest.approx(float(published), abs=10 ** -(digits + 1)), symbol


def test_markdown_parses_and_latex_is_balanced(mazur_md: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(mazur_md)
    kinds = {t.type for t in tokens}
    assert {"heading_open", "table_open", "paragraph_open"} <= kinds
    assert mazur_md.count("$$") % 2 == 0
    blocks = math_blocks(mazur_md)
    assert len(blocks) >= 39  # one display equation per sub-step of the epoch
    for tex in blocks:
        assert balanced(tex), tex
        assert "\n" not in tex


def test_every_builtin_exports(tmp_path) -> None:
    for name in scenario.builtin_names():
        if getattr(scenario.load(name), "is_graph", False):
            continue  # graphs export through bptui.graph.export (tests/test_graph_cli.py)
        text = export.markdown(scenario.load(name), epochs=1)
        for tex in math_blocks(text):
            assert balanced(tex), (name, tex)
        doc = export.json_document(scenario.load(name), epochs=1)
        json.dumps(doc)
        assert doc["scenario"]["shape"] == scenario.load(name).shape


def test_large_layers_get_summaries_not_every_weight() -> None:
    text = export.markdown(scenario.load("batch_relu_1000_100_10"), epochs=1)
    assert len(text.splitlines()) < 400
    assert "‖·‖" in text and "min" in text


def test_mistake_shows_the_wrong_step_beside_the_right_one() -> None:
    text = export.markdown(scenario.load("mazur_2_2_2"), mistake="wrong-weight-in-sum")
    assert "Mistake lab: `wrong-weight-in-sum`" in text
    assert "Correct backpropagation computes" in text


def test_latex_of_brackets_and_specials() -> None:
    tex = export.latex("net_h[1] = W[2]·x[1] + b_% # & $")
    assert balanced(tex)
    assert r"\%" in tex and r"\#" in tex and r"\&" in tex and r"\$" in tex


def test_cli_export_refuses_to_overwrite(tmp_path) -> None:
    out = tmp_path / "mazur.md"
    first = run("mazur_2_2_2", "--export", "markdown", "-o", str(out))
    assert first.returncode == 0, first.stderr
    before = out.read_bytes()
    second = run("mazur_2_2_2", "--export", "markdown", "-o", str(out))
    assert second.returncode == 2
    assert "already exists" in second.stderr and "--force" in second.stderr
    assert "Traceback" not in second.stderr
    assert out.read_bytes() == before
    forced = run_inprocess("two_three_one", "--export", "markdown", "-o", str(out), "--force")
    assert forced.returncode == 0
    assert out.read_bytes() != before
    assert [p.name for p in tmp_path.iterdir()] == ["mazur.md"]  # no temporary file left


def test_cli_export_json(tmp_path) -> None:
    out = tmp_path / "trace.json"
    done = run_inprocess("linear_chain_1_1_1", "--export", "json", "-o", str(out), "--epochs", "2")
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text())
    assert doc["epochs"] == 2 and len(doc["losses"]) == 2
    assert {e["epoch"] for e in doc["events"]} == {1, 2}
    assert doc["scenario"]["layers"][0]["weights"] == [[0.2333]]


def test_write_is_atomic_and_leaves_nothing_on_failure(tmp_path, monkeypatch) -> None:
    target = tmp_path / "x.md"

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(BptuiError, match="cannot be written: disk full"):  # one line, no trace
        export.write(target, "hello")
    assert list(tmp_path.iterdir()) == []


def test_free_path_never_reuses_a_name(tmp_path) -> None:
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "a-2.md").write_text("x")
    assert export.free_path(tmp_path, "a").name == "a-3.md"


def test_latex_keeps_a_bracketed_index_inside_its_fraction() -> None:
    tex = export.latex("∂E/∂W2[1,1] = ∂E/∂net_a · ∂net_a/∂W2[1,1]")
    assert tex.startswith(r"\frac{\partial E}{\partial W_{2}[1,1]}")
    assert balanced(tex) and "},1]" not in tex


def test_exported_files_are_readable_like_any_new_file(tmp_path) -> None:
    old = os.umask(0o022)
    try:
        path = export.write(tmp_path / "handout.md", "# x\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
