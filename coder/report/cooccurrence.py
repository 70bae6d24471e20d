"""Co-occurrence of codes on the same comment: counts and Jaccard similarity.

Pairs table columns: code_a, code_b, comments (comments counted for both), jaccard
(comments with both / comments with either), pct_of_a and pct_of_b (the share of a's, or
b's, comments that also have the other code). Codes are rolled up as in the frequencies;
a code and its own ancestor always co-occur, so those pairs are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coder.report.data import ReportData
from coder.report.frequencies import pct

PAIR_COLUMNS = ["code_a", "code_b", "comments", "jaccard", "pct_of_a", "pct_of_b"]


def cooccurrence_matrix(data: ReportData) -> pd.DataFrame:
    """Codes by codes: comments counted for both (the diagonal: for the code itself)."""
    from scipy import sparse

    ids = [c.id for c in data.codes]
    paths = [c.path for c in data.codes]
    if not ids or data.presence.empty:
        return pd.DataFrame(0, index=paths, columns=paths, dtype=np.int64)
    column = pd.Index(ids).get_indexer(pd.Index(data.presence["code_id"]))
    rows, _ = pd.factorize(data.presence["comment_id"])
    x = sparse.csr_array(
        (np.ones(len(rows), dtype=np.int64), (rows, column)), shape=(rows.max() + 1, len(ids))
    )
    both = (x.T @ x).toarray()
    return pd.DataFrame(both, index=paths, columns=paths)


def _related(data: ReportData) -> set[tuple[int, int]]:
    """Index pairs (i, j) where one code is an ancestor of the other."""
    position = {c.id: i for i, c in enumerate(data.codes)}
    parent = {c.id: c.parent_id for c in data.codes}
    related = set()
    for code in data.codes:
        up = parent[code.id]
        while up is not None:
            i, j = sorted((position[code.id], position[up]))
            related.add((i, j))
            up = parent[up]
    return related


def cooccurrence_pairs(data: ReportData, matrix: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of codes that share a comment, most shared first."""
    matrix = cooccurrence_matrix(data) if matrix is None else matrix
    both = matrix.to_numpy()
    own = np.diag(both)
    i, j = np.triu_indices(len(both), k=1)
    related = _related(data)
    unrelated = [(a, b) not in related for a, b in zip(i, j, strict=True)]
    keep = (both[i, j] > 0) & np.array(unrelated, dtype=bool)
    i, j = i[keep], j[keep]
    shared = both[i, j]
    paths = np.array(matrix.index, dtype=object)
    table = pd.DataFrame(
        {
            "code_a": paths[i] if len(i) else [],
            "code_b": paths[j] if len(j) else [],
            "comments": shared,
            "jaccard": shared / (own[i] + own[j] - shared) if len(i) else [],
            "pct_of_a": pct(shared, own[i]),
            "pct_of_b": pct(shared, own[j]),
            "_order": i * len(both) + j,
        }
    )
    table = table.sort_values(["comments", "jaccard", "_order"], ascending=[False, False, True])
    return table.drop(columns="_order").reset_index(drop=True)[PAIR_COLUMNS]
