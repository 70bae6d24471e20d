"""What the model learns from: the people's coding, one row per coded comment, one column per code.

Rules, stated wherever training is reported:
- every coding counts, whoever made it and however (by hand, an accepted suggestion,
  imported), of the whole comment or of a segment of it;
- where coder `consensus` (the agreed coding a lead set) coded a comment, only that coding
  counts for it;
- elsewhere, where several people coded a comment, a code counts for it when at least half
  of them applied it (with two coders, either one; with three, two of them);
- a sub-code does not imply its parent: the codebook keeps a parent for what none of
  its sub-codes fits, so each code learns from the comments it was itself applied to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coder.consensus import consensus_comments, prefer_consensus
from coder.domain import Code
from coder.errors import CoderError
from coder.model_card import SkippedCode
from coder.store import Store

MIN_EXAMPLES = 5


@dataclass
class TrainingSet:
    comment_ids: list[int]
    y: np.ndarray  # (comments, modelled codes) of 0/1
    codes: list[Code]  # the modelled codes, in column order
    skipped: list[SkippedCode]
    coders: list[str]
    shared_comments: int  # coded by more than one person
    disagreements: int  # (comment, code) pairs the coders of a comment did not agree on
    settled: int = 0  # comments whose agreed coding (coder `consensus`) was used

    @property
    def size(self) -> int:
        return len(self.comment_ids)


def training_set(store: Store, min_examples: int = MIN_EXAMPLES) -> TrainingSet:
    """Read the coding into targets, naming each code too rare to learn."""
    everyone = store.codings.human()
    settled = consensus_comments(everyone)
    codings = prefer_consensus(everyone)
    codes = store.codes.all()
    if not codings:
        raise CoderError(
            "nothing is coded yet: code some comments first (each code needs at least "
            f"{min_examples} examples before it can be suggested)"
        )
    comment_ids = sorted({c for c, _, _ in codings})
    row = {c: i for i, c in enumerate(comment_ids)}
    column = {code.id: j for j, code in enumerate(codes)}
    votes = np.zeros((len(comment_ids), len(codes)), dtype=np.int32)
    coders_of: dict[int, set[str]] = {}
    for comment_id, code_id, coder in codings:
        coders_of.setdefault(comment_id, set()).add(coder)
        if code_id in column:
            votes[row[comment_id], column[code_id]] += 1
    n_coders = np.array([len(coders_of[c]) for c in comment_ids])[:, None]
    present = 2 * votes >= n_coders
    present &= votes > 0
    disagreements = int(((votes > 0) & (votes < n_coders)).sum())
    support = present.sum(axis=0)
    kept: list[int] = []
    skipped: list[SkippedCode] = []
    for j, code in enumerate(codes):
        if support[j] < min_examples:
            has = f"has {support[j]}" if support[j] else "has none"
            reason = f"needs at least {min_examples} examples ({has})"
            skipped.append(SkippedCode(code.id, code.path, reason))
        elif len(comment_ids) - support[j] < min_examples:
            reason = f"needs at least {min_examples} coded comments without it"
            skipped.append(SkippedCode(code.id, code.path, reason))
        else:
            kept.append(j)
    if not kept:
        raise CoderError(
            f"too little coding to train: {len(comment_ids)} comments are coded and no code "
            f"has {min_examples} examples yet; code more comments and try again"
        )
    return TrainingSet(
        comment_ids=comment_ids,
        y=present[:, kept].astype(np.int8),
        codes=[codes[j] for j in kept],
        skipped=skipped,
        coders=sorted({c for _, _, c in codings}),
        shared_comments=int((n_coders[:, 0] > 1).sum()),
        disagreements=disagreements,
        settled=len(settled),
    )
