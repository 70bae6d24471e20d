"""Which codings count, rolled up into parent codes: the one table every report is computed from.

Rules (the same for every report, format and chart):

* By default a coding counts if a person made it: origin manual, suggestion (a suggestion a
  person accepted) or imported, by any coder. `coder` keeps only that coder's codings.
* A segment coding counts the whole comment as coded with that code.
* Roll-up: a comment coded with a sub-code ("Emotional impact > Worry") also counts, once,
  for every ancestor ("Emotional impact"), whether or not it also has the parent itself or
  several of its sub-codes.
* Consensus: where coder `consensus` (the agreed coding a lead set) coded a comment, only
  that coding counts. Elsewhere a comment counts for a code only if every coder who coded that comment applied
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
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coder.consensus import CONSENSUS, consensus_mask
from coder.domain import Code
from coder.errors import CoderError
from coder.questions import resolve_question
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
            else "consensus codings (the agreed coding where a lead set one, else codes "
            "applied by every coder of a comment)"
            if self.consensus
            else "codings by any coder"
        )
        if self.include_suggestions:
            who += ", plus the latest model's pending suggestions"
        where = f"question {self.question}" if self.question else "all questions"
        return f"{who}; {where}"


NO_RESPONDENT = -1  # the respondent_id of a comment without a respondent


@dataclass
class ReportData:
    """The counted codings of one selection, ready for every report.

    Ids are the project's row ids, held as integer arrays: respondent_id is NO_RESPONDENT
    where a comment has none.
    """

    selection: Selection
    codes: list[Code]  # tree order
    presence: pd.DataFrame  # comment_id, respondent_id, code_id: one row per counted pair
    base: pd.DataFrame  # comment_id, respondent_id: the coded comments
    # comment_id, coder, code_id, direct_code: the people's codings rolled up (coder is a
    # number, the same for the same coder); empty unless asked for with with_coders.
    rolled: pd.DataFrame
    segments: pd.DataFrame  # comment_id, code_id, start, end: spans, rolled up
    total_comments: int
    coders: list[str] = field(default_factory=list)

    @property
    def coded_comments(self) -> int:
        return len(self.base)

    @cached_property
    def coded_respondents(self) -> int:
        people = self.base["respondent_id"].to_numpy()
        return len(pd.unique(people[people != NO_RESPONDENT]))

    def code_by_id(self) -> dict[int, Code]:
        return {c.id: c for c in self.codes}


def check_attribute(store: Store, name: str) -> None:
    if store.reports.has_attribute(name):
        return
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


def roll_up_arrays(columns: dict[str, np.ndarray], parent: np.ndarray) -> dict[str, np.ndarray]:
    """roll_up on arrays: every row again for each ancestor of its code_id, the original
    code kept in direct_code."""
    columns = {**columns, "direct_code": columns["code_id"]}
    parts = [columns]
    level = columns
    while len(level["code_id"]):
        up = parent[level["code_id"]]
        keep = up >= 0
        level = {k: v[keep] for k, v in level.items()}
        level["code_id"] = up[keep]
        if len(level["code_id"]):
            parts.append(level)
    return {k: np.concatenate([p[k] for p in parts]) for k in columns}


def unique_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (a, b) pairs of two arrays of non-negative integers, sorted by a then b.

    Ids are dense, so a pair's number a * span + b usually stays small: then a table of
    flags (at most 64 MB) finds the distinct ones in one pass, sorted, several times faster
    than hashing them.
    """
    if not len(a):
        return a, b
    span = int(b.max()) + 1
    keys = a.astype(np.int64) * span + b
    size = int(keys.max()) + 1
    if size <= max(16 * len(keys), 1 << 26):
        seen = np.zeros(size, dtype=bool)
        seen[keys] = True
        keys = np.flatnonzero(seen)
    else:
        keys = np.unique(keys)
    return keys // span, keys % span


def run_lengths(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(each distinct key, how many times it occurs) of a sorted array."""
    if not len(sorted_keys):
        return sorted_keys, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return sorted_keys[starts], np.diff(np.r_[starts, len(sorted_keys)])


def load(store: Store, selection: Selection, *, with_coders: bool = False) -> ReportData:
    """Read and select the codings of a project once, for every table of a report.

    with_coders keeps who coded what (rolled, for quotes' agreement); consensus and a
    chosen coder read it anyway.
    """
    if selection.coder and selection.consensus:
        raise CoderError("choose either --coder or --consensus, not both")
    question_id = resolve_question(store, selection.question)
    coders = store.codings.coders()
    if selection.coder is not None and selection.coder not in coders:
        known = ", ".join(coders) or "none yet"
        raise CoderError(f"unknown coder {selection.coder!r}; coders in this project: {known}")
    codes = store.codes.all()
    parent = ancestors_table(codes)
    by_coder = with_coders or selection.consensus or selection.coder is not None
    raw = store.reports.coded(question_id=question_id, coders=coders)
    comment, respondent = raw["comment_id"].to_numpy(), raw["respondent_id"].to_numpy()
    code, coder = raw["code_id"].to_numpy(), raw["coder"].to_numpy()
    # Only codes of the codebook (a damaged file may hold others).
    keep = (code >= 0) & (code < len(parent))
    keep[keep] = np.isin(code[keep], [c.id for c in codes])
    if selection.coder is not None:
        keep &= coder == coders.index(selection.coder)
    if selection.consensus and CONSENSUS in coders:  # the agreed coding, where there is one
        keep &= consensus_mask(comment, coder, coders.index(CONSENSUS))
    if not keep.all():
        comment, respondent, code, coder = comment[keep], respondent[keep], code[keep], coder[keep]
    rolled = roll_up_arrays({"comment_id": comment, "code_id": code, "coder": coder}, parent)
    if selection.consensus:
        span = len(parent) + 1
        pair, _ = unique_pairs(rolled["comment_id"] * span + rolled["code_id"], rolled["coder"])
        keys, agreeing = run_lengths(pair)  # coders who applied each (comment, code)
        of_comment, _ = unique_pairs(comment, coder)
        coders_of = np.bincount(of_comment, minlength=int(comment.max(initial=0)) + 1)
        agreed = keys[agreeing == coders_of[keys // span]]
        p_comment, p_code = agreed // span, agreed % span
    else:
        p_comment, p_code = unique_pairs(rolled["comment_id"], rolled["code_id"])
    base_comment, base_respondent = comment, respondent
    if selection.include_suggestions:
        pending = store.reports.pending(question_id=question_id)
        pending = pending[pending["code_id"].isin([c.id for c in codes])]
        if len(pending):
            up = roll_up_arrays(
                {k: pending[k].to_numpy() for k in ("comment_id", "code_id")}, parent
            )
            p_comment, p_code = unique_pairs(
                np.concatenate([p_comment, up["comment_id"]]),
                np.concatenate([p_code, up["code_id"]]),
            )
            base_comment = np.concatenate([comment, pending["comment_id"].to_numpy()])
            base_respondent = np.concatenate([respondent, pending["respondent_id"].to_numpy()])
    first, _ = unique_pairs(base_comment, np.zeros_like(base_comment))
    respondent_of = np.full(int(base_comment.max(initial=0)) + 1, NO_RESPONDENT, np.int64)
    respondent_of[base_comment] = base_respondent
    base = pd.DataFrame({"comment_id": first, "respondent_id": respondent_of[first]})
    presence = pd.DataFrame(
        {"comment_id": p_comment, "respondent_id": respondent_of[p_comment], "code_id": p_code}
    )
    human_coders = [coders[i] for i in np.unique(coder[coder >= 0])]
    return ReportData(
        selection=selection,
        codes=codes,
        presence=presence,
        base=base,
        rolled=pd.DataFrame(rolled if by_coder else {k: v[:0] for k, v in rolled.items()}),
        segments=_segments(store, question_id, selection, codes, parent),
        total_comments=store.reports.comment_total(question_id),
        coders=[c for c in human_coders if c != SUGGESTION_CODER],
    )


def _segments(
    store: Store,
    question_id: int | None,
    selection: Selection,
    codes: list[Code],
    parent: np.ndarray,
) -> pd.DataFrame:
    """The selection's coded spans, each also under its code's ancestors."""
    spans = store.reports.segments(question_id=question_id)
    spans = spans[spans["code_id"].isin([c.id for c in codes])]
    if selection.coder is not None:
        spans = spans[spans["coder"] == selection.coder]
    columns = ["comment_id", "code_id", "start", "end"]
    if spans.empty:
        return pd.DataFrame({k: np.array([], np.int64) for k in columns})
    up = roll_up_arrays({k: spans[k].to_numpy(dtype=np.int64) for k in columns}, parent)
    return pd.DataFrame({k: up[k] for k in columns})


def _natural(value: str) -> tuple[int, float, str]:
    """Numbers in numeric order (2 before 10), then text in its usual order."""
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


@dataclass
class Grouping:
    """The groups of a cross-tab: each coded comment's group, and every group in order."""

    group_at: np.ndarray  # each row of data.base: its group's position in groups
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
    held = store.reports.attribute_groups(attribute)
    sizes = {value: len(ids) for value, ids in held.items()}
    per_respondent = pd.Series(list(sizes)).repeat(list(sizes.values()))
    binned = bin_values(per_respondent, bins or BinSpec(), attribute)
    if binned is not None:
        groups = list(binned.labels)
        label = binned.of_value
    else:
        groups = sorted(held, key=_natural)
        label = {value: value for value in held}
    with_value = sum(sizes.values())
    if store.reports.respondent_count() > with_value:
        groups.append(MISSING)
    position = {g: i for i, g in enumerate(groups)}
    people = data.base["respondent_id"].to_numpy(dtype=np.int64)
    top = max([int(people.max(initial=0)), *(int(ids.max(initial=0)) for ids in held.values())])
    group_of = np.full(top + 2, -1, dtype=np.int64)  # the last place: no respondent
    for value, ids in held.items():
        group_of[ids] = position[label[value]]
    group_at = group_of[np.where(people == NO_RESPONDENT, top + 1, people)]
    if (group_at < 0).any():
        if MISSING not in position:
            position[MISSING] = len(groups)
            groups.append(MISSING)
        group_at[group_at < 0] = position[MISSING]
    if binned is None:
        return Grouping(group_at, groups)
    return Grouping(group_at, groups, binned.description, binned.caption)
