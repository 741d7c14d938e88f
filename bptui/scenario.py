"""Scenario files: one worked network per TOML file, read and checked before anything runs.

The loader is strict on purpose. A teacher writing a file by hand makes typos, and a typo that
is silently ignored (``learning_rat = 0.1``) produces a lesson with the wrong numbers. Every
problem of a file is reported at once, each as a line naming the file, the line, the key path,
what was expected and what was found. This module holds what a scenario *is* (the dataclasses)
and how a file is found and read; :mod:`bptui.toml_reader` (general TOML reading),
:mod:`bptui.scenario_schema` (every allowed key, declared once) and
:mod:`bptui.scenario_rules` (how keys fit together) do the checking.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bptui.errors import ScenarioError, closest
from bptui.i18n import _

#: Above this many units in a layer the engine works layer by layer instead of unit by unit.
UNIT_BY_UNIT_LIMIT = 12
#: A scenario is text a person writes; anything larger is refused before it is read.
MAX_FILE_BYTES = 2 * 2**20


def _builtin_folder() -> Path:
    """Where the built-in scenarios are: installed, or in a clone.

    A teacher opens ``scenarios/mazur_2_2_2.toml`` in a clone; the wheel ships the same files
    as the package ``bptui.scenarios`` (pyproject's package-dir), so an installed bptui finds
    them by name from any folder. A path rather than importlib.resources, which costs the
    command line's start-up a few milliseconds of imports (zipfile, tempfile) for nothing.
    """
    here = Path(__file__).resolve().parent
    installed = here / "scenarios"
    return installed if installed.is_dir() else here.parent / "scenarios"


#: The folder of the built-in scenarios (see :func:`_builtin_folder`).
BUILTIN_FOLDER = _builtin_folder()


@dataclass(frozen=True)
class Layer:
    """One dense layer: ``weights[j][i]`` is the weight from input i into unit j."""

    size: int
    activation: str
    weights: np.ndarray  # (size, inputs)
    bias: np.ndarray | None  # shape (1,) when shared, (size,) per unit, None when absent
    train_bias: bool
    names: tuple[str, ...]
    weight_names: tuple[tuple[str, ...], ...] | None
    bias_names: tuple[str, ...] | None
    name: str  # the layer's own label ("hidden", "output"), for large-layer panels
    #: The file gave the bias as a list (one per unit). On a one-unit layer ``bias = [0.1]``
    #: and ``bias = 0.1`` hold the same number, but the file said "this unit's own bias".
    bias_per_unit: bool = False

    @property
    def bias_mode(self) -> str:
        if self.bias is None:
            return "none"
        return "unit" if self.bias_per_unit or self.bias.shape != (1,) else "shared"

    @property
    def inputs(self) -> int:
        return int(self.weights.shape[1])

    def weight_name(self, j: int, i: int, layer_number: int) -> str:
        if self.weight_names is not None:
            return self.weight_names[j][i]
        return f"W{layer_number}[{j + 1},{i + 1}]"

    def bias_name(self, j: int, layer_number: int) -> str:
        if self.bias_names is not None:
            return self.bias_names[0 if self.bias_mode == "shared" else j]
        if self.bias_mode == "shared":
            return f"b{layer_number}"
        return f"b{layer_number}[{j + 1}]"

    @property
    def parameter_count(self) -> int:
        n = self.weights.size
        if self.bias is not None and self.train_bias:
            n += self.bias.size
        return int(n)


@dataclass(frozen=True)
class Scenario:
    """A whole worked example: network, training settings and data, all validated."""

    title: str
    source: str
    notes: str
    input_size: int
    input_names: tuple[str, ...]
    layers: tuple[Layer, ...]
    loss: str
    learning_rate: float
    epochs: int
    mode: str  # "sample" or "batch"
    reduction: str  # how per-sample losses combine: "sum" or "mean"
    inputs: np.ndarray  # (samples, input_size)
    targets: np.ndarray  # (samples, output_size)
    path: str = ""
    name: str = ""
    title_zh: str = ""  # the title and notes in Chinese, when the file gives them
    notes_zh: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def shape(self) -> str:
        return "-".join(str(n) for n in (self.input_size, *(la.size for la in self.layers)))

    @property
    def samples(self) -> int:
        return int(self.inputs.shape[0])

    @property
    def parameter_count(self) -> int:
        return sum(la.parameter_count for la in self.layers)

    @property
    def unit_by_unit(self) -> bool:
        """Small enough to show every unit and weight as its own sub-step."""
        sizes = (self.input_size, *(la.size for la in self.layers))
        return max(sizes) <= UNIT_BY_UNIT_LIMIT

    def unit_names(self, layer: int) -> tuple[str, ...]:
        """Names of the units of ``layer`` (0 = inputs)."""
        return self.input_names if layer == 0 else self.layers[layer - 1].names


# --------------------------------------------------------------------------- finding and reading


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with bptui."""
    return sorted(p.name[:-5] for p in BUILTIN_FOLDER.iterdir() if p.name.endswith(".toml"))


def listing(name: str) -> tuple[str, str, str, str]:
    """(shape, title, title_zh, source) of a built-in for ``--list``, from the sizes (or a
    graph's leaves) its file declares: building a scenario draws its random weights and data
    (the 1000-100-10's 100,000 weights), and a graph's loading parses and checks its
    expression, which a list of names does not need. A file that declares neither is
    loaded."""
    from bptui import toml_reader

    display, text = resolve(name)
    doc = toml_reader.parse_toml(text, display)
    head = (doc.get("title", name), doc.get("title_zh", ""), doc.get("source", ""))
    values = doc.get("graph", {}).get("values") if isinstance(doc.get("graph"), dict) else None
    if isinstance(values, dict) and values:  # a graph: its leaves, as GraphScenario.shape
        from bptui.notation import graph_shape

        return (graph_shape(len(values)), *head)
    sizes = [doc.get("input", {}).get("size"), *(la.get("size") for la in doc.get("layers", []))]
    if "graph" in doc or len(sizes) < 2 or not all(type(n) is int for n in sizes):
        s = load(name)
        return s.shape, s.title, s.title_zh, s.source
    return ("-".join(str(n) for n in sizes), *head)


def resolve(name_or_path: str) -> tuple[str, str]:
    """Find a scenario by path or built-in name; returns (display path, TOML text)."""
    if not name_or_path:
        raise ScenarioError(_("the scenario is an empty name: give a .toml file or a built-in "
                              "name ({names})", names=", ".join(builtin_names())), file="''")
    path = Path(name_or_path)
    if path.suffix == ".toml" or os.path.lexists(path) or "/" in name_or_path:
        return str(path), read_text(path, name_or_path)
    names = builtin_names()
    if name_or_path not in names:
        hint = closest(name_or_path, names)
        did = _(" Did you mean '{hint}'?", hint=hint) if hint else ""
        raise ScenarioError(
            _("unknown scenario '{name}': neither a file nor a built-in.{did} "
              "Built-in scenarios: {names}", name=name_or_path, did=did, names=", ".join(names)),
            file=name_or_path,
        )
    res = BUILTIN_FOLDER / f"{name_or_path}.toml"
    return f"{name_or_path} (built-in)", res.read_text(encoding="utf-8")


def read_text(path: Path, shown: str) -> str:
    """The text of a regular file of at most MAX_FILE_BYTES, as UTF-8; never blocks or floods.

    A FIFO would block ``open`` forever and ``/dev/zero`` never ends, so only a regular file is
    opened (without blocking, then checked again on the open descriptor: the name may have been
    swapped meanwhile), and at most one byte more than the cap is read.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise ScenarioError(_os_reason(exc, path), file=shown) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(_("is a folder, expected a .toml scenario file"), file=shown)
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(_("is not a regular file (it is {kind}): a scenario must be a "
                              ".toml text file", kind=_file_kind(info.st_mode)), file=shown)
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(_too_large(info.st_size), file=shown)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ScenarioError(_os_reason(exc, path), file=shown) from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ScenarioError(_("is not a regular file: a scenario must be a .toml text file"),
                                file=shown)
        try:
            data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(_os_reason(exc, path), file=shown) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(_too_large(len(data)), file=shown)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ScenarioError(
            _("not UTF-8 text: byte {byte} cannot be decoded; save the scenario file as UTF-8",
              byte=f"0x{data[exc.start]:02x}"),
            file=shown, line=line, column=column,
        ) from None


def _too_large(size: int) -> str:
    return _("too large for a scenario: {size} bytes; a scenario file may have at most {most} "
             "bytes ({mb} MB): use data.random for large data sets", size=f"{size:,}",
             most=f"{MAX_FILE_BYTES:,}", mb=MAX_FILE_BYTES // 2**20)


def _os_reason(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ELOOP:
        return _("is a symbolic link that loops (it points, through other links, back to itself)")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return _("is a symbolic link to {target}, which does not exist",
                     target=os.readlink(path))
        return _("no such file. Built-in scenarios: {names}", names=", ".join(builtin_names()))
    return _("cannot be read: {reason}", reason=exc.strerror or exc)


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, _("a named pipe (FIFO)")), (stat.S_ISCHR, _("a device")),
                       (stat.S_ISBLK, _("a block device")), (stat.S_ISSOCK, _("a socket"))):
        if test(mode):
            return name
    return _("not a file")


def load(name_or_path: str) -> Scenario:
    """Load and validate a scenario from a file path or a built-in name."""
    display, text = resolve(name_or_path)
    name = Path(name_or_path).stem if name_or_path.endswith(".toml") else name_or_path
    return parse(text, file=display, name=name)


def parse(text: str, *, file: str = "<scenario>", name: str = "") -> Scenario:
    """Parse and validate scenario TOML text; every problem at once as ScenarioProblems.

    A file with a ``[graph]`` table is a computational graph (:mod:`bptui.graph`), not a
    layered network, and is read by the graph loader.
    """
    from bptui import scenario_rules, toml_reader

    doc = toml_reader.parse_toml(text, file)
    if "graph" in doc:
        from bptui.graph.load import read

        return read(doc, text, file, name)  # type: ignore[return-value]
    return scenario_rules.check(doc, toml_reader.Problems(text, file), name)
