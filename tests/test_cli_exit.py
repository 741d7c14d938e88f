"""The command line ends without the interpreter's teardown (``bptui.cli.end_now``), and a
user sees nothing of it: every byte written, the atexit handlers run, the exit status kept,
and the ordinary exit where ending early is not safe (another thread still running)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from .conftest import ROOT

#: A program that runs the ``bptui`` console script's function, with a canary that speaks
#: only when Python tears the process down (a module global freed at finalization) and an
#: atexit handler that speaks when the handlers run.
PROGRAM = textwrap.dedent("""
    import atexit, sys, threading
    from bptui import cli

    class Canary:
        def __del__(self):
            sys.stderr.write("teardown ran\\n")

    canary = Canary()
    atexit.register(lambda: sys.stderr.write("atexit ran\\n"))
    if sys.argv[1] == "thread":
        threading.Thread(target=__import__("time").sleep, args=(0.3,)).start()
    sys.argv = ["bptui", *sys.argv[2:]]
    sys.exit(cli.run())
""")


def _run(mode: str, *args: str, unbuffered: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.run([sys.executable, "-c", PROGRAM, mode, *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=str(ROOT), env=env, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_a_command_ends_without_teardown_after_its_atexit_handlers_and_all_its_output():
    for unbuffered in (False, True):
        run = _run("plain", "mazur_2_2_2", "--train", "20000", "--json", unbuffered=unbuffered)
        assert run.returncode == 0, run.stderr
        assert len(json.loads(run.stdout)["loss"]) == 20000  # every buffered byte written
        assert "atexit ran" in run.stderr
        assert "teardown ran" not in run.stderr


def test_the_exit_status_is_kept():
    run = _run("plain", "mazur_2_2_2", "--sample", "9", "--gradcheck")
    assert run.returncode == 2 and "bptui:" in run.stderr
    assert "teardown ran" not in run.stderr


def test_with_another_thread_still_running_the_process_ends_the_ordinary_way():
    run = _run("thread", "mazur_2_2_2", "--check")
    assert run.returncode == 0, run.stderr
    assert "atexit ran" in run.stderr and "teardown ran" in run.stderr


def test_a_full_disk_is_still_an_error_and_a_closed_pipe_is_not(tmp_path):
    if os.path.exists("/dev/full"):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([sys.executable, "-c", PROGRAM, "plain", "mazur_2_2_2",
                                   "--trace"], stdout=full, stderr=subprocess.PIPE, text=True,
                                  cwd=str(ROOT), timeout=120)
        assert proc.returncode == 2 and "no space left" in proc.stderr
    with subprocess.Popen([sys.executable, "-c", PROGRAM, "plain", "mazur_2_2_2", "--train",
                           "200000", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=str(ROOT)) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        reader.stdout.read(10)
        reader.stdout.close()  # the reader goes away, as `| head -c 10` does
        err = reader.stderr.read().decode()
        assert reader.wait(timeout=120) == 0
    assert "Exception ignored" not in err and "Traceback" not in err


def _shell(command: str) -> subprocess.CompletedProcess:
    """``python -m bptui`` with shell redirections (``>&-`` closes a stream)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LANGUAGE", "LC_ALL")}
    return subprocess.run(["sh", "-c", f'exec "{sys.executable}" -m bptui {command}'],
                          capture_output=True, text=True, encoding="utf-8", cwd=str(ROOT),
                          env=env, timeout=120, stdin=subprocess.DEVNULL)


def test_a_closed_standard_output_is_a_clean_error_and_status_2():
    for command in ("--list", "mazur_2_2_2 --trace", "mazur_2_2_2 --train 3 --json"):
        run = _shell(f"{command} >&-")
        assert run.returncode == 2, (command, run.stderr)
        assert "cannot write to standard output" in run.stderr and "Traceback" not in run.stderr


def test_a_closed_error_stream_never_sends_messages_to_standard_output():
    run = _shell("nosuch 2>&-")
    assert run.returncode == 2 and run.stdout == ""
    run = _shell("mazur_2_2_2 --train 3 --json 2>&-")
    assert run.returncode == 0 and len(json.loads(run.stdout)["loss"]) == 3


def test_an_unwritable_error_stream_still_exits_2_and_help_to_a_full_disk_is_an_error():
    if not os.path.exists("/dev/full"):
        return
    for command in ("nosuch 2>/dev/full", "--bogus 2>/dev/full"):
        assert _shell(command).returncode == 2, command
    for command in ("--help", "--version"):
        run = _shell(f"{command} >/dev/full")
        assert run.returncode == 2 and "cannot write to standard output" in run.stderr, command


def test_sigterm_or_sighup_while_writing_a_file_leaves_no_temporary_file(tmp_path):
    """A closed terminal, `timeout` or `kill` ended an export where it stood: its temporary
    file of tens of megabytes stayed in the folder."""
    import signal
    import time

    for sig in (signal.SIGTERM, signal.SIGHUP):
        folder = tmp_path / sig.name
        folder.mkdir()
        with subprocess.Popen([sys.executable, "-m", "bptui", "batch_relu_1000_100_10",
                               "--export", "json", "--epochs", "50", "-o",
                               str(folder / "big.json")], cwd=str(ROOT),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
            waited = 0.0
            while not list(folder.glob(".bptui-*.tmp")) and waited < 60:
                time.sleep(0.01)
                waited += 0.01
            assert list(folder.glob(".bptui-*.tmp")), "the export never started writing"
            proc.send_signal(sig)
            assert proc.wait(timeout=60) == 128 + sig
            assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()
        assert list(folder.iterdir()) == []


def test_the_screen_without_a_terminal_is_a_clean_error_not_a_busy_wait(tmp_path):
    """`bptui < /dev/null` (a cron job, a script) waited for keys for ever at full CPU."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
    run = subprocess.run([sys.executable, "-m", "bptui", "mazur_2_2_2"], capture_output=True,
                         text=True, cwd=str(ROOT), env=env, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert run.returncode == 2 and "the screen needs a terminal" in run.stderr
    right = tmp_path / "mine.csv"  # the same for a learner's file opened on the screen
    right.write_text("symbol,value\nnet_h1,0.3775\n")
    run = subprocess.run([sys.executable, "-m", "bptui", "mazur_2_2_2", "--compare",
                          str(right), "--screen"], capture_output=True, text=True,
                         cwd=str(ROOT), env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 2 and "the screen needs a terminal" in run.stderr
