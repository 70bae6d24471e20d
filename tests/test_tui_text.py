"""Text from a project file is shown literally: same length, nothing invisible, no markup."""

from __future__ import annotations

import unicodedata

from coder.tui.text import contrast, literal, visible
from coder.tui.widgets.status_line import bar

DANGEROUS = "".join(map(chr, [*range(0, 32), *range(0x7F, 0xA0), 0x202E, 0x2066, 0x200F]))


def test_every_control_character_becomes_one_visible_character():
    for one_line in (False, True):
        shown = visible(DANGEROUS, one_line=one_line)
        assert len(shown) == len(DANGEROUS)  # segment offsets stay true on screen
        kept = {"\n"} if not one_line else set()
        assert all(ch in kept or not unicodedata.category(ch).startswith("C") for ch in shown), (
            shown
        )
    assert visible("a\nb") == "a\nb" and visible("a\nb", one_line=True) == "a␤b"
    assert visible("\x1b[2J") == "␛[2J"
    assert visible("plain words, café") == "plain words, café"


def test_markup_is_not_interpreted():
    text = literal("[bold red]alarm[/] [link=https://x]y[/link] :smile:")
    assert text.plain == "[bold red]alarm[/] [link=https://x]y[/link] :smile:"
    assert not text.spans and not text.style


def test_contrast_and_progress_bar():
    assert contrast("#ffffff") == "black" and contrast("#1e1e1e") == "white"
    assert contrast(None) == "white"
    assert bar(0, 10, 10) == " " * 10 and bar(10, 10, 10) == "█" * 10
    assert bar(5, 10, 10) == "█████     " and bar(1, 10**6, 10) == "▏" + " " * 9
