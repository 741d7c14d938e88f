"""The command line's start-up turns Python's cyclic collector off (bptui.cli.main): it must
come back on for the work proper, and a caller in the same process must find it as it was."""

from __future__ import annotations

import contextlib
import gc
import io

from bptui import cli


def _main(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()):
        return cli.main(list(argv))


def test_the_work_runs_with_the_collector_on_and_main_puts_it_back(monkeypatch) -> None:
    seen: list[bool] = []
    real = cli._trace

    def trace(scenario, args):
        seen.append(gc.isenabled())
        return real(scenario, args)

    monkeypatch.setattr(cli, "_trace", trace)
    assert gc.isenabled()
    assert _main("mazur_2_2_2", "--trace") == 0
    assert seen == [True]  # a long --trace collects its garbage as any program does
    assert gc.isenabled() and gc.get_freeze_count() == 0  # nothing left frozen for the caller


def test_a_caller_that_turned_the_collector_off_keeps_it_off() -> None:
    gc.disable()
    try:
        assert _main("mazur_2_2_2", "--check") == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_bad_file_still_puts_the_collector_back(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[input\n")
    with contextlib.redirect_stderr(io.StringIO()):
        assert _main(str(bad), "--check") == 2
    assert gc.isenabled() and gc.get_freeze_count() == 0
