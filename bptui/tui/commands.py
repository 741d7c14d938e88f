"""Every command of the screen in the command palette (ctrl+p), by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from bptui.i18n import _
from bptui.tui import keys


def commands() -> list[tuple[str, str, str]]:
    """(palette name, help, action) for every command with a palette name in
    :data:`bptui.tui.keys.KEYS`: the keys first, so the learner learns them."""
    out = []
    for k in keys.palette():
        help_text = f"{k.shown}: {_(k.help)}" if k.keys else _(k.help)
        out.append((_(k.palette or ""), help_text, k.action))
    return out


class StepCommands(Provider):
    """The main screen's actions, offered only when they can run now."""

    def _available(self):
        from bptui.tui.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        for name, help_text, action in commands():
            if screen.check_action(action, ()):
                yield name, help_text, partial(screen.run_action, action)
        if not screen.running:
            from bptui.tui.quiz import PRESETS

            for label, kinds in PRESETS:
                yield (_("Quiz only: {preset}", preset=_(label)),
                       _("quiz mode on, asking {kinds}", kinds=", ".join(sorted(kinds))),
                       partial(screen.set_quiz_kinds, kinds, label))

    async def discover(self) -> Hits:
        for name, help_text, run in self._available():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._available():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)
