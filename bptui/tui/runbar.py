"""The run bar: what a run is doing and how far it has got, in the footer's line.

One widget drawing one line of text, not a label beside Textual's ProgressBar: the bar lies
under the footer on a layer of its own (MainScreen hides the footer during a run), and the
edges of a row of widgets under the footer cut its wide (Chinese) characters in two. Nothing
in it animates: it is redrawn when a run starts and as progress is posted.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from bptui.tui.text import cut

#: The bar's width in cells at most (and a space and the percentage after it); a quarter of
#: a narrower line, so that the label keeps its room.
BAR_CELLS = 30


def fit(label: str, room: int) -> str:
    """``label`` in ``room`` cells. Its parts are separated by two spaces (``epoch
    769/1000000  loss 2.08e-11  esc stops``): the middle ones give way to one "…" first, so
    that the first and the last (how to stop the run) stay whole; then the first is cut,
    with "…". Never cut silently."""
    if cell_len(label) <= room:
        return label
    parts = label.split("  ")
    while len(parts) > 2 and cell_len("  ".join(parts)) > room:
        middle = [p for p in parts[1:-1] if p != "…"]
        if not middle:
            break
        parts = [parts[0], *middle[:-1], "…", parts[-1]]
    return cut("  ".join(parts), room)


class RunBar(Widget):
    """``label`` on the left, a bar of ``done`` out of ``total`` on the right."""

    DEFAULT_CSS = "RunBar { height: 1; width: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.label = ""
        self.done = 0
        self.total = 1

    def show(self, label: str | None = None, done: int | None = None,
             total: int | None = None) -> None:
        """Change what the bar says (the parts given) and draw it again."""
        if label is not None:
            self.label = label
        if done is not None:
            self.done = done
        if total is not None:
            self.total = max(1, total)
        self.refresh()

    def bar(self, width: int) -> str:
        """The bar and its percentage for a line ``width`` cells wide, e.g. ``█████░░░░░
        50%``: full cells as far as the run has got, so that it reads without colour too."""
        cells = max(4, min(BAR_CELLS, width // 4))
        part = min(1.0, max(0.0, self.done / self.total))
        full = int(part * cells)  # never full, nor 100%, before the run is done
        return "█" * full + "░" * (cells - full) + f" {int(part * 100):3d}%"

    def render(self) -> Text:
        width = self.content_size.width
        bar = self.bar(width)
        room = max(0, width - cell_len(bar) - 1)
        label = fit(self.label, room)
        out = Text(no_wrap=True, end="")
        out.append(label)
        out.append(" " * (room - cell_len(label) + 1))
        out.append(bar, style="bold")
        return out
