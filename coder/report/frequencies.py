"""Theme frequencies: comments and respondents per code, with sub-codes rolled up into parents.

Columns (stable; the CSV writes them in this order):

code             the code's path, "Parent > Child" for a sub-code
comments         comments counted for the code (a parent counts its sub-codes' comments once)
comments_pct     100 * comments / coded comments (comments with at least one counted coding)
respondents      respondents with at least one such comment (each counts once per code)
respondents_pct  100 * respondents / respondents with at least one counted coding
depth            0 for a top-level code (a theme), 1 for its sub-codes, ...
theme            the top-level code it belongs to

The last row, "(all coded)", holds the bases: the coded comments and coded respondents.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from coder.domain import PATH_SEPARATOR
from coder.report.data import ALL_CODED, NO_RESPONDENT, ReportData, unique_pairs

COLUMNS = ["code", "comments", "comments_pct", "respondents", "respondents_pct", "depth", "theme"]


def pct(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    """Percentages, with NaN (shown blank) where the base is zero rather than a division error."""
    part = np.asarray(part, dtype=float)
    whole = np.broadcast_to(np.asarray(whole, dtype=float), part.shape)
    out = np.full(part.shape, np.nan)
    np.divide(part * 100.0, whole, out=out, where=whole > 0)
    return out


def code_positions(presence: pd.DataFrame, code_ids: list[int]) -> np.ndarray:
    """Each presence row's code as its position in code_ids."""
    position = np.full(max(code_ids, default=0) + 1, -1, dtype=np.int64)
    position[code_ids] = np.arange(len(code_ids))
    return position[presence["code_id"].to_numpy(dtype=np.int64)]


def code_counts(presence: pd.DataFrame, code_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(comments, respondents) per code id, in the order given."""
    at = code_positions(presence, code_ids)
    comments = np.bincount(at, minlength=len(code_ids))
    people = presence["respondent_id"].to_numpy(dtype=np.int64)
    has = people != NO_RESPONDENT
    who, which = unique_pairs(people[has], at[has])
    respondents = np.bincount(which, minlength=len(code_ids))
    return comments.astype(np.int64), respondents.astype(np.int64)


def frequencies(data: ReportData) -> pd.DataFrame:
    """One row per code in codebook order, then the "(all coded)" row of bases."""
    ids = [c.id for c in data.codes]
    comments, respondents = code_counts(data.presence, ids)
    n_comments, n_respondents = data.coded_comments, data.coded_respondents
    table = pd.DataFrame(
        {
            "code": [c.path for c in data.codes],
            "comments": comments,
            "comments_pct": pct(comments, n_comments),
            "respondents": respondents,
            "respondents_pct": pct(respondents, n_respondents),
            "depth": [c.path.count(PATH_SEPARATOR) for c in data.codes],
            "theme": [c.path.split(PATH_SEPARATOR)[0] for c in data.codes],
        }
    )
    total = pd.DataFrame(
        {
            "code": [ALL_CODED],
            "comments": [n_comments],
            "comments_pct": pct([n_comments], n_comments),
            "respondents": [n_respondents],
            "respondents_pct": pct([n_respondents], n_respondents),
            "depth": [0],
            "theme": [""],
        }
    )
    return pd.concat([table, total], ignore_index=True)[COLUMNS]
