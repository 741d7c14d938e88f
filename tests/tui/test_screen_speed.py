"""What the screen does to stay fast must not change what it shows.

* The footer restyles its keys in place (hide, show, dim, add) instead of mounting them all
  again: after every kind of change it must read exactly as a footer composed from scratch.
* During a run the run bar takes the footer's line, so that no panel changes size; at a
  terminal too small for anything, neither shows.
* The loss plot draws at most a few points per column, the first and last epochs included.
"""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from bptui.tui.footer import KeyFooter
from tests.tui.helpers import (
    long_run_app,
    make_app,
    resize_now,
    screen_text,
    settle,
    type_fast,
    until,
)


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


def keys_shown(footer: KeyFooter) -> list[tuple[str, bool]]:
    return [(k.key, k.has_class("-disabled")) for k in footer.query(FooterKey) if k.display]


async def assert_as_composed(pilot) -> None:
    """The footer as restyled in place reads as the one Textual composes from scratch."""
    app = pilot.app
    footer = app.main.query_one(KeyFooter)
    await pilot.pause()
    restyled, line = keys_shown(footer), footer_line(app)
    with footer._context():  # as Textual runs it: compose binds to the footer
        await footer.recompose()
    await pilot.pause()
    assert keys_shown(footer) == restyled
    assert footer_line(app) == line


async def test_the_footer_restyled_in_place_reads_as_a_composed_one():
    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.main.query_one(KeyFooter)
        await assert_as_composed(pilot)  # at the start: p dimmed
        assert ("p", True) in keys_shown(footer)
        await pilot.press("n")
        await assert_as_composed(pilot)  # p lit
        assert ("p", False) in keys_shown(footer)
        app.main.action_run(3)  # the stop key appears (mounted once), the moves hide
        await settle(pilot)
        await pilot.press("n")
        await assert_as_composed(pilot)
        app.main.action_run()
        await settle(pilot)
        assert app.cursor.at_end
        await assert_as_composed(pilot)  # at the end: the forward moves dimmed
        assert ("r", True) in keys_shown(footer)
        await pilot.press("home")
        await assert_as_composed(pilot)


async def test_the_keys_mounted_once_are_reused_across_runs():
    """The footer is hidden during a run (the run bar, with its own "escape stops", takes
    its line): its keys are neither restyled nor mounted then, only when it shows again."""
    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        footer = app.main.query_one(KeyFooter)
        mounted = list(footer.children)
        app.main.action_run(2)
        await settle(pilot)
        app.main.action_run(2)
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert list(footer.children) == mounted  # restyled, not composed again
        assert "escape" not in [k.key for k in mounted]
        await assert_as_composed(pilot)


async def test_a_run_swaps_the_footer_for_the_run_bar_and_no_panel_moves():
    """(During the run, keys and resizes are sent without pilot.press and pilot.pause(),
    which would each wait a full second for the training thread to go idle; :func:`until`
    waits for what is asserted next instead.)"""
    app = long_run_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        main = app.main
        before = {name: main.query_one(f"#{name}").region
                  for name in ("network", "values", "updates", "loss", "equation")}
        await type_fast(pilot, ["r"])
        await pilot.pause(0.3)
        assert main.running
        main._prepare_next()  # nothing is prepared while a run goes (main._prepare_next)
        assert main._prepared is None
        assert not main.query_one(KeyFooter).visible  # the run bar under it shows
        assert "escape stops" in footer_line(app) or "esc stops" in footer_line(app)
        during = {name: main.query_one(f"#{name}").region for name in before}
        assert during == before
        await resize_now(pilot, 40, 12)  # too small: only the message shows
        assert await until(pilot, lambda: main.tiny and main.has_class("-tiny"))
        assert not main.query_one("#runbar").display
        assert not main.query_one(KeyFooter).display
        await resize_now(pilot, 120, 40)
        assert await until(pilot, lambda: not main.tiny and not main.has_class("-tiny"))
        assert main.running
        assert main.query_one("#runbar").display and not main.query_one(KeyFooter).visible
        await type_fast(pilot, ["escape"])
        await settle(pilot)
        assert main.query_one(KeyFooter).visible and main.query_one(KeyFooter).display
        after = {name: main.query_one(f"#{name}").region for name in before}
        assert after == before
        assert "Next" in footer_line(app)


async def test_the_loss_plot_draws_a_few_points_per_column_first_and_last_included():
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.main.action_run(300)
        await settle(pilot)
        plot = app.main.query_one("#loss-plot")
        xs = plot.plt._active.monitor.x[0]
        assert len(xs) <= 4 * plot.size.width < 301
        assert xs[0] == 0 and xs[-1] == 300  # before training, after the 300th epoch
        assert list(xs) == sorted(set(xs))


async def test_a_step_repaints_only_what_changed_and_never_cuts_a_number():
    """A key press repaints the panels whose text changed, line by line where their size
    stays (the values panel fills its box with blank lines, so that the value each step adds
    does not relayout the screen), and every panel still reads as one built from scratch."""
    from textual.widget import Widget

    from bptui.tui.updates import UpdatesBody
    from bptui.tui.values import ValuesBody

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        values = app.main.query_one(ValuesBody)
        updates = app.main.query_one(UpdatesBody)
        calls: list[tuple[str, tuple, bool]] = []
        real = Widget.refresh

        def spy(self, *regions, **kw):
            if self in (values, updates):
                calls.append((self.id, regions, kw.get("layout", False)))
            return real(self, *regions, **kw)

        height = values.size.height
        Widget.refresh = spy
        try:
            for _ in range(4):  # forward pass of sample 1: the updates do not change
                await pilot.press("n")
                await pilot.pause()
        finally:
            Widget.refresh = real
        assert not [c for c in calls if c[0] == updates.id]
        assert calls and all(c[0] == values.id and c[1] and not c[2] for c in calls)
        assert values.size.height == height  # no relayout: the body already filled its box
        shown = values.plain
        values._built_for = None  # built again from scratch: the same text, no blank lines
        assert values._text_for(values.size.width).plain.rstrip("\n") == shown
        assert not shown.endswith("\n")
        await pilot.press("e")
        await pilot.pause()
        assert "…" not in updates.plain and "…" not in screen_text(app)


class Layouts:
    """Counts the screen's full layouts (a second frame for that key press) and its scrolls,
    while in a ``with`` block."""

    def __init__(self, screen) -> None:
        self.screen, self.reflows, self.scrolls = screen, 0, 0

    def __enter__(self) -> Layouts:
        real = self.real = type(self.screen)._refresh_layout

        def counted(screen, size=None, scroll=False):
            if scroll and not screen._layout_widgets:
                self.scrolls += 1
            else:
                self.reflows += 1
            return real(screen, size, scroll)

        self.screen._refresh_layout = counted.__get__(self.screen)
        return self

    def __exit__(self, *exc) -> None:
        del self.screen._refresh_layout


async def press_n(pilot, times: int) -> None:
    for _ in range(times):
        await pilot.press("n")
        await pilot.pause()


async def test_a_step_lays_nothing_out_again():
    """A key press that changes no panel's size is one frame: the equation and the values
    keep the size of their largest text (the values are as tall as their epoch's list from
    its first step), the blocks of a large network are as tall as they can get, and the loss
    caption is laid out again only if its height changes. Measured on the 2-2-2's first
    epoch and on the 1000-100-10's third and fourth (its first ones grow the panels once;
    every step laid the blocks out again before: 28 layouts at least)."""
    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 1)
        with Layouts(app.screen) as counted:
            await press_n(pilot, 35)
        assert app.cursor.epoch == 1 and counted.reflows == 0
        assert counted.scrolls <= 35 // 3  # the values scroll a quarter of their box at once
    app = make_app("batch_relu_1000_100_10")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 2 * len(app.cursor.events) + 1)
        assert app.cursor.epoch == 3
        with Layouts(app.screen) as counted:
            await press_n(pilot, 2 * len(app.cursor.events))
        # at most one widening of the blocks (three layouts, as its sideways scroll bar
        # appears): this net's numbers grow, and a line of them may first outgrow the panel
        assert app.cursor.epoch == 5 and counted.reflows <= 3


async def test_the_values_scroll_a_quarter_of_their_box_and_keep_the_current_line_in_view():
    from bptui.tui.values import ValuesBody

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        box = app.main.query_one("#values")
        body = app.main.query_one(ValuesBody)
        tops = []
        for _ in range(2 * len(app.cursor.events)):
            await pilot.press("n")
            await pilot.pause()
            line = body.current_region().y
            top, height = box.scroll_offset.y, box.scrollable_content_region.height
            assert top <= line < top + height
            tops.append(top)
        moves = [b - a for a, b in zip(tops, tops[1:], strict=False) if b != a]
        assert moves and all(m >= height // 4 or m < 0 for m in moves), moves
        for _ in range(10):  # stepping back: ▶ stays in view
            await pilot.press("p")
            await pilot.pause()
            line = body.current_region().y
            assert box.scroll_offset.y <= line < box.scroll_offset.y + height


async def test_a_body_rendered_line_by_line_reads_as_textual_renders_it_whole():
    """Panels turn only their changed lines into strips (panel.Body._render_content): the
    strips must be Textual's own for the whole text, picked line and all."""
    from textual.widget import Widget

    from bptui.tui.panel import Body, shown

    app = make_app("two_three_one")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 7)
        await pilot.press("tab")  # the values panel takes the focus: a picked line
        await pilot.press("up")
        await press_n(pilot, 2)
        bodies = [b for b in app.main.query(Body) if shown(b) and b.size.width]
        assert len(bodies) >= 3
        assert any(b.selected is not None for b in bodies)
        for body in bodies:
            body._dirty_regions.add(body.region)
            Body._render_content(body)
            ours = list(body._render_cache.lines)
            Widget._render_content(body)
            assert ours == list(body._render_cache.lines), body.id


async def test_the_run_bar_is_one_still_line_and_reads_in_chinese_too():
    """Textual's ProgressBar without a total animated (15 redraws a second, each making the
    next scroll repaint the whole screen); the run bar now draws its own line and nothing in
    it animates. Under the footer, a row of widgets cut the footer's wide characters in two
    (命令面板 read 命  面板): it is one widget as wide as the line."""
    from bptui import i18n
    from bptui.tui.runbar import RunBar

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        bar = app.main.query_one(RunBar)
        assert not bar.children and not bar.auto_refresh
        assert bar.region.width == app.main.size.width
        app.main.action_run(5)
        await settle(pilot)
        assert not bar.auto_refresh
        bar.show("x", done=1, total=4)
        assert bar.bar(120).count("█") == 30 // 4 and bar.bar(120).endswith(" 25%")
        try:
            app.main.action_switch_language()
            # the footer is composed again after a refresh: waited for (a fixed 0.1 s was too
            # short on a loaded machine, the line still blank)
            assert await until(pilot, lambda: "命令面板" in footer_line(app)), footer_line(app)
        finally:
            i18n.set_language("en")


async def test_leaving_a_panel_after_picking_brings_the_current_line_back_into_view():
    from bptui.tui.values import ValuesBody

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 30)
        box = app.main.query_one("#values")
        body = app.main.query_one(ValuesBody)
        box.focus()
        await pilot.pause()
        for _ in range(25):  # pick a line far above ▶: the panel follows the picked line
            await pilot.press("up")
        await pilot.pause()
        height = box.scrollable_content_region.height
        assert not box.scroll_offset.y <= body.current_region().y < box.scroll_offset.y + height
        app.main.query_one("#updates").focus()
        await pilot.pause()
        await pilot.pause()
        line = body.current_region().y
        assert box.scroll_offset.y <= line < box.scroll_offset.y + height


async def test_panels_hidden_while_the_learner_stepped_show_the_new_step_when_shown_again():
    """Wide, 12 steps; small (one panel at a time), 2 steps; wide again: the values and
    updates panels had kept their old lines on screen (nothing repainted a panel that
    took its new View while hidden and came back at its old size)."""
    from bptui.notation import pretty

    app = make_app("mazur_2_2_2")
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 12)
        await resize_now(pilot, 80, 24)
        assert await until(pilot, lambda: app.main.compact)
        await press_n(pilot, 2)
        await resize_now(pilot, 120, 40)
        assert await until(pilot, lambda: not app.main.compact)
        await pilot.pause()
        shown = screen_text(app)
        assert f"▶ {pretty(app.cursor.event.symbol)}" in shown
        assert "0.08216704056" in shown  # ∂E/∂w5 in the updates panel, new since hidden


async def test_the_values_are_written_for_the_width_their_box_shows():
    """A body as wide as its text is laid out wider than its box when a line is long, and
    the scroll bar takes a column: the values were written for that width, and the box cut
    their last digits."""
    from tests.tui.helpers import BRACKETS

    app = make_app(BRACKETS)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_n(pilot, 16)
        box = app.main.query_one("#values")
        body = app.main.query_one("#values-body")
        assert box.show_vertical_scrollbar
        seen = box.scrollable_content_region.width
        assert all(len(line) <= seen for line in body.plain.split("\n")), seen


async def test_the_gradient_check_opened_on_a_small_terminal_shows_its_current_row():
    """At 62x20 the check's box learns its body's height a layout pass after it is shown:
    its ▶ row (the current parameter) was left below the view."""
    for steps in (30, 33):
        app = make_app("mazur_2_2_2")
        async with app.run_test(size=(62, 20)) as pilot:
            await pilot.pause()
            main = app.main
            main._move(lambda main=main, steps=steps: main.cursor.goto(1, steps))
            await pilot.pause()
            await pilot.press("3")
            await pilot.press("c")
            await pilot.pause()
            await pilot.pause()
            box = main.query_one("#gradcheck")

            def in_view(box=box) -> bool:
                row = box.body.current_region()
                top, height = box.scroll_offset.y, box.scrollable_content_region.height
                return row is not None and top <= row.y < top + height

            # once laid out (on a loaded machine the wait for idle can end a refresh early)
            assert await until(pilot, in_view, timeout=5), (steps, box.body.current_region(),
                                                           box.scroll_offset.y)
