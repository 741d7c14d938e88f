"""The status line: scenario, epoch, sample, phase and sub-step."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from bptui.quiz import Score
from bptui.tui.view import View


def score_line(score: tuple[int, int, int]) -> str:
    """The quiz score in the one wording used everywhere (status line, summaries, quit)."""
    return Score(*score).line()


class StatusBar(Widget):
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

    def running(self, text: str) -> None:
        self.run_text = text
        self.refresh()

    def parts(self) -> list[str]:
        v = self.view
        if v is None:
            return []
        s = v.scenario
        k = v.event.sample
        if getattr(s, "is_graph", False):
            sample = f"graph, output {s.output}"
        else:
            sample = (f"sample {k} of {s.samples}" if k is not None
                      else f"all {s.samples} samples")
        parts = [
            f"epoch {v.epoch} of {s.epochs}",
            sample,
            v.event.phase,
            f"step {v.index + 1} of {v.steps}",
        ]
        if v.mistake:
            parts.append(f"mistake: {v.mistake}")
        if v.diverged_at is not None:
            parts.append(f"diverged at epoch {v.diverged_at}")
        if v.learner is not None:
            parts.append(v.learner.count_text)
        if self.changes:
            parts.append(f"changed: {self.changes}")
        if self.run_text:
            parts.append(self.run_text)
        if v.quiz is not None:
            parts.append(score_line(v.quiz))
        return parts

    def _fit(self, parts: list[str]) -> list[str]:
        """Fewer words when the line would not fit: "sample 1 of 1" goes first, then the
        phase; the epoch, the step and the quiz score (one wording everywhere) stay."""
        v = self.view
        if v is None or not self.size.width:
            return parts
        for drop in ("sample 1 of 1", v.event.phase):
            if len(" │ ".join([v.scenario.title[:12], *parts])) + 3 <= self.size.width:
                break
            parts = [p for p in parts if p != drop]
        return parts

    @property
    def plain(self) -> str:
        if self.view is None:
            return ""
        return " │ ".join([self.view.scenario.title, *self.parts()])

    def render(self) -> Text:
        if self.view is None:
            return Text("")
        rest = " │ " + " │ ".join(self._fit(self.parts()))
        room = max(4, self.size.width - len(rest) - 1)
        title = self.view.scenario.title
        if len(title) > room:
            title = title[: room - 1] + "…"
        out = Text(no_wrap=True, overflow="ellipsis", end="")
        out.append(" " + title, style="bold")
        out.append(rest)
        return out
