"""The comment list: one line per comment, drawn by position so a million comments open at once."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, Protocol

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coder.domain import CommentRow
from coder.tui.text import contrast, foreground, visible

PAGE = 100
KEPT_PAGES = 30
ID_WIDTH_MAX = 18


class RowSource(Protocol):
    def __len__(self) -> int: ...

    def rows(self, offset: int, limit: int) -> list[CommentRow | None]: ...


@dataclass(frozen=True)
class Chip:
    """How a code is marked in the list: a short label in the code's colour."""

    label: str
    color: str | None


class CommentList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows are fetched a page at a time from a RowSource; only what is on screen is drawn."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "comment-list--cursor",
        "comment-list--id",
        "comment-list--coded",
        "comment-list--others",
        "comment-list--pending",
        "comment-list--memo",
        "comment-list--empty",
    }

    @dataclass
    class Highlighted(Message):
        """The cursor is on a new comment (None when the list is empty)."""

        comment_list: CommentList
        position: int
        comment_id: int | None

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._source: RowSource | None = None
        self._pages: OrderedDict[int, list[CommentRow | None]] = OrderedDict()
        self._chips: dict[int, Chip] = {}
        self._count = 0
        self.cursor = 0
        self.empty_message = "No comments."
        self._id_width = 0  # widest comment id seen so far

    # -- what to show (set by the screen) ---------------------------------------------------

    def show(self, source: RowSource, cursor: int = 0) -> None:
        """Show a new list of comments with the cursor at a position."""
        self._source = source
        self._pages.clear()
        self._id_width = 0
        self._count = len(source)
        self.virtual_size = Size(self.size.width, self._count)
        self.cursor = -1  # so that move_to always announces the new comment
        self.move_to(cursor)
        self.refresh()

    def set_chips(self, chips: dict[int, Chip]) -> None:
        self._chips = chips
        self.refresh()

    def reload(self) -> None:
        """Fetch rows again (codings changed); the list itself and the cursor stay."""
        if self._source is not None:
            self._count = len(self._source)
            self.virtual_size = Size(self.size.width, self._count)
        self._pages.clear()
        if self.cursor >= self._count:
            self.move_to(self._count - 1)
        self.border_title = (
            f"Comments {self.cursor + 1:,}/{self._count:,}" if self._count else "Comments"
        )
        self.refresh()

    def reload_row(self, position: int) -> None:
        """Fetch one row again (its comment's coding changed): cheaper than every page."""
        page = position // PAGE
        rows = self._pages.get(page)
        if self._source is None or rows is None:
            return
        index = position - page * PAGE
        if 0 <= index < len(rows):
            fresh = self._source.rows(position, 1)
            rows[index] = fresh[0] if fresh else None
            self._refresh_row(position)

    @property
    def count(self) -> int:
        return self._count

    @property
    def current(self) -> CommentRow | None:
        return self.row(self.cursor)

    def row(self, position: int) -> CommentRow | None:
        if self._source is None or not 0 <= position < self._count:
            return None
        page = position // PAGE
        rows = self._pages.get(page)
        if rows is None:
            rows = self._source.rows(page * PAGE, PAGE)
            self._pages[page] = rows
            widest = max(
                (cell_len(visible(r.source_id, one_line=True)) for r in rows if r), default=0
            )
            self._id_width = max(self._id_width, widest)
            if len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page)
        index = position - page * PAGE
        return rows[index] if index < len(rows) else None

    # -- moving ------------------------------------------------------------------------------

    def move_to(self, position: int, *, announce: bool = False) -> None:
        """Put the cursor on a row; `announce` tells the screen (a click), which otherwise
        moved it itself and needs no word back (a stale one would pull it back)."""
        position = max(0, min(position, self._count - 1))
        if position == self.cursor:
            return
        old = self.cursor
        self.cursor = position
        self._refresh_row(old)
        self._refresh_row(position)
        self._scroll_to_cursor()
        self.border_title = (
            f"Comments {position + 1:,}/{self._count:,}" if self._count else "Comments"
        )
        row = self.row(position)
        if announce:
            self.post_message(self.Highlighted(self, position, row.id if row else None))

    def move_by(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def page_by(self, pages: int) -> None:
        self.move_by(pages * self.page_size)

    @property
    def page_size(self) -> int:
        """How many rows a page key moves: one screenful, less the row kept in view."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _refresh_row(self, position: int) -> None:
        y = position - round(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh_line(y)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self._count)
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        self.move_to(round(self.scroll_offset.y) + event.y, announce=True)

    # -- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        position = round(self.scroll_offset.y) + y
        if self._count == 0:
            if y == 0:
                text = Text(self.empty_message, style=base)
                text.stylize(self._partial("comment-list--empty"))
                return self._strip(text, width)
            return Strip.blank(width, base)
        if position >= self._count:
            return Strip.blank(width, base)
        cursor = position == self.cursor
        if cursor:
            base += self.get_component_rich_style("comment-list--cursor")
        return self._strip(self._line(self.row(position), width, base, cursor), width)

    def _partial(self, name: str) -> Style:
        return foreground(self.get_component_rich_style(name))

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(text.render(self.app.console), width).crop(0, width)

    def _line(self, row: CommentRow | None, width: int, base: Style, cursor: bool) -> Text:
        text = Text(style=base, no_wrap=True, end="")
        if row is None:
            text.append("  (comment removed)")
            return text
        style = self._partial
        if row.mine:
            text.append("●", style("comment-list--coded"))
        elif row.code_ids:  # coded, but only by others
            text.append("○", style("comment-list--others"))
        elif row.pending:
            text.append("◇", style("comment-list--pending"))
        else:
            text.append(" ")
        text.append("✎" if row.has_memo else " ", style("comment-list--memo"))
        id_width = max(4, min(self._id_width, ID_WIDTH_MAX, width // 3))
        source_id = visible(row.source_id, one_line=True)
        if cell_len(source_id) > id_width:
            source_id = source_id[: id_width - 1] + "…"
        text.append(source_id.ljust(id_width) + " ", None if cursor else style("comment-list--id"))
        chips = Text(no_wrap=True, end="")
        for code_id in row.code_ids:
            chip = self._chips.get(code_id)
            if chip is not None:
                chips.append(" ")
                chips.append(chip.label, _chip_style(chip.color))
        room = width - text.cell_len - chips.cell_len - 1
        if room > 3:
            preview = Text(visible(row.preview, one_line=True), no_wrap=True, end="")
            preview.truncate(room, overflow="ellipsis", pad=True)
            text.append_text(preview)
            text.append(" ")
        text.append_text(chips)
        return text


@lru_cache(maxsize=256)
def _chip_style(color: str | None) -> Style:
    return Style.parse(f"{contrast(color)} on {color}" if color else "reverse")
