"""The project's layout: the core never imports the screen's libraries, the built-in scenarios
are a top-level folder in a clone and package data in the wheel."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from bptui import scenario

from .conftest import ROOT, run_cli

PACKAGE = ROOT / "bptui"
SCREEN_LIBRARIES = ("textual", "textual_serve", "textual_plotext")


def _imports(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names |= {a.value.split(".")[0] for a in node.args
                      if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return names


def test_core_never_imports_the_screen_libraries():
    core = [p for p in PACKAGE.rglob("*.py") if "tui" not in p.relative_to(PACKAGE).parts]
    assert len(core) > 10, core  # the scan found the package
    found = {str(p.relative_to(ROOT)): sorted(_imports(p) & set(SCREEN_LIBRARIES)) for p in core}
    assert {k: v for k, v in found.items() if v} == {}


def test_the_scan_sees_the_screen_package():
    """The check above can fail: the screen package does import them."""
    screen = set().union(*(_imports(p) for p in (PACKAGE / "tui").rglob("*.py")))
    assert {"textual", "textual_serve"} <= screen


def test_builtins_are_the_top_level_folder():
    assert scenario.BUILTIN_FOLDER == ROOT / "scenarios"
    assert not (PACKAGE / "scenarios").exists()
    assert len(scenario.builtin_names()) >= 6


def test_a_builtin_opened_by_its_path_from_a_clone():
    run = run_cli("scenarios/mazur_2_2_2.toml", "--check")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("scenarios/mazur_2_2_2.toml: ok")


def test_the_wheel_lists_every_package_and_ships_the_scenarios():
    """An explicit package list (needed for package-dir) must not forget a new subpackage."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setup = tool["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert on_disk <= set(setup["packages"])
    assert setup["package-dir"]["bptui.scenarios"] == "scenarios"
    assert "bptui.scenarios" in setup["packages"]
    assert setup["package-data"]["bptui.scenarios"] == ["*.toml"]
