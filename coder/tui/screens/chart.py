"""A bar chart of theme frequencies, overall or by group of a respondent attribute.

Drawn as text, one line a bar, so every bar is exactly as long as its own share at any
terminal size (a plotted chart squeezed into a few rows put one theme's bar beside
another's name), and any number of groups scrolls instead of drawing over each other.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from coder.report.build import ThemeShares, theme_shares
from coder.store import Store, open_project
from coder.tui.text import literal
from coder.tui.widgets.status_line import bar

GROUP_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
                "#ff9da7", "#9c755f", "#bab0ac"]  # fmt: skip


def bar_lines(shares: ThemeShares, width: int) -> Text:
    """The chart as lines of text: each bar in proportion to its own share."""
    out = Text(no_wrap=True, overflow="crop")
    if not shares.themes:
        out.append("No codes yet.", style="italic")
        return out
    values = [v for series in shares.series.values() for v in series]
    top = max(values, default=0.0) or 1.0
    grouped = len(shares.series) > 1
    names = list(shares.series)
    label_width = min(30, max(len(t) for t in shares.themes))
    if grouped:
        label_width = min(24, max(len(str(g)) for g in names)) + 2
    cells = max(10, width - label_width - 11)  # room kept for the value and a scrollbar
    for i, theme in enumerate(shares.themes):
        if grouped:
            out.append_text(literal(theme, "bold", one_line=True))
            out.append("\n")
        for g, name in enumerate(names):
            value = shares.series[name][i]
            label = f"  {name}" if grouped else theme
            label = label[:label_width].ljust(label_width)
            color = GROUP_COLORS[g % len(GROUP_COLORS)] if grouped else GROUP_COLORS[0]
            out.append_text(literal(label, one_line=True))
            out.append(" ")
            out.append(bar(round(value * 100), round(top * 100), cells), style=color)
            out.append(f" {value:5.1f}%\n")
    return out


class ChartScreen(ModalScreen[None]):
    """Theme frequencies as bars; `g` cycles through grouping by each attribute."""

    DEFAULT_CSS = """
    ChartScreen {
        align: center middle;
    }
    ChartScreen #chart-dialog {
        width: 90%;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ChartScreen #chart-title {
        text-style: bold;
    }
    ChartScreen #chart-scroll {
        height: 1fr;
    }
    ChartScreen .hint {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("g", "next_group", "By group", id="chart.by_group"),
        Binding("escape,q", "close", "Close", id="chart.close", priority=True),
    ]

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        # None = all respondents together, then each attribute in turn.
        self.groupings: list[str | None] = [None, *store.comments.attribute_names()]
        self.grouping = 0
        self.shares: ThemeShares | None = None

    @property
    def by(self) -> str | None:
        return self.groupings[self.grouping]

    def compose(self) -> ComposeResult:
        with Vertical(id="chart-dialog"):
            yield Static("Theme frequencies", id="chart-title")
            with VerticalScroll(id="chart-scroll"):
                yield Static(id="chart-bars")
            yield Static("", id="chart-base", classes="hint")
            yield Static("g: by group (next attribute) · esc: close", classes="hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        # Reading and counting can take a moment on a large project: keep the screen live.
        with open_project(self.store.path) as store:  # a connection of its own, in its thread
            shares = theme_shares(store, self.by)
        self.app.call_from_thread(self.show, shares)

    def show(self, shares: ThemeShares) -> None:
        self.shares = shares
        by = f" by {self.by}" if self.by else ""
        self.query_one("#chart-title", Static).update(f"Theme frequencies{by}: {shares.unit}")
        self.query_one("#chart-base", Static).update(shares.base)
        self.draw()

    def draw(self) -> None:
        if self.shares is not None:
            width = self.query_one("#chart-scroll").scrollable_content_region.width
            self.query_one("#chart-bars", Static).update(bar_lines(self.shares, width))

    def on_resize(self) -> None:
        self.draw()

    def action_next_group(self) -> None:
        self.grouping = (self.grouping + 1) % len(self.groupings)
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
