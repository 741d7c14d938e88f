"""Every command of the screen in the command palette (ctrl+p), by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS: list[tuple[str, str, str]] = [
    ("Next sub-step", "n, right or space", "next"),
    ("Previous sub-step", "p or left", "prev"),
    ("Next phase", "]", "next_phase"),
    ("Previous phase", "[", "prev_phase"),
    ("Finish this sample", "s", "finish_sample"),
    ("Finish this epoch", "e", "finish_epoch"),
    ("Run to the end", "r: train the remaining epochs with a live loss plot", "run"),
    ("Run N epochs", "R: train a number of epochs you type", "run_n"),
    ("Stop the run", "escape", "stop"),
    ("Go to epoch", "g: jump to an epoch you type", "goto"),
    ("Back to the start", "home", "home"),
    ("Scenario notes", "i: notes and source of the scenario", "notes"),
    ("Gradient check", "c: backprop beside finite differences for this sample", "gradcheck"),
    ("Gradient check: change ε", "the finite-difference step (default 1e-4)", "set_epsilon"),
    ("Mistake lab", "m: switch a classic backprop bug on or off", "mistakes"),
    ("Quiz mode on or off", "k: type each number before it is shown", "quiz"),
    ("Quiz: hint", "ctrl+t: one factor of the open question", "quiz_hint"),
    ("Quiz: skip (reveal the answer)", "ctrl+s: counts as revealed", "quiz_skip"),
    ("Where does this number come from", "w: the step, its equation and the values it used",
     "where"),
    ("Export to Markdown", "x: the worked example, written to the working folder", "export"),
    ("Help", "?: keys and how to read the screen", "help"),
]


class StepCommands(Provider):
    """The main screen's actions, offered only when they can run now."""

    def _available(self):
        from bptui.tui.main import MainScreen

        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        for name, help_text, action in COMMANDS:
            if screen.check_action(action, ()):
                yield name, help_text, partial(screen.run_action, action)
        if not screen.running:
            from bptui.tui.quiz import PRESETS

            for label, kinds in PRESETS:
                yield (f"Quiz only: {label}", "quiz mode on, asking " + ", ".join(sorted(kinds)),
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
