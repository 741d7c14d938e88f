"""The footer fits its keys to its width: no key runs under the command palette's key.

Textual's footer lets the keys that do not fit run on under the palette's key, docked on the
right, so that at 80x24 in Chinese the quiz's keys read "? 帮▏^p 命令面" and at 60x18 in
English the quiz's Skip and Help were gone under "▏^p palette". Tighter spacing comes first,
then fewer keys, the row's last first; the keys shown are always whole.
"""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from bptui import i18n
from bptui.tui.footer import KeyFooter, is_palette_key, key_width
from tests.tui.helpers import make_app, screen_text
from tests.tui.test_screen_speed import assert_as_composed


@pytest.fixture(params=["en", "zh"])
def language(request):
    i18n.set_language(i18n.language_from_env(
        {"LANG": "zh_CN.UTF-8" if request.param == "zh" else "C.UTF-8"}))
    yield request.param
    i18n.set_language("en")


def shown(footer: KeyFooter) -> list[FooterKey]:
    return [k for k in footer.query(FooterKey) if k.display]


def assert_fits(app) -> None:
    """Every key shown is laid out whole, left of the palette's key, as wide as key_width
    says; its words are on the footer's line."""
    footer = app.main.query_one(KeyFooter)
    line = screen_text(app).splitlines()[-1]
    keys = shown(footer)
    palette = [k for k in keys if is_palette_key(k)]
    assert len(palette) == 1
    for key in keys:
        margin = key.styles.margin
        assert key_width(key, footer.compact) == key.region.width + margin.left + margin.right
        assert key.description in line, (key.description, line)
        if key is not palette[0]:
            assert key.region.right <= palette[0].region.x, (key.key, line)
    assert line.rstrip().endswith(palette[0].description)


@pytest.mark.parametrize("size", [(60, 18), (80, 24), (120, 40)], ids=str)
async def test_the_keys_fit_in_and_out_of_quiz_mode(language, size):
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        footer = app.main.query_one(KeyFooter)
        assert_fits(app)
        assert footer.compact == (size == (60, 18))  # in English too: "q Quit" ran under
        await pilot.press("k")  # quiz mode: a hint and a skip key more
        await pilot.pause()
        await assert_as_composed(pilot)
        assert_fits(app)
        quiz_keys = {k.key for k in shown(footer)}
        assert "ctrl+t" in quiz_keys  # the first of the quiz's keys always fits
        if size == (120, 40):
            assert not footer.compact and "ctrl+s" in quiz_keys and "q" in quiz_keys
        if size == (60, 18):  # the last keys of the row give way, the palette's key stays
            assert "q" not in quiz_keys
        await pilot.press("k")
        await pilot.pause()
        await assert_as_composed(pilot)
        assert_fits(app)


async def test_a_resize_takes_keys_away_and_gives_them_back(language):
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        footer = app.main.query_one(KeyFooter)
        wide = [k.key for k in shown(footer)]
        await pilot.resize_terminal(60, 18)
        await pilot.pause()
        assert_fits(app)
        assert len(shown(footer)) < len(wide)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert_fits(app)
        assert [k.key for k in shown(footer)] == wide and not footer.compact

