"""A learner's own numbers on the screen (issue 15, ``--compare FILE --screen``).

The file is marked once by :func:`bptui.compare.check_file` (the same marks as the report);
each View then carries the marks of the epoch the cursor is in
(:func:`bptui.marking.marks_for_epoch`), so the marks follow the learner across epochs. The
Values panel puts ✓ ✗ → and the learner's number beside each value they gave; the Equation panel
shows a marked step's rule with the correct numbers and with the learner's
(:func:`bptui.diagnosis.both_rules`); the status line counts the marks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bptui.compare import SIGNS, Result
from bptui.i18n import _
from bptui.marking import Mark, marks_for_epoch
from bptui.visible import visible

Key = tuple  # (sample, ASCII symbol), as marks_for_epoch keys them


@dataclass(frozen=True)
class LearnerMarks:
    """One learner's file as the panels see it in one epoch."""

    file: str
    marks: Mapping[Key, str]  # right, wrong or carried_forward
    given: Mapping[Key, Mark] = field(default_factory=dict)  # their number and their inputs
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # right, wrong, carried, unknown (file)
    eta: float = 0.0

    def sign(self, sample: int | None, symbol: str) -> str | None:
        mark = self.marks.get((sample, symbol))
        return None if mark is None else SIGNS[mark]

    @property
    def count_text(self) -> str:
        right, wrong, carried, unknown = self.counts
        return _("yours: {right} ✓ {wrong} ✗ {carried} → {unknown} ?", right=right, wrong=wrong,
                 carried=carried, unknown=unknown)


def for_epoch(result: Result, epoch: int) -> LearnerMarks:
    mk = result.marking
    return LearnerMarks(
        file=result.file,
        marks=marks_for_epoch(mk, epoch),
        given={(m.sample, m.symbol): m for m in mk.marks
               if m.epoch == epoch and m.event is not None},
        counts=(mk.count("right"), mk.count("wrong"), mk.count("carried_forward"),
                mk.count("unknown")),
        eta=mk.scenario.learning_rate,
    )


def _line(text: object) -> str:
    """A file name or a file's error as one visible line (no escape code from the file)."""
    return visible(str(text), keep_newlines=False)


class LearnerActions:
    """Load, unload and jump to the first wrong value (a mixin of MainScreen)."""

    learner: Result | None = None

    def learner_view(self, epoch: int) -> LearnerMarks | None:
        return None if self.learner is None else for_epoch(self.learner, epoch)

    def load_learner(self, path: str) -> bool:
        """Mark ``path`` against the scenario on the screen; its one-line error as a notice
        (nothing changes) when it cannot be read."""
        from bptui.compare import check_file
        from bptui.errors import BptuiError

        try:
            result = check_file(self.cursor.scenario, path)
        except (BptuiError, OSError, ValueError) as exc:
            self.notify(_("could not load the learner's file: {error}", error=_line(exc)),
                        severity="error",
                        markup=False, timeout=12)
            return False
        self.learner = result
        self.push_view()
        mk = result.marking
        said = dict(path=_line(path), n=len(mk.marks), wrong=mk.count("wrong"))
        self.notify(_("loaded {path}: {n} values, {wrong} wrong (J jumps to the first)", **said)
                    if mk.first_wrong else _("loaded {path}: {n} values, {wrong} wrong", **said),
                    markup=False)
        return True

    def action_load_learner(self) -> None:
        from bptui.tui.screens import TextScreen
        from bptui.tui.served import is_served

        if is_served(self.app) or getattr(self.app, "serving", False):
            self.notify(_("a learner's file cannot be loaded here: the screen is served, and a "
                          "viewer must not read the server's files"), severity="error",
                        markup=False, timeout=10)
            return

        def done(text: str | None) -> None:
            if text:
                self.load_learner(text)

        self.app.push_screen(TextScreen(_("Load a learner's file (JSON Lines or CSV): its "
                                          "path")), done)

    def action_unload_learner(self) -> None:
        if self.learner is not None:
            self.learner = None
            self.push_view()
            self.notify(_("unloaded the learner's file"), markup=False)

    def action_first_wrong(self) -> None:
        """Go to the step of the learner's first wrong value."""
        first = None if self.learner is None else self.learner.marking.first_wrong
        if first is None or first.event is None:
            self.notify(_("no wrong value in the learner's file"), markup=False)
            return

        def there() -> None:
            self._reach(first.epoch)
            for n, ev in enumerate(self.cursor.events):
                if ev.sample == first.sample and ev.symbol == first.symbol:
                    self.cursor.goto(first.epoch, n)
                    return

        self._move(there, back=True)

    def learner_follows(self) -> None:
        """After the scenario on the screen changed (reload, settings, another scenario): mark
        the same file again against it, or unload it when it no longer fits."""
        if self.learner is None:
            return
        path, self.learner = self.learner.file, None
        from bptui.compare import check_file
        from bptui.errors import BptuiError

        try:
            self.learner = check_file(self.cursor.scenario, path)
        except (BptuiError, OSError, ValueError) as exc:
            self.notify(_("unloaded the learner's file: {error}", error=_line(exc)),
                        severity="warning",
                        markup=False, timeout=10)
