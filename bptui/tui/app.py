"""The Textual application: ``BackpropApp(scenario, mistake=None)``, opened by ``bptui``."""

from __future__ import annotations

from textual.app import App

from bptui.cursor import Cursor
from bptui.scenario import Scenario
from bptui.tui.commands import StepCommands
from bptui.tui.main import MainScreen


class BackpropApp(App):
    """Step through one training step of a scenario, sub-step by sub-step."""

    CSS_PATH = "bptui.tcss"
    COMMANDS = App.COMMANDS | {StepCommands}
    TITLE = "bptui"

    def __init__(self, scenario: Scenario, mistake: str | None = None,
                 quiz_kinds: frozenset[str] | None = None) -> None:
        """``quiz_kinds``: start in quiz mode, asking these kinds of sub-step."""
        super().__init__()
        self.scenario = scenario
        self.cursor = Cursor(scenario, mistake=mistake)
        self.main = MainScreen(self.cursor, quiz_kinds=quiz_kinds)

    @property
    def score_line(self) -> str | None:
        """The quiz score, if quiz mode was used (printed by the command line on quit)."""
        return self.main.quiz.line() if self.main.quiz.used else None

    def on_mount(self) -> None:
        self.push_screen(self.main)

    def on_unmount(self) -> None:
        self.main.action_stop()
