"""The learner's files and settings at hand (mixins of MainScreen).

Copying a step, exporting from the current epoch, reloading or opening a scenario, and
changing the learning rate, the epochs or the update mode for this session. The file that was
opened is never written; changed settings are saved only as a new file, under a free name.
"""

from __future__ import annotations

import dataclasses
import re

from bptui import scenario as scn
from bptui.cursor import Cursor
from bptui.errors import BptuiError
from bptui.events import shown_why
from bptui.i18n import N_, _, local
from bptui.notation import fmt, pretty
from bptui.tui.screens import NumberScreen, TextScreen

#: The settings a learner may change in the app, as the [training] table writes them.
SETTINGS = ("learning_rate", "epochs", "mode", "reduction")
MODES = {"sample": ("sample", "sum"), "batch sum": ("batch", "sum"),
         "batch mean": ("batch", "mean")}


def step_text(view) -> str:
    """The current step as plain text: rule, numbers, result, why."""
    ev = view.event
    from rich.cells import cell_len

    def row(label: str, text: str) -> str:  # labels padded to the same cells, not characters
        word = _(label)
        return word + " " * max(1, 9 - cell_len(word)) + text

    lines = [row(N_("rule"), ev.equation), row(N_("numbers"), ev.substituted),
             row(N_("result"), f"{pretty(ev.symbol)} = "
                 f"{fmt(ev.value) if not ev.is_matrix else ''}")]
    if ev.why:
        lines.append(row(N_("why"), shown_why(ev)))
    head = _("{title}, epoch {epoch}, step {step} of {steps}",
             title=local(view.scenario.title, getattr(view.scenario, "title_zh", None)),
             epoch=view.epoch, step=view.index + 1, steps=view.steps)
    return "\n".join([head, *lines]).rstrip()


class FileActions:
    """Copy, export, reload and open (MainScreen's file keys)."""

    def _switch(self, scenario: scn.Scenario, keep_place: bool) -> None:
        """Show ``scenario`` instead; at the same step when asked and the shape allows."""
        old = self.cursor
        place = (old.epoch, old.index) if keep_place else (1, 0)
        self.cursor = Cursor(scenario, mistake=old.mistake if not
                             _mistake_misfits(scenario, old.mistake) else None)
        self.app.cursor = self.cursor
        from bptui.quiz import Quiz, default_kinds

        kinds = self.quiz.kinds & default_kinds(scenario) or default_kinds(scenario)
        self.quiz.quiz = Quiz(scenario, kinds)  # a graph's kinds differ from a layered net's
        self.quiz.settled.clear()
        self.cursor.goto(*place)
        self._check_key = None
        self.learner_follows()  # a learner's file is marked again against the new scenario
        self.push_view()

    def action_copy_step(self) -> None:
        if self.view is None:
            return
        if self.view.hidden:
            self.notify(_("answer or skip the question first"), markup=False)
            return
        self.app.copy_to_clipboard(step_text(self.view))
        self.notify(_("copied the step to the clipboard (as text)"), markup=False)

    def action_copy_latex(self) -> None:
        from bptui import export

        if self.view is None or self.view.hidden:
            return
        ev = self.view.event
        tex = export.latex(f"{ev.symbol} = {ev.equation.split(' = ', 1)[-1]}")
        self.app.copy_to_clipboard(tex)
        self.notify(_("copied the step's LaTeX to the clipboard"), markup=False)

    def action_export(self) -> None:
        """The worked example from the current epoch (its starting parameters), with the
        current mistake, as Markdown in the working folder under a name not taken yet."""
        from bptui import export
        from bptui.tui.served import export_folder, offer_download

        c = self.cursor
        s = _starting_at(c.scenario, c.start_params)
        try:
            if getattr(s, "is_graph", False):  # a computational graph: bptui.graph.export
                from bptui.graph import export as graph_export

                text = graph_export.render(s, "markdown", 1, c.mistake)
            else:
                text = export.markdown(s, 1, c.mistake)
            if c.epoch > 1:
                text = _("> Exported from epoch {epoch}: the parameters below are those "
                         "epoch {epoch} starts from, and its steps are numbered as epoch 1.",
                         epoch=c.epoch) + "\n\n" + text
            folder, where = export_folder(self.app)  # served: a bounded per-session folder
            path = export.write(export.free_path(folder, c.scenario.name or "bptui-export"), text)
        except (BptuiError, OSError) as exc:
            self.notify(_("export failed: {error}", error=exc), severity="error", markup=False, timeout=10)
            return
        self.last_export = path
        offer_download(self.app, path)
        said = (_("wrote the worked example (epoch {epoch}, with the mistake {mistake}) as "
                  "Markdown to {path}", epoch=c.epoch, mistake=c.mistake, path=path)
                if c.mistake else
                _("wrote the worked example (epoch {epoch}) as Markdown to {path}",
                  epoch=c.epoch, path=path))
        self.notify(said + where, markup=False, timeout=8)

    def action_reload(self) -> None:
        """Read the scenario's file again; same shape: same step. A file that no longer loads
        shows its error and keeps the scenario on the screen."""
        s = self.file_scenario
        source = s.path.removesuffix(" (built-in)") if s.path else s.name
        try:
            new = scn.load(source)
        except BptuiError as exc:
            self.notify(_("reload failed, kept the scenario on the screen: {error}", error=exc),
                        severity="error", markup=False, timeout=12)
            return
        self.file_scenario = new
        same = new.shape == self.cursor.scenario.shape
        self._switch(self._with_settings(new), keep_place=same)
        self.notify(_("reloaded {source}", source=source) if same else
                    _("reloaded {source}: a new shape, back to the start", source=source),
                    markup=False)

    def action_toggle_graph(self) -> None:
        """A layered network as its computational graph (bptui.graph.convert), or back."""
        shown, file = self.cursor.scenario, self.file_scenario
        if getattr(shown, "is_graph", False):
            if getattr(file, "is_graph", False):
                self.notify(_("this scenario is a computational graph: it has no layered "
                              "view"),
                            markup=False)
                return
            self._switch(self._with_settings(file), keep_place=False)
            self.notify(_("the layered view"), markup=False)
            return
        from bptui.graph.convert import from_layered
        from bptui.visible import visible_scenario

        try:
            graph = visible_scenario(from_layered(shown))
        except BptuiError as exc:
            self.notify(str(exc), severity="error", markup=False, timeout=12)
            return
        self._switch(graph, keep_place=False)
        from bptui.graph.convert import shown_note

        note = shown_note(graph)  # one sample of several: which, and why
        self.notify(_("the computational graph view (toggle graph view: back)")
                    + (f". {note}" if note else ""), markup=False, timeout=12 if note else 5)

    def action_open_scenario(self) -> None:
        from bptui.tui.served import is_served

        serving = is_served(self.app)  # a viewer in a browser must not read the server's files
        names = ", ".join(scn.builtin_names())
        prompt = (_("Open a built-in scenario ({names})", names=names) if serving else
                  _("Open a scenario: a built-in ({names}) or a path to a .toml file",
                    names=names))

        def done(text: str | None) -> None:
            if not text:
                return
            if serving and text not in scn.builtin_names():
                self.notify(_("only built-in scenarios can be opened here"), severity="error",
                            markup=False)
                return
            try:
                new = scn.load(text)
            except BptuiError as exc:
                self.notify(str(exc), severity="error", markup=False, timeout=12)
                return
            self.file_scenario = new
            self.changed = {}
            self._switch(new, keep_place=False)
            self.notify(_("opened {title}", title=local(new.title, new.title_zh)), markup=False)

        self.app.push_screen(TextScreen(prompt), done)


class SettingsActions:
    """Change the learning rate, epochs or update mode for this session (never the file)."""

    changed: dict

    def _with_settings(self, s: scn.Scenario) -> scn.Scenario:
        return dataclasses.replace(s, **getattr(self, "changed", {}))

    def _apply_setting(self, **change) -> None:
        base = self.file_scenario
        self.changed = {**getattr(self, "changed", {}), **change}
        self.changed = {k: v for k, v in self.changed.items() if getattr(base, k) != v}
        self._switch(self._with_settings(base), keep_place=False)
        changes = self.changes_text()
        self.notify(_("started again from epoch 1 with {changes}", changes=changes) if changes
                    else _("started again from epoch 1 with the file's settings"), markup=False)

    def changes_text(self) -> str:
        """What differs from the file, for the status line ("" when nothing does)."""
        base = getattr(self, "file_scenario", None)
        parts = []
        for key, value in getattr(self, "changed", {}).items():
            word = {"learning_rate": "η"}.get(key, key)
            parts.append(f"{word} {getattr(base, key):g} → {value:g}" if isinstance(value, float)
                         else f"{word} {getattr(base, key)} → {value}")
        return ", ".join(parts)

    def action_set_learning_rate(self) -> None:
        def done(text: str | None) -> None:
            try:
                lr = float(text or "nan")
            except ValueError:
                lr = float("nan")
            if not lr > 0 or lr == float("inf"):
                self.notify(_("expected a positive number, such as 0.5"), severity="error",
                            markup=False)
                return
            self._apply_setting(learning_rate=lr)

        self.app.push_screen(TextScreen(
            _("Learning rate η (now {now}; the file says {file})",
              now=f"{self.cursor.scenario.learning_rate:g}",
              file=f"{self.file_scenario.learning_rate:g}")), done)

    def action_set_epochs(self) -> None:
        def done(n: int | None) -> None:
            if n is not None:
                self._apply_setting(epochs=n)

        self.app.push_screen(NumberScreen(N_("Number of epochs"), 1, 10_000_000), done)

    def action_set_mode(self) -> None:
        def done(text: str | None) -> None:
            if text not in MODES:
                if text:
                    self.notify(_("expected one of: {choices}", choices=", ".join(MODES)),
                                severity="error",
                                markup=False)
                return
            mode, reduction = MODES[text]
            self._apply_setting(mode=mode, reduction=reduction)

        s = self.cursor.scenario
        now = "sample" if s.mode == "sample" else f"batch {s.reduction}"
        self.app.push_screen(TextScreen(_("Update mode: {modes} (now {now})",
                                          modes=", ".join(MODES), now=now)), done)

    def action_save_settings(self) -> None:
        """The file's text with the changed settings, written to a new file in the working
        folder (never the opened file, never over an existing one)."""
        from bptui import export
        from bptui.tui.served import export_folder

        s = self.file_scenario
        if not getattr(self, "changed", {}):
            self.notify(_("nothing changed from the file: nothing to save"), markup=False)
            return
        source = s.path.removesuffix(" (built-in)") if s.path else s.name
        try:
            _path, text = scn.resolve(source)
            text = settings_text(text, self.changed)
            scn.parse(text, file="<changed>")
            folder, _where = export_folder(self.app)
            path = export.free_path(folder, (s.name or "scenario") + "-changed", ".toml")
            export.write(path, text)
        except (BptuiError, OSError) as exc:
            self.notify(_("saving failed: {error}", error=exc), severity="error", markup=False)
            return
        self.notify(_("saved the changed settings as a new scenario file: {path}", path=path),
                    markup=False,
                    timeout=8)


def settings_text(text: str, changed: dict) -> str:
    """The scenario text with the changed [training] keys written in (added if absent)."""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.strip() == "[training]"), None)
    if start is None:
        lines += ["", "[training]"]
        start = len(lines) - 1
    end = next((n for n in range(start + 1, len(lines)) if lines[n].lstrip().startswith("[")),
               len(lines))
    for key, value in changed.items():
        toml = f'"{value}"' if isinstance(value, str) else (
            repr(float(value)) if isinstance(value, float) else str(value))
        pattern = re.compile(rf"^\s*{key}\s*=")
        at = next((n for n in range(start + 1, end) if pattern.match(lines[n])), None)
        if at is None:
            lines.insert(start + 1, f"{key} = {toml}")
            end += 1
        else:
            lines[at] = f"{key} = {toml}"
    return "\n".join(lines)


def _starting_at(s: scn.Scenario, params) -> scn.Scenario:
    """The scenario with its starting weights and biases replaced by ``params`` (a graph:
    its leaves' values)."""
    if getattr(s, "is_graph", False):
        return dataclasses.replace(s, leaves={k: params.values[k] for k in s.leaves})
    from bptui.epochs import with_params

    return with_params(s, params)


def _mistake_misfits(s: scn.Scenario, mistake: str | None) -> bool:
    from bptui.tui.lab import mistake_registry

    registry = mistake_registry(s)
    return mistake is not None and (mistake not in registry
                                    or bool(registry[mistake].applies(s)))
