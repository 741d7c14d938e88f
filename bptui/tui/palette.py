"""The command palette (ctrl+p), guarded against two Textual 8.2 bugs that end the app.

1. PageDown/PageUp pressed while the palette's list is still being filled (ctrl+p then
   PageDown at once, or after typing): ``OptionList._move_page`` looks up the highlighted
   option's line before the lines exist, ``KeyError: 0`` (or ``KeyError: 22`` when the list
   was just refilled with fewer options). The guard skips the page move until the list has
   its lines; the key does nothing, as it would on an empty list.
2. A search that is still gathering commands when the palette closes:
   ``_gather_commands`` queries its ``CommandList`` after the palette's widgets are gone,
   ``NoMatches``. The guard ends that search quietly once the palette is closing.

Both reproduce with keys sent without waiting (tests/tui/test_palette_guard.py) on
textual 8.2.8; :class:`PageSafeOptionList` carries the page-key guard to any other option list
(the mistake lab's). Remove this module when Textual fixes them upstream.
"""

from __future__ import annotations

from textual import work
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.css.query import NoMatches
from textual.widgets import OptionList

_PAGE_ACTIONS = ("page_up", "page_down")

#: Textual's search, without the @work wrapper around it (which the override puts back).
unguarded_gather = CommandPalette._gather_commands.__wrapped__


def page_move_possible(options: OptionList) -> bool:
    """Whether an option list has built the lines a page move reads (private in Textual):
    ``OptionList._move_page`` raises ``KeyError`` when they are not there yet."""
    lines = getattr(options, "_lines", None)
    index_to_line = getattr(options, "_index_to_line", None)
    if not lines or index_to_line is None:
        return False
    return (options.highlighted or 0) in index_to_line


class PageSafeOptionList(OptionList):
    """An OptionList whose PageDown/PageUp do nothing until its lines exist (the same Textual
    8.2 bug as the palette's first one; the mistake lab's list had it too), and that keeps a
    highlight when the page ends on a disabled option (Textual then highlights nothing, and
    enter chooses nothing): the last (first) enabled option instead."""

    def action_page_down(self) -> None:
        if page_move_possible(self):
            super().action_page_down()
            self._keep_highlight(reversed(range(self.option_count)))

    def action_page_up(self) -> None:
        if page_move_possible(self):
            super().action_page_up()
            self._keep_highlight(range(self.option_count))

    def _keep_highlight(self, order) -> None:
        if self.highlighted is None:
            self.highlighted = next((i for i in order
                                     if not self.get_option_at_index(i).disabled), None)


class GuardedCommandPalette(CommandPalette):
    """Textual's command palette, minus its two crashes (see the module's docstring)."""

    def _action_command_list(self, action: str) -> None:
        if action in _PAGE_ACTIONS and not self._page_move_possible():
            return
        super()._action_command_list(action)

    def _page_move_possible(self) -> bool:
        try:
            options = self.query_one(CommandList)
        except NoMatches:
            return False
        return page_move_possible(options)

    @work(exclusive=True, group=CommandPalette._GATHER_COMMANDS_GROUP)
    async def _gather_commands(self, search_value: str) -> None:
        try:
            await unguarded_gather(self, search_value)
        except NoMatches:
            if self.is_attached and self.query(CommandList):
                raise  # not the closing race: a real problem, let it be seen


def open_palette(app: App) -> None:
    """Open the guarded palette unless one is already anywhere on the screen stack.

    Textual's own check looks only at the top screen, so a ctrl+p in the same burst as the
    key that closed the last palette (or with a dialog above it) pushed a second palette with
    the same id while the first was still being removed (``DuplicateIds``)."""
    if any(isinstance(screen, CommandPalette) for screen in app.screen_stack):
        return
    # a closed palette not yet removed (App.children shows only the active screen, so its
    # node list is read): the key does nothing, the next ctrl+p opens it
    if any(isinstance(node, CommandPalette) for node in app._nodes):
        return
    from bptui.i18n import _
    from bptui.tui.textual_words import SEARCH

    app.push_screen(GuardedCommandPalette(id="--command-palette", placeholder=_(SEARCH)))
