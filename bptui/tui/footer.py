"""The key footer, restyled in place when only the shown or enabled keys change.

Textual's Footer removes and mounts every key whenever the bindings change. The screen's
bindings change at moments the learner waits for: a run starts or ends (the moves hide, the
stop key appears), the first or last sub-step is reached (keys dim). Mounting twenty widgets
costs a frame or two each time, so this footer hides, shows and dims the keys it has, and
mounts only a key it never showed. Anything else (other words after a language switch, key
groups) falls back to Textual's recompose.

Textual's footer lets keys that do not fit run under the command palette's key, which is docked
on the right: at 80 columns in Chinese the quiz's keys read "? 帮▏^p 命令面". This footer fits
its row to its width instead (:func:`fitting`): tighter spacing first, then fewer keys, the
last of the row first (every key is still in the help screen and the palette).
"""

from __future__ import annotations

from typing import NamedTuple

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from bptui.visible import cells


class Wanted(NamedTuple):
    """One key the footer should show, as :meth:`Footer.compose` would make it."""

    binding: Binding
    enabled: bool
    tooltip: str
    palette: bool = False

    def matches(self, key: FooterKey) -> bool:
        b = self.binding
        return (key.key, key.action, key.description) == (b.key, b.action, b.description)


def is_palette_key(key: FooterKey) -> bool:
    return key.has_class("-command-palette")


def key_width(key: FooterKey, compact: bool) -> int:
    """The cells a key takes in the footer's row, margins included, as Footer's CSS lays it
    out (Textual is pinned; tests/tui/test_footer_fit.py compares with the laid-out keys).

    A key reads " n Next " (" n " and "Next "), or in compact style "n Next" and a margin.
    The palette's key is always in compact style (Footer does not bind it) and has a border
    on its left and one cell on its right (padding, or in a compact footer a margin)."""
    words = cells(key.key_display)
    if key.description:
        words += 1 + cells(key.description)
    if is_palette_key(key):
        return words + 2
    if compact:
        return words + 1
    return words + (2 if key.description else 0)


def fitting(row: list[FooterKey], width: int) -> tuple[bool, list[FooterKey]]:
    """(compact, the keys shown) for a row of keys in a footer ``width`` cells wide: the usual
    spacing if everything fits, else compact spacing, else compact without the row's last
    keys (the palette's key stays: it leads to every command)."""
    palette = sum(key_width(k, True) for k in row if is_palette_key(k))
    keys = [k for k in row if not is_palette_key(k)]
    if sum(key_width(k, False) for k in keys) + palette <= width:
        return False, row
    while keys and sum(key_width(k, True) for k in keys) + palette > width:
        keys.pop()
    return True, [k for k in row if is_palette_key(k) or k in keys]


class KeyFooter(Footer):
    """A Footer whose keys are updated in place when that is all a change needs."""

    #: The keys the bindings want, in order, whether or not they fit (see :func:`fitting`).
    _row: list[FooterKey] = []

    def compose(self) -> ComposeResult:
        if any(b.group is not None for _n, b, _e, _t in self.screen.active_bindings.values()):
            yield from super().compose()  # key groups (none of bptui's): Textual's own footer
            return
        keys = list(super().compose())
        self._row = keys
        compact, shown = fitting(keys, self._room())
        self.compact = compact
        for key in keys:
            key.display = key in shown
        yield from keys

    def _room(self) -> int:
        return self.size.width or self.app.size.width

    def on_resize(self, event: events.Resize) -> None:
        if self._row and self._fit(self._row):
            self.refresh(layout=True)

    def _fit(self, row: list[FooterKey]) -> list[FooterKey]:
        """Show the keys of ``row`` that fit; the keys whose display changed."""
        compact, shown = fitting(row, self._room())
        changed = [k for k in row if k.display != (k in shown)]
        for key in changed:
            key.display = key in shown
        if self.compact != compact:
            self.compact = compact
        return changed

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if not self.visible or not self.display:
            # hidden (the run bar shows in its place): restyled when shown again, as the screen
            # refreshes the bindings then; restyling twenty keys nobody sees at the start of
            # a run took the training thread's time
            return
        if self.is_attached and screen is self.screen and not self._restyle(screen):
            self.call_after_refresh(self.recompose)

    def _wanted(self, screen: Screen) -> list[Wanted] | None:
        """What :meth:`Footer.compose` would show, in its order: one key per action, the
        first of its bindings (``n,right,space`` shows ``n``). None with key groups."""
        active = screen.active_bindings
        first: dict[str, Wanted] = {}
        for _node, b, enabled, tooltip in active.values():
            if b.group is not None:
                return None
            if b.show and b.action not in first:
                first[b.action] = Wanted(b, enabled, tooltip)
        wanted = list(first.values())
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE and palette:
            _node, b, enabled, _tooltip = palette
            wanted.append(Wanted(b, enabled, b.tooltip or b.description, palette=True))
        return wanted

    def _restyle(self, screen: Screen) -> bool:
        """Show, hide, dim and add keys; False when a recompose is needed instead."""
        keys = list(self.children)
        wanted = self._wanted(screen)
        if not keys or wanted is None or not all(type(k) is FooterKey for k in keys):
            return False
        row: list[FooterKey] = []  # the wanted keys, in order
        changed: list[FooterKey] = []
        at = 0  # the first mounted key not yet matched or passed
        for want in wanted:
            found = next((j for j in range(at, len(keys)) if want.matches(keys[j])), None)
            if found is None:
                if want.palette:
                    return False
                key = self._new_key(want)
                if at < len(keys):
                    self.mount(key, before=keys[at])
                else:
                    self.mount(key)
                row.append(key)
                continue
            at = found + 1
            key = keys[found]
            row.append(key)
            disabled = not want.enabled
            if key._disabled != disabled:
                key._disabled = disabled
                key.set_class(disabled, "-disabled")
                changed.append(key)
            if want.tooltip and key.tooltip != want.tooltip:
                key.tooltip = want.tooltip
        unwanted = [k for k in keys if k not in row and k.display]
        for key in unwanted:
            key.display = False
        self._row = row
        moved = unwanted + self._fit(row)
        changed += moved
        if changed:
            # Each key is a message pump of its own, and the screen hears of a key's redraw
            # only once that pump is idle: after the screen's next frame, so that a change
            # of keys cost a second frame (at the end of a run, at the first step). The
            # footer asks instead, in time for the next frame, which draws the keys anew.
            for key in changed:
                key._repaint_required = key._layout_required = False
            self.refresh(layout=bool(moved))
        return True

    def _new_key(self, want: Wanted) -> FooterKey:
        b = want.binding
        with self._context():  # data_bind binds to the active message pump: this footer
            return FooterKey(b.key, self.app.get_key_display(b), b.description, b.action,
                             disabled=not want.enabled, tooltip=want.tooltip
                             ).data_bind(compact=Footer.compact)
