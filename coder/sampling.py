"""Double-coding samples: a reproducible random sample of comments, stratified by question."""

from __future__ import annotations

import random
from dataclasses import dataclass

from coder.errors import CoderError
from coder.store import Store

DEFAULT_SEED = 0


@dataclass(frozen=True)
class SampleResult:
    coder: str
    seed: int
    drawn: int  # comments in the sample
    added: int  # of them, not assigned to this coder before
    by_question: dict[str, int]  # comments drawn from each question


def allocate(sizes: dict[str, int], total: int) -> dict[str, int]:
    """Split `total` among the strata in proportion to their sizes (largest remainder),
    so that every stratum gets its share rounded, and the shares add up to `total`."""
    everyone = sum(sizes.values())
    if not everyone:
        return dict.fromkeys(sizes, 0)
    exact = {name: total * size / everyone for name, size in sizes.items()}
    shares = {name: int(value) for name, value in exact.items()}
    left = total - sum(shares.values())
    order = sorted(sizes, key=lambda name: (-(exact[name] - shares[name]), name))
    for name in order[:left]:
        shares[name] += 1
    return shares


def draw(strata: dict[str, list[str]], total: int, seed: int) -> dict[str, list[str]]:
    """`total` ids drawn at random without replacement, stratified: the same strata and seed
    always give the same sample (ids are sorted first, so row order does not matter)."""
    shares = allocate({name: len(ids) for name, ids in strata.items()}, total)
    rng = random.Random(seed)
    return {name: rng.sample(sorted(strata[name]), shares[name]) for name in sorted(strata)}


def sample_size(available: int, fraction: float | None, n: int | None) -> int:
    """How many comments a --fraction or --n asks for, checked against what there is."""
    if (fraction is None) == (n is None):
        raise CoderError("give either --fraction or --n")
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise CoderError(f"--fraction must be above 0 and at most 1 (got {fraction})")
        size = round(fraction * available)
        if size == 0 and available:
            raise CoderError(
                f"--fraction {fraction} of {available} comments is no comment; ask for more"
            )
        return size
    assert n is not None
    if n < 1:
        raise CoderError(f"--n must be at least 1 (got {n})")
    if n > available:
        raise CoderError(f"asked for {n} comments but there are only {available} to sample")
    return n


def assign_sample(
    store: Store,
    coder: str,
    *,
    fraction: float | None = None,
    n: int | None = None,
    seed: int = DEFAULT_SEED,
    question_id: int | None = None,
) -> SampleResult:
    """Draw a sample (stratified by question) and assign it to `coder`.

    Drawn with the same seed, two coders get the same sample: that is double coding.
    """
    if not coder.strip():
        raise CoderError("the coder's name is empty")
    candidates = store.assignments.candidates(question_id)
    if not candidates:
        raise CoderError("there are no comments to sample (import some first)")
    size = sample_size(len(candidates), fraction, n)
    strata: dict[str, list[str]] = {}
    ids: dict[str, int] = {}
    for question, source_id, comment_id in candidates:
        strata.setdefault(question, []).append(source_id)
        ids[source_id] = comment_id
    drawn = draw(strata, size, seed)
    chosen = sorted(ids[source] for sources in drawn.values() for source in sources)
    added = store.assignments.add(coder, chosen, seed)
    return SampleResult(
        coder=coder,
        seed=seed,
        drawn=len(chosen),
        added=added,
        by_question={name: len(sources) for name, sources in drawn.items()},
    )
