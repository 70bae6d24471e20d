"""A report's tables, computed once from the project and then written in any format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

from coder.errors import CoderError
from coder.limits import CODES_SHOWN
from coder.report.bins import BinSpec
from coder.report.cooccurrence import cooccurrence_matrix, cooccurrence_pairs
from coder.report.crosstab import ALPHA, MIN_GROUP, crosstab
from coder.report.data import ALL_CODED, MISSING, Selection, load, respondent_groups
from coder.report.frequencies import frequencies
from coder.report.quotes import quotes

if TYPE_CHECKING:
    from coder.store import Store


@dataclass(frozen=True)
class ReportOptions:
    selection: Selection = Selection()
    by: str | None = None
    bins: BinSpec = BinSpec()
    quotes: int = 0
    cooccurrence: bool = False


@dataclass
class Report:
    title: str
    options: ReportOptions
    generated: str
    total_comments: int
    coded_comments: int
    coded_respondents: int
    coders: list[str]
    frequencies: pd.DataFrame
    colors: dict[str, str] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    binning: str | None = None  # how the --by attribute's values were binned, if they were
    bin_caption: str | None = None  # the same in a line
    crosstab: pd.DataFrame | None = None
    cooccurrence: pd.DataFrame | None = None
    matrix: pd.DataFrame | None = None
    quotes: pd.DataFrame | None = None

    @property
    def selection(self) -> Selection:
        return self.options.selection

    def notes(self) -> list[str]:
        """How to read the figures: the definitions every format prints with the tables."""
        s = self.selection
        out = [
            f"Counted: {s.describe()}.",
            f"Coded comments: {self.coded_comments} of {self.total_comments} comments have at "
            "least one counted coding; every % of comments is of these.",
            f"Coded respondents: {self.coded_respondents} respondents have at least one coded "
            "comment; every % of respondents is of these, and a respondent counts once per code.",
            "Sub-codes are listed and also rolled up into their parent codes: a comment counts "
            "once for a parent, however many of its sub-codes it has.",
        ]
        if s.consensus:
            out.append(
                "Consensus: a comment counts for a code only if every coder who coded it "
                "applied that code or one of its sub-codes."
            )
        if self.crosstab is not None:
            out.append(
                f"By {self.options.by}: a group is a value of {self.options.by}; "
                f"{MISSING} is respondents without one. Percentages are of each group's coded "
                "comments or respondents. The test compares respondents with the code against "
                "coded respondents without it across groups: Pearson chi-square, or Fisher's "
                "exact test for two groups with an expected count below 5; where a "
                "chi-square has expected counts below 5 it is marked to be read with caution. "
                f"q is the Benjamini-Hochberg adjusted p over all codes tested, and * marks "
                f"q < {ALPHA}: with many codes, some p < {ALPHA} arise by chance. Groups with "
                f"fewer than {MIN_GROUP} coded respondents are shown but left out of the "
                "test: every expected count in them is below 5."
            )
            if self.binning:
                out.append(self.binning)
        if self.cooccurrence is not None:
            out.append(
                "Co-occurrence: comments counted for both codes; Jaccard = both / either. "
                "A code and its own parent are not paired."
            )
        if self.quotes is not None:
            out.append(
                "Quotes: per code, the comments most coders agreed on, of moderate length and "
                "focused on few themes; one per respondent."
            )
        return out


def build_report(store: Store, options: ReportOptions) -> Report:
    """Compute every table the options ask for."""
    data = load(store, options.selection, with_coders=options.quotes > 0)
    if options.by is None and not options.bins.default:
        raise CoderError("--bins groups the attribute of --by; add --by ATTR")
    grouping = respondent_groups(store, data, options.by, options.bins) if options.by else None
    freq = frequencies(data)
    report = Report(
        title=store.meta.get("name") or store.path.stem,
        options=options,
        generated=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
        total_comments=data.total_comments,
        coded_comments=data.coded_comments,
        coded_respondents=data.coded_respondents,
        coders=data.coders,
        frequencies=freq,
        colors={c.path: c.color for c in data.codes if c.color},
    )
    if grouping is not None:
        report.groups, report.binning = grouping.groups, grouping.binning
        report.bin_caption = grouping.bin_caption
        report.crosstab = crosstab(data, grouping.group_at, report.groups, freq)
    if options.cooccurrence:
        CODES_SHOWN.check(len(data.codes), "co-occurrence of every pair of this codebook's codes")
        report.matrix = cooccurrence_matrix(data)
        report.cooccurrence = cooccurrence_pairs(data, report.matrix)
    if options.quotes > 0:
        report.quotes = quotes(store, data, options.quotes)
    return report


@dataclass(frozen=True)
class ThemeShares:
    """What a bar chart of themes shows: one series overall, or one per group."""

    themes: list[str]
    series: dict[str, list[float]]  # name -> % per theme, in the order of themes
    unit: str  # what the percentages are of
    base: str  # the bases, for a caption


def theme_shares(
    store: Store, by: str | None = None, selection: Selection | None = None
) -> ThemeShares:
    """Top-level themes' shares: % of coded comments, or by group % of coded respondents."""
    from coder.report.charts import themes as top_level

    report = build_report(store, ReportOptions(selection=selection or Selection(), by=by))
    names = list(top_level(report.frequencies)["code"])
    if by is None:
        rows = report.frequencies.set_index("code").loc[names]
        return ThemeShares(
            names,
            {"all": rows["comments_pct"].fillna(0).round(1).tolist()},
            "% of coded comments",
            f"{report.coded_comments} coded comments of {report.total_comments}",
        )
    assert report.crosstab is not None  # built, as `by` was given
    table = report.crosstab.set_index("code")
    bases = table.loc[ALL_CODED].to_dict()
    groups = [g for g in report.groups if bases[f"respondents:{g}"] > 0]
    series = {
        g: table.loc[names, f"respondents_pct:{g}"].fillna(0).round(1).tolist() for g in groups
    }
    sizes = ", ".join(f"{g} {int(bases[f'respondents:{g}'])}" for g in groups)
    return ThemeShares(
        names, series, f"% of coded respondents by {by}", f"coded respondents: {sizes}"
    )
