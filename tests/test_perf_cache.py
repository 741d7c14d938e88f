"""Issue 14: the compiled-code caches (bptui.codecache) change nothing but the time.

The dataclass methods and the parsed TOML of a scenario are kept between runs keyed by their
text; these tests check that what comes back is exactly what compiling or parsing gives, that
a damaged or foreign entry is never used, and that a cache which cannot be written is skipped.
"""

from __future__ import annotations

import dataclasses
import math
import os
import struct
import sys
import tomllib

import pytest

from bptui import codecache, scenario, toml_reader

from .conftest import run_cli


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setattr(codecache, "cache_dir", lambda: str(tmp_path / "bptui"))
    return tmp_path / "bptui"


def _bits(value):
    """The value with every float replaced by its bytes, so that -0.0 and NaN compare too."""
    if isinstance(value, float):
        return struct.pack("<d", value)
    if isinstance(value, dict):
        return {k: _bits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bits(v) for v in value]
    return value


@pytest.mark.parametrize("name", scenario.builtin_names())
def test_a_cached_toml_document_is_the_parsed_one_bit_for_bit(cache, name):
    _display, text = scenario.resolve(name)
    first = toml_reader.parse_toml(text, name)  # parsed, then stored
    assert [p.name for p in cache.iterdir()] == [codecache._path("toml", text).rsplit("/")[-1]]
    second = toml_reader.parse_toml(text, name)  # from the cache
    assert _bits(second) == _bits(first) == _bits(tomllib.loads(text))


def test_toml_special_floats_and_dates_survive(cache):
    text = 'a = nan\nb = -0.0\nc = inf\nd = [1, 2.5, "x"]\n[t]\ne = true\n'
    toml_reader.parse_toml(text, "f.toml")
    doc = toml_reader.parse_toml(text, "f.toml")
    assert math.isnan(doc["a"]) and math.copysign(1.0, doc["b"]) == -1.0 and doc["c"] == math.inf
    assert doc["d"] == [1, 2.5, "x"] and doc["t"] == {"e": True}
    dated = "when = 2024-01-02\n"  # marshal cannot keep a date: parsed every time, never stored
    assert toml_reader.parse_toml(dated, "d.toml") == tomllib.loads(dated)
    assert not [p for p in cache.iterdir() if p.name.endswith(f"-{len(dated)}")]
    assert not list(cache.glob("*.tmp"))


def test_a_damaged_or_foreign_entry_is_not_used(cache):
    text = "x = 1\n"
    toml_reader.parse_toml(text, "f.toml")
    (entry,) = cache.iterdir()
    entry.write_bytes(b"\x00garbage")
    assert toml_reader.parse_toml(text, "f.toml") == {"x": 1}
    codecache.write(str(entry), ("x = 2\n", {"x": 2}))  # another text with the same checksum
    assert toml_reader.parse_toml(text, "f.toml") == {"x": 1}


def test_an_entry_with_any_bit_flipped_is_never_used(cache):
    """marshal reads damaged bytes as another value rather than failing: a flipped bit in the
    scalar path's stored code ran as other code (wrong losses with exit 0, a crash). Each
    file carries a checksum of its value, and a file that does not match is not read."""
    from bptui import scalar

    source = scalar._source(scenario.load("mazur_2_2_2"))
    scalar._code(source)  # compiled, then stored
    (entry,) = [p for p in cache.iterdir() if p.name.startswith("scalar-")]
    good = entry.read_bytes()
    assert codecache.lookup("scalar", source) is not None
    for k in range(0, len(good), max(1, len(good) // 400)):
        for bit in (0, 5):
            damaged = bytearray(good)
            damaged[k] ^= 1 << bit
            entry.write_bytes(bytes(damaged))
            assert codecache.lookup("scalar", source) is None, (k, bit)
    entry.write_bytes(good[:-1])  # cut short
    assert codecache.lookup("scalar", source) is None


def test_a_full_disk_leaves_no_temporary_file(cache, monkeypatch):
    import builtins

    real_open = builtins.open

    def full(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        if "w" in mode and str(path).endswith(".tmp"):
            fh.close()
            raise OSError(28, "No space left on device")
        return fh

    monkeypatch.setattr(builtins, "open", full)
    codecache.write(str(cache / "x"), (1, 2))
    assert not list(cache.glob("*.tmp")) and not (cache / "x").exists()


def test_invalid_toml_is_still_reported_and_never_cached(cache):
    with pytest.raises(Exception, match="not valid TOML"):
        toml_reader.parse_toml("x = \n", "f.toml")
    assert not cache.exists() or not list(cache.iterdir())


def test_each_kind_stays_bounded(cache, monkeypatch):
    monkeypatch.setattr(codecache, "MAX_FILES", 8)
    for k in range(30):
        codecache.store("toml", f"x = {k}\n", {"x": k})
    assert len(list(cache.iterdir())) <= 8
    assert codecache.lookup("toml", "x = 29\n") == {"x": 29}


def test_dataclass_methods_from_the_cache_behave_as_compiled_ones(cache, monkeypatch):
    def make():
        @dataclasses.dataclass(frozen=True)
        class Point:
            x: float
            y: float = 0.0
            tags: tuple = dataclasses.field(default=())

        return Point

    plain = make()
    for _run in range(2):  # the first run compiles and stores, the second reads the cache
        code = codecache._DataclassCode()
        with monkeypatch.context() as m:
            m.setattr(dataclasses, "exec", code, raising=False)
            cached = make()
        code.save()
        assert (cache / f"dataclasses-{sys.implementation.cache_tag}-{__name__}").exists()
        assert code.modules[__name__] and not code.new
        for cls in (plain, cached):
            p = cls(1.5, tags=("a",))
            assert (p.x, p.y, p.tags) == (1.5, 0.0, ("a",))
            assert p == cls(1.5, 0.0, ("a",)) and hash(p) == hash(cls(1.5, 0.0, ("a",)))
            assert repr(p).endswith(".Point(x=1.5, y=0.0, tags=('a',))")
            with pytest.raises(dataclasses.FrozenInstanceError):
                p.x = 2.0  # type: ignore[misc]


def test_the_command_line_is_the_same_with_any_cache_state(tmp_path):
    def run(where):
        cache_home = {"XDG_CACHE_HOME": str(where)}  # run_cli sets these in the child's env
        return (run_cli("two_three_one", "--train", "20", "--json", lang_env=cache_home),
                run_cli("two_three_one", "--check", lang_env=cache_home))

    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    empty, warm, unwritable = run(tmp_path / "c"), run(tmp_path / "c"), run(blocker)
    assert empty == warm == unwritable
    assert empty[0].returncode == 0 and empty[0].stderr == "" and empty[1].returncode == 0
    names = {p.name.split("-")[0] for p in (tmp_path / "c" / "bptui").iterdir()}
    assert names == {"dataclasses", "scalar", "toml"}
    for p in (tmp_path / "c" / "bptui").iterdir():  # damage every entry: still the same
        p.write_bytes(b"\x00garbage")
    assert run(tmp_path / "c") == empty


def test_without_a_home_nothing_is_written_in_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # ~ cannot be expanded
    monkeypatch.chdir(tmp_path)
    assert codecache.cache_dir() == ""
    assert toml_reader.parse_toml("x = 1\n", "f.toml") == {"x": 1}
    codecache.store("scalar", "text", 1)
    assert codecache.lookup("scalar", "text") is None
    assert list(tmp_path.iterdir()) == []
