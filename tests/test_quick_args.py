"""bptui.quick_args reads plain command lines without argparse: it must give exactly what
argparse gives, or give up and let argparse read the line (its messages are the reference)."""

from __future__ import annotations

import pytest

from bptui import cli, quick_args


def _argparse(argv: list[str]) -> dict | None:
    try:
        return vars(cli.build_parser().parse_args(argv))
    except SystemExit:
        return None


def test_the_table_declares_every_option_of_the_parser_with_its_default():
    parser = cli.build_parser()
    values = quick_args._values()
    for action in parser._actions:
        if action.dest in ("help", "version"):
            continue
        if action.dest in quick_args.FLAGS:
            assert action.option_strings == [quick_args.FLAGS[action.dest]]
            assert action.nargs == 0 and action.const is True and action.default is False
        elif action.dest in values:
            flags, kind, choices = values[action.dest]
            assert tuple(action.option_strings) == flags
            assert action.type is kind and action.default is None and action.nargs is None
            assert (None if action.choices is None else tuple(action.choices)) == choices
        elif action.dest == "scenario":
            assert action.nargs == "?" and action.default is None
        else:
            assert action.dest in quick_args.ARGPARSE_ONLY, action.dest
            assert action.default is None
    dests = {a.dest for a in parser._actions}
    assert set(quick_args.FLAGS) | set(values) | set(quick_args.ARGPARSE_ONLY) <= dests


PLAIN = [
    [], ["mazur_2_2_2"], ["mazur_2_2_2", "--check"], ["--check", "mazur_2_2_2"],
    ["mazur_2_2_2", "--train", "10000", "--json"], ["--train=5", "x.toml", "--json"],
    ["--list"], ["--mistakes"], ["--trace", "--epochs", "3", "--mistake", "m"],
    ["--export", "json", "-o", "out.json", "--force"], ["--export=markdown", "--output=a.md"],
    ["--lang", "zh", "--check"], ["--lang=en", "--list"], ["--serve", "--host", "0.0.0.0",
                                                         "--port", "8080"],
    ["--gradcheck", "--epsilon", "1e-5", "--sample", "2"], ["--quiz", "grad,update"],
    ["--quiz", "all"], ["--worksheet", "--format", "csv", "--kinds", "grad"],
    ["--symbols"], ["--graph", "--check"], ["--train", "3", "--train", "4"],
    ["--check", "--check"], ["--tolerance", "0.001"], ["--tolerance", "0.02"],
]
REFUSED_OR_ODD = [
    ["--help"], ["-h"], ["--version"], ["--che"], ["--tr", "5"], ["--train"],
    ["--train", "0"], ["--train", "x"], ["--train", "-5"], ["--port", "70000"],
    ["--export", "pdf"], ["--lang", "fr"], ["a", "b"], ["--", "x"], ["--check=1"],
    ["--compare", "a.jsonl"], ["-o=a"], ["--output", "-"], [""], ["--quiz", "nonsense"],
    ["--epsilon", "1"], ["--json", "-o"], ["-x"], ["--format", "pdf"], ["--tolerance", "1"],
]


@pytest.mark.parametrize("argv", PLAIN, ids=" ".join)
def test_a_plain_line_is_read_as_argparse_reads_it(argv):
    quick = quick_args.parse(argv)
    assert quick is not None
    assert vars(quick) == _argparse(argv)


@pytest.mark.parametrize("argv", REFUSED_OR_ODD, ids=" ".join)
def test_anything_else_is_left_to_argparse(argv):
    assert quick_args.parse(argv) is None
