"""Showing text from a project file literally: no markup, no escape sequences, no control codes."""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

# One visible character for each invisible one, so character offsets (segment coding)
# stay the same on screen as in the stored text.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(32)}  # ␀ … ␟, ␛ for ESC
_CONTROL_PICTURES[0x7F] = "\u2421"  # ␡
_REPLACED = {code: "\ufffd" for code in range(0x80, 0xA0)}  # C1 controls, e.g. CSI
# Bidirectional overrides and isolates can reorder what the terminal draws.
_REPLACED.update(
    {code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
)

_MULTI_LINE = {**_CONTROL_PICTURES, **_REPLACED, ord("\n"): "\n", ord("\t"): " "}
_ONE_LINE = {**_CONTROL_PICTURES, **_REPLACED, ord("\n"): "\u2424", ord("\t"): " "}  # ␤


# Everything either table changes; most comments contain none of it, and a search is
# much cheaper than a translation.
_NEEDS_CHANGE = re.compile("[" + re.escape("".join(map(chr, _ONE_LINE))) + "]")


def visible(text: str, *, one_line: bool = False) -> str:
    """The same number of characters, with every control character made visible."""
    if not _NEEDS_CHANGE.search(text):
        return text
    return text.translate(_ONE_LINE if one_line else _MULTI_LINE)


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
