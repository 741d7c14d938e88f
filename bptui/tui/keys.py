"""Every key and command of the screen, declared once.

The main screen's bindings, the Footer (``footer=True``), the help screen, the command palette
(``palette`` names the command) and the README's key table are all derived from :data:`KEYS`;
a test compares the README's table with :func:`readme_table`. Keys that belong to a part of the
screen (the quiz box, a picked panel) carry that ``scope`` and are bound by that widget.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from bptui.i18n import N_, _

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
    Key("next", ("n", "right", "space"), N_("Next"), N_("next sub-step (at the very end it says so)"),
        footer=True, palette=N_("Next sub-step")),
    Key("prev", ("p", "left"), N_("Prev"), N_("previous sub-step (across samples and epochs too)"),
        footer=True, palette=N_("Previous sub-step")),
    Key("next_phase", ("right_square_bracket",), N_("Phase"),
        N_("next phase (forward, loss, backward, update)"), footer=True, palette=N_("Next phase")),
    Key("prev_phase", ("left_square_bracket",), N_("Phase back"), N_("previous phase"),
        palette=N_("Previous phase")),
    Key("finish_sample", ("s",), N_("Finish sample"), N_("finish this sample"),
        palette=N_("Finish this sample")),
    Key("finish_epoch", ("e",), N_("Finish epoch"), N_("finish this epoch"), palette=N_("Finish this epoch")),
    Key("run", ("r",), N_("Run"), N_("run to the last epoch on the fast path (live loss plot, "
        "progress bar); escape stops it"), footer=True, palette=N_("Run to the end")),
    Key("run_n", ("R",), N_("Run N"), N_("run exactly N epochs you type (from step 1 of epoch k to "
        "step 1 of epoch k+N)"), palette=N_("Run N epochs")),
    Key("stop", ("escape",), N_("Stop"), N_("stop a run; leave the quiz box or a panel; close a window"),
        footer=True, palette=N_("Stop the run")),
    Key("goto", ("g",), N_("Go to epoch"), N_("go to epoch N"), palette=N_("Go to epoch")),
    Key("home", ("home",), N_("Start"), N_("back to the start"), palette=N_("Back to the start")),
    Key("notes", ("i",), N_("Notes"), N_("the scenario's notes and source"), palette=N_("Scenario notes")),
    Key("gradcheck", ("c",), N_("Gradient check"), N_("gradient check for the current sample "
        "(follows every step; c again closes it)"), palette=N_("Gradient check")),
    Key("set_epsilon", (), N_("ε"), N_("the gradient check's finite-difference step ε "
        "(1e-7 to 3e-3; the pass rule follows it)"), palette=N_("Gradient check: change ε")),
    Key("mistakes", ("m",), N_("Mistakes"), N_("mistake lab: switch a named bug on or off"),
        palette=N_("Mistake lab")),
    Key("quiz", ("k",), N_("Quiz"), N_("quiz mode on or off (predict each number before it is shown)"),
        footer=True, palette=N_("Quiz mode on or off")),
    Key("quiz_hint", ("ctrl+t",), N_("Hint"), N_("in quiz mode: the next hint (rule, numbers, first "
        "factor)"), footer=True, palette=N_("Quiz: hint")),
    Key("quiz_skip", ("ctrl+s",), N_("Skip"), N_("in quiz mode: reveal the answer (counts as revealed)"),
        footer=True, palette=N_("Quiz: skip (reveal the answer)")),
    Key("quiz_check", ("enter",), N_("Check"), N_("in the quiz box: check your value (right within "
        "0.1%)"), scope="quiz", bound=False),
    Key("where", ("w",), N_("Where from"), N_("where the current number comes from"),
        palette=N_("Where does this number come from")),
    Key("copy_step", ("y",), N_("Copy"), N_("copy the current step (rule, numbers, result) as text"),
        palette=N_("Copy the step as text")),
    Key("copy_latex", (), N_("Copy LaTeX"), N_("copy the current step as LaTeX"),
        palette=N_("Copy the step as LaTeX")),
    Key("export", ("x",), N_("Export"), N_("export the worked example from the current epoch to "
        "Markdown in the working folder, under a name not yet taken"), palette=N_("Export to Markdown")),
    Key("reload", ("ctrl+r",), N_("Reload"), N_("reload the scenario file from disk (same shape: same "
        "step; a file that no longer loads keeps the old scenario)"),
        palette=N_("Reload the scenario file")),
    Key("toggle_graph", (), N_("Graph view"), N_("show a layered network as its computational "
        "graph (every operation a node, the same numbers), or back to the layered view"),
        palette=N_("Toggle graph view")),
    Key("open_scenario", (), N_("Open"), N_("open another scenario (a built-in, or a path)"),
        palette=N_("Open another scenario")),
    Key("set_learning_rate", (), N_("η"), N_("change the learning rate and start again from epoch 1 "
        "(the file is never written)"), palette=N_("Settings: learning rate")),
    Key("set_epochs", (), N_("Epochs"), N_("change the number of epochs and start again from epoch 1"),
        palette=N_("Settings: number of epochs")),
    Key("set_mode", (), N_("Mode"), N_("change the update mode (sample, batch sum, batch mean) and "
        "start again from epoch 1"), palette=N_("Settings: update mode")),
    Key("save_settings", (), N_("Save as"), N_("save the changed settings as a new scenario file"),
        palette=N_("Settings: save as a new scenario file")),
    Key("first_wrong", ("J",), N_("First wrong"), N_("with a learner's file loaded: jump to "
        "the step of its first wrong value (the Equation panel shows the rule with the correct "
        "numbers and with theirs)"), palette=N_("Compare: jump to the first wrong value")),
    Key("load_learner", (), N_("Load learner"), N_("load a learner's file (JSON Lines or CSV, as "
        "for --compare): ✓ ✗ → and their numbers beside the Values panel's (not when served)"),
        palette=N_("Compare: load a learner's file")),
    Key("unload_learner", (), N_("Unload learner"), N_("unload the learner's file (the marks go)"),
        palette=N_("Compare: unload the learner's file")),
    Key("cycle_tab(1)", ("tab",), N_("Next panel"), N_("small terminal: next panel; wide terminal: "
        "move between the values and updates panels")),
    Key("cycle_tab(-1)", ("shift+tab",), N_("Previous panel"), N_("the other way")),
    Key("tab_number({key})", ("1", "2", "3", "4"), N_("Panel"),
        N_("small terminal: network, values, updates or loss panel")),
    Key("move(-1)", ("up",), N_("Up"), N_("in a values or updates panel: the number above"),
        scope="panel"),
    Key("move(1)", ("down",), N_("Down"), N_("in a values or updates panel: the number below"),
        scope="panel"),
    Key("pick", ("enter",), N_("Where from"), N_("in a values or updates panel: where the picked "
        "number comes from (or click it)"), scope="panel"),
    Key("copy_pick", ("y",), N_("Copy"), N_("in a values or updates panel: copy the picked number"),
        scope="panel"),
    Key("leave", ("escape",), N_("Leave panel"), N_("leave the panel"), scope="panel"),
    Key("switch_language", (), N_("Language"), N_("switch the whole screen between English "
        "and Chinese (中文) at once"), palette=N_("Language: English / 中文")),
    Key("help", ("question_mark",), N_("Help"), N_("help"), footer=True, palette=N_("Help")),
    Key("app.quit", ("q",), N_("Quit"), N_("quit (with the quiz score printed when quiz mode was "
        "used)"), footer=True),
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
    rows = [(k.shown, _(k.help)) for k in KEYS if k.keys]
    rows += [("ctrl+p", _("command palette: every command by name, and these:"))]
    rows += [("", _("{command}: {help}", command=_(k.palette or ""), help=_(k.help)))
             for k in KEYS if not k.keys]
    return rows


def localise(node) -> None:
    """The Footer words of ``node``'s key bindings in the language in force.

    Textual copies a class's BINDINGS into each node; the words are replaced there (from
    :data:`KEYS`, where they are declared in English), so a language switch shows at once.
    """
    import dataclasses

    words = {b.action: k.label for k in KEYS for b in k.bindings()}
    table = node._bindings.key_to_bindings
    for key, found in table.items():
        table[key] = [dataclasses.replace(b, description=_(words[b.action]))
                      if b.action in words else b for b in found]
    node.refresh_bindings()


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
