"""The current comment in full: who said it, its codings, suggestions and memos, and segment selection."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from coder.domain import CONSENSUS_CODER, Coding
from coder.session import ShownComment
from coder.tui import keys
from coder.tui.text import contrast, foreground, literal, visible
from coder.tui.widgets.quiet import text_height, update_if_changed, update_in_room

EXCERPT_CHARS = 40
# Empty lines kept below a comment's codes, so a code key or two adds its line without
# laying out the whole screen again (see update_in_room).
CODES_SPARE = 2
CODE_COLUMN = 60  # at most, cells for the code in the side-by-side view
CODER_COLUMN = 9  # at most, cells for each coder there
SELECTING_HINT = "w b h l move · v mark · 1-9 code · esc"
# A long text (an interview) is shown in parts of at least this many characters, split at
# line ends, so that moving the caret or marking a match repaints only the parts it
# touches and finding the caret's line wraps one part, not the whole text.
PART_CHARS = 2000


class CommentView(VerticalScroll, can_focus=False, inherit_bindings=False):
    """Shows a comment; in selection mode a caret and a selection move over its text."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.SELECTION)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "comment-view--meta",
        "comment-view--match",
        "comment-view--selection",
        "comment-view--caret",
        "comment-view--suggestion",
        "comment-view--unsure",
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
        self._codes_of: int | None = None  # the comment whose codes are shown
        self.selecting = False
        self.mark = 0
        self.caret = 0
        self._more: list[Static] = []  # the body's parts after the first, for a long text
        self._spans: list[tuple[int, int]] = [(0, 0)]  # each part's characters
        self._line_starts: dict[tuple[int, int, int], list[int]] = {}  # (part, width, id)
        self._plain: list[Text] = []  # each part as shown, before styling: made once a comment

    def compose(self) -> ComposeResult:
        yield Static(id="comment-meta")
        yield Static(id="comment-body")
        yield Static(id="comment-codes")

    # -- what to show ---------------------------------------------------------------------

    def show(self, shown: ShownComment | None) -> None:
        if self.shown is None or shown is None or shown.comment.id != self.shown.comment.id:
            self.end_selection()
            self.scroll_home(animate=False)
            self._line_starts.clear()
            text = shown.comment.text if shown else ""
            self._spans = _parts(text)
            safe = visible(text)  # once for the whole text, so every part is cut from it alike
            self._plain = [Text(safe[start:end]) for start, end in self._spans]
        self.shown = shown
        self._draw()

    def _draw(self) -> None:
        meta = self.query_one("#comment-meta", Static)
        body = self.query_one("#comment-body", Static)
        codes = self.query_one("#comment-codes", Static)
        if self.shown is None:
            parts = [Text(""), Text("No comment to show.", style="italic"), Text("")]
            pieces = [parts[1]]
        else:
            parts = [self._meta(), Text(), self._codes()]
            pieces = self._body()
        for static, text in zip((meta, body), [parts[0], pieces[0]], strict=True):
            update_if_changed(static, text, self._last)
        comment_id = self.shown.comment.id if self.shown else None
        if comment_id == self._codes_of:  # the same comment: coded or uncoded in its room
            update_in_room(codes, parts[2], self._last, CODES_SPARE)
        else:  # another comment: the screen is laid out anyway
            spare = self._room_to_grow(codes, parts[2])
            update_if_changed(codes, parts[2] + Text("\n" * spare), self._last)
            self._codes_of = comment_id
        self._show_more(pieces[1:], codes)

    def _room_to_grow(self, codes: Static, now: Text) -> int:
        """Empty lines to keep below the codes: CODES_SPARE, or more where your first code
        turns another coder's list into the side-by-side grid (a header and a row more), so
        that coding this comment never lays the screen out again."""
        shown = self.shown
        if shown is None or not shown.codings:
            return CODES_SPARE
        if any(k.coder == shown.coder for k in shown.codings):
            return CODES_SPARE  # the grid (or your own list) is there already
        unused = next(
            (c for c in shown.codes if not any(k.code_id == c for k in shown.codings)), None
        )
        if unused is None:
            return CODES_SPARE
        mine = Coding(0, shown.comment.id, unused, shown.coder)
        self.shown = replace(shown, codings=(*shown.codings, mine))
        try:
            then = self._codes()
        finally:
            self.shown = shown
        width = codes.content_size.width or self.scrollable_content_region.width
        if width:
            grown = text_height(codes, then, width) - text_height(codes, now, width)
        else:  # not laid out yet (the first comment shown): its lines, and one for a wrap
            grown = then.plain.count("\n") - now.plain.count("\n") + 1
        return max(CODES_SPARE, grown + 1)

    def _show_more(self, pieces: list[Text], codes: Static) -> None:
        """The body's further parts, each in a Static of its own below the first."""
        for static, text in zip(self._more, pieces, strict=False):
            update_if_changed(static, text, self._last)
        if len(pieces) > len(self._more):
            new = [Static(text, classes="comment-body-more") for text in pieces[len(self._more) :]]
            for static, text in zip(new, pieces[len(self._more) :], strict=True):
                self._last[id(static)] = text
            self._more.extend(new)
            self.mount_all(new, before=codes)
        elif len(pieces) < len(self._more):
            for static in self._more[len(pieces) :]:
                self._last.pop(id(static), None)
                static.remove()
            del self._more[len(pieces) :]
        self.query_one("#comment-body", Static).set_class(bool(self._more), "-continued")
        for i, static in enumerate(self._more):
            static.set_class(i == len(self._more) - 1, "-last")

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

    def _body(self) -> list[Text]:
        """The text, styled, in its parts (one part unless it is long)."""
        shown = self.shown
        assert shown is not None
        styles: list[tuple[str | Style, int, int]] = []
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
            styles.append((style, start, end))
        match_style = self.get_component_rich_style("comment-view--match")
        for start, end in _matches(shown.comment.text, shown.search_terms):
            styles.append((match_style, start, end))
        if self.selecting and length:
            start, end = self.selection_span(trim=False)
            styles.append((self.get_component_rich_style("comment-view--selection"), start, end))
            styles.append((self.get_component_rich_style("comment-view--caret"), self.caret,
                           self.caret + 1))  # fmt: skip
        parts = []
        for (first, last), plain in zip(self._spans, self._plain, strict=True):
            part = plain.copy()
            for look, start, end in styles:
                if start < last and end > first:
                    part.stylize(look, max(start, first) - first, min(end, last) - first)
            parts.append(part)
        return parts

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
                f"\nSuggested{version}, not yet coded ({self._key('coding.accept')} accepts all, "
                f"{self._key('coding.reject')} rejects all, a code key takes one):",
                dim,
            )
            headed = False
            for suggestion in shown.suggestions:
                if suggestion.unsure and not headed:  # they come after the confident ones
                    text.append(
                        "\nUnsure (codes the model is weak on; "
                        f"{self._key('coding.toggle_unsure')} hides them):",
                        self.get_component_rich_style("comment-view--unsure"),
                    )
                    headed = True
                code = shown.codes.get(suggestion.code_id)
                text.append("\n◇ ", Style(color=code.color) if code and code.color else Style())
                text.append_text(literal(code.path if code else "?", style))
                text.append(f"  {suggestion.probability:.0%}", style)
                if suggestion.unsure:
                    precision = shown.precision.get(suggestion.code_id)
                    measured = (
                        f"right {precision:.0%} of the time so far"
                        if precision is not None
                        else "not measured yet"
                    )
                    text.append(f"  unsure: {measured}", dim)
                if suggestion.explanation:
                    text.append("  because of: ", dim)
                    text.append_text(literal(", ".join(suggestion.explanation), style))
        if shown.unsure_hidden:
            plural = "s" if shown.unsure_hidden != 1 else ""
            text.append(
                f"\n{shown.unsure_hidden} unsure suggestion{plural} hidden "
                f"({self._key('coding.toggle_unsure')} shows {'them' if plural else 'it'})",
                dim,
            )
        for memo in shown.memos:
            who = "you" if memo.coder == shown.coder else memo.coder
            text.append("\n✎ ", dim)
            text.append_text(literal(who, "bold", one_line=True))
            text.append(": ")
            text.append_text(literal(memo.text))
        return text

    def _key(self, binding_id: str) -> str:
        """The key a hint names for a binding, as the coder has mapped it."""
        return keys.key_name(binding_id, keys.keymap_of(self.app))

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
        longest = max(cell_len(shown.codes[c].path) if c in shown.codes else 12 for c in marks)
        code_w = min(CODE_COLUMN, longest + 2, width - 4 - len(order) * cw)
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
        if not self.shown:
            return
        part = next(
            (i for i, (_, end) in enumerate(self._spans) if self.caret <= end),
            len(self._spans) - 1,
        )
        statics = [self.query_one("#comment-body", Static), *self._more]
        static = statics[min(part, len(statics) - 1)]
        width = static.content_region.width
        if width <= 0:
            return
        start, end = self._spans[part]
        key = (part, width, self.shown.comment.id)
        starts = self._line_starts.get(key)
        if starts is None:  # where each wrapped line of this part starts, once per width
            lines = self._plain[part].wrap(self.app.console, width)
            starts, seen = [], start
            for wrapped in lines:
                starts.append(seen)
                seen += len(wrapped.plain) + 1
            self._line_starts[key] = starts
        line = max(0, bisect_right(starts, self.caret) - 1)
        top = static.virtual_region.y + line
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


def _parts(text: str) -> list[tuple[int, int]]:
    """(start, end) of each part of a text shown in parts: split at a line end (which
    the split itself shows) once a part has PART_CHARS characters."""
    spans, start = [], 0
    while len(text) - start > PART_CHARS:
        cut = text.find("\n", start + PART_CHARS)
        if cut < 0:
            break
        spans.append((start, cut))
        start = cut + 1
    spans.append((start, len(text)))
    return spans


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
