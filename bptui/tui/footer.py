"""The key footer, restyled in place when only the shown or enabled keys change.

Textual's Footer removes and mounts every key whenever the bindings change. The screen's
bindings change at moments the learner waits for: a run starts or ends (the moves hide, the
stop key appears), the first or last sub-step is reached (keys dim). Mounting twenty widgets
costs a frame or two each time, so this footer hides, shows and dims the keys it has, and
mounts only a key it never showed. Anything else (other words after a language switch, key
groups) falls back to Textual's recompose.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class Wanted(NamedTuple):
    """One key the footer should show, as :meth:`Footer.compose` would make it."""

    binding: Binding
    enabled: bool
    tooltip: str
    palette: bool = False

    def matches(self, key: FooterKey) -> bool:
        b = self.binding
        return (key.key, key.action, key.description) == (b.key, b.action, b.description)


class KeyFooter(Footer):
    """A Footer whose keys are updated in place when that is all a change needs."""

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
        shown: set[FooterKey] = set()
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
                continue
            at = found + 1
            key = keys[found]
            shown.add(key)
            disabled = not want.enabled
            if key._disabled != disabled:
                key._disabled = disabled
                key.set_class(disabled, "-disabled")
                changed.append(key)
            if want.tooltip and key.tooltip != want.tooltip:
                key.tooltip = want.tooltip
        moved = False
        for key in keys:
            if key.display != (key in shown):
                key.display = key in shown
                changed.append(key)
                moved = True
        if changed:
            # Each key is a message pump of its own, and the screen hears of a key's redraw
            # only once that pump is idle: after the screen's next frame, so that a change
            # of keys cost a second frame (at the end of a run, at the first step). The
            # footer asks instead, in time for the next frame, which draws the keys anew.
            for key in changed:
                key._repaint_required = key._layout_required = False
            self.refresh(layout=moved)
        return True

    def _new_key(self, want: Wanted) -> FooterKey:
        b = want.binding
        with self._context():  # data_bind binds to the active message pump: this footer
            return FooterKey(b.key, self.app.get_key_display(b), b.description, b.action,
                             disabled=not want.enabled, tooltip=want.tooltip
                             ).data_bind(compact=Footer.compact)
