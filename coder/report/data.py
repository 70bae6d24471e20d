"""Which codings count, rolled up into parent codes: the one table every report is computed from.

Rules (the same for every report, format and chart):

* By default a coding counts if a person made it: origin manual, suggestion (a suggestion a
  person accepted) or imported, by any coder. `coder` keeps only that coder's codings.
* A segment coding counts the whole comment as coded with that code.
* Roll-up: a comment coded with a sub-code ("Emotional impact > Worry") also counts, once,
  for every ancestor ("Emotional impact"), whether or not it also has the parent itself or
  several of its sub-codes.
* Consensus: a comment counts for a code only if every coder who coded that comment applied
  that code (or, after roll-up, one of its sub-codes). A comment coded by one coder counts as
  that coder's coding. Roll-up comes first, so two coders who chose different sub-codes of
  one theme agree on the theme.
* include_suggestions adds the latest model version's pending suggestions, after the
  selection above, as if they were codings.
* The base ("coded comments") is every comment with at least one coding in the selection:
  for consensus, every comment coded by anyone, even if its coders agreed on no code. The
  respondent base is every respondent with at least one such comment. Both are taken within
  the question, when one is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coder.domain import Code
from coder.errors import CoderError
from coder.report.bins import BinSpec, bin_values
from coder.store.reports import SUGGESTION_CODER

if TYPE_CHECKING:
    from coder.store import Store

ALL_CODED = "(all coded)"
MISSING = "(missing)"


@dataclass(frozen=True)
class Selection:
    """Which codings a report counts."""

    question: str | None = None
    coder: str | None = None
    consensus: bool = False
    include_suggestions: bool = False

    def describe(self) -> str:
        who = (
            f"codings by {self.coder}"
            if self.coder
            else "consensus codings (codes applied by every coder of a comment)"
            if self.consensus
            else "codings by any coder"
        )
        if self.include_suggestions:
            who += ", plus the latest model's pending suggestions"
        where = f"question {self.question}" if self.question else "all questions"
        return f"{who}; {where}"


@dataclass
class ReportData:
    """The counted codings of one selection, ready for every report."""

    selection: Selection
    codes: list[Code]  # tree order
    presence: pd.DataFrame  # comment_id, respondent_id, code_id: one row per counted pair
    base: pd.DataFrame  # comment_id, respondent_id: the coded comments
    rolled: pd.DataFrame  # comment_id, coder, code_id, start, end, direct_code: rolled-up codings
    total_comments: int
    coders: list[str] = field(default_factory=list)

    @property
    def coded_comments(self) -> int:
        return len(self.base)

    @property
    def coded_respondents(self) -> int:
        return int(self.base["respondent_id"].dropna().nunique())

    def code_by_id(self) -> dict[int, Code]:
        return {c.id: c for c in self.codes}


def resolve_question(store: Store, name: str | None) -> int | None:
    if name is None:
        return None
    questions = store.comments.questions()
    for q in questions:
        if q.name == name:
            return q.id
    for q in questions:  # forgiving about case, if that is unambiguous
        if q.name.casefold() == name.casefold():
            return q.id
    known = ", ".join(q.name for q in questions) or "none"
    raise CoderError(f"unknown question {name!r}; known questions: {known}")


def check_attribute(store: Store, name: str) -> None:
    known = store.comments.attribute_names()
    if name not in known:
        listed = ", ".join(known) or "none (import respondents with --attr)"
        raise CoderError(f"unknown attribute {name!r}; known attributes: {listed}")


def ancestors_table(codes: list[Code]) -> np.ndarray:
    """parent[code_id] (or -1), as an array indexable by code id."""
    size = max((c.id for c in codes), default=0) + 1
    parent = np.full(size, -1, dtype=np.int64)
    for c in codes:
        if c.parent_id is not None:
            parent[c.id] = c.parent_id
    return parent


def roll_up(frame: pd.DataFrame, parent: np.ndarray) -> pd.DataFrame:
    """Add a row for every ancestor of each row's code_id; keeps the original in direct_code."""
    frame = frame.assign(direct_code=frame["code_id"].to_numpy())
    parts = [frame]
    level = frame
    while len(level):
        up = parent[level["code_id"].to_numpy()]
        keep = up >= 0
        level = level.loc[keep].assign(code_id=up[keep])
        if len(level):
            parts.append(level)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else frame


def load(store: Store, selection: Selection) -> ReportData:
    """Read and select the codings of a project once, for every table of a report."""
    if selection.coder and selection.consensus:
        raise CoderError("choose either --coder or --consensus, not both")
    question_id = resolve_question(store, selection.question)
    coders = store.codings.coders()
    if selection.coder is not None and selection.coder not in coders:
        known = ", ".join(coders) or "none yet"
        raise CoderError(f"unknown coder {selection.coder!r}; coders in this project: {known}")
    codes = store.codes.all()
    raw = store.reports.codings(
        question_id=question_id, include_suggestions=selection.include_suggestions
    )
    raw = raw[raw["code_id"].isin([c.id for c in codes])]
    pending = raw["origin"] == "pending"
    human, suggested = raw.loc[~pending], raw.loc[pending]
    if selection.coder is not None:
        human = human.loc[human["coder"] == selection.coder]
    parent = ancestors_table(codes)
    rolled = roll_up(human, parent)
    pairs = ["comment_id", "code_id"]
    if selection.consensus:
        per_code = rolled.drop_duplicates(["comment_id", "coder", "code_id"])
        agreeing = per_code.groupby(pairs, sort=False)["coder"].size()
        coders_of = human.groupby("comment_id")["coder"].nunique()
        needed = coders_of.reindex(agreeing.index.get_level_values("comment_id")).to_numpy()
        agreed = agreeing.index[agreeing.to_numpy() == needed]
        presence = pd.DataFrame(
            {
                "comment_id": agreed.get_level_values(0).to_numpy(),
                "code_id": agreed.get_level_values(1).to_numpy(),
            }
        )
    else:
        presence = rolled[pairs].drop_duplicates()
    counted = [human]
    if len(suggested):
        presence = pd.concat(
            [presence, roll_up(suggested, parent)[pairs]], ignore_index=True
        ).drop_duplicates()
        counted.append(suggested)
    base = pd.concat(counted)[["comment_id", "respondent_id"]].drop_duplicates("comment_id")
    respondent_of = base.set_index("comment_id")["respondent_id"]
    presence = presence.assign(
        respondent_id=respondent_of.reindex(presence["comment_id"].to_numpy()).to_numpy()
    ).reset_index(drop=True)
    human_coders = sorted(set(human["coder"].unique()) - {SUGGESTION_CODER})
    return ReportData(
        selection=selection,
        codes=codes,
        presence=presence,
        base=base.reset_index(drop=True),
        rolled=rolled[["comment_id", "coder", "code_id", "start", "end", "direct_code"]],
        total_comments=store.reports.comment_total(question_id),
        coders=human_coders,
    )


def _natural(value: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2 before 10), then text in its usual order."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


@dataclass
class Grouping:
    """The groups of a cross-tab: each coded comment's group, and every group in order."""

    group_of: pd.Series  # comment_id -> group
    groups: list[str]
    binning: str | None = None  # how a numeric or date attribute was binned, for the notes
    bin_caption: str | None = None  # the same in a line, beneath the cross-tab


def respondent_groups(
    store: Store, data: ReportData, attribute: str, bins: BinSpec | None = None
) -> Grouping:
    """Each coded comment's group (its respondent's value, or that value's bin), every group.

    Groups are every value the attribute takes in the project (or every bin of them), so a
    group with no coded comments still appears, then "(missing)" when some respondents
    lack the attribute. Bins are made from every respondent's value, whatever the selection,
    so the same --by gives the same groups for every question and coder.
    """
    check_attribute(store, attribute)
    values = store.reports.attributes(attribute)
    values = values[values["value"].notna() & (values["value"].astype(str).str.strip() != "")]
    by_respondent = values.set_index("respondent_id")["value"].astype(str)
    binned = bin_values(by_respondent, bins or BinSpec(), attribute)
    if binned is not None:
        by_respondent = by_respondent.map(binned.of_value)
        groups = list(binned.labels)
    else:
        groups = sorted(store.reports.attribute_values(attribute), key=_natural)
    group = by_respondent.reindex(data.base["respondent_id"].to_numpy()).fillna(MISSING)
    group.index = data.base["comment_id"].to_numpy()
    if store.reports.respondents_lacking(attribute) or (group == MISSING).any():
        groups.append(MISSING)
    if binned is None:
        return Grouping(group, groups)
    return Grouping(group, groups, binned.description, binned.caption)
