"""The frame every panel shares: a bordered scroll box around a body that renders a View."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import zip_longest

from rich.cells import cell_len
from rich.text import Text
from textual.containers import VerticalScroll
from textual.css.scalar import Unit
from textual.events import Click, Resize
from textual.geometry import Region
from textual.message import Message
from textual.visual import Visual, visualize
from textual.widget import Widget, _RenderCache

from bptui.i18n import N_, _
from bptui.tui.keys import bindings
from bptui.tui.view import View

NUMBER = re.compile(r"(?<![\w⁺])[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?(?![\w])")


def _widest(lines: list[str]) -> int:
    return max((cell_len(line) for line in lines), default=0)


def _changed_lines(before: Text, after: Text, old: list[str], new: list[str]) -> set[int]:
    """The lines whose characters or styles differ between two texts (a line only one of them
    has differs): their plain lines compared, and the lines each style span found in only one
    of them covers (cheaper than splitting both rich Texts into lines)."""
    changed = {y for y, (a, b) in enumerate(zip_longest(old, new)) if a != b}
    for text, lines, other in ((before, old, after), (after, new, before)):
        spans = set(text.spans) - set(other.spans)
        if not spans:
            continue
        starts = [0]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        for span in spans:
            first = bisect_right(starts, span.start) - 1
            last = bisect_right(starts, max(span.start, span.end - 1)) - 1
            changed.update(range(first, last + 1))
    return changed


#: What taking a View changed in a body: nothing, some lines (repainted where they are), or
#: its size (a relayout, and only then does the box scroll to ▶ after the screen is laid out).
Change = str
SAME: Change = "same"
LINES: Change = "lines"
LAYOUT: Change = "layout"


def shown(widget: Widget) -> bool:
    """Whether ``widget`` and every container around it is displayed."""
    node = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


class LineStrips(Widget):
    """A widget whose text is turned into the screen's lines one line at a time, reusing the
    lines that did not change (Textual's own turns every line of a widget into strips again
    whenever any of it changed: a step changes two lines of the values, and the other forty
    were converted again at every key press), and whose next text's new lines can be turned
    into strips ahead of time (:meth:`_prepare_strips`, while the learner reads a step)."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self._line_strips: dict[object, object] = {}  # a line's text -> its strip
        self._strips_ahead: dict[object, object] = {}  # _prepare_strips: new lines' strips
        self._split_ahead: tuple = (None, [])  # _prepare_strips: (its text, its lines)
        self._placed: dict[tuple, object] = {}  # (line, y) -> its strip drawn at y

    def _prepare_strips(self, text: Text) -> None:
        """Turn the lines of ``text`` (the next step's) that are not on the screen now into
        strips, for :meth:`_render_content` to find them ready."""
        if self._whole_body():
            return
        style, width = self.visual_style, self.size.width
        known = self._line_strips if self._line_strips.get(None) == (width, style) else {}
        ahead: dict[object, object] = {None: (width, style)}
        lines = self._lines_of(text)
        self._split_ahead = (text, lines)
        for key, line in lines[:self.size.height]:
            if key not in known:
                ahead[key] = self._strip(line, width, style)
        self._strips_ahead = ahead

    def _whole_body(self) -> bool:
        """Whether the text takes Textual's whole-body rendering: a mouse selection (its
        offsets span lines) or content aligned other than top left."""
        return self.text_selection is not None or self.styles.content_align != ("left", "top")

    @staticmethod
    def _lines_of(text: Text) -> list[tuple[tuple, Text]]:
        """The lines of ``text``, each with what its strip is known by (its characters,
        styles and base style)."""
        return [((line.plain, tuple(line.spans), line.style), line)
                for line in text.split("\n", allow_blank=True)]

    def _render_content(self) -> None:
        """Turn the text into the screen's lines, one line at a time, reusing the lines that
        did not change since the last time or were prepared. Each line is rendered by
        Textual's own :meth:`Visual.to_strips`, so it looks exactly as before; a mouse
        selection of text, whose offsets span lines, takes Textual's whole-body path."""
        width, height = self.size
        if self._whole_body():
            self._line_strips, self._placed = {}, {}
            super()._render_content()
            return
        style = self.visual_style
        if self._line_strips.get(None) != (width, style):  # every line depends on both
            self._line_strips, self._placed = {None: (width, style)}, {}
        old, new = self._line_strips, {None: (width, style)}
        ahead = self._strips_ahead if self._strips_ahead.get(None) == (width, style) else {}
        placed, now = self._placed, {}
        strips = []  # below the text, Widget.render_line draws blank lines, as before
        text = self.render()
        lines = self._split_ahead[1] if text is self._split_ahead[0] else self._lines_of(text)
        for y, (key, line) in enumerate(lines[:height]):
            strip = old.get(key)
            if strip is None:
                strip = ahead.get(key)
                if strip is None:
                    strip = self._strip(line, width, style)
            new[key] = strip
            # each segment's style says where it is drawn (x, y), as mouse events read it:
            # rendered alone, a line was drawn at y = 0
            at = placed.get((key, y)) if y else strip
            if at is None:
                at = strip.apply_offsets(0, y)
            now[key, y] = at
            strips.append(at)
        self._line_strips, self._placed = new, now
        self._render_cache = _RenderCache(self.size, strips)
        self._dirty_regions.clear()

    def _strip(self, line: Text, width: int, style) -> object:
        """One line of text as the screen draws it, by Textual's own rendering."""
        return Visual.to_strips(self, visualize(self, line, markup=False), width, 1, style)[0]


class Body(LineStrips):
    """Renders one View as plain rich Text; subclasses implement :meth:`build`."""

    DEFAULT_CSS = """
    Body { height: auto; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.view: View | None = None
        self.text = Text("")
        self._built_for: tuple[int, int] | None = None
        self.refs: list[object | None] = []  # per line: what it shows, for picking (or None)
        self.selected: int | None = None  # the picked line, drawn underlined and marked »
        self._kept: dict[int, tuple[int, int]] = {}  # KEEP_SIZE: width -> (lines, widest)
        self._kept_for: object = None  # the scenario those sizes are of
        self._stale = False  # a View came while hidden
        self._ahead: tuple | None = None  # prepare(): (view, width, text, what BUILT)

    def show(self, view: View) -> Change:
        """Take a new View and say what changed (:data:`SAME`, :data:`LINES` or
        :data:`LAYOUT`). Repaint only the changed lines, and relayout only if the body's size
        changed (its height, see :attr:`FILL` and :attr:`KEEP_SIZE`, or the width of a body
        as wide as its text): a relayout costs the whole screen a second frame at that key
        press (the panels around it are resized, the drawn network laid out again).
        A hidden body (another tab, the closed gradient check) only keeps the View: it is
        built when shown, and a refresh here would cost every key press a layout pass."""
        before = self.text
        visible = shown(self)  # first: the size of a hidden widget costs a full layout map
        width = self.build_width() if visible else 0
        size = self._layout_size(before) if width and self.view is not None else None
        drawn_for = self._built_for[1] if self._built_for else None  # the width before was
        self.view = view
        self._built_for = None
        if not visible:
            self._stale = True  # drawn again when shown (on_show)
            return SAME
        if size is None:
            self.refresh(layout=True)
            return LAYOUT
        after = self._text_for(width)
        if after == before:  # the same characters and styles (rich Text compares both)
            return SAME
        if self._layout_size(after) != size:
            self.refresh(layout=True)
            return LAYOUT
        if drawn_for != max(10, width):  # the text before was built for another width
            self.refresh()
            return LINES
        old, new = before.plain.split("\n"), after.plain.split("\n")
        # repaint only the lines that changed (a step moves ▶ and adds a value)
        self.refresh(*[Region(0, y, width, 1) for y in _changed_lines(before, after, old, new)])
        return LINES

    def prepare(self, view: View) -> None:
        """Build the text of ``view``, the step the learner is likely to go to next, while
        they read this one: its key press then finds the text built and its new lines turned
        into strips, and only repaints them. A size the prepared text needs (see
        :attr:`KEEP_SIZE`) is laid out now, between key presses, rather than cost the press
        a second frame (the box grows by a blank line one step early)."""
        if not self.PREPARE or self.view is None or not self.size.width or not shown(self):
            return
        width = max(10, self.build_width())
        size = self._layout_size(self._text_for(width))
        now = {name: getattr(self, name) for name in self.BUILT}
        text = self.build(view, width)
        # what building wrote is the next step's: kept for it, the shown step's put back
        # (the values' refs said what the next step's lines would be while the learner
        # picked among this step's)
        self._ahead = (view, width, text, {name: getattr(self, name) for name in self.BUILT})
        for name, value in now.items():
            setattr(self, name, value)
        self._keep(text, width)
        if self._layout_size(self.text) != size:
            self.refresh(layout=True)
        self._prepare_strips(text)

    def on_show(self) -> None:
        """Shown again (a tab, the gradient check, a wide screen after a small one): a View
        that came while hidden is drawn now (Textual would show its old lines otherwise)."""
        if self._stale:
            self._stale = False
            self._built_for = None
            self.refresh(layout=True)

    def height_ahead(self) -> int | None:
        """The height the next layout gives this body, known before it is laid out (from
        the text it shows, built for the box's width), or None before it has room."""
        width = self.build_width()
        if not width or self.view is None:
            return None
        return self._layout_size(self._text_for(width))[0]

    def _layout_size(self, text: Text) -> tuple[int, int | None]:
        """The size the screen's layout gives this body showing ``text``: its height, and
        its width where that follows the text (``width: auto`` in the stylesheet; never
        narrower than the box: ``min-width: 100%``)."""
        plain, width = text.plain, self.build_width()  # for such a body: the box's width
        height = self._height_for(plain.count("\n") + 1, self._room(), width)
        if not self._sized_by_text():
            return height, None  # the box decides
        return height, max(width, _widest(plain.split("\n")), self._kept_widest(width))

    def build_width(self) -> int:
        """The width the text is built for: what the box shows. A body as wide as its text
        (``width: auto``) is laid out wider than its box when a line is long, and a scroll
        bar takes a column of the box: built for its own width, the values' numbers were
        written longer than the box shows, and cut."""
        box = self.parent
        if self._sized_by_text() and isinstance(box, Widget) and box.size.width:
            return box.scrollable_content_region.width
        return self.size.width

    def build(self, view: View, width: int) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    #: Whether the body is as tall as its box's visible height when its text is shorter,
    #: and past it grows in steps of :data:`GROW_BY` lines: a body that gains a line at every
    #: step (the values) would otherwise change its size, and so the screen's layout, at every
    #: key press: a second frame, and a press took 30% longer. Below the text the box is blank
    #: either way, no scroll bar appears that the text does not need, and the highlighted
    #: line is kept in view (a few blank lines may follow it when scrolled to the end). The
    #: height is worked out when the screen is laid out (:meth:`get_content_height`), from
    #: the room the box has then: never from a room a resize has since changed.
    FILL = False
    GROW_BY = 8
    #: Whether the body keeps the size of its largest text so far (its most lines at each
    #: width, its widest line; for this scenario): the equation's rows wrap to a different
    #: number of lines from step to step, and the values start again at each epoch; at each
    #: change of size the screen was laid out twice (a second frame, 16 ms later) and the
    #: panels below the equation moved. A smaller text leaves blank room instead (for the
    #: values, the scroll bar shows how long an epoch's list gets).
    KEEP_SIZE = False
    #: Whether the box, when its ▶ line leaves the view, scrolls a quarter of a box at once
    #: rather than the least distance: a list the steps walk down (the values) then scrolls
    #: once every few key presses instead of at every one (a scroll repaints the whole box
    #: and its scroll bar), and the eye keeps its place in between. Three quarters of the box
    #: still show the values before ▶.
    RECENTRE = False
    #: Whether the body builds a step's text ahead (:meth:`prepare`): not one whose text
    #: comes from more than its View (the gradient check's report).
    PREPARE = True
    #: What :meth:`build` writes besides the text that is read after it (what each line
    #: shows, for picking): kept with a text built ahead, and only then put in place.
    BUILT: tuple[str, ...] = ("refs",)

    def _most_shown(self) -> int:
        """The most lines the box around this body shows (its ``max-height`` less its
        border), or a very large number if the stylesheet sets none."""
        box = self.parent
        most = box.styles.max_height if isinstance(box, Widget) else None
        if most is None or most.unit != Unit.CELLS:
            return 1 << 30
        return max(1, int(most.value) - box.styles.gutter.height)

    def _room(self) -> int:
        """The height of the box this body scrolls in (0 when not laid out yet)."""
        box = self.parent
        return box.scrollable_content_region.height if isinstance(box, Widget) else 0

    def expected_lines(self, lines: int) -> int:
        """How many lines the text showing the current View will have by the end of its
        epoch, as far as the body can tell (a :attr:`FILL` body is that tall from the
        start, so that it does not grow step by step)."""
        return lines

    def _height_for(self, lines: int, room: int, width: int) -> int:
        if self.FILL and self.view is not None:
            lines = self.expected_lines(lines)
        if self.KEEP_SIZE:  # never past what the box shows without a scroll bar
            lines = max(lines, min(self._kept.get(max(10, width), (0, 0))[0],
                                   self._most_shown()))
        if not self.FILL or room <= 0:
            return lines
        return room if lines <= room else lines + (-lines % self.GROW_BY)

    def _text_for(self, width: int) -> Text:
        if self.view is None:
            return Text("")
        width = max(10, width)
        key = (id(self.view), width)
        if key != self._built_for:
            ahead = self._ahead
            if ahead is not None and ahead[0] is self.view and ahead[1] == width:
                self.text = ahead[2]  # prepared while the learner read the step before
                for name, value in ahead[3].items():
                    setattr(self, name, value)
            else:
                self.text = self.build(self.view, width)
                self._keep(self.text, width)
            self._built_for = key
        return self.text

    def _keep(self, text: Text, width: int) -> None:
        """Remember the text's size among the largest at this width (:attr:`KEEP_SIZE`;
        the layout measures more than one width)."""
        if not self.KEEP_SIZE or self.view is None:
            return
        if self._kept_for is not self.view.scenario:
            self._kept, self._kept_for = {}, self.view.scenario
        plain = text.plain
        lines, widest = self._kept.get(width, (0, 0))
        self._kept[width] = (max(plain.count("\n") + 1, lines),
                             max(_widest(plain.split("\n")), widest))

    def render(self) -> Text:
        text = self._text_for(self.build_width())
        n = self.selected
        if n is None or not 0 <= n < len(self.refs):
            return text
        lines = text.plain.split("\n")
        if n >= len(lines):
            return text
        start = sum(len(line) + 1 for line in lines[:n])
        text = text.copy()
        text.stylize("underline", start, start + len(lines[n]))
        if lines[n][:1] == " ":  # a mark without colour, where the ▶ column has room
            text = text[:start] + Text("»", style="bold underline") + text[start + 1:]
        return text

    def _measured_width(self, width: int) -> int:
        """The width to measure the text at, as it will be drawn (:meth:`build_width`; the
        layout offers a body as wide as its text the width it is being given)."""
        return (self.build_width() or width) if self._sized_by_text() else width

    def _sized_by_text(self) -> bool:
        width = self.styles.width
        return width is not None and width.is_auto

    def get_content_height(self, container, viewport, width: int) -> int:
        width = self._measured_width(width)
        return self._height_for(self._text_for(width).plain.count("\n") + 1, self._room(),
                                 width)

    def get_content_width(self, container, viewport) -> int:
        """As wide as the longest line: a panel too narrow for it scrolls sideways rather
        than cut a number."""
        width = self._measured_width(container.width)
        text = self._text_for(width)
        return max(_widest(text.plain.split("\n")), self._kept_widest(width), 1)

    def _kept_widest(self, width: int) -> int:
        """The widest line kept at this width (see :attr:`KEEP_SIZE`; 0 if none)."""
        return self._kept.get(max(10, width), (0, 0))[1] if self.KEEP_SIZE else 0

    def box_resized(self) -> None:
        """The box around this body changed size: text bodies follow by themselves."""

    def current_region(self) -> Region | None:
        """Where the highlighted (▶) element is drawn, to keep it in view; a body that draws
        something else (the drawn network) overrides this."""
        if self.view is None or not self.size.width:
            return None
        for n, line in enumerate(self._text_for(self.build_width()).plain.split("\n")):
            if "▶" in line[:2]:
                return Region(0, n, max(1, len(line)), 1)
        return None

    @property
    def plain(self) -> str:
        """What the panel shows, as plain text (for tests and for reading aloud)."""
        return self.text.plain


class Box(VerticalScroll, can_focus=False):
    """A titled, bordered, scrollable frame around one :class:`Body`."""

    def __init__(self, body: Body, *, title: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.body = body
        self.title_msg = title  # declared with N_(); shown in the language in force
        self.border_title = _(title)

    def relabel(self) -> None:
        """The title again, in the language now in force."""
        self.border_title = _(self.title_msg) + (_(SelectBox.HINT) if self.has_focus else "")

    def compose(self):
        yield self.body

    def show(self, view: View) -> None:
        """Hand the View to the body and keep its highlighted element in view: at once when
        only lines changed (the same frame paints the scroll), after the next refresh when
        the body is laid out again (its new size is known only then)."""
        change = self.body.show(view)
        if change == LINES:
            self.scroll_to_current()
        elif change == LAYOUT:
            self._scroll_ahead()
            self.call_after_refresh(self._scroll_laid_out)

    #: Rows the body will scroll once laid out, from its height known ahead (see
    #: :meth:`_scroll_ahead`); 0 when the layout has caught up.
    _room_ahead = 0

    def _scroll_ahead(self) -> None:
        """Scroll for the body's new height before the layout that gives it: the frame
        that shows a new text then shows it scrolled, instead of a second frame one
        refresh later (at the end of a run, 25 ms of the Values panel settling). Textual
        clamps a scroll to the height the box has now, so :attr:`max_scroll_y` allows the
        height ahead until the layout has happened; :meth:`_scroll_laid_out` then checks, and
        scrolls again only if the layout came out otherwise (a scroll bar appeared)."""
        height = self.body.height_ahead()
        if height is None or not self.size.height:
            return
        self._room_ahead = max(0, height - self.scrollable_content_region.height)
        self.scroll_to_current()

    def _scroll_laid_out(self) -> None:
        self._room_ahead = 0
        self.scroll_to_current()

    @property
    def max_scroll_y(self) -> int:
        return max(super().max_scroll_y, self._room_ahead)

    def prepare(self, view: View) -> None:
        """Let the body get ``view`` ready ahead of its key press (:meth:`Body.prepare`)."""
        self.body.prepare(view)

    def on_show(self) -> None:
        """Brought into view (the gradient check opened, a tab): its ▶ line too, once laid
        out."""
        self.call_after_refresh(self.scroll_to_current)

    def watch_virtual_size(self) -> None:
        """The body changed size (a box just shown learns its body's height a layout pass
        later than its own): ▶ in view again, once that size is in force."""
        self.call_after_refresh(self.scroll_to_current)

    def on_resize(self, event: Resize) -> None:
        """The box was resized (a panel beside it grew, the terminal changed size): a body
        drawn for its room is drawn again, and the highlighted element is kept in view once
        the screen is laid out (a scroll made at the key press was for the old size)."""
        self.body.box_resized()
        self.call_after_refresh(self.scroll_to_current)

    def picking(self) -> bool:
        """Whether the learner has moved to a line of this box (a :class:`SelectBox`),
        which it then keeps in view instead of ▶."""
        return False

    def scroll_to_current(self, picking_too: bool = False) -> None:
        """Keep the highlighted element in view (unless the learner is picking lines; a panel
        just brought into view by a tab shows it even then)."""
        if (self.picking() and not picking_too) or not self.display:
            return
        region = self.body.current_region()
        if region is None:
            return
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        if top and region.bottom <= height:
            # everything from the first line to ▶ fits: show it from the first line (a new
            # epoch's few values were left scrolled out of view above an empty box)
            self.scroll_to(y=0, animate=False, immediate=True, force=True)
        elif self.body.RECENTRE and height > 3:
            if region.y >= top + height:  # walked off the bottom: ▶ to three quarters down
                self.scroll_to(y=region.y - height * 3 // 4, animate=False, immediate=True,
                               force=True)
            elif region.y < top:  # stepped back off the top: ▶ to a quarter down
                self.scroll_to(y=region.y - height // 4, animate=False, immediate=True,
                               force=True)
        self.scroll_to_region(region, animate=False, immediate=True, force=True)


class SelectBox(Box, can_focus=True):
    """A Box whose lines can be picked: up/down move, enter (or a click) posts Picked."""

    BINDINGS = bindings("panel")

    class Picked(Message):
        """A line of the panel was picked: ``ref`` is what it shows."""

        def __init__(self, box: SelectBox, ref: object) -> None:
            super().__init__()
            self.box = box
            self.ref = ref

    def _pickable(self) -> list[int]:
        return [n for n, r in enumerate(self.body.refs) if r is not None]

    HINT = N_("  ↑↓ ⏎ where from")

    #: The learner moved to a line (↑↓ or a click): the box keeps that line marked and in
    #: view. Until then a focused box (a tab opened by its number gives it focus) marks and
    #: follows ▶ from step to step, as an unfocused one does.
    picked = False

    def picking(self) -> bool:
        return self.has_focus and self.picked

    def show(self, view: View) -> None:
        following = self.has_focus and not self.picked
        if following:
            self.body.selected = None  # the new step's ▶ line is the one marked
        super().show(view)
        if following:
            self._default()
            self.body.refresh()

    def on_focus(self) -> None:
        if not str(self.border_title).endswith(_(self.HINT)):
            self.border_title = f"{self.border_title}{_(self.HINT)}"
        self.picked = False
        self._default()
        self._follow()

    def _default(self) -> None:
        """Without a picked line: the current (▶) one, else the last."""
        if self.body.selected is not None and self.body.selected in self._pickable():
            return
        self.body.selected = None
        if self.body.size.width:
            self.body._text_for(self.body.build_width())  # refs as drawn now
        lines = self.body.text.plain.split("\n")
        picks = self._pickable()
        marked = [n for n in picks if n < len(lines) and "▶" in lines[n][:2]]
        self.body.selected = marked[0] if marked else (picks[-1] if picks else None)

    def on_blur(self) -> None:
        """Picking ends: the panel follows ▶ again (it had followed the picked line)."""
        self.border_title = str(self.border_title).removesuffix(_(self.HINT))
        self.picked = False
        self.body.selected = None
        self.body.refresh()
        self.call_after_refresh(self.scroll_to_current)

    def _follow(self) -> None:
        n = self.body.selected
        self.body.refresh()
        if n is not None:
            self.scroll_to_region(Region(0, n, 1, 1), animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self.picked = True
        self._default()
        refs = self.body.refs
        n = self.body.selected
        if n is not None:
            k = n + step
            while 0 <= k < len(refs) and (refs[k] is None or refs[k] == refs[n]):
                k += step
            if 0 <= k < len(refs):
                while k > 0 and refs[k - 1] == refs[k]:  # a row split over two lines
                    k -= 1
                self.body.selected = k
        self._follow()

    def action_pick(self) -> None:
        self._default()
        n = self.body.selected
        if n is not None and 0 <= n < len(self.body.refs) and self.body.refs[n] is not None:
            self.post_message(self.Picked(self, self.body.refs[n]))

    def action_leave(self) -> None:
        self.screen.set_focus(None)

    def action_copy_pick(self) -> None:
        """Copy the picked line's number (OSC 52, through Textual's clipboard)."""
        self._default()
        n = self.body.selected
        lines = self.body.text.plain.split("\n")
        if n is None or n >= len(lines):
            return
        numbers = NUMBER.findall(lines[n])
        name = lines[n][1:].split()[0] if lines[n][1:].split() else ""
        if not numbers:
            self.notify(_("nothing to copy on this line"), markup=False)
            return
        value = numbers[-1] if self.body.id == "values-body" else " ".join(numbers)
        self.app.copy_to_clipboard(value)
        self.notify(_("copied {name} {value} to the clipboard", name=name, value=value),
                    markup=False)

    def on_click(self, event: Click) -> None:
        if event.widget is not self.body:
            return
        n = event.y
        if 0 <= n < len(self.body.refs) and self.body.refs[n] is not None:
            self.picked = True
            self.body.selected = n
            self._follow()
            self.post_message(self.Picked(self, self.body.refs[n]))
