"""Every key and command of the screen, declared once.

The main screen's bindings, the Footer (``footer=True``), the help screen, the command palette
(``palette`` names the command) and the README's key table are all derived from :data:`KEYS`;
a test compares the README's table with :func:`readme_table`. Keys that belong to a part of the
screen (the quiz box, a picked panel) carry that ``scope`` and are bound by that widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

#: How a Textual key name is written for a reader.
SHOWN = {"right": "→", "left": "←", "up": "↑", "down": "↓",
         "right_square_bracket": "]", "left_square_bracket": "[", "question_mark": "?"}


@dataclass(frozen=True)
class Key:
    """One command: its id (the action), its keys, and where it is shown.

    ``action`` may contain ``{key}``: each key then binds its own action (``1``-``4``).
    ``keys`` empty: a palette-only command. ``scope``: "screen" (the main screen's
    bindings), "quiz" (the quiz box) or "panel" (a values or updates panel with the keyboard).
    """

    action: str
    keys: tuple[str, ...]
    label: str  # the Footer's word
    help: str  # what it does, for the help screen, the palette and the README
    footer: bool = False
    palette: str | None = None  # its name in the command palette (None: not there)
    scope: str = "screen"
    bound: bool = True  # False: handled by a widget of its own (the quiz box's enter)

    @property
    def shown(self) -> str:
        """The keys as a reader writes them: ``n  →  space``."""
        return "  ".join(SHOWN.get(k, k) for k in self.keys)

    def bindings(self) -> list[Binding]:
        if not self.bound or not self.keys:
            return []
        if "{key}" in self.action:
            return [Binding(k, self.action.format(key=k), self.label, show=False)
                    for k in self.keys]
        return [Binding(",".join(self.keys), self.action, self.label, show=self.footer)]


KEYS: tuple[Key, ...] = (
    Key("next", ("n", "right", "space"), "Next", "next sub-step (at the very end it says so)",
        footer=True, palette="Next sub-step"),
    Key("prev", ("p", "left"), "Prev", "previous sub-step (across samples and epochs too)",
        footer=True, palette="Previous sub-step"),
    Key("next_phase", ("right_square_bracket",), "Phase",
        "next phase (forward, loss, backward, update)", footer=True, palette="Next phase"),
    Key("prev_phase", ("left_square_bracket",), "Phase back", "previous phase",
        palette="Previous phase"),
    Key("finish_sample", ("s",), "Finish sample", "finish this sample",
        palette="Finish this sample"),
    Key("finish_epoch", ("e",), "Finish epoch", "finish this epoch", palette="Finish this epoch"),
    Key("run", ("r",), "Run", "run to the last epoch on the fast path (live loss plot, "
        "progress bar); escape stops it", footer=True, palette="Run to the end"),
    Key("run_n", ("R",), "Run N", "run exactly N epochs you type (from step 1 of epoch k to "
        "step 1 of epoch k+N)", palette="Run N epochs"),
    Key("stop", ("escape",), "Stop", "stop a run; leave the quiz box or a panel; close a window",
        footer=True, palette="Stop the run"),
    Key("goto", ("g",), "Go to epoch", "go to epoch N", palette="Go to epoch"),
    Key("home", ("home",), "Start", "back to the start", palette="Back to the start"),
    Key("notes", ("i",), "Notes", "the scenario's notes and source", palette="Scenario notes"),
    Key("gradcheck", ("c",), "Gradient check", "gradient check for the current sample "
        "(follows every step; c again closes it)", palette="Gradient check"),
    Key("set_epsilon", (), "ε", "the gradient check's finite-difference step ε "
        "(1e-7 to 0.1; the pass rule follows it)", palette="Gradient check: change ε"),
    Key("mistakes", ("m",), "Mistakes", "mistake lab: switch a named bug on or off",
        palette="Mistake lab"),
    Key("quiz", ("k",), "Quiz", "quiz mode on or off (predict each number before it is shown)",
        footer=True, palette="Quiz mode on or off"),
    Key("quiz_hint", ("ctrl+t",), "Hint", "in quiz mode: the next hint (rule, numbers, first "
        "factor)", footer=True, palette="Quiz: hint"),
    Key("quiz_skip", ("ctrl+s",), "Skip", "in quiz mode: reveal the answer (counts as revealed)",
        footer=True, palette="Quiz: skip (reveal the answer)"),
    Key("quiz_check", ("enter",), "Check", "in the quiz box: check your value (right within "
        "0.1%)", scope="quiz", bound=False),
    Key("where", ("w",), "Where from", "where the current number comes from",
        palette="Where does this number come from"),
    Key("copy_step", ("y",), "Copy", "copy the current step (rule, numbers, result) as text",
        palette="Copy the step as text"),
    Key("copy_latex", (), "Copy LaTeX", "copy the current step as LaTeX",
        palette="Copy the step as LaTeX"),
    Key("export", ("x",), "Export", "export the worked example from the current epoch to "
        "Markdown in the working folder, under a name not yet taken", palette="Export to Markdown"),
    Key("reload", ("ctrl+r",), "Reload", "reload the scenario file from disk (same shape: same "
        "step; a file that no longer loads keeps the old scenario)",
        palette="Reload the scenario file"),
    Key("toggle_graph", (), "Graph view", "show a layered network as its computational graph "
        "(every operation a node, the same numbers), or back to the layered view",
        palette="Toggle graph view"),
    Key("open_scenario", (), "Open", "open another scenario (a built-in, or a path)",
        palette="Open another scenario"),
    Key("set_learning_rate", (), "η", "change the learning rate and start again from epoch 1 "
        "(the file is never written)", palette="Settings: learning rate"),
    Key("set_epochs", (), "Epochs", "change the number of epochs and start again from epoch 1",
        palette="Settings: number of epochs"),
    Key("set_mode", (), "Mode", "change the update mode (sample, batch sum, batch mean) and "
        "start again from epoch 1", palette="Settings: update mode"),
    Key("save_settings", (), "Save as", "save the changed settings as a new scenario file",
        palette="Settings: save as a new scenario file"),
    Key("first_wrong", ("J",), "First wrong", "with a learner's file loaded: jump to the step "
        "of its first wrong value (the Equation panel shows the rule with the correct numbers "
        "and with theirs)", palette="Compare: jump to the first wrong value"),
    Key("load_learner", (), "Load learner", "load a learner's file (JSON Lines or CSV, as for "
        "--compare): ✓ ✗ → and their numbers beside the Values panel's (not when served)",
        palette="Compare: load a learner's file"),
    Key("unload_learner", (), "Unload learner", "unload the learner's file (the marks go)",
        palette="Compare: unload the learner's file"),
    Key("cycle_tab(1)", ("tab",), "Next panel", "small terminal: next panel; wide terminal: "
        "move between the values and updates panels"),
    Key("cycle_tab(-1)", ("shift+tab",), "Previous panel", "the other way"),
    Key("tab_number({key})", ("1", "2", "3", "4"), "Panel",
        "small terminal: network, values, updates or loss panel"),
    Key("move(-1)", ("up",), "Up", "in a values or updates panel: the number above",
        scope="panel"),
    Key("move(1)", ("down",), "Down", "in a values or updates panel: the number below",
        scope="panel"),
    Key("pick", ("enter",), "Where from", "in a values or updates panel: where the picked "
        "number comes from (or click it)", scope="panel"),
    Key("copy_pick", ("y",), "Copy", "in a values or updates panel: copy the picked number",
        scope="panel"),
    Key("leave", ("escape",), "Leave panel", "leave the panel", scope="panel"),
    Key("help", ("question_mark",), "Help", "help", footer=True, palette="Help"),
    Key("app.quit", ("q",), "Quit", "quit (with the quiz score printed when quiz mode was "
        "used)", footer=True),
)


def bindings(scope: str = "screen") -> list[Binding]:
    """The Textual bindings of one part of the screen."""
    return [b for k in KEYS if k.scope == scope for b in k.bindings()]


def by_action(action: str) -> Key:
    for k in KEYS:
        if k.action == action:
            return k
    raise KeyError(action)


def palette() -> list[Key]:
    """The commands offered in the command palette, in declaration order."""
    return [k for k in KEYS if k.palette is not None]


def help_rows() -> list[tuple[str, str]]:
    """(keys, what) for the help screen: every key, then the palette-only commands."""
    rows = [(k.shown, ("" if k.scope == "screen" else "") + k.help) for k in KEYS if k.keys]
    rows += [("ctrl+p", "command palette: every command by name, and these:")]
    rows += [("", f"{k.palette}: {k.help}") for k in KEYS if not k.keys]
    return rows


def readme_table() -> str:
    """The README's key table (section "The screen"), exactly."""
    lines = ["| key | does |", "|---|---|"]
    for k in KEYS:
        if k.keys:
            keys = ", ".join(f"`{SHOWN.get(x, x)}`" for x in k.keys)
            lines.append(f"| {keys} | {k.help} |")
    lines.append("| `ctrl+p` | command palette: every command by name, and these: |")
    for k in KEYS:
        if not k.keys:
            lines.append(f"| palette: {k.palette} | {k.help} |")
    return "\n".join(lines)
