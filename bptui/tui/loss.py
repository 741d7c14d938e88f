"""The loss plot: the loss after each epoch, the current epoch marked."""

from __future__ import annotations

from array import array
from typing import NamedTuple

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.visual import visualize
from textual.widgets import Static
from textual_plotext import PlotextPlot

from bptui.i18n import _
from bptui.losshistory import Prefix
from bptui.notation import fmt
from bptui.tui.view import View

MAX_POINTS = 400
#: Points drawn per column of the plot: a braille cell is two dots wide, so two points per
#: dot. More add nothing to the picture and cost plotext time (it draws each segment in
#: Python): 400 points take about 12 ms to build, 160 about 4, and the plot is redrawn when
#: a run ends and twice a second while it goes.
POINTS_PER_COLUMN = 4
#: Rows the plot needs to show a curve: its frame, tick labels and axis titles take four. In
#: fewer (the Loss tab at 60x18) plotext drew an empty frame with its ticks upside down, so
#: a sparkline stands in for it (:func:`sparkline`).
PLOT_MIN_ROWS = 7
#: A sparkline's heights, low to high.
BARS = "▁▂▃▄▅▆▇█"


class Spark(NamedTuple):
    """What a sparkline draws: the plotted points (``y`` as plotted: log10 on a log scale),
    the tick labels of the plot's y axis, and the epoch marked (None: none)."""

    x: np.ndarray
    y: np.ndarray
    high: str
    low: str
    log: bool
    epoch: int | None
    word: str


def sparkline(spark: Spark, width: int, height: int) -> Text:
    """The curve in one line of bars as wide as the plot (the current epoch's bar reversed)
    and, with a second row, its epochs and range: ``epochs 0–500, loss 1e6 … 1e-6``."""
    cols = max(1, width)
    pick = (np.linspace(0, len(spark.y) - 1, cols).round().astype(int)
            if len(spark.y) > cols else np.arange(len(spark.y)))
    xs, ys = spark.x[pick], spark.y[pick]
    lo, hi = float(ys.min()), float(ys.max())
    levels = (np.zeros(len(ys), dtype=int) if hi == lo
              else np.round((ys - lo) / (hi - lo) * (len(BARS) - 1)).astype(int))
    out = Text("".join(BARS[k] for k in levels), no_wrap=True, overflow="ellipsis", end="")
    if spark.epoch is not None:
        j = int(np.argmin(np.abs(xs - spark.epoch)))
        out.stylize("reverse", j, j + 1)
    if height >= 2:
        words = dict(first=int(spark.x[0]), last=int(spark.x[-1]), word=spark.word,
                     high=spark.high, low=spark.low)
        out.append("\n" + (_("epochs {first}–{last}, {word} {high} … {low} (log scale)", **words)
                           if spark.log else _("epochs {first}–{last}, {word} {high} … {low}",
                                               **words)))
    return out


class LossPlot(PlotextPlot):
    """The plot, blank until there are two epochs to draw: blank rather than hidden, so
    that its first drawing (at the end of a run) changes no size on the screen (showing a
    hidden widget lays the screen out twice). Too short for a curve, a sparkline."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.blank = True
        self.spark: Spark | None = None

    def show_plot(self, shown: bool) -> None:
        if self.blank == shown:
            self.blank = not shown
            self.refresh()

    def render(self):
        if self.blank:
            return Text("")
        if self.spark is not None and self.size.height < PLOT_MIN_ROWS:
            return sparkline(self.spark, self.size.width, self.size.height)
        return super().render()


class LossPanel(Vertical):
    """Shows a hint until two epochs' losses exist, then the plot."""

    #: The caption's fewest rows: as many as its form before the plot takes in a narrow
    #: panel, so that the plot's first appearance (at the end of a run) changes no size.
    CAPTION_ROWS = 3
    DEFAULT_CSS = f"""
    LossPanel > Static {{ height: auto; min-height: {CAPTION_ROWS}; }}
    LossPanel > LossPlot {{ height: 1fr; }}
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = _("Loss")
        self._key: tuple | None = None
        self.caption = ""

    def relabel(self) -> None:
        """The title again, in the language now in force."""
        self.border_title = _("Loss")
        self._key = None

    def compose(self) -> ComposeResult:
        yield Static("", id="loss-caption", markup=False)
        yield LossPlot(id="loss-plot")

    @staticmethod
    def _args(view: View) -> dict:
        """What :meth:`plot` shows of ``view``: only completed epochs (the current epoch's
        loss appears on its last sub-step)."""
        return dict(losses=view.shown_losses, epoch=view.epoch, initial=view.initial_loss,
                    diverged_at=view.diverged_at, outputs=view.outputs,
                    names=view.scenario.layers[-1].names if view.scenario.layers else (),
                    mask=view.hidden and view.event.kind == "loss",
                    correct=view.correct_losses, mistake=view.mistake,
                    word=(_("output {name}", name=view.scenario.output)
                          if getattr(view.scenario, "is_graph", False) else _("loss")),
                    epochs=view.last_epoch)

    def show(self, view: View) -> None:
        self.plot(**self._args(view))

    def prepare(self, view: View) -> None:
        """The caption ``view`` will show, measured ahead of its key press: a taller one
        takes its room now, between key presses (see :meth:`bptui.tui.panel.Body.prepare`)."""
        caption = self.query_one("#loss-caption", Static)
        if caption.size.width and self.display:
            self._set_caption(caption, caption_text(**self._args(view)), ahead=True)

    def _set_caption(self, caption: Static, text: str, ahead: bool = False) -> None:
        """Show ``text``, laying the panel out again only if the caption's height changes
        (the caption changes once per epoch, and a relayout costs that key press a second
        frame); ``ahead``: only make room now for a taller caption to come."""
        width, height = caption.content_size
        if not width:
            if not ahead:
                caption.update(Text(text))
            return
        rows = max(self.CAPTION_ROWS,
                   visualize(caption, Text(text)).get_height(caption.styles, width))
        if ahead:
            if rows > height:
                caption.styles.min_height = rows + caption.styles.gutter.height
            return
        if rows != height:
            caption.styles.min_height = None  # the stylesheet's again
        caption.update(Text(text), layout=rows != height)

    def plot(self, losses, epoch: int, initial: float, diverged_at: int | None,
             running: bool = False, outputs: tuple = (), names: tuple = (),
             mask: bool = False, correct: tuple = (), mistake: str | None = None,
             word: str = "loss", epochs: int = 2) -> None:
        """``mask``: a loss is the open quiz question, so the caption's numbers are hidden
        (the loss before an epoch is that epoch's error when there is one sample).
        ``correct``: with a mistake on, correct backprop's losses, drawn beside the buggy ones."""
        key = (len(losses), losses[-1] if losses else None, epoch, diverged_at, running, outputs,
               mask, len(correct), mistake, word, epochs)
        if key == self._key:
            return
        self._key = key
        caption = self.query_one("#loss-caption", Static)
        done = len(losses)
        self.caption = caption_text(losses, epoch, initial, diverged_at, running, outputs,
                                    names, mask, correct, mistake, word, epochs)
        self._set_caption(caption, self.caption)
        widget = self.query_one(LossPlot)
        widget.show_plot(done >= 2)
        if done < 2:
            return
        both = bool(mistake) and len(correct) == done
        y = _series(initial, losses)
        y2 = _series(initial, correct) if both else None
        x = np.arange(len(y))
        # the plot is as wide as the panel's inside (it is not laid out yet when first shown)
        columns = widget.size.width or self.content_size.width
        most = min(MAX_POINTS, POINTS_PER_COLUMN * columns or MAX_POINTS)
        if len(y) > most:
            pick = np.linspace(0, len(y) - 1, most).astype(int)
            # sorted already: drop repeats without np.unique, whose first call imports
            # numpy.ma (tens of milliseconds at the end of the first long run)
            pick = pick[np.concatenate(([True], pick[1:] != pick[:-1]))]
            x, y = x[pick], y[pick]
            y2 = None if y2 is None else y2[pick]
        finite = np.isfinite(y) if y2 is None else np.isfinite(y) & np.isfinite(y2)
        x, y = x[finite], y[finite]
        y2 = None if y2 is None else y2[finite]
        plt = widget.plt
        plt.clear_figure()
        every = y if y2 is None else np.concatenate([y, y2])
        positive = every[every > 0]
        if positive.size and positive.max() / positive.min() > 100:
            # a log scale done here (plotext's own fails on a loss of exactly 0)
            low = float(positive.min())
            ly = shown = np.log10(np.maximum(y, low))
            plt.plot(x.tolist(), ly.tolist(), marker="braille")
            if y2 is not None:
                ly2 = np.log10(np.maximum(y2, low))
                plt.plot(x.tolist(), ly2.tolist(), marker="dot")
                ly = np.concatenate([ly, ly2])
            top, bottom = int(np.ceil(ly.max())), int(np.floor(ly.min()))
            step = max(1, int(np.ceil((top - bottom) / 4)))
            exps = list(range(bottom, top + 1, step))
            plt.yticks(exps, [f"1e{k}" for k in exps])
            plt.ylabel(_("log scale"))
            log, top_label, bottom_label = True, f"1e{top}", f"1e{bottom}"
        elif len(y):
            plt.plot(x.tolist(), y.tolist(), marker="braille")
            if y2 is not None:
                plt.plot(x.tolist(), y2.tolist(), marker="dot")
            lo, hi = float(every.min()), float(every.max())
            ticks = [lo + (hi - lo) * f for f in (0, 0.5, 1)] if hi > lo else [lo]
            plt.yticks(ticks, [fmt(t, 4) for t in ticks])
            shown, log, top_label, bottom_label = y, False, fmt(hi, 4), fmt(lo, 4)
        last = int(x[-1]) if len(x) else 1
        marked = epoch if not running and 0 < epoch <= last else None
        widget.spark = (Spark(x, shown, top_label, bottom_label, log, marked, word)
                        if len(y) else None)
        ticks = sorted({0, last, *(int(round(last * f)) for f in (0.25, 0.5, 0.75))})
        plt.xticks(ticks, [str(t) for t in ticks])
        if marked is not None:
            plt.vline(epoch)  # the loss the current epoch arrives at
        plt.xlabel(_("epoch"))
        widget.refresh()


def caption_text(losses, epoch: int, initial: float, diverged_at: int | None,
                 running: bool = False, outputs: tuple = (), names: tuple = (),
                 mask: bool = False, correct: tuple = (), mistake: str | None = None,
                 word: str = "loss", epochs: int = 2) -> str:
    """The words above the plot (see :meth:`LossPanel.plot` for the arguments; ``epochs``:
    how many the scenario has, the screen's cap included)."""
    done = len(losses)
    tail = _outputs_text(outputs, names, done)
    show = (lambda x: _("? (quiz)")) if mask else fmt
    if done < 2:
        # a scenario of one epoch (a graph worked once) has no plot to promise
        hint = ("\n" + _("The plot appears once more than one epoch has run (r runs them).")
                if epochs > 1 else "")
        return (_("{word} before training {before}, after epoch 1 {after}.", word=word,
                  before=show(initial), after=show(losses[0])) if losses else _(
            "{word} before training {before}.", word=word, before=show(initial))) + hint + tail
    now = _("running") if running else _("now in epoch {epoch}", epoch=epoch)
    text = _("after epoch {done}: {loss} ({now})", done=done, loss=show(losses[-1]), now=now)
    if diverged_at:
        text = _("after epoch {done}: {loss} ({now}); diverged at epoch {epoch}",
                 done=done, loss=show(losses[-1]), now=now, epoch=diverged_at)
    if bool(mistake) and len(correct) == done:
        text += "\n" + _("⣿ {mistake}   • correct: {loss}", mistake=mistake,
                         loss=show(correct[-1]))
    return text + tail


def _outputs_text(outputs: tuple, names: tuple, epoch: int) -> str:
    """``outputs after epoch N`` for a small net, one line per sample ("" if none)."""
    if not outputs or epoch < 1:
        return ""
    lines = ["\n" + _("outputs after epoch {epoch}:", epoch=epoch)]
    for k, row in enumerate(outputs, start=1):
        head = f"  {k}: " if len(outputs) > 1 else "  "
        lines.append(head + "  ".join(f"{n} {fmt(v)}" for n, v in zip(names, row, strict=False)))
    return "\n".join(lines)


def _series(initial: float, losses) -> np.ndarray:
    """The loss before training then after each epoch, as one float64 array (a history's
    :class:`~bptui.losshistory.Prefix` is copied in C, not unpacked value by value)."""
    values = losses.array() if isinstance(losses, Prefix) else losses
    out = np.empty(len(values) + 1, dtype=np.float64)
    out[0] = initial
    out[1:] = np.frombuffer(values, dtype=np.float64) if isinstance(values, array) else values
    return out
