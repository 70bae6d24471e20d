"""The key line at the foot of the screen: as many whole key hints as fit, never half of one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

MORE = " … ? all keys"


class KeyHints(Widget):
    """The screen's shown bindings, in the order declared, cut at a whole hint."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-hints--key"}

    DEFAULT_CSS = """
    KeyHints {
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyHints > .key-hints--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    """

    def hints(self) -> list[tuple[str, str]]:
        """(key as shown, what it does) for every shown binding, one per action."""
        seen: set[str] = set()
        out = []
        for _, binding, enabled, _ in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            out.append((self.app.get_key_display(binding), binding.description))
        return out

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("key-hints--key")
        text = Text(no_wrap=True, overflow="crop")
        hints = self.hints()
        for i, (key, description) in enumerate(hints):
            piece = f" {key} {description}"
            last = i == len(hints) - 1
            if len(text) + len(piece) + (0 if last else len(MORE)) > width:
                if len(text) + len(MORE) <= width:
                    text.append(MORE)
                break
            text.append(f" {key}", key_style)
            text.append(f" {description}")
        return text
