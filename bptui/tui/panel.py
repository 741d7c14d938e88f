"""The frame every panel shares: a bordered scroll box around a body that renders a View."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget

from bptui.tui.view import View


class Body(Widget):
    """Renders one View as plain rich Text; subclasses implement :meth:`build`."""

    DEFAULT_CSS = """
    Body { height: auto; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.view: View | None = None
        self.text = Text("")
        self._built_for: tuple[int, int] | None = None

    def show(self, view: View) -> None:
        """Take a new View; relayout only if the number of lines changed."""
        lines = self.text.plain.count("\n")
        self.view = view
        self._built_for = None
        width = self.size.width
        if width:
            same = self._text_for(width).plain.count("\n") == lines
            self.refresh(layout=not same)
        else:
            self.refresh(layout=True)

    def build(self, view: View, width: int) -> Text:  # pragma: no cover - abstract
        raise NotImplementedError

    def _text_for(self, width: int) -> Text:
        if self.view is None:
            return Text("")
        width = max(10, width)
        key = (id(self.view), width)
        if key != self._built_for:
            self.text = self.build(self.view, width)
            self._built_for = key
        return self.text

    def render(self) -> Text:
        return self._text_for(self.size.width)

    def get_content_height(self, container, viewport, width: int) -> int:
        return self._text_for(width).plain.count("\n") + 1

    @property
    def plain(self) -> str:
        """What the panel shows, as plain text (for tests and for reading aloud)."""
        return self.text.plain


class Box(VerticalScroll, can_focus=False):
    """A titled, bordered, scrollable frame around one :class:`Body`."""

    def __init__(self, body: Body, *, title: str, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.body = body
        self.border_title = title

    def compose(self):
        yield self.body

    def show(self, view: View) -> None:
        self.body.show(view)
