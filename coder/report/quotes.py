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
from coder.report.data import ReportData

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


def _attributes(store: Store) -> pd.Series:
    """'name: value; ...' per respondent id."""
    long = store.reports.attributes()
    long = long[long["value"].notna() & (long["value"].astype(str).str.strip() != "")]
    if long.empty:
        return pd.Series(dtype=object)
    long = long.sort_values(["respondent_id", "name"])
    pairs = long["name"] + ": " + long["value"].astype(str)
    return pairs.groupby(long["respondent_id"]).agg("; ".join)


def _agreement(data: ReportData) -> pd.DataFrame:
    """comment_id, code_id, agreeing coders, coders of the comment."""
    rolled = data.rolled.drop_duplicates(["comment_id", "coder", "code_id"])
    agreeing = rolled.groupby(["comment_id", "code_id"]).size().rename("agreeing")
    of_comment = data.rolled.groupby("comment_id")["coder"].nunique().rename("coders")
    return agreeing.reset_index().merge(of_comment.reset_index(), on="comment_id")


def quotes(store: Store, data: ReportData, per_code: int) -> pd.DataFrame:
    """Up to per_code quotes for every code, in codebook order."""
    if per_code <= 0 or data.presence.empty:
        return pd.DataFrame(columns=QUOTE_COLUMNS)
    top = {c.id: c.path.split(PATH_SEPARATOR)[0] for c in data.codes}
    cand = data.presence.merge(_agreement(data), on=["comment_id", "code_id"], how="left")
    cand["agreeing"] = cand["agreeing"].fillna(0)
    cand["coders"] = cand["coders"].fillna(0)
    cand["share"] = np.where(cand["coders"] > 0, cand["agreeing"] / cand["coders"].clip(1), 0.0)
    themes = data.presence.assign(theme=data.presence["code_id"].map(top))
    cand["themes"] = cand["comment_id"].map(themes.groupby("comment_id")["theme"].nunique())
    direct = data.rolled.groupby("comment_id")["direct_code"].nunique()
    cand["direct"] = cand["comment_id"].map(direct).fillna(1)
    cand = cand.sort_values(
        ["code_id", "share", "themes", "comment_id"], ascending=[True, False, True, True]
    )
    cand = cand.groupby("code_id").head(per_code * CANDIDATES_PER_QUOTE)
    comments = store.reports.comments(with_text=True, ids=cand["comment_id"].unique())
    cand = cand.drop(columns="respondent_id").merge(comments, on="comment_id")
    segments = data.rolled.dropna(subset=["start"]).sort_values("start")
    segments = segments.drop_duplicates(["comment_id", "code_id"])
    cand = cand.merge(
        segments[["comment_id", "code_id", "start", "end"]],
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
    person = cand["respondent_id"].astype("Int64").astype(str) + "|" + cand["code_id"].astype(str)
    person = person.where(cand["respondent_id"].notna(), cand["source_id"])
    cand = cand.loc[~person.duplicated()].groupby("code_id").head(per_code)
    attributes = _attributes(store)
    order = {c.id: i for i, c in enumerate(data.codes)}
    cand = cand.assign(_order=cand["code_id"].map(order)).sort_values(["_order"], kind="stable")
    path = {c.id: c.path for c in data.codes}
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
