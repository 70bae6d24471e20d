"""Updating a piece of text only when it changed, and laying out again only when its height did."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def update_if_changed(static: Static, text: Text, last: dict[int, Text]) -> None:
    """Show `text` in `static` unless it already shows it; a change that keeps the number of
    lines repaints the widget without laying out the screen again (the costly part)."""
    key = id(static)
    before = last.get(key)
    if before is not None and before == text:
        return
    same_height = before is not None and before.plain.count("\n") == text.plain.count("\n")
    last[key] = text
    static.update(text, layout=not same_height)
