"""Words that used to stay English under Chinese: the graph engine's reasons and lab, the drawn
network's column titles, argparse's own words, compare's --help, the graph command line.

Each test reads what a learner reads (the Markdown export, --check, --mistakes, --help, an
option error, a drawing's titles) under ``--lang zh`` and fails when an English sentence is
still there; the English output is checked unchanged beside it.
"""

from __future__ import annotations

import re

import pytest

from bptui import catalogue, i18n
from tests.conftest import run_cli, run_cli_inprocess

GRAPHS = ["micrograd_expression", "micrograd_neuron", "cs231n_sigmoid_gate"]
ENGLISH_WORDS = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,} [A-Za-z]{3,}")  # three English words


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    yield
    i18n.set_language("en")


def _graph_events(name: str, mistake: str | None = None, epochs: int = 2):
    from bptui import scenario as scn
    from bptui.graph import steps
    from bptui.graph.convert import from_layered

    s = scn.load(name)
    g = s if getattr(s, "is_graph", False) else from_layered(s)
    return list(steps.iter_epochs(g, epochs if g.trained else 1, mistake))


@pytest.mark.parametrize("name", [*GRAPHS, "mazur_2_2_2"])
@pytest.mark.parametrize("mistake", [None, "grad-overwritten", "tanh-prime-of-input",
                                     "grad-not-zeroed"])
def test_every_graph_reason_is_chinese_under_zh(chinese, name, mistake):
    from bptui.events import shown_why
    from bptui.graph.convert import from_layered  # noqa: F401  (mazur_2_2_2 --graph)
    from bptui.graph.mistakes import MISTAKES

    events = _graph_events(name)
    graph_name = name
    if mistake is not None:
        from bptui import scenario as scn
        from bptui.graph.convert import from_layered as convert

        s = scn.load(graph_name)
        g = s if getattr(s, "is_graph", False) else convert(s)
        if MISTAKES[mistake].applies(g):
            pytest.skip(f"{mistake} does not apply to {name}")
        events = _graph_events(name, mistake)
    english = [ev.why for ev in events]
    assert all(english), "every graph step has a reason"
    for ev in events:
        shown = shown_why(ev)
        if ENGLISH_WORDS.search(ev.why):  # a sentence, not only a formula such as ∂(x/y)/∂x = 1/y
            assert _has_chinese(shown), (ev.symbol, ev.why, shown)
            assert not ENGLISH_WORDS.search(shown.replace("micrograd", "")), (ev.symbol, shown)


@pytest.mark.parametrize("name", ["mazur_2_2_2", "two_three_one", "softmax_xor_2_3_2",
                                  "sigmoid_chain_1_1_1", "linear_chain_1_1_1"])
def test_every_layered_reason_with_every_lab_mistake_is_chinese_under_zh(chinese, name):
    """The lab's own sentences (BUG (stale-weights) ...) too, with the units they name."""
    from bptui import scenario as scn
    from bptui.cursor import Cursor
    from bptui.events import shown_why
    from bptui.mistakes import MISTAKES

    s = scn.load(name)
    for mistake in [None, *(m for m in MISTAKES if not MISTAKES[m].applies(s))]:
        for ev in Cursor(s, mistake=mistake).events:
            shown = shown_why(ev)
            if ENGLISH_WORDS.search(ev.why):
                assert _has_chinese(shown), (mistake, ev.symbol, shown)
                assert not ENGLISH_WORDS.search(shown), (mistake, ev.symbol, shown)
    bug = [ev for ev in Cursor(s, mistake="missing-sum").events if ev.symbol == "dE/dout_h1"]
    if name == "mazur_2_2_2":
        assert shown_why(bug[0]) == "错误（missing-sum）：只取了第一个神经元传回的份额，但 h1 连向 " \
            "o1（经 w5）、o2（经 w7）"
        assert bug[0].why == "BUG (missing-sum): only the first unit's share is taken, but h1 " \
            "feeds o1 through w5, o2 through w7"  # --trace's English, unchanged


def test_graph_reasons_stay_english_in_the_trace():
    """--trace is machine-readable: its why is the English sentence whatever the language."""
    run = run_cli_inprocess("micrograd_neuron", "--trace", "--lang", "zh")
    assert run.returncode == 0, run.stderr
    assert "the chain rule: what n4's gradient sends to n3 through this use is ∂o/∂n4 " \
           "times the local derivative" in run.stdout
    assert not _has_chinese(run.stdout.replace("micrograd 的", ""))


def test_graph_markdown_export_in_chinese():
    zh = run_cli_inprocess("micrograd_neuron", "--export", "markdown", "--lang", "zh")
    en = run_cli_inprocess("micrograd_neuron", "--export", "markdown", "--lang", "en")
    assert zh.returncode == en.returncode == 0, zh.stderr
    assert "# micrograd 的 tanh 神经元" in zh.stdout  # the built-in's title_zh
    assert "## 计算图" in zh.stdout and "## 第 1 轮" in zh.stdout and "### 反向传播" in zh.stdout
    assert "*链式法则：n4 的梯度经这次使用传给 n3 的，是 ∂o/∂n4 乘以局部导数。*" in zh.stdout
    assert "the chain rule" not in zh.stdout and "## The graph" not in zh.stdout
    assert "*the chain rule: what n4's gradient sends to n3" in en.stdout  # English unchanged
    # the LaTeX is the same in both
    assert re.findall(r"\$\$.*\$\$", zh.stdout) == re.findall(r"\$\$.*\$\$", en.stdout)


def test_graph_mistakes_listed_in_chinese():
    run = run_cli_inprocess("--mistakes", "--lang", "zh")
    assert run.returncode == 0, run.stderr
    tail = run.stdout.split("计算图的错误")[1]
    assert "grad-overwritten: 被使用两次的值的梯度被覆盖" in tail
    assert "    错误：" in tail or "错误" in tail
    assert "micrograd's lecture" not in tail and "the last use processed" not in tail


def test_graph_check_train_and_gradcheck_in_chinese():
    check = run_cli_inprocess("micrograd_neuron", "--check", "--lang", "zh")
    assert "标题：micrograd 的 tanh 神经元" in check.stdout
    assert "训练：学习率 0.1，轮数 20，训练 w1, w2, b" in check.stdout
    assert "used more than once" not in check.stdout and "training:" not in check.stdout
    train = run_cli_inprocess("micrograd_neuron", "--train", "3", "--lang", "zh")
    assert "训练了 3 轮" in train.stdout and "o：训练前 0.7071067812，训练后" in train.stdout
    grad = run_cli_inprocess("micrograd_neuron", "--gradcheck", "--lang", "zh")
    first = grad.stdout.splitlines()[0]
    assert first.startswith("对每个叶子检验 ∂o/∂leaf：中心差分"), first
    assert grad.stdout.splitlines()[1].startswith("叶子"), grad.stdout
    en = run_cli_inprocess("micrograd_neuron", "--gradcheck", "--lang", "en")
    assert en.stdout.startswith("Gradient check of ∂o/∂leaf for every leaf: central")
    assert en.stdout.splitlines()[1].startswith("leaf   ")


def test_a_layered_net_as_a_graph_has_a_chinese_title():
    run = run_cli_inprocess("mazur_2_2_2", "--graph", "--check", "--lang", "zh")
    assert "标题：Mazur 的 2-2-2 逐步讲解（计算图）" in run.stdout


def test_drawn_network_column_titles_in_chinese(chinese):
    from bptui import backprop as bp
    from bptui import scenario as scn
    from bptui.netdraw import network_diagram

    s = scn.load("mazur_2_2_2")
    titles = network_diagram(s, bp.Params.initial(s), []).titles
    assert titles == ("输入", "隐藏层 (σ)", "输出层 (σ)")
    i18n.set_language("en")
    assert network_diagram(s, bp.Params.initial(s), []).titles == (
        "inputs", "hidden (σ)", "output (σ)")


def test_a_chinese_title_takes_two_cells_in_a_drawing(chinese):
    """Each wide character fills two cells of the picture (itself, then ""), so the rows of a
    drawing with Chinese column titles are exactly as wide on the terminal as in English."""
    from rich.cells import cell_len

    from bptui import backprop as bp
    from bptui import scenario as scn
    from bptui.drawing import cells, draw
    from bptui.netdraw import network_diagram

    s = scn.load("mazur_2_2_2")
    d = network_diagram(s, bp.Params.initial(s), [])
    assert cells("隐藏层 (σ)") == 10
    for width in (72, 90, 116):
        pic = draw(d, width)
        head = pic.lines()[0]
        assert "输入" in head and "隐藏层 (σ)" in head and "输出层 (σ)" in head, head
        assert all(cell_len("".join(row)) == len(row) for row in pic.chars)
        i18n.set_language("en")
        english = draw(network_diagram(s, bp.Params.initial(s), []), width).lines()
        i18n.set_language("zh")
        # the titles' columns start where the English ones start
        assert cell_len(head[:head.index("隐藏层")]) == english[0].index("hidden")
        assert pic.lines()[1:] == english[1:]


def test_a_named_layer_keeps_its_own_name(chinese):
    from bptui.netdraw import layer_word

    assert layer_word("hidden") == "隐藏层" and layer_word("output") == "输出层"
    assert layer_word("hidden 2") == "隐藏层 2"
    assert layer_word("encoder") == "encoder"  # a file's own name is its text


def test_learner_count_in_chinese(chinese):
    from bptui.tui.learner import LearnerMarks

    marks = LearnerMarks(file="f.csv", marks={}, counts=(3, 1, 2, 0))
    assert marks.count_text == "你的：3 ✓ 1 ✗ 2 → 0 ?"


def test_help_and_option_errors_in_chinese_from_argparse():
    zh = run_cli_inprocess("--help", "--lang", "zh")
    assert zh.returncode == 0
    assert zh.stdout.startswith("用法：bptui [-h]"), zh.stdout[:40]
    assert "显示这条帮助信息并退出" in zh.stdout and "显示程序的版本号并退出" in zh.stdout
    assert "位置参数" in zh.stdout
    headings = [line for line in zh.stdout.splitlines() if line and not line[0].isspace()
                and line.endswith((":", "："))]
    assert "\n位置参数：\n" in zh.stdout and len(headings) >= 4
    assert all(line.endswith("：") for line in headings), headings  # full-width, not ASCII
    assert "相对容差（默认 1e-3）" in zh.stdout  # compare_cli's options
    for english in ("usage:", "show this help", "positional arguments", "version number",
                    "relative tolerance", "blank worksheet"):
        assert english not in zh.stdout, english
    bad = run_cli_inprocess("--lang", "zh", "--bogus")
    assert bad.returncode == 2
    assert bad.stderr.strip() == "bptui: 错误：无法识别的参数：--bogus（见 bptui --help）"
    choice = run_cli_inprocess("--lang", "zh", "--format", "pdf", "--worksheet")
    assert "参数 --format：无效的选择：'pdf'（可选：'markdown', 'csv'）" in choice.stderr


def test_english_help_and_errors_unchanged_whatever_the_environment():
    en = run_cli_inprocess("--help", "--lang", "en", lang_env={"LANG": "zh_CN.UTF-8"})
    assert en.stdout.startswith("usage: bptui [-h]")
    assert "show this help message and exit" in en.stdout
    assert "show program's version number and exit" in en.stdout
    assert not _has_chinese(en.stdout)
    bad = run_cli_inprocess("--bogus", "--lang", "en", lang_env={"LANG": "zh_CN.UTF-8"})
    assert bad.stderr.strip() == "bptui: error: unrecognized arguments: --bogus (see bptui --help)"


def test_chinese_help_in_a_real_process():
    """The environment alone (no --lang) makes argparse's words Chinese in a fresh process."""
    run = run_cli("--help", lang_env={"LANG": "zh_CN.UTF-8"})
    assert run.returncode == 0 and run.stdout.startswith("用法：")


def test_argparse_words_keep_their_percent_placeholders():
    """argparse fills %s / %(name)s itself: a translation must keep exactly the same ones."""
    from bptui.argwords import WORDS

    entries = catalogue.read_po(catalogue.po_path("zh"))
    percent = re.compile(r"%(?:\([a-z_]+\))?[sr]")
    keys = [(w, None) for w in WORDS] + [("expected %s argument", "expected %s arguments")]
    for key in keys:
        for text in entries[key].msgstr:
            assert sorted(percent.findall(text)) == sorted(percent.findall(key[0])), (key, text)


@pytest.mark.parametrize("columns", ["80", "100"])
def test_chinese_help_fits_the_terminal(columns):
    """argparse wraps by characters; a Chinese character takes two cells, so the Chinese help
    is wrapped by cells (bptui.argwords) and no line runs past the terminal's edge."""
    from rich.cells import cell_len

    run = run_cli_inprocess("--help", "--lang", "zh", lang_env={"COLUMNS": columns})
    lines = run.stdout.splitlines()
    assert len(lines) > 40
    too_long = [line for line in lines if cell_len(line) > int(columns)]
    assert not too_long, too_long
    # nothing lost in the wrapping: the words of one help text are all there
    assert "批改学习者的数值（JSON Lines 或 CSV；一个班级可给多个文件）；有错误时退出状态为 1" in \
        "".join(line.strip() for line in lines)


def test_wrap_cells_breaks_chinese_between_characters_but_never_before_a_closing_mark():
    from bptui.linebreak import wrap_cells

    assert wrap_cells("一二三四五，六七八", 10) == ["一二三四", "五，六七八"]  # "，" kept with 五
    assert wrap_cells("用 --compare 一起", 12) == ["用 --compare", "一起"]
    assert wrap_cells("alpha beta gamma", 10) == ["alpha beta", "gamma"]


def test_a_graph_file_error_in_chinese_keeps_file_line_and_key(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text('[graph]\nvalues = { a = 2.0, b = 1 }\nexpression = """\nc = a * q\n'
                    'L = c ** a\n"""\n', encoding="utf-8")
    zh = run_cli_inprocess(str(path), "--check", "--lang", "zh")
    en = run_cli_inprocess(str(path), "--check", "--lang", "en")
    assert zh.returncode == en.returncode == 2
    assert f"{path}:4:9: graph.expression: 未定义的名称 'q'" in zh.stderr
    assert f"{path}:5:10: graph.expression: ** 的指数必须是数字（例如 2 或 0.5），实际为 'a'" in zh.stderr
    assert "undefined name 'q'" in en.stderr and "undefined" not in zh.stderr


def test_an_export_that_cannot_be_written_says_so_in_chinese(tmp_path):
    target = tmp_path / "out.md"
    target.write_text("mine", encoding="utf-8")
    run = run_cli_inprocess("--export", "markdown", "-o", str(target), "--lang", "zh")
    assert run.returncode == 2
    assert run.stderr.strip() == f"bptui: 错误：{target}：已存在；未覆盖（用 --force 替换它）"
    assert target.read_text(encoding="utf-8") == "mine"
