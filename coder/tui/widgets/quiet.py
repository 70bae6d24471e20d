"""Updating a piece of text only when it changed, and laying out again only when its height did
(or, for a part that grows and shrinks as one codes, only when it outgrows the room it has)."""

from __future__ import annotations

from rich.text import Text
from textual.visual import visualize
from textual.widgets import Static


def update_if_changed(static: Static, text: Text, last: dict[int, Text]) -> None:
    """Show `text` in `static` unless it already shows it; a change that needs no more or
    less room repaints the widget without laying out the screen again (the costly part)."""
    key = id(static)
    before = last.get(key)
    if before is not None and before == text:
        return
    # The same length and the same lines take the same room at any width; anything else may
    # wrap to a different height (an empty text takes none), so the screen is laid out again.
    same_room = (
        before is not None
        and bool(before.plain)
        and len(before.plain) == len(text.plain)
        and before.plain.count("\n") == text.plain.count("\n")
    )
    last[key] = text
    static.update(text, layout=not same_room)


def update_in_room(static: Static, text: Text, last: dict[int, Text], spare: int) -> None:
    """Show `text` in `static` without laying out the screen while it fits the lines the
    static has now (laying the screen out costs more than the rest of a key press). What
    does not fill them is padded with empty lines; when it needs more, the screen is laid
    out once with `spare` empty lines to grow into, so the next few codes fit too."""
    width, have = static.content_size
    if static.display and width and have and static.parent is not None:
        needed = text_height(static, text, width)
        if needed <= have:
            _show(static, text + Text("\n" * (have - needed)), last, layout=False)
            return
    _show(static, text + Text("\n" * spare), last, layout=True)


def text_height(static: Static, text: Text, width: int) -> int:
    """The lines `text` takes in `static` at `width` cells."""
    # the styles as Textual itself passes them when it lays a Static out
    return visualize(static, text).get_height(static.styles, width)  # type: ignore[arg-type]


def _show(static: Static, text: Text, last: dict[int, Text], *, layout: bool) -> None:
    key = id(static)
    if last.get(key) == text:
        return
    last[key] = text
    static.update(text, layout=layout)
