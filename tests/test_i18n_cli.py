"""The language through the real command line: --lang, the environment, Chinese scenario files.

The numbers in a Chinese summary are the English summary's numbers (only words change), a
loader error in Chinese still names file:line and the key path, and a teacher's scenario
written in Chinese loads and is shown.
"""

from __future__ import annotations

import re

from bptui import scenario
from tests.conftest import ROOT, run_cli, run_cli_inprocess

ZH = {"LANG": "zh_CN.UTF-8"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_check_in_chinese_has_the_english_numbers():
    en = run_cli_inprocess("mazur_2_2_2", "--check", "--lang", "en")
    zh = run_cli_inprocess("mazur_2_2_2", "--check", "--lang", "zh")
    assert en.returncode == zh.returncode == 0, zh.stderr
    assert "检查通过" in zh.stdout and "学习率：0.5" in zh.stdout and "权重" in zh.stdout
    assert "标题：Mazur 的 2-2-2 逐步讲解" in zh.stdout  # the built-in's title_zh
    assert "总误差：0.298371109" in zh.stdout  # its notes_zh, with the published number
    # the summary's lines, before the notes the English summary does not show
    zh_summary = zh.stdout.split("说明：")[0]
    en_lines = [x for x in en.stdout.splitlines() if not x.startswith("title")]
    zh_lines = [x for x in zh_summary.splitlines() if not x.startswith("标题")]
    assert [_numbers(x) for x in zh_lines] == [_numbers(x) for x in en_lines]


def test_lang_en_is_english_whatever_the_environment():
    run = run_cli("mazur_2_2_2", "--check", "--lang", "en", lang_env=ZH)
    assert run.returncode == 0
    assert run.stdout.startswith("mazur_2_2_2 (built-in): ok\ntitle: Mazur's 2-2-2 walkthrough\n")
    assert "learning rate: 0.5" in run.stdout
    assert "说明" not in run.stdout


def test_the_environment_chooses_chinese_without_lang():
    run = run_cli("mazur_2_2_2", "--check", lang_env=ZH)
    assert run.returncode == 0 and "检查通过" in run.stdout
    listing = run_cli("--list", lang_env={"LANGUAGE": "zh_CN:en", "LANG": "C.UTF-8"})
    assert "Mazur 的 2-2-2 逐步讲解" in listing.stdout and "来源：" in listing.stdout
    assert run_cli("mazur_2_2_2", "--check", lang_env={"LANG": "C.UTF-8"}).stdout.startswith(
        "mazur_2_2_2 (built-in): ok")


def test_machine_readable_output_stays_english():
    en = run_cli_inprocess("mazur_2_2_2", "--trace")
    zh = run_cli_inprocess("mazur_2_2_2", "--trace", "--lang", "zh")
    assert en.returncode == zh.returncode == 0
    assert zh.stdout == en.stdout


def test_a_chinese_loader_error_names_file_line_and_key(tmp_path):
    text = (scenario.BUILTIN_FOLDER / "mazur_2_2_2.toml").read_text(encoding="utf-8")
    path = tmp_path / "错误.toml"
    path.write_text(text.replace("learning_rate = 0.5", "learning_rate = \"0.5\""),
                    encoding="utf-8")
    line = next(n for n, x in enumerate(text.splitlines(), 1) if x.startswith("learning_rate"))
    run = run_cli_inprocess(str(path), "--check", "--lang", "zh")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1
    assert f"{path}:{line}: training.learning_rate: " in run.stderr
    assert "错误" in run.stderr and "应为数，实际为字符串（'0.5'）" in run.stderr
    unknown = run_cli_inprocess(str(path).replace(".toml", "x.toml"), "--lang", "zh")
    assert unknown.returncode == 2 and "没有这个文件" in unknown.stderr


def test_a_teachers_chinese_scenario_loads_and_checks(tmp_path):
    path = tmp_path / "中文.toml"
    path.write_text('''
title = "我的两层网络"
title_zh = "我的两层网络"
notes = "老师写的说明：[重要] 先算前向传播。"
[input]
size = 2
names = ["输入一", "输入二"]
[[layers]]
name = "隐藏层"
size = 1
activation = "sigmoid"
names = ["隐"]
weights = [[0.5, -0.5]]
[[layers]]
name = "输出层"
size = 1
activation = "sigmoid"
names = ["出"]
weights = [[1.0]]
[training]
loss = "half_sse"
learning_rate = 0.5
[data]
inputs = [[1.0, 0.0]]
targets = [[1.0]]
''', encoding="utf-8")
    s = scenario.load(str(path))
    assert s.layers[0].names == ("隐",) and s.input_names == ("输入一", "输入二")
    zh = run_cli_inprocess(str(path), "--check", "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "标题：我的两层网络" in zh.stdout
    assert "第 1 层（隐藏层）：1 个 sigmoid 神经元，2 个权重，无偏置" in zh.stdout
    assert "老师写的说明：[重要] 先算前向传播。" in zh.stdout  # notes_zh absent: the notes
    en = run_cli_inprocess(str(path), "--check")
    assert en.returncode == 0 and "title: 我的两层网络" in en.stdout
    assert _has_chinese(en.stdout)  # the file's own text is shown as written


def test_a_bad_lang_is_refused_cleanly():
    run = run_cli_inprocess("--check", "--lang", "fr")
    assert run.returncode == 2 and "Traceback" not in run.stderr and "--lang" in run.stderr


def _stale_weights_file(tmp_path):
    """The shipped example learner's values (its stale-weights bug), as a file."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "examples" / "stale_weights.py")],
                         capture_output=True, text=True, check=True, timeout=60).stdout
    path = tmp_path / "mine.jsonl"
    path.write_text(out, encoding="utf-8")
    return path


def test_compare_report_in_chinese_json_stays_english(tmp_path):
    path = _stale_weights_file(tmp_path)
    en = run_cli_inprocess("mazur_2_2_2", "--compare", str(path))
    zh = run_cli_inprocess("mazur_2_2_2", "--compare", str(path), "--lang", "zh")
    assert en.returncode == zh.returncode == 1
    assert "31 checked: 19 right, 2 wrong, 10 carried forward, 0 unknown" in en.stdout
    assert "共检查 31 个：19 个正确，2 个错误，10 个沿用，0 个未知" in zh.stdout
    assert "第一个错误的值：∂E/∂out_h1（第 1 轮，样本 1）" in zh.stdout
    assert _numbers(zh.stdout.split("共检查")[0]) == _numbers(en.stdout.split("31 checked")[0])
    en_json = run_cli_inprocess("mazur_2_2_2", "--compare", str(path), "--json")
    zh_json = run_cli_inprocess("mazur_2_2_2", "--compare", str(path), "--json", "--lang", "zh")
    assert zh_json.stdout == en_json.stdout and not _has_chinese(zh_json.stdout)


def test_worksheet_in_chinese_csv_unchanged():
    from bptui.events import PHASES
    from bptui.worksheet import PHASE_WORDS

    assert set(PHASE_WORDS) == set(PHASES)  # a new phase needs its heading word
    zh = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--lang", "zh")
    assert zh.stdout.startswith("# 练习单：Mazur 的 2-2-2 逐步讲解\n")
    assert "## 第 1 轮，样本 1：前向传播" in zh.stdout and "学习率 η = 0.5。" in zh.stdout
    csv_en = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--format", "csv")
    csv_zh = run_cli_inprocess("mazur_2_2_2", "--worksheet", "--format", "csv", "--lang", "zh")
    assert csv_zh.stdout == csv_en.stdout


def test_the_compiled_catalogue_is_package_data():
    """A wheel ships what pyproject's package-data names: the .mo must be among it (a real
    non-editable install was checked by hand: pip install . && LANG=zh_CN.UTF-8 bptui --check)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["bptui"]
    shipped = {p for g in globs for p in (ROOT / "bptui").glob(g)}
    assert (ROOT / "bptui" / "locale" / "zh" / "LC_MESSAGES" / "bptui.mo") in shipped
