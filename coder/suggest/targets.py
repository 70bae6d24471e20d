"""What the model learns from: the people's coding, one row per coded comment, one column per code.

Rules, stated wherever training is reported:
- every coding counts, whoever made it and however (by hand, an accepted suggestion,
  imported), of the whole comment or of a segment of it;
- where coder `consensus` (the agreed coding a lead set) coded a comment, only that coding
  counts for it;
- elsewhere, where several people coded a comment, a code counts for it when at least half
  of them applied it (with two coders, either one; with three, two of them);
- a sub-code does not imply its parent: the codebook keeps a parent for what none of
  its sub-codes fits, so each code learns from the comments it was itself applied to;
- a code with fewer than MIN_EXAMPLES coded examples cannot be measured; it is still
  learnt when the codebook defines it (from the definition and the examples it has), and
  suggested in the unsure tier; one with neither is named and not suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from coder.consensus import consensus_comments, prefer_consensus
from coder.domain import Code
from coder.errors import CoderError
from coder.model_card import SkippedCode
from coder.store import Store
from coder.suggest.codebook_signal import has_definition

MIN_EXAMPLES = 5  # examples (and comments without the code) needed to measure a code
# A code with fewer examples than MIN_EXAMPLES but at least this many is still learnt and
# suggested, in the unsure tier with no measured figures: on real survey data a code seen
# two or three times is often found again (benchmarks/bench_suggest_quality.py), and the
# rare themes are the ones a researcher most needs help finding.
MIN_TO_LEARN = 2


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
    measured: np.ndarray | None = None  # per modelled code: enough examples to measure

    def __post_init__(self) -> None:
        if self.measured is None:
            self.measured = np.ones(len(self.codes), dtype=bool)

    @property
    def size(self) -> int:
        return len(self.comment_ids)

    @property
    def is_measured(self) -> np.ndarray:
        assert self.measured is not None
        return self.measured


def training_set(
    store: Store, min_examples: int = MIN_EXAMPLES, *, codebook: bool = False
) -> TrainingSet:
    """Read the coding into targets, naming each code too rare to learn.

    With codebook, a code with too few examples is still learnt when the codebook
    defines it (see coder.suggest.codebook_signal), unmeasured; and nothing coded yet is
    no error while the codebook defines some code.
    """
    everyone = store.codings.human()
    settled = consensus_comments(everyone)
    codings = prefer_consensus(everyone)
    codes = store.codes.all()
    defined = [codebook and has_definition(code) for code in codes]
    if not codings and not any(defined):
        raise CoderError(
            "nothing is coded yet: code some comments first (each code needs at least "
            f"{min_examples} examples before it can be suggested"
            + (", or write definitions for the codes in the codebook)" if codebook else ")")
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
    n_coders = np.array([len(coders_of[c]) for c in comment_ids], dtype=np.int64)[:, None]
    present = 2 * votes >= n_coders
    present &= votes > 0
    disagreements = int(((votes > 0) & (votes < n_coders)).sum())
    support = present.sum(axis=0)
    kept, measured, skipped = choose_codes(
        codes, support, len(comment_ids), defined, min_examples, codebook=codebook
    )
    if not kept:
        raise CoderError(
            f"too little coding to train: {len(comment_ids)} comments are coded and no code "
            f"has {min(MIN_TO_LEARN, min_examples)} examples yet; code more comments and try "
            "again"
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
        measured=measured,
    )


def choose_codes(
    codes: list[Code],
    support: np.ndarray,
    n_comments: int,
    defined: list[bool],
    min_examples: int = MIN_EXAMPLES,
    *,
    codebook: bool = False,
) -> tuple[list[int], np.ndarray, list[SkippedCode]]:
    """Which codes to model (their columns), which of those can be measured, and why the
    others are not suggested (with codebook, a definition would have let it be learnt)."""
    kept: list[int] = []
    measured: list[bool] = []
    skipped: list[SkippedCode] = []
    learn_from = min(MIN_TO_LEARN, min_examples)
    for j, code in enumerate(codes):
        enough = support[j] >= min_examples
        if support[j] >= learn_from and n_comments - support[j] < min_examples:
            reason = f"needs at least {min_examples} coded comments without it"
            skipped.append(SkippedCode(code.id, code.path, reason))
        elif support[j] >= learn_from or defined[j]:
            kept.append(j)
            measured.append(bool(enough))
        else:
            has = f"has {support[j]}" if support[j] else "has none"
            reason = f"needs at least {learn_from} examples ({has})"
            if codebook:
                reason += " or a definition in the codebook"
            skipped.append(SkippedCode(code.id, code.path, reason))
    return kept, np.array(measured, dtype=bool), skipped
