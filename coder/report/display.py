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
    caption: str = ""  # footnotes, one a line
    muted: list[bool] | None = None  # grey these columns (groups too small to compare)


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


SMALL = "°"  # a group too small for the test
CAUTION = "†"  # a chi-square with expected counts below 5
SIGNIFICANT = "*"


@dataclass
class GroupColumn:
    """One group of a cross-tab as people read it: its name, size and cells."""

    name: str
    n: int  # coded respondents
    small: bool  # too few respondents for the test: shown greyed, left out of the test
    cells: list[str]  # "12 (40%)" per code

    @property
    def size(self) -> str:
        return f"n={self.n}{SMALL if self.small else ''}"


@dataclass
class CrossView:
    """A cross-tab ready to print: groups, the overall column and the test, with footnotes."""

    title: str
    codes: list[str]  # each code's own name (its leaf), indented by depth
    depths: list[int]
    groups: list[GroupColumn]
    overall: GroupColumn
    p: list[str]  # "0.038 †", "0.210 F"
    q: list[str]
    marks: list[str]  # "*" where q < ALPHA
    footnotes: list[str]

    SUMMARY = ("p", "q", "")

    def table(self, groups: list[GroupColumn] | None = None, summary: bool = True) -> TextTable:
        """These groups (default: all) as a TextTable, with the overall column and the test."""
        groups = self.groups if groups is None else groups
        headers = ["Code", *(f"{g.name}\n{g.size}" for g in groups)]
        columns = [g.cells for g in groups]
        if summary:
            headers += [f"All\n{self.overall.size}", *self.SUMMARY]
            columns += [self.overall.cells, self.p, self.q, self.marks]
        rows = [[code, *(column[i] for column in columns)] for i, code in enumerate(self.codes)]
        numeric = [False] + [True] * (len(headers) - 2) + [not summary]
        muted = [False, *(g.small for g in groups)] + [False] * (4 if summary else 0)
        return TextTable(
            self.title,
            headers,
            rows,
            list(self.depths),
            numeric,
            caption="\n".join(self.footnotes),
            muted=muted,
        )


def crosstab_view(report: Report, table: pd.DataFrame) -> CrossView:
    """Respondents with each code per group: the unit of 'x% of social workers said ...'."""
    from coder.report.crosstab import ALPHA, MIN_GROUP
    from coder.report.crosstab import CAUTION as CAUTION_NOTE

    base = table[table["code"] == ALL_CODED].iloc[0]
    body = table[table["code"] != ALL_CODED]
    records = body.to_dict("records")

    def column(name: str, counts: str, shares: str) -> GroupColumn:
        n = int(base[counts])
        return GroupColumn(
            name,
            n,
            n < MIN_GROUP,
            [count_share(r[counts], r[shares]) for r in records],
        )

    groups = [column(g, f"respondents:{g}", f"respondents_pct:{g}") for g in report.groups]
    overall = column("All", "respondents", "respondents_pct")
    overall.small = False
    p_cells, q_cells, marks = [], [], []
    fisher = caution = False
    for r in records:
        flag = ""
        if r["test"] == "Fisher":
            flag, fisher = " F", True
        elif str(r["note"]).startswith(CAUTION_NOTE):
            flag, caution = f" {CAUTION}", True
        p_cells.append(fmt_p(r["p_value"]) + flag if r["test"] else "")
        q_cells.append(fmt_p(r["q_value"]))
        marks.append(SIGNIFICANT if r["significant"] else "")
    tested = sum(1 for r in records if r["test"])
    footnotes = [
        "p: "
        + ("chi-square test" if tested else "no code could be tested")
        + (", or Fisher's exact test where marked F" if fisher else "")
        + (f"; {CAUTION} some expected counts below 5: read with caution" if caution else ""),
        f"q: p adjusted for testing {tested} codes at once (Benjamini-Hochberg); "
        f"{SIGNIFICANT} q < {ALPHA}",
    ]
    if report.bin_caption:
        footnotes.append(report.bin_caption)
    small = [g.name for g in groups if g.small]
    if small:
        footnotes.append(
            f"{SMALL} fewer than {MIN_GROUP} coded respondents: too few to compare, so left "
            f"out of the test ({', '.join(small)})"
        )
    return CrossView(
        f"By {report.options.by}: respondents with each code (% of the group's coded respondents)",
        [leaf(r["code"]) for r in records],
        [int(r["depth"]) for r in records],
        groups,
        overall,
        p_cells,
        q_cells,
        marks,
        footnotes,
    )


def crosstab_table(report: Report, table: pd.DataFrame) -> TextTable:
    return crosstab_view(report, table).table()


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
