"""Updating a piece of text only when it changed, and laying out again only when its height did."""

from __future__ import annotations

from rich.text import Text
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
