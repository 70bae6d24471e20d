"""The current comment in full: who said it, its codings, suggestions and memos, and segment selection."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from coder.domain import CONSENSUS_CODER
from coder.session import ShownComment
from coder.tui import keys
from coder.tui.text import contrast, foreground, literal, visible
from coder.tui.widgets.quiet import update_if_changed

EXCERPT_CHARS = 40
CODE_COLUMN = 30  # at most, cells for the code in the side-by-side view
CODER_COLUMN = 9  # at most, cells for each coder there
SELECTING_HINT = "w b h l move · v mark · 1-9 code · esc"


class CommentView(VerticalScroll, can_focus=False, inherit_bindings=False):
    """Shows a comment; in selection mode a caret and a selection move over its text."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.SELECTION)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "comment-view--meta",
        "comment-view--match",
        "comment-view--selection",
        "comment-view--caret",
        "comment-view--suggestion",
        "comment-view--dim",
    }

    @dataclass
    class SelectionEnded(Message):
        """Selection mode is over (cancelled, or a code was applied)."""

        comment_view: CommentView

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.shown: ShownComment | None = None
        self._last: dict[int, Text] = {}  # what each part shows now
        self.selecting = False
        self.mark = 0
        self.caret = 0

    def compose(self) -> ComposeResult:
        yield Static(id="comment-meta")
        yield Static(id="comment-body")
        yield Static(id="comment-codes")

    # -- what to show ---------------------------------------------------------------------

    def show(self, shown: ShownComment | None) -> None:
        if self.shown is None or shown is None or shown.comment.id != self.shown.comment.id:
            self.end_selection()
            self.scroll_home(animate=False)
        self.shown = shown
        self._draw()

    def _draw(self) -> None:
        meta = self.query_one("#comment-meta", Static)
        body = self.query_one("#comment-body", Static)
        codes = self.query_one("#comment-codes", Static)
        if self.shown is None:
            parts = [Text(""), Text("No comment to show.", style="italic"), Text("")]
        else:
            parts = [self._meta(), self._body(), self._codes()]
        for static, text in zip((meta, body, codes), parts, strict=True):
            update_if_changed(static, text, self._last)

    def _meta(self) -> Text:
        shown = self.shown
        assert shown is not None
        dim = foreground(self.get_component_rich_style("comment-view--meta"))
        text = Text()
        text.append_text(literal(shown.comment.source_id, "bold", one_line=True))
        if shown.comment.question:
            text.append("  question: ", dim)
            text.append_text(literal(shown.comment.question, one_line=True))
        if shown.respondent is not None:
            text.append("\nrespondent: ", dim)
            text.append_text(literal(shown.respondent.source_id, one_line=True))
            for name, value in shown.respondent.attributes.items():
                text.append(f" · {visible(name, one_line=True)}: ", dim)
                text.append_text(literal(value or "", one_line=True))
        return text

    def _body(self) -> Text:
        shown = self.shown
        assert shown is not None
        text = literal(shown.comment.text)
        length = len(shown.comment.text)
        for coding in shown.codings:
            if coding.start is None or coding.end is None:
                continue
            code = shown.codes.get(coding.code_id)
            color = code.color if code and code.color else None
            start, end = min(coding.start, length), min(coding.end, length)
            if coding.coder == shown.coder:
                style = f"{contrast(color)} on {color}" if color else "reverse"
            else:  # another coder's segment: marked, but not as if it were yours
                style = f"underline {color}" if color else "underline"
            text.stylize(style, start, end)
        match_style = self.get_component_rich_style("comment-view--match")
        for start, end in _matches(shown.comment.text, shown.search_terms):
            text.stylize(match_style, start, end)
        if self.selecting and length:
            start, end = self.selection_span(trim=False)
            text.stylize(self.get_component_rich_style("comment-view--selection"), start, end)
            text.stylize(self.get_component_rich_style("comment-view--caret"), self.caret,
                         self.caret + 1)  # fmt: skip
        return text

    def _codes(self) -> Text:
        shown = self.shown
        assert shown is not None
        dim = foreground(self.get_component_rich_style("comment-view--dim"))
        text = Text()
        if not shown.codings:
            text.append("Not coded yet.", dim)
        coders = {k.coder for k in shown.codings}
        listed = shown.codings
        if len(coders) > 1:  # several coders: their codes side by side, then the segments
            text.append_text(self._side_by_side(coders, dim))
            listed = tuple(k for k in shown.codings if k.is_segment)
        for coding in listed:
            code = shown.codes.get(coding.code_id)
            text.append("\n" if text.plain else "")
            text.append("■ ", Style(color=code.color) if code and code.color else Style())
            text.append_text(literal(code.path if code else f"code {coding.code_id}", "bold"))
            if coding.is_segment:
                excerpt = shown.comment.text[coding.start : coding.end]
                if len(excerpt) > EXCERPT_CHARS:
                    excerpt = excerpt[: EXCERPT_CHARS - 1] + "…"
                text.append("  “")
                text.append_text(literal(excerpt, one_line=True))
                text.append("”")
            who = "you" if coding.coder == shown.coder else coding.coder
            how = " (accepted suggestion)" if coding.origin == "suggestion" else ""
            text.append("  by ", dim)
            text.append_text(literal(who, one_line=True))
            text.append(how, dim)
        if shown.suggestions:
            style = foreground(self.get_component_rich_style("comment-view--suggestion"))
            version = f" by model v{shown.model_version}" if shown.model_version else ""
            text.append(
                f"\nSuggested{version}, not yet coded (a accepts all, x rejects all, a code key"
                " takes one):",
                dim,
            )
            for suggestion in shown.suggestions:
                code = shown.codes.get(suggestion.code_id)
                text.append("\n◇ ", Style(color=code.color) if code and code.color else Style())
                text.append_text(literal(code.path if code else "?", style))
                text.append(f"  {suggestion.probability:.0%}", style)
                if suggestion.explanation:
                    text.append("  because of: ", dim)
                    text.append_text(literal(", ".join(suggestion.explanation), style))
        for memo in shown.memos:
            who = "you" if memo.coder == shown.coder else memo.coder
            text.append("\n✎ ", dim)
            text.append_text(literal(who, "bold", one_line=True))
            text.append(": ")
            text.append_text(literal(memo.text))
        return text

    def _side_by_side(self, coders: set[str], dim: Style) -> Text:
        """One row a code, one column a coder (you first, the agreed coding last): ✓ on the
        whole comment, ◐ on a segment only, and ≠ where the coders differ."""
        shown = self.shown
        assert shown is not None
        order = sorted(coders, key=lambda c: (c != shown.coder, c == CONSENSUS_CODER, c))
        plain = [c for c in order if c != CONSENSUS_CODER]
        marks: dict[int, dict[str, str]] = {}
        for coding in shown.codings:
            cell = marks.setdefault(coding.code_id, {})
            if not coding.is_segment or coding.coder not in cell:
                cell[coding.coder] = "◐" if coding.is_segment else "✓"
        names = ["you" if c == shown.coder else c for c in order]
        width = self.scrollable_content_region.width or 2 * CODE_COLUMN
        cw = max(4, min(CODER_COLUMN, max(cell_len(n) for n in names) + 1))
        code_w = min(CODE_COLUMN, width - 4 - len(order) * cw)
        if code_w < 12:  # narrow: coders' names give way before the codes' do
            cw = max(3, (width - 16) // len(order))
            code_w = max(8, width - 4 - len(order) * cw)
        text = Text()
        text.append(f"Coded by {len(coders)} coders, side by side", dim)
        text.append(" (≠ where they differ, ◐ a segment only):", dim)
        text.append("\n" + " " * (code_w + 4))
        for name in names:
            text.append_text(literal(_fit(name, cw - 1) + " ", "bold", one_line=True))
        in_order = [c for c in shown.codes if c in marks] + [
            c for c in marks if c not in shown.codes
        ]
        for code_id in in_order:
            cell = marks[code_id]
            code = shown.codes.get(code_id)
            differ = len({c for c in plain if c in cell}) not in (0, len(plain))
            text.append("\n■ ", Style(color=code.color) if code and code.color else Style())
            name = _fit(code.path if code else f"code {code_id}", code_w - 1)
            text.append_text(literal(name + " ", one_line=True))
            text.append("≠ " if differ else "  ", "bold" if differ else "")
            for coder in order:
                text.append(cell.get(coder, "·").ljust(cw), "" if coder in cell else dim)
        return text

    # -- segment selection ----------------------------------------------------------------

    def begin_selection(self) -> bool:
        """Enter selection mode at the start of the comment; False if there is no text."""
        if self.shown is None or not self.shown.comment.text:
            return False
        self.selecting = True
        self.mark = self.caret = _first_word(self.shown.comment.text)
        self.border_subtitle = SELECTING_HINT
        self.can_focus = True
        self.focus()
        self._draw()
        return True

    def end_selection(self) -> None:
        if self.selecting:
            self.selecting = False
            self.border_subtitle = ""
            self.can_focus = False
            self.post_message(self.SelectionEnded(self))
            if self.shown is not None:
                self._draw()

    def selection_span(self, *, trim: bool = True) -> tuple[int, int]:
        """The selected characters as (start, end), end exclusive, widened to whole words."""
        text = self.shown.comment.text if self.shown else ""
        start, end = min(self.mark, self.caret), max(self.mark, self.caret) + 1
        end = min(end, len(text))
        while 0 < start < len(text) and _is_word(text[start]) and _is_word(text[start - 1]):
            start -= 1
        while 0 < end < len(text) and _is_word(text[end - 1]) and _is_word(text[end]):
            end += 1
        if trim:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
        return start, end

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"caret", "cancel_selection", "anchor"}:
            return self.selecting
        return True

    def action_caret(self, unit: str, direction: int) -> None:
        text = self.shown.comment.text if self.shown else ""
        if not text:
            return
        last = len(text) - 1
        caret = self.caret
        if unit == "char":
            caret += direction
        elif unit == "word":
            caret = _next_word(text, caret) if direction > 0 else _previous_word(text, caret)
        elif unit == "line":
            caret += direction * max(1, self.scrollable_content_region.width)
        elif unit == "edge":
            caret = 0 if direction < 0 else last
        self.caret = max(0, min(caret, last))
        self._draw()
        self._scroll_to_caret()

    def _scroll_to_caret(self) -> None:
        """Keep the caret on screen in a comment longer than the view."""
        body = self.query_one("#comment-body", Static)
        width = body.content_region.width
        if not self.shown or width <= 0:
            return
        lines = literal(self.shown.comment.text).wrap(self.app.console, width)
        seen = line = 0
        for line, wrapped in enumerate(lines):  # noqa: B007 - the last line is the answer
            seen += len(wrapped.plain) + 1
            if seen > self.caret:
                break
        top = body.virtual_region.y + line
        height = self.scrollable_content_region.height
        if not self.scroll_y <= top < self.scroll_y + height:
            self.scroll_to(y=max(0, top - height // 2), animate=False)

    def action_anchor(self) -> None:
        """Start the selection again from where the caret is."""
        self.mark = self.caret
        self._draw()

    def action_cancel_selection(self) -> None:
        self.end_selection()


_WORD = re.compile(r"\w", re.UNICODE)


def _fit(text: str, cells: int) -> str:
    """One line of text made exactly `cells` wide: padded, or cut with an ellipsis."""
    text = visible(text, one_line=True)
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    return set_cell_size(text, cells - 1) + "…"


def _is_word(ch: str) -> bool:
    return bool(_WORD.match(ch))


def _first_word(text: str) -> int:
    match = _WORD.search(text)
    return match.start() if match else 0


def _next_word(text: str, caret: int) -> int:
    """The start of the next word (like vi's `w`); the last character if there is none."""
    i = caret
    while i < len(text) and _is_word(text[i]):
        i += 1
    while i < len(text) and not _is_word(text[i]):
        i += 1
    return min(i, len(text) - 1)


def _previous_word(text: str, caret: int) -> int:
    """The start of this word, or of the one before if already there (like vi's `b`)."""
    i = caret - 1
    while i > 0 and not _is_word(text[i]):
        i -= 1
    while i > 0 and _is_word(text[i - 1]):
        i -= 1
    return max(i, 0)


def _matches(text: str, terms: tuple[tuple[str, bool], ...]) -> list[tuple[int, int]]:
    """Where the searched words occur, to mark them in the comment."""
    spans: list[tuple[int, int]] = []
    for term, prefix in terms:
        words = r"\W+".join(re.escape(w) for w in term.split())
        if not words:
            continue
        pattern = rf"(?<!\w){words}" + (r"\w*" if prefix else r"(?!\w)")
        spans.extend(m.span() for m in re.finditer(pattern, text, re.IGNORECASE))
    return spans
