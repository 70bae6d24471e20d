"""Bar charts of theme frequencies (overall and by group) as SVG text, drawn with matplotlib."""

from __future__ import annotations

import io
import re
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
    # Figure directly, not pyplot: no global state and no display backend. Six inches wide,
    # so that shrunk to a phone's width its labels stay readable.
    from matplotlib.figure import Figure

    return Figure(figsize=(6, max(2.0, 0.34 * height_rows + 1.0)), dpi=100)


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as inline SVG whose ids all start with `prefix`, so that several charts
    in one HTML page never share an id (matplotlib numbers them the same in every figure)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "coder"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # inline in HTML: no XML prolog or doctype
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", text)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)


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
    return _svg(fig, "themes-")


BARS_UP_TO = 4  # groups drawn as bars; more are drawn as a grid of shaded cells


def group_chart(
    table: pd.DataFrame, groups: list[str], attribute: str, small: list[str] | None = None
) -> str:
    """Each theme's % of coded respondents in each group: grouped bars for a few groups,
    a shaded grid for many. Groups with no coded respondents are left out; `small` ones
    (too few to compare) are marked with a degree sign."""
    data = themes(table)
    groups = [g for g in groups if table.loc[table["code"] == ALL_CODED, f"respondents:{g}"].sum()]
    small = small or []
    names = [label(f"{g}°" if g in small else g) for g in groups]
    if len(groups) > BARS_UP_TO:
        return _grid(data, groups, names, attribute)
    fig = _figure(int(len(data) * (0.6 + 0.3 * len(groups))) + 1)
    ax = fig.subplots()
    y = np.arange(len(data))[::-1]
    width = 0.8 / max(1, len(groups))
    for k, group in enumerate(groups):
        values = data[f"respondents_pct:{group}"].fillna(0).to_numpy()
        ax.barh(
            y + 0.4 - width * (k + 0.5),
            values,
            height=width,
            label=names[k],
            color=_PALETTE[k % len(_PALETTE)],
            hatch="//" if group in small else None,
            alpha=0.5 if group in small else 1.0,
        )
    ax.set_yticks(y, [label(c) for c in data["code"]])
    ax.set_xlabel(label(f"% of coded respondents in each {attribute} group"))
    ax.set_xlim(0, 100)
    if groups:
        ax.legend(
            fontsize=8,
            frameon=False,
            loc="lower left",
            bbox_to_anchor=(0, 1.0),
            ncol=min(len(groups), 4),
        )
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, "groups-")


def _grid(data: pd.DataFrame, groups: list[str], names: list[str], attribute: str) -> str:
    """Themes by groups, each cell shaded by and labelled with its %."""
    values = np.array(
        [data[f"respondents_pct:{g}"].fillna(0).to_numpy() for g in groups], dtype=float
    ).T.reshape(len(data), len(groups))
    fig = _grid_figure(len(data), len(groups))
    ax = fig.subplots()
    # Drawn as shapes, not an image: the page then holds no embedded picture.
    ax.pcolormesh(values, cmap="Blues", vmin=0, vmax=100, edgecolors="white", linewidth=1)
    ax.invert_yaxis()
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            ax.text(
                j + 0.5, i + 0.5, f"{v:.0f}", ha="center", va="center", fontsize=8,
                color="white" if v > 60 else "#1d1d1f",
            )  # fmt: skip
    ax.set_yticks(np.arange(len(data)) + 0.5, [label(c) for c in data["code"]])
    ax.set_xticks(np.arange(len(groups)) + 0.5, names, rotation=40, ha="right")
    ax.tick_params(length=0)
    ax.set_title(label(f"% of coded respondents in each {attribute} group"), fontsize=9, loc="left")
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _svg(fig, "groups-")


def _grid_figure(rows: int, columns: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(max(5.0, 2.6 + 0.55 * columns), max(2.0, 0.34 * rows + 1.8)), dpi=100)
