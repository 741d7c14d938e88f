"""Compiled code kept between runs, so that a command line does not compile the same text again.

Python keeps the compiled code of modules in .pyc files, but not what is made at run time, and
a command line makes three things again on every run: the scalar fast path's generated
function (:mod:`bptui.scalar`), the methods that :mod:`dataclasses` writes out and compiles for
every dataclass (``__init__``, ``__eq__``, ``__hash__``, ``__setattr__``, ...: on Python 3.11
about a millisecond of CPU per class, tens of classes on a path), and the parsed TOML of the
scenario (tomllib is pure Python, and importing it compiles its regular expressions). Each
depends only on a text, so each is kept under :func:`cache_dir` keyed by that text.

A cache is only ever a speed-up: an entry is used only for exactly the text it was compiled
from, a damaged file is ignored, and a folder that cannot be created or written (a read-only
home, no home) is skipped silently. Deleting the folder is always safe.
"""

from __future__ import annotations

import marshal
import os
import sys
from types import CodeType

#: Generated methods kept at most for one module; beyond, only those the last run used.
MAX_CLASSES = 500


def cache_dir() -> str:
    """Where compiled code is kept between runs: $XDG_CACHE_HOME/bptui (or ~/.cache/bptui).
    Without a home (``~`` does not expand) there is no cache: never a folder named ``~`` in
    the working folder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bptui") if os.path.isabs(base) else ""


def read(path: str) -> object | None:
    """The marshalled value in ``path``, or None when it is missing or damaged.

    Each file starts with the CRC-32 of the rest: marshal reads damaged bytes as a different
    value rather than failing (a flipped bit in stored code ran as other code, giving wrong
    numbers, a traceback or a crash), so a file whose checksum does not match is not read."""
    from binascii import crc32

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if len(data) < 4 or int.from_bytes(data[:4], "little") != crc32(data[4:]):
        return None
    try:
        return marshal.loads(data[4:])
    except (ValueError, EOFError, TypeError):
        return None


def write(path: str, value: object) -> None:
    """Store ``value`` at ``path`` atomically (readers never see half a file), after the
    CRC-32 that :func:`read` checks; never fails, and leaves no temporary file behind."""
    from binascii import crc32

    if not os.path.isabs(path):  # no cache folder (see cache_dir)
        return
    try:
        data = marshal.dumps(value)
    except ValueError:  # something marshal cannot write (a TOML date): nothing is kept
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(crc32(data).to_bytes(4, "little") + data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)  # a full disk: not a half-written file left for every run
        except OSError:
            pass


#: Entries of one kind kept at most (one per network shape, one per scenario text: tests try
#: hundreds); when a new one would pass this, the oldest half are dropped.
MAX_FILES = 256


def _path(kind: str, text: str) -> str:
    from binascii import crc32

    name = f"{kind}-{sys.implementation.cache_tag}-{crc32(text.encode()):08x}-{len(text)}"
    return os.path.join(cache_dir(), name)


def lookup(kind: str, text: str) -> object | None:
    """What :func:`store` kept for exactly this ``text`` (the text is stored beside the value
    and compared, so a checksum collision is harmless), or None."""
    stored = read(_path(kind, text))
    if type(stored) is tuple and len(stored) == 2 and stored[0] == text:
        return stored[1]
    return None


def store(kind: str, text: str, value: object) -> None:
    """Keep ``value`` (anything marshal can write) for ``text``; never fails."""
    path = _path(kind, text)
    _prune(os.path.dirname(path), kind + "-")
    write(path, (text, value))


def _prune(folder: str, prefix: str) -> None:
    """Before a new entry is written, drop the oldest of its kind when there are too many."""
    try:
        with os.scandir(folder) as it:
            entries = [e for e in it if e.name.startswith(prefix)]
        if len(entries) < MAX_FILES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime)
        for e in entries[:len(entries) - MAX_FILES // 2]:
            os.unlink(e.path)
    except OSError:
        pass


class _DataclassCode:
    """``exec`` for :mod:`dataclasses`: the generated text's code from the cache, compiled
    only when new. The same text always compiles to the same code, so this changes nothing
    but the time. One file per module that defines dataclasses (``exec`` is given that
    module's globals), read when its first class is made: a path reads only its own."""

    def __init__(self) -> None:
        self.folder = cache_dir()
        self.modules: dict[str, dict[str, CodeType]] = {}
        self.used: dict[str, set[str]] = {}
        self.new: set[str] = set()

    def _path(self, module: str) -> str:
        return os.path.join(self.folder, f"dataclasses-{sys.implementation.cache_tag}-{module}")

    def __call__(self, text: str, globals_: dict, locals_: dict | None = None) -> None:
        module = str(globals_.get("__name__", "")).replace(os.sep, "_")
        codes = self.modules.get(module)
        if codes is None:
            stored = read(self._path(module))
            codes = self.modules[module] = stored if type(stored) is dict else {}
            self.used[module] = set()
        code = codes.get(text)
        if type(code) is not CodeType:
            code = codes[text] = compile(text, "<string>", "exec")
            self.new.add(module)
        self.used[module].add(text)
        exec(code, globals_, locals_)  # noqa: S102 - dataclasses' own generated methods

    def save(self) -> None:
        for module in self.new:
            codes = self.modules[module]
            if len(codes) > MAX_CLASSES:
                codes = {t: c for t, c in codes.items() if t in self.used[module]}
            write(self._path(module), codes)
        self.new.clear()


_dataclass_code: _DataclassCode | None = None


def speed_up_dataclasses() -> None:
    """From now on, compile each dataclass's generated methods once per machine, not once per
    run. Called first thing by the command line (before bptui's modules define their classes);
    :func:`save` stores what was new. A Python whose dataclasses do not compile through
    ``exec`` is left as it is."""
    global _dataclass_code
    import dataclasses

    if _dataclass_code is not None or "exec" in vars(dataclasses) \
            or not _compiles_with_exec(dataclasses):
        return
    _dataclass_code = _DataclassCode()
    dataclasses.exec = _dataclass_code  # type: ignore[attr-defined]


def _compiles_with_exec(module) -> bool:
    """Whether dataclasses compiles its methods by calling ``exec``, read from its code (the
    global names a function uses are in ``co_names``) rather than assumed from a version."""
    builder = getattr(module, "_FuncBuilder", None)  # Python 3.13's
    for fn in (getattr(module, "_create_fn", None), getattr(builder, "add_fns_to_class", None)):
        code = getattr(fn, "__code__", None)
        if code is not None and "exec" in code.co_names:
            return True
    return False


def save() -> None:
    """Store the dataclass code compiled in this run, if any (at the end of a command line)."""
    if _dataclass_code is not None:
        _dataclass_code.save()
