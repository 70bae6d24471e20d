"""A long text (an interview of 40,000 characters, as other tools' projects hold) in the
workbench: shown whole, in parts; a segment near its end coded at the right place; the caret
kept on screen; moving it repaints only the parts it touches."""

from __future__ import annotations

from rich.text import Text
from tui_support import pilot_test

from coder.domain import ImportRow
from coder.store import create_project, open_project
from coder.tui.app import CoderApp
from coder.tui.widgets.comment_view import PART_CHARS

WORDS = "the worker said supervision helped but caseload pressure stayed high all week".split()


def interview() -> str:
    """About 40,000 characters in paragraphs, with Windows line ends, ending in a marker."""
    paragraphs, size, n = [], 0, 0
    while size < 40_000:
        words = [WORDS[(n * 7 + i) % len(WORDS)] for i in range(60 + n % 50)]
        paragraphs.append(" ".join(words).capitalize() + ".")
        size += len(paragraphs[-1]) + 4
        n += 1
    return "\r\n\r\n".join(paragraphs) + "\r\n\r\nLast words here."


def project(tmp_path):
    path = tmp_path / "long.db"
    with create_project(path) as store:
        store.codes.add("Workload")
        import_id = store.imports.begin("interviews")
        store.imports.write_chunk(import_id, [ImportRow("I1", "R1", "q", interview(), {})], None)
        store.imports.finish(import_id, {})
    return path


@pilot_test
async def test_a_long_text_is_shown_whole_and_a_segment_at_its_end_is_coded_exactly(tmp_path):
    path = project(tmp_path)
    text = interview()
    app = CoderApp(path, "bob")
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.screen.view
        parts = [view.query_one("#comment-body"), *view._more]
        assert len(parts) >= len(text) // (PART_CHARS * 2)
        shown = "\n".join(str(p.render()) for p in parts)
        assert shown == text.replace("\r\n", " \n")  # every character, \r\n as a line end
        assert view.scroll_y == 0

        await pilot.press("v", "end")  # the caret to the last character: scrolled into view
        assert view.scroll_y > 0
        before = {id(s): view._last[id(s)] for s in parts}
        await pilot.press("b", "b", "b")  # back three words, to "Last"
        changed = [s for s in parts if view._last[id(s)] is not before[id(s)]]
        assert len(changed) == 1  # only the part holding the caret was repainted
        await pilot.press("v", "w", "w", "1")
        assert not view.selecting

    with open_project(path) as store:
        (coding,) = store.codings.of_comment(1)
    assert text[coding.start : coding.end] == "Last words here"


def test_the_parts_of_a_text_cover_it_and_split_only_at_line_ends():
    from coder.tui.widgets.comment_view import _parts

    text = interview()
    spans = _parts(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert text[end] == "\n" and start == end + 1
    assert _parts("short\ntext") == [(0, 10)]
    assert isinstance(Text(text[spans[0][0] : spans[0][1]]), Text)
