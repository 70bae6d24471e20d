"""Text from a project file or an input file, made safe to print: nothing in it is obeyed.

Survey answers, code names and coder names come from other people's files. Printed as
they are, an escape sequence in one could set the terminal's title, write its clipboard
or clear the screen. Every line the command line or the workbench shows from such data
goes through `visible`, which keeps the text's length (so character offsets stay true)
and makes every control character a visible picture.
"""

from __future__ import annotations

import re

# One visible character for each invisible one, so character offsets (segment coding)
# stay the same on screen as in the stored text.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(32)}  # ␀ … ␟, ␛ for ESC
_CONTROL_PICTURES[0x7F] = "\u2421"  # ␡
_REPLACED = {code: "\ufffd" for code in range(0x80, 0xA0)}  # C1 controls, e.g. CSI
# Bidirectional overrides and isolates can reorder what the terminal draws; line and
# paragraph separators break lines where a terminal shows none.
_REPLACED.update(
    {code: "\ufffd" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
)
_REPLACED.update({0x2028: "\u2424", 0x2029: "\u2424"})

_MULTI_LINE = {**_CONTROL_PICTURES, **_REPLACED, ord("\n"): "\n", ord("\t"): " "}
_ONE_LINE = {**_CONTROL_PICTURES, **_REPLACED, ord("\n"): "\u2424", ord("\t"): " "}  # ␤

# Everything either table changes; most text contains none of it, and a search is much
# cheaper than a translation.
_NEEDS_CHANGE = re.compile("[" + re.escape("".join(map(chr, _ONE_LINE))) + "]")

MAX_SHOWN = 200  # characters of one name or value in a message; the rest is counted


def visible(text: str, *, one_line: bool = False) -> str:
    """The same number of characters, with every control character made visible.

    Over several lines, a Windows line end (`\r\n`, as in text from other tools) shows as
    a line end after a space rather than after a ␍.
    """
    if not _NEEDS_CHANGE.search(text):
        return text
    if not one_line and "\r\n" in text:
        text = text.replace("\r\n", " \n")
    return text.translate(_ONE_LINE if one_line else _MULTI_LINE)


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """At most `limit` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A name or value as one safe line of bounded length, for messages and tables."""
    return clip(visible(str(value), one_line=True), limit)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 comment", "2 comments": a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
