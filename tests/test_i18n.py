"""The catalogues: every message translated, placeholders kept, the shipped .mo up to date."""

from __future__ import annotations

import pytest

from bptui import catalogue, i18n


@pytest.fixture(scope="module")
def code_messages():
    return catalogue.extract()


@pytest.fixture(scope="module")
def zh_entries():
    return catalogue.read_po(catalogue.po_path("zh"))


def test_every_message_has_a_chinese_translation(code_messages, zh_entries):
    missing = [k[0] for k in code_messages if k not in zh_entries or not all(zh_entries[k].msgstr)]
    assert not missing, f"{len(missing)} message(s) without Chinese (run python -m bptui.catalogue): " \
        + "; ".join(missing[:10])


def test_no_translation_drops_or_adds_a_placeholder(zh_entries):
    bad = []
    for (msgid, plural), entry in zh_entries.items():
        want = catalogue.placeholders(msgid) | (catalogue.placeholders(plural) if plural else set())
        for s in entry.msgstr:
            if s and catalogue.placeholders(s) != want:
                bad.append((msgid, s))
    assert not bad, bad[:5]


def test_catalogue_is_not_stale(code_messages, zh_entries):
    unused = [k[0] for k in zh_entries if k not in code_messages]
    assert not unused, f"messages in the .po that the code no longer uses: {unused[:5]}"
    mo = catalogue.po_path("zh").with_suffix(".mo")
    assert mo.read_bytes() == catalogue.compile_mo(zh_entries, "zh"), \
        "the shipped .mo does not match its .po: run python -m bptui.catalogue"


@pytest.mark.parametrize(("env", "lang"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_SG"}, "zh"),
    ({"LANG": "zh"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LANGUAGE": "zh_CN:en", "LC_ALL": "C.UTF-8"}, "zh"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
    ({"LANGUAGE": "", "LANG": "zh_CN.GB18030"}, "zh"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
])
def test_language_comes_from_the_environment_in_order(env, lang):
    assert i18n.language_from_env(env) == lang


def test_mo_round_trips_through_gettext(tmp_path):
    import gettext
    entries = {
        ("the {name} layer", None): catalogue.Entry("the {name} layer", None, ["{name} 层"]),
        ("{n} sample", "{n} samples"): catalogue.Entry("{n} sample", "{n} samples", ["{n} 个样本"]),
    }
    d = tmp_path / "zh" / "LC_MESSAGES"
    d.mkdir(parents=True)
    (d / "t.mo").write_bytes(catalogue.compile_mo(entries, "zh"))
    t = gettext.translation("t", localedir=str(tmp_path), languages=["zh"])
    assert t.gettext("the {name} layer") == "{name} 层"
    assert t.ngettext("{n} sample", "{n} samples", 3) == "{n} 个样本"
    assert t.gettext("untranslated") == "untranslated"
