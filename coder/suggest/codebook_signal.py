"""The codebook as training signal: each code's name, definition and examples as pseudo-examples.

A researcher has a codebook before they have coded much. A code's definition ("how working
with HSB affects the respondent emotionally"), its inclusion note and its illustrative
examples say which words belong to it, so each becomes a short training comment with that
code (and without the others): the model makes sensible suggestions from the first
comment, and a code with only a few coded examples still learns something. An exclusion
note ("feelings of the child or family") becomes a comment without that code, and says
nothing about the others. The pseudo-examples sit in every training fold and
never in a held-out one, so the metrics are measured on real coding only; once a code has
dozens of coded examples they weigh little beside them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coder.domain import Code

WEIGHT = 3.0  # a pseudo-example counts as three coded comments (tried: 0.3 to 10)


@dataclass(frozen=True)
class PseudoExamples:
    """Texts from the codebook and their codes, in the training set's column order."""

    texts: list[str]
    y: np.ndarray  # (texts, codes) of 0/1
    weight: np.ndarray  # (texts, codes): how much each text counts for each code's model

    def __len__(self) -> int:
        return len(self.texts)

    @classmethod
    def none(cls, n_codes: int) -> PseudoExamples:
        return cls([], np.zeros((0, n_codes), dtype=np.int8), np.zeros((0, n_codes)))

    def positives(self) -> np.ndarray:
        """Per code: how many pseudo-examples carry it."""
        return self.y.sum(axis=0)


def has_definition(code: Code) -> bool:
    """Whether the codebook says anything about a code beyond its name."""
    return bool(code.description.strip() or code.include.strip() or code.examples)


def pseudo_examples(codes: Sequence[Code], weight: float = WEIGHT) -> PseudoExamples:
    """One pseudo-example for each code's name with its definition and inclusion note, one
    per illustrative example, and one without the code for its exclusion note. Codes the
    codebook does not define give none (a bare name says too little)."""
    texts: list[str] = []
    rows: list[tuple[int, bool]] = []  # (code, True: an example of it / False: not of it)
    for j, code in enumerate(codes):
        if not has_definition(code):
            continue
        definition = " ".join(
            part.strip() for part in (code.name, code.description, code.include) if part.strip()
        )
        texts.append(definition)
        rows.append((j, True))
        for example in code.examples:
            if example.strip():
                texts.append(example.strip())
                rows.append((j, True))
        if code.exclude.strip():
            texts.append(code.exclude.strip())
            rows.append((j, False))
    y = np.zeros((len(texts), len(codes)), dtype=np.int8)
    weights = np.zeros((len(texts), len(codes)))
    for i, (j, positive) in enumerate(rows):
        if positive:
            y[i, j] = 1
            weights[i] = weight
        else:
            weights[i, j] = weight
    return PseudoExamples(texts, y, weights)
