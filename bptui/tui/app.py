"""The Textual application: ``BackpropApp(scenario, mistake=None)``, opened by ``bptui``."""

from __future__ import annotations

from textual.app import App
from textual.await_complete import AwaitComplete

from bptui.cursor import Cursor
from bptui.i18n import _
from bptui.scenario import Scenario
from bptui.tui import textual_words
from bptui.tui.commands import StepCommands
from bptui.tui.main import MainScreen
from bptui.tui.palette import open_palette
from bptui.visible import visible_scenario


class BackpropApp(App):
    """Step through one training step of a scenario, sub-step by sub-step."""

    CSS_PATH = "bptui.tcss"
    COMMANDS = App.COMMANDS | {StepCommands}
    TITLE = "bptui"

    def __init__(self, scenario: Scenario, mistake: str | None = None,
                 quiz_kinds: frozenset[str] | None = None, learner=None) -> None:
        """``quiz_kinds``: start in quiz mode, asking these kinds of sub-step. ``learner``: a
        learner's file marked by :func:`bptui.compare.check_file` (``--compare FILE
        --screen``), shown beside the correct values."""
        super().__init__()
        scenario = visible_scenario(scenario)  # no escape code from the file reaches the screen
        self.scenario = scenario
        self.cursor = Cursor(scenario, mistake=mistake)
        self.main = MainScreen(self.cursor, quiz_kinds=quiz_kinds, learner=learner)

    @property
    def score_line(self) -> str | None:
        """The quiz score, if quiz mode was used (printed by the command line on quit)."""
        return self.main.quiz.line() if self.main.quiz.used else None

    #: Where screenshots (and the x export) go; None: the working folder. Under --serve the
    #: launcher may point it elsewhere.
    export_folder: str | None = None

    #: Act as served to a web browser even without one (tests); the screen asks
    #: :func:`bptui.tui.served.is_served`, which also reads ``app.is_web`` (``--serve``).
    served: bool = False

    def action_command_palette(self) -> None:
        """ctrl+p: Textual's palette, guarded against its page-key and closing crashes."""
        if self.use_command_palette:
            open_palette(self)

    def on_mount(self) -> None:
        textual_words.localise_palette_key(self)
        self.push_screen(self.main)

    def get_system_commands(self, screen):
        """Textual's palette commands (Keys, Quit, Screenshot, Theme) in the language."""
        return textual_words.system_commands(super().get_system_commands(screen))

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """The palette's Screenshot: into the working folder (Textual's default,
        ~/Downloads, may not exist), and say where."""
        from pathlib import Path

        from textual._files import generate_datetime_filename

        from bptui.tui.served import export_folder

        folder = Path(path) if path else export_folder(self)[0]
        name = filename or generate_datetime_filename(self.title, ".svg", time_format)
        key = super().deliver_screenshot(name, str(folder), time_format)
        self.notify(_("screenshot saved to {path}", path=folder / name), markup=False, timeout=8)
        return key

    def pop_screen(self) -> AwaitComplete:
        """Never pop the main screen: a dialog that is answered and closed by two keys in one
        burst (enter, escape) dismisses itself twice, and Textual's dismiss pops whatever
        screen is on top the second time."""
        if self.screen is self.main:
            return AwaitComplete.nothing()
        return super().pop_screen()

    def on_unmount(self) -> None:
        self.main.action_stop()
