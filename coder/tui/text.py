"""Showing text from a project file literally: no markup, no escape sequences, no control codes."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from coder.text import visible

__all__ = ["contrast", "foreground", "literal", "visible"]


def literal(text: str, style: str | Style = "", *, one_line: bool = False) -> Text:
    """A rich Text that shows `text` exactly as written, whatever it contains."""
    return Text(visible(text, one_line=one_line), style=style, no_wrap=one_line)


def contrast(hex_colour: str | None) -> str:
    """Black or white, whichever reads better on this background colour."""
    if not hex_colour or len(hex_colour) != 7:
        return "white"
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lum = 0.2126 * r**2.2 + 0.7152 * g**2.2 + 0.0722 * b**2.2
    return "black" if lum > 0.18 else "white"


def foreground(style: Style) -> Style:
    """A component style without its background, to colour text on whatever is behind it.

    (Textual's partial styles would keep the background and lose the blending of
    translucent theme colours such as $text-muted.)
    """
    return style.without_color + Style(color=style.color)
