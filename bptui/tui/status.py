"""The status line: scenario, epoch, sample, phase and sub-step."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from bptui.cursor import MAX_EPOCHS
from bptui.i18n import N_, _, local
from bptui.quiz import Score
from bptui.tui.panel import LineStrips
from bptui.tui.text import cut
from bptui.tui.view import View

#: the phases as the status line names them (the events keep the English word)
PHASE_WORDS = {"forward": N_("forward"), "loss": N_("loss"), "backward": N_("backward"),
               "update": N_("update")}


def score_line(score: tuple[int, int, int]) -> str:
    """The quiz score in the one wording used everywhere (status line, summaries, quit)."""
    return Score(*score).line()


class StatusBar(LineStrips):
    DEFAULT_CSS = """
    StatusBar { height: 1; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.view: View | None = None
        self.run_text = ""
        self.changes = ""  # the settings changed in the app, against the file

    def show(self, view: View) -> None:
        self.view = view
        self.refresh()

    def prepare(self, view: View) -> None:
        """Turn the line ``view`` will show into a strip ahead of its key press (see
        :meth:`bptui.tui.panel.Body.prepare`)."""
        if self.view is not None and self.size.width:
            self._prepare_strips(self.line(view))

    def running(self, text: str) -> None:
        self.run_text = text
        self.refresh()

    def parts(self, view: View | None = None) -> list[str]:
        v = self.view if view is None else view
        if v is None:
            return []
        s = v.scenario
        k = v.event.sample
        if getattr(s, "is_graph", False):
            sample = _("graph, output {output}", output=s.output)
        else:
            sample = _("sample {k} of {n}", k=k, n=s.samples) if k is not None \
                else _("all {n} samples", n=s.samples)
        parts = [
            # the screen's own end: a file's 10^23 epochs end at MAX_EPOCHS here (said on opening)
            _("epoch {epoch} of {epochs}", epoch=v.epoch, epochs=min(s.epochs, MAX_EPOCHS)),
            sample,
            _(PHASE_WORDS[v.event.phase]),
            _("step {step} of {steps}", step=v.index + 1, steps=v.steps),
        ]
        if v.mistake:
            parts.append(_("mistake: {name}", name=v.mistake))
        if v.diverged_at is not None:
            parts.append(_("diverged at epoch {epoch}", epoch=v.diverged_at))
        if v.learner is not None:
            parts.append(v.learner.count_text)
        if self.changes:
            parts.append(_("changed: {changes}", changes=self.changes))
        if self.run_text:
            parts.append(self.run_text)
        if v.quiz is not None:
            parts.append(score_line(v.quiz))
        return parts

    def _fit(self, parts: list[str], v: View) -> list[str]:
        """Fewer words when the line would not fit: "sample 1 of 1" goes first, then the
        phase; the epoch, the step and the quiz score (one wording everywhere) stay."""
        if v is None or not self.size.width:
            return parts

        def fits(parts: list[str], title: str | None = None) -> bool:
            title = self.title(v)[:12] if title is None else title
            return cell_len(" │ ".join([title, *parts])) + 3 <= self.size.width

        # "sample 1 of 1" says nothing a learner needs: it goes before the title is cut
        if not fits(parts, self.title(v)):
            parts = [p for p in parts if p != _("sample {k} of {n}", k=1, n=1)]
        if not fits(parts):  # then the phase, before the title is cut below 12 columns
            parts = [p for p in parts if p != _(PHASE_WORDS[v.event.phase])]
        if v.quiz is not None and not fits(parts):  # the score (the last part) in fewer words
            score = Score(*v.quiz)
            for shorter in (score.short(), score.shortest()):
                parts = [*parts[:-1], shorter]
                if fits(parts):
                    break
        return parts

    @property
    def plain(self) -> str:
        if self.view is None:
            return ""
        return " │ ".join([self.title(), *self.parts()])

    def title(self, view: View | None = None) -> str:
        """The scenario's title in the learner's language (its title_zh in Chinese)."""
        v = self.view if view is None else view
        s = v.scenario if v is not None else None
        return local(s.title, getattr(s, "title_zh", "")) if s is not None else ""

    def render(self) -> Text:
        return self.line(self.view)

    def line(self, view: View | None) -> Text:
        """The status line showing ``view``."""
        if view is None:
            return Text("")
        rest = " │ " + " │ ".join(self._fit(self.parts(view), view))
        if self.size.width and cell_len(rest) > self.size.width - 5:
            rest = cut(rest, self.size.width - 5)  # said to be cut, never cut silently
        title = cut(self.title(view), max(4, self.size.width - cell_len(rest) - 1))
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        out.append(" " + title, style="bold")
        out.append(rest)
        return out
