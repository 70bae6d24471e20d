"""Exemplar quotes per code: short, typical comments, with who said them.

For each code (parents include their sub-codes' comments) the candidates are the comments
counted for it, ranked by: agreement first (the share of the comment's coders who applied
the code), then length (between MIN_CHARS and MAX_CHARS is best, then nearest IDEAL_CHARS),
then focus (fewer other themes, then fewer codes, on the comment), then comment_id, so the
choice is stable.
At most one quote per respondent per code. Where the code was applied to a segment, the
quote is that segment. A quote longer than MAX_CHARS is cut at a word and marked with "…".

Columns: code, rank, comment_id, respondent_id, question, attributes, agreement, quote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coder.domain import PATH_SEPARATOR
from coder.report.data import NO_RESPONDENT, ReportData, run_lengths, unique_pairs

if TYPE_CHECKING:
    from coder.store import Store

MIN_CHARS, IDEAL_CHARS, MAX_CHARS = 40, 140, 300
CANDIDATES_PER_QUOTE = 40
QUOTE_COLUMNS = [
    "code",
    "rank",
    "comment_id",
    "respondent_id",
    "question",
    "attributes",
    "agreement",
    "quote",
]


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:.- ") + " …"


def _attributes(store: Store, respondent_ids: np.ndarray) -> pd.Series:
    """'name: value; ...' for each of these respondents, by respondent id."""
    long = store.reports.attributes_of(respondent_ids)
    long = long[long["value"].notna() & (long["value"].astype(str).str.strip() != "")]
    if long.empty:
        return pd.Series(dtype=object)
    long = long.sort_values(["respondent_id", "name"])
    pairs = long["name"] + ": " + long["value"].astype(str)
    return pairs.groupby(long["respondent_id"]).agg("; ".join)


def _lookup(keys: np.ndarray, sorted_keys: np.ndarray, values: np.ndarray) -> np.ndarray:
    """values[i] where sorted_keys[i] == key, for each key (0 where a key is absent)."""
    out = np.zeros(len(keys), dtype=np.int64)
    if not len(sorted_keys):
        return out
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found = sorted_keys[at] == keys
    out[found] = values[at[found]]
    return out


def _per_comment(comment: np.ndarray, other: np.ndarray, size: int) -> np.ndarray:
    """How many different `other` values each comment id has (indexable by comment id)."""
    who, _ = unique_pairs(comment, other)
    return np.bincount(who, minlength=size)


def quotes(store: Store, data: ReportData, per_code: int) -> pd.DataFrame:
    """Up to per_code quotes for every code, in codebook order."""
    if per_code <= 0 or data.presence.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    codes = data.codes
    span = max(c.id for c in codes) + 1
    top = np.zeros(span, dtype=np.int64)
    themes_of = {c.path.split(PATH_SEPARATOR)[0]: i for i, c in enumerate(codes)}
    for c in codes:
        top[c.id] = themes_of[c.path.split(PATH_SEPARATOR)[0]]
    comment = data.presence["comment_id"].to_numpy(dtype=np.int64)
    code = data.presence["code_id"].to_numpy(dtype=np.int64)
    size = int(comment.max()) + 1
    # Agreement: of the coders of a comment, how many applied the code (or a sub-code).
    rolled = {k: data.rolled[k].to_numpy(dtype=np.int64) for k in data.rolled.columns}
    pair, _ = unique_pairs(rolled["comment_id"] * span + rolled["code_id"], rolled["coder"])
    keys, agreeing = run_lengths(pair)
    coders = _per_comment(rolled["comment_id"], rolled["coder"], size)
    direct = _per_comment(rolled["comment_id"], rolled["direct_code"], size)
    agree = _lookup(comment * span + code, keys, agreeing).astype(float)
    of_comment = coders[comment].astype(float)
    share = np.where(of_comment > 0, agree / np.maximum(of_comment, 1), 0.0)
    themes = _per_comment(comment, top[code], size)[comment]
    direct_codes = np.maximum(direct[comment], 1)
    # The best candidates per code first, before any text is read.
    order = np.lexsort((comment, themes, -share, code))
    ranked = code[order]
    first = np.searchsorted(ranked, ranked, side="left")
    keep = order[np.arange(len(order)) - first < per_code * CANDIDATES_PER_QUOTE]
    cand = pd.DataFrame(
        {
            "comment_id": comment[keep],
            "code_id": code[keep],
            "agreeing": agree[keep],
            "coders": of_comment[keep],
            "share": share[keep],
            "themes": themes[keep],
            "direct": direct_codes[keep],
        }
    )
    comments = store.reports.comments(with_text=True, ids=cand["comment_id"].unique())
    cand = cand.merge(comments, on="comment_id")
    spans = data.segments.sort_values("start", kind="stable")
    spans = spans.drop_duplicates(["comment_id", "code_id"])
    cand = cand.merge(
        spans[["comment_id", "code_id", "start", "end"]],
        on=["comment_id", "code_id"],
        how="left",
    )
    cand["quote"] = [
        text if pd.isna(s) else text[int(s) : int(e)]
        for text, s, e in zip(cand["text"], cand["start"], cand["end"], strict=True)
    ]
    length = cand["quote"].str.len()
    cand["too_far"] = np.where(
        length < MIN_CHARS, MIN_CHARS - length, np.maximum(length - MAX_CHARS, 0)
    )
    cand["off_ideal"] = (length - IDEAL_CHARS).abs()
    cand = cand.sort_values(
        ["code_id", "share", "too_far", "themes", "direct", "off_ideal", "source_id"],
        ascending=[True, False, True, True, True, True, True],
    )
    has_person = cand["respondent_id"].notna() & (cand["respondent_id"] != NO_RESPONDENT)
    person = cand["respondent_id"].astype("Int64").astype(str) + "|" + cand["code_id"].astype(str)
    person = person.where(has_person, cand["source_id"])
    cand = cand.loc[~person.duplicated()].groupby("code_id").head(per_code)
    attributes = _attributes(store, cand["respondent_id"].dropna().unique())
    order_of = {c.id: i for i, c in enumerate(codes)}
    cand = cand.assign(_order=cand["code_id"].map(order_of)).sort_values(["_order"], kind="stable")
    path = {c.id: c.path for c in codes}
    out = pd.DataFrame(
        {
            "code": cand["code_id"].map(path).to_numpy(),
            "rank": cand.groupby("code_id").cumcount().to_numpy() + 1,
            "comment_id": cand["source_id"].to_numpy(),
            "respondent_id": cand["respondent"].to_numpy(),
            "question": cand["question"].to_numpy(),
            "attributes": cand["respondent_id"].map(attributes).fillna("").to_numpy(),
            "agreement": [
                "suggested" if c == 0 else f"{int(a)} of {int(c)} coders"
                for a, c in zip(cand["agreeing"], cand["coders"], strict=True)
            ],
            "quote": [shorten(q) for q in cand["quote"]],
        }
    )
    return out[QUOTE_COLUMNS]
