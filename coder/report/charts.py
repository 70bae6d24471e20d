"""Bar charts of theme frequencies (overall and by group) as SVG text, drawn with matplotlib."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coder.report.data import ALL_CODED
from coder.report.frequencies import COLUMNS as FREQUENCY_COLUMNS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#8c564b",
]


def label(text: str) -> str:
    """Plain text for matplotlib, which would read '$...$' as mathematics."""
    return str(text).replace("$", r"\$")


def _figure(height_rows: int) -> Figure:
    # Figure directly, not pyplot: no global state and no display backend.
    from matplotlib.figure import Figure

    return Figure(figsize=(8, max(2.0, 0.38 * height_rows + 1.0)), dpi=100)


def _svg(fig: Figure) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "coder"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # inline in HTML: no XML prolog or doctype


def themes(frequencies: pd.DataFrame) -> pd.DataFrame:
    """The top-level codes' rows of a frequency table."""
    rows = frequencies[(frequencies["code"] != ALL_CODED)]
    if "depth" in rows:
        return rows[rows["depth"] == 0]
    return rows[~rows["code"].str.contains(" > ", regex=False)]


def theme_chart(frequencies: pd.DataFrame, colors: dict[str, str] | None = None) -> str:
    """Horizontal bars: % of coded comments per theme, largest at the top."""
    data = themes(frequencies[FREQUENCY_COLUMNS]).sort_values("comments", kind="stable")
    fig = _figure(len(data))
    ax = fig.subplots()
    values = data["comments_pct"].fillna(0).to_numpy()
    colors = colors or {}
    bars = ax.barh(
        [label(c) for c in data["code"]],
        values,
        color=[colors.get(c) or _PALETTE[0] for c in data["code"]],
    )
    for bar, n, p in zip(bars, data["comments"], values, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f" {p:.0f}% ({n})",
            va="center",
            fontsize=8,
        )
    ax.set_xlabel("% of coded comments")
    ax.set_xlim(0, max(100.0, float(values.max(initial=0)) * 1.15))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def group_chart(table: pd.DataFrame, groups: list[str], attribute: str) -> str:
    """Grouped horizontal bars: each theme's % of coded respondents in each group."""
    data = themes(table)
    groups = [g for g in groups if table.loc[table["code"] == ALL_CODED, f"respondents:{g}"].sum()]
    fig = _figure(len(data) * max(1, len(groups)) // 2 + len(data))
    ax = fig.subplots()
    y = np.arange(len(data))[::-1]
    width = 0.8 / max(1, len(groups))
    for k, group in enumerate(groups):
        values = data[f"respondents_pct:{group}"].fillna(0).to_numpy()
        ax.barh(
            y + 0.4 - width * (k + 0.5),
            values,
            height=width,
            label=label(group),
            color=_PALETTE[k % len(_PALETTE)],
        )
    ax.set_yticks(y, [label(c) for c in data["code"]])
    ax.set_xlabel(label(f"% of coded respondents in each {attribute} group"))
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
