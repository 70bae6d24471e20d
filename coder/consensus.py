"""The agreed coding: where coder `consensus` coded a comment, only that coding counts.

A lead settles the comments coders disagreed on by coding them as `consensus`. Wherever
that coder has coded a comment, the other coders' codings of it are set aside by every
count that prefers consensus (`coder report --consensus`, `coder train`); on every other
comment the usual rules apply. The rule is here once, for rows of plain tuples and for
columns of arrays (a report's data frame).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np

CONSENSUS = "consensus"

Row = TypeVar("Row", bound=Sequence[object])


def consensus_comments(rows: Iterable[Row], coder_at: int = 2) -> set[object]:
    """The comments (the first item of each row) that coder `consensus` coded."""
    return {row[0] for row in rows if row[coder_at] == CONSENSUS}


def prefer_consensus(rows: Iterable[Row], coder_at: int = 2) -> list[Row]:
    """The rows that count, in their order: on a comment `consensus` coded, only its rows;
    elsewhere every row. Rows start with the comment id; `coder_at` is where the coder is
    (`store.codings.human()` gives (comment_id, code_id, coder))."""
    rows = list(rows)
    settled = consensus_comments(rows, coder_at)
    if not settled:
        return rows
    return [row for row in rows if row[coder_at] == CONSENSUS or row[0] not in settled]


def consensus_mask(
    comment_ids: np.ndarray, coders: np.ndarray, consensus: object = CONSENSUS
) -> np.ndarray:
    """The same rule over columns: True for the rows that count. `coders` holds names, or
    numbers standing for them with `consensus` the number of coder `consensus` (as the
    reports read codings)."""
    by_consensus = np.asarray(coders == consensus, dtype=bool)
    comment_ids = np.asarray(comment_ids)
    settled = np.unique(comment_ids[by_consensus])
    return np.asarray(by_consensus | ~np.isin(comment_ids, settled), dtype=bool)
