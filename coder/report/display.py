"""The report's tables as rows of text for people (terminal, Markdown, HTML)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coder.domain import PATH_SEPARATOR
from coder.report.build import Report
from coder.report.data import ALL_CODED

if TYPE_CHECKING:
    import pandas as pd

# One row of a report's table, column name -> value (NaN where there is none).
Row = Mapping[Hashable, Any]


@dataclass
class TextTable:
    title: str
    headers: list[str]
    rows: list[list[str]]
    depths: list[int]  # indentation of each row's first cell (sub-codes under their parents)
    numeric: list[bool]  # right-align these columns
    caption: str = ""


def fmt_pct(value: float | None) -> str:
    return (
        "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}%"
    )


def fmt_p(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def count_share(count: float, share: float) -> str:
    """'12 (40%)': whole percentages, as a lead quotes them; blank share for an empty group."""
    if isinstance(share, float) and math.isnan(share):
        return str(int(count))
    return f"{int(count)} ({share:.0f}%)"


def leaf(path: str) -> str:
    return path.rsplit(PATH_SEPARATOR, 1)[-1]


def frequency_table(report: Report) -> TextTable:
    rows, depths = [], []
    for r in report.frequencies.to_dict("records"):
        depths.append(int(r["depth"]))
        rows.append(
            [
                leaf(r["code"]),
                str(r["comments"]),
                fmt_pct(r["comments_pct"]),
                str(r["respondents"]),
                fmt_pct(r["respondents_pct"]),
            ]
        )
    return TextTable(
        "Theme frequencies",
        ["Code", "Comments", "% comments", "Respondents", "% respondents"],
        rows,
        depths,
        [False, True, True, True, True],
    )


def crosstab_table(report: Report, table: pd.DataFrame) -> TextTable:
    """Respondents with each code per group: the unit of 'x% of social workers said ...'."""
    base = table[table["code"] == ALL_CODED].iloc[0]
    headers = ["Code"]
    for g in report.groups:
        headers.append(f"{g}\nn={int(base[f'respondents:{g}'])}")
    headers += [f"All\nn={int(base['respondents'])}", "p", ""]
    rows, depths = [], []
    for _, r in table[table["code"] != ALL_CODED].iterrows():
        depths.append(int(r["depth"]))
        cells = [leaf(r["code"])]
        for g in report.groups:
            cells.append(count_share(r[f"respondents:{g}"], r[f"respondents_pct:{g}"]))
        cells.append(count_share(r["respondents"], r["respondents_pct"]))
        test = {"Fisher": " F", "chi-square": ""}.get(r["test"], "")
        cells.append(fmt_p(r["p_value"]) + test if r["test"] else "")
        cells.append("*" if r["significant"] else "")
        rows.append(cells)
    return TextTable(
        f"By {report.options.by}: respondents with each code (% of the group's coded respondents)",
        headers,
        rows,
        depths,
        [False] + [True] * (len(headers) - 2) + [False],
        caption="p: chi-square test, or Fisher's exact test where marked F; * p < 0.05",
    )


def cooccurrence_table(pairs: pd.DataFrame) -> TextTable:
    rows = [
        [
            r["code_a"],
            r["code_b"],
            str(r["comments"]),
            f"{r['jaccard']:.2f}",
            fmt_pct(r["pct_of_a"]),
            fmt_pct(r["pct_of_b"]),
        ]
        for r in pairs.to_dict("records")
    ]
    return TextTable(
        "Co-occurrence",
        ["Code A", "Code B", "Comments with both", "Jaccard", "% of A", "% of B"],
        rows,
        [0] * len(rows),
        [False, False, True, True, True, True],
    )


def quote_table(quotes: pd.DataFrame) -> TextTable:
    rows = [[r["code"], r["quote"], who(r)] for r in quotes.to_dict("records")]
    return TextTable("Quotes", ["Code", "Quote", "Who"], rows, [0] * len(rows), [False] * 3)


def who(quote: Row) -> str:
    parts = [quote["comment_id"]]
    if quote["attributes"]:
        parts.append(quote["attributes"])
    parts.append(quote["agreement"])
    return " · ".join(parts)


def tables(report: Report) -> list[TextTable]:
    out = [frequency_table(report)]
    if report.crosstab is not None:
        out.append(crosstab_table(report, report.crosstab))
    if report.cooccurrence is not None:
        out.append(cooccurrence_table(report.cooccurrence))
    if report.quotes is not None:
        out.append(quote_table(report.quotes))
    return out


def heading(report: Report) -> list[str]:
    coders = ", ".join(report.coders) or "none"
    return [
        f"{report.title}: coding report, {report.generated}",
        f"{report.selection.describe()}; coders: {coders}",
        f"{report.coded_comments} coded comments of {report.total_comments}; "
        f"{report.coded_respondents} coded respondents",
    ]
