"""A bar chart of theme frequencies, overall or by group of a respondent attribute."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static
from textual_plotext import PlotextPlot

from coder.report.build import ThemeShares, theme_shares
from coder.store import Store


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
    ChartScreen #chart-plot {
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
            yield PlotextPlot(id="chart-plot")
            yield Static("", id="chart-base", classes="hint")
            yield Static("g: by group (next attribute) · esc: close", classes="hint")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        # Reading and counting can take a moment on a large project: keep the screen live.
        shares = theme_shares(self.store, self.by)
        self.app.call_from_thread(self.show, shares)

    def show(self, shares: ThemeShares) -> None:
        self.shares = shares
        by = f" by {self.by}" if self.by else ""
        self.query_one("#chart-title", Static).update(f"Theme frequencies{by}: {shares.unit}")
        self.query_one("#chart-base", Static).update(shares.base)
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        labels = list(reversed(shares.themes))  # plotext draws the first bar at the bottom
        if not shares.themes:
            plt.title("No codes yet")
        elif len(shares.series) == 1:
            (values,) = shares.series.values()
            plt.bar(labels, list(reversed(values)), orientation="horizontal", width=0.6)
        else:
            plt.multiple_bar(  # type: ignore[call-arg]  # plotext takes `labels`; its stub says label
                labels,
                [list(reversed(v)) for v in shares.series.values()],
                labels=list(shares.series),
                orientation="horizontal",
            )
        plt.xlabel(shares.unit)
        plot.refresh()

    def action_next_group(self) -> None:
        self.grouping = (self.grouping + 1) % len(self.groupings)
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)
