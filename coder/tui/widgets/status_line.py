"""The status line: who is coding, how far they are, the model version and the active filter."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from coder.session import SessionStatus
from coder.tui.text import foreground, literal

BAR_CELLS = 10
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(done: int, total: int, cells: int = BAR_CELLS) -> str:
    """A progress bar in eighth-cell steps, so small progress still shows."""
    eighths = round(cells * 8 * done / total) if total else 0
    if done and not eighths:
        eighths = 1
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(cells)


class StatusLine(Static):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-line--bar",
        "status-line--label",
        "status-line--busy",
    }

    def show(self, p: SessionStatus) -> None:
        label = foreground(self.get_component_rich_style("status-line--label"))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append_text(literal(p.coder, "bold", one_line=True))
        text.append(" ")
        text.append(bar(p.coded or 0, p.total), self.get_component_rich_style("status-line--bar"))
        if p.coded is None:
            text.append(f" counting {p.total:,} comments…", label)
        else:
            pct = f" {p.coded / p.total:.0%}" if p.total else ""
            text.append(f" {p.coded:,}/{p.total:,} coded{pct}")
        if p.assigned is not None:
            done, assigned = p.assigned
            text.append(" │ ", label)
            text.append("sample ", label)
            text.append(f"{done:,}/{assigned:,}")
        text.append(" │ ", label)
        text.append(f"model v{p.model_version}" if p.model_version else "no model", label)
        text.append(" │ ", label)
        if p.filter:
            text.append("filter ", label)
            text.append_text(literal(p.filter, one_line=True))
            text.append(f" ({p.shown:,})")
        else:
            text.append("all comments", label)
        if p.note:
            text.append(" │ ", label)
            text.append(p.note)
        if p.busy:
            text.append(" │ ", label)
            text.append(p.busy, foreground(self.get_component_rich_style("status-line--busy")))
        self.update(text, layout=False)  # one line, always: no need to lay out the screen
