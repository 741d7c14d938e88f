"""The loader through the real command line: every problem of a file at once, files that are
not text a person wrote (a FIFO, a device, a huge file, a symlink loop), numbers too long for
Python, and text from the file that must not reach the terminal raw."""

from __future__ import annotations

import os
import re
import time

import pytest

from bptui import functions, scenario
from bptui import scenario_schema as schema

from .conftest import run_cli, run_cli_inprocess
from .test_bad_input import MAZUR, TINY, assert_clean_error, mazur


def errors(run) -> list[str]:
    """The error lines, each checked to be a clean 'bptui: error: ...' line."""
    assert run.returncode == 2, f"exit {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert all(line.startswith("bptui: error: ") for line in lines), run.stderr
    return [line.removeprefix("bptui: error: ") for line in lines]


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- all at once


def test_three_mistakes_three_lines(tmp_path):
    """A typo'd key, a wrong-shaped matrix and an unknown activation: one line each, in file
    order, each 'file:line: key.path: message'."""
    text = (mazur("learning_rate = 0.5", "learning_rat = 0.5")
            .replace("weights = [[0.40, 0.45],\n           [0.50, 0.55]]",
                     "weights = [[0.40, 0.45, 0.1],\n [0.50, 0.55, 0.1]]")
            .replace('activation = "sigmoid"', 'activation = "sigmod"', 1))
    path = write(tmp_path, "three.toml", text)
    lines = errors(run_cli_inprocess(str(path), "--check"))
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{path}:27: layers[1].activation: unknown value 'sigmod'")
    assert "Did you mean 'sigmoid'?" in lines[0]
    assert lines[1].startswith(f"{path}:44: layers[2].weights: wrong shape: expected 2x2")
    assert lines[2].startswith(f"{path}:54: training.learning_rat: unknown key 'learning_rat'; "
                               "did you mean 'learning_rate'?")


def test_at_most_twenty_then_a_count(tmp_path):
    path = write(tmp_path, "many.toml", "".join(f"junk{n} = 1\n" for n in range(25)) + TINY)
    lines = errors(run_cli_inprocess(str(path), "--check"))
    assert len(lines) == 21, lines
    assert all(re.match(rf"{re.escape(str(path))}:\d+: junk\d+: unknown key", x) for x in lines[:20])
    assert lines[20] == "and 5 more"


def test_independent_sections_are_all_checked(tmp_path):
    """Problems in input, a layer's bias, training and data are all reported, and a value that
    others depend on (a layer size) does not add follow-up noise."""
    text = (TINY.replace("size = 1\n", 'size = "one"\n')
            .replace("learning_rate = 0.5", "learning_rate = -1")
            .replace("inputs = [[0.0, 1.0]]", "inputs = [[0.0, nan]]"))
    lines = errors(run_cli_inprocess(str(write(tmp_path, "sections.toml", text)), "--check"))
    keys = [x.split(": ")[1] for x in lines]
    assert keys == ["layers[1].size", "training.learning_rate", "data.inputs[1][2]"], lines


# ----------------------------------------------------------------------------- the schema


def test_activation_and_loss_names_come_from_functions():
    assert schema.LAYER.key("activation").values() == tuple(functions.ACTIVATIONS)
    assert schema.TRAINING.key("loss").values() == tuple(functions.LOSSES)


def test_schema_is_the_list_of_allowed_keys(tmp_path):
    """Every declared key is accepted somewhere: a built-in or the README's example uses it,
    or this test's file does."""
    text = re.sub(r'notes_zh = """.*?"""', 'notes_zh = "说明"', mazur(
        'title_zh = "Mazur 的 2-2-2 逐步讲解"', 'title_zh = "反向传播"'), flags=re.S)
    path = write(tmp_path, "zh.toml", text)
    run = run_cli_inprocess(str(path), "--check")
    assert run.returncode == 0, run.stderr
    s = scenario.load(str(path))
    assert (s.title_zh, s.notes_zh) == ("反向传播", "说明")
    zh = run_cli(str(path), "--check", "--lang", "zh")
    assert "反向传播" in zh.stdout and "说明" in zh.stdout, zh.stdout
    bad = write(tmp_path, "zh_bad.toml", mazur('title_zh = "Mazur 的 2-2-2 逐步讲解"', 'title_zh = 3'))
    assert_clean_error(run_cli_inprocess(str(bad), "--check"), "title_zh", "expected a string")


# ----------------------------------------------------------------------------- files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    run = run_cli(str(fifo), "--check", timeout=20)
    assert_clean_error(run, "not a regular file", "fifo", name="pipe.toml")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_device_is_refused():
    run = run_cli("/dev/zero", "--check", timeout=20)
    assert_clean_error(run, "not a regular file", "device", name="/dev/zero")


def test_huge_file_is_refused_with_the_cap(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("w", encoding="utf-8") as f:
        f.write(TINY)
        f.write('notes = "' + "x" * (scenario.MAX_FILE_BYTES + 10) + '"\n')
    start = time.monotonic()
    run = run_cli_inprocess(str(path), "--check", timeout=30)
    assert time.monotonic() - start < 10
    assert_clean_error(run, "too large", f"{scenario.MAX_FILE_BYTES:,} bytes", "2 MB",
                       name="huge.toml")


def test_many_samples_within_the_cap_are_fast(tmp_path):
    """Near the size cap, a file of many samples is read in seconds, not minutes."""
    rows = ", ".join("[0.25, 0.5]" for _ in range(75_000))
    targets = ", ".join("[1.0]" for _ in range(75_000))
    text = TINY.replace("inputs = [[0.0, 1.0]]", f"inputs = [{rows}]").replace(
        "targets = [[1.0]]", f"targets = [{targets}]")
    assert len(text.encode()) < scenario.MAX_FILE_BYTES
    path = write(tmp_path, "many.toml", text)
    start = time.monotonic()
    run = run_cli_inprocess(str(path), "--check", timeout=60)
    assert run.returncode == 0, run.stderr
    assert "samples: 75000" in run.stdout
    assert time.monotonic() - start < 20


def test_symlink_loop_is_named(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.symlink_to(b)
    b.symlink_to(a)
    run = run_cli_inprocess(str(a), "--check")
    assert_clean_error(run, "symbolic link", "loops", name="a.toml")
    assert "no such file" not in run.stderr


def test_dangling_symlink_is_named(tmp_path):
    link = tmp_path / "gone.toml"
    link.symlink_to(tmp_path / "nowhere.toml")
    assert_clean_error(run_cli_inprocess(str(link), "--check"), "symbolic link", "does not exist",
                       name="gone.toml")


def test_empty_name_is_an_error_not_the_default():
    run = run_cli_inprocess("", "--check")
    assert_clean_error(run, "empty name")
    assert "mazur_2_2_2 (built-in): ok" not in run.stdout


def test_bom_is_named(tmp_path):
    path = write(tmp_path, "bom.toml", "\ufeff".encode() + TINY.encode())
    assert_clean_error(run_cli_inprocess(str(path), "--check"), "byte order mark", "BOM", line=1,
                       name="bom.toml")


# ----------------------------------------------------------------------------- huge numbers


def test_integer_with_5001_digits(tmp_path):
    path = write(tmp_path, "digits.toml", mazur("epochs = 10000", "epochs = " + "9" * 5001))
    assert_clean_error(run_cli_inprocess(str(path), "--check"), "5,001 digits", "at most 4,300",
                       line=55, name="digits.toml")


def test_layer_size_ten_to_the_4000(tmp_path):
    big = "1" + "0" * 4000
    text = (TINY.replace("size = 1\n", f"size = {big}\n")
            .replace("weights = [[0.1, 0.2]]", "init = { seed = 1 }")
            + f'\n[[layers]]\nsize = {big}\nactivation = "sigmoid"\ninit = {{ seed = 2 }}\n')
    path = write(tmp_path, "big.toml", text)
    run = run_cli_inprocess(str(path), "--check")
    assert_clean_error(run, "too large", "10^4000", name="big.toml")
    assert len(run.stderr) < 400


# ----------------------------------------------------------------------------- escape codes


ESC_TITLE = 'title = "T\\u001b]2;PWNED\\u0007 \\u001b[2J"'


def test_check_shows_control_characters_visibly(tmp_path):
    path = write(tmp_path, "esc.toml", re.sub(r'^title = ".*"$', lambda m: ESC_TITLE, MAZUR,
                                              count=1, flags=re.M))
    run = run_cli_inprocess(str(path), "--check")
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
    assert "title: T\\x1b]2;PWNED\\x07 \\x1b[2J" in run.stdout


def test_error_messages_show_control_characters_visibly(tmp_path):
    text = mazur('activation = "sigmoid"', 'activation = "sig\\u001b[2Jmoid"')
    text = text.replace("learning_rate = 0.5", "learning_rate = 0.5\n\"k\\u001b]2;X\\u0007\" = 1")
    run = run_cli_inprocess(str(write(tmp_path, "esc_err.toml", text)), "--check")
    lines = errors(run)
    assert len(lines) == 2, lines
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr
    assert "sig\\x1b[2Jmoid" in run.stderr and "k\\x1b]2;X\\x07" in run.stderr


def test_thousands_of_problems_are_counted_not_each_located(tmp_path):
    """Locating a problem scans the file: only the first ones are looked up, so a file of
    20,000 stray keys still answers at once (it took minutes when each was located)."""
    path = write(tmp_path, "stray.toml", "".join(f"junk{n} = 1\n" for n in range(20_000)) + TINY)
    lines = errors(run_cli_inprocess(str(path), "--check", timeout=60))
    assert lines[0].startswith(f"{path}:1: junk0: unknown key 'junk0'")
    assert lines[-1] == "and 19980 more"
