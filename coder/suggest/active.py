"""Most useful next: uncoded comments in the order coding them would teach the model most.

A comment is useful when the model is unsure about it for a code it is still weak at
(its probability sits near that code's threshold, and the code's cross-validated F1 is
low), and when it is typical of the other doubtful comments rather than an oddity. The
first stretch is spread out so that the next comments are not near-copies of one
another. Every other comment of the order is drawn at random: while the model knows
little its doubts are a biased guide (they never point at what it has not seen at all).
Where comments carry several codes, those random places go in turn to the code with the
fewest coded examples, each drawing a comment the model finds likeliest to carry it, so
rare codes are met sooner. Where every coded comment carries exactly one code, typicality
does not weigh in the spread, and the random places are drawn plainly: there, sampling by
where the model places a comment shifts the codes' shares among the coded ones, which the
model's choice of one code per comment follows. Where the model offers every comment its
likeliest code (a floor, learnt where every coded comment carries one), a comment is
doubtful too when its two likeliest codes sit close.
On real survey data (benchmarks/bench_suggest_learning.py --active) ordering by doubt
alone learnt more slowly than coding in random order, and plain uncertainty sampling little
faster (random order's macro-F1 at 1,000 coded comments reached with 900 to 950); this mix
beat random order on all three sets tried, reaching that figure with 650 to 700 (mean of 16
runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

DIVERSE = 200  # how many of the first comments are chosen for variety as well as usefulness
POOL = 1000  # the most useful comments they are chosen from
_REDUNDANCY = 1.0  # how much likeness to an already chosen comment costs (0.5 measured worse)
NEAR_COPY = 0.9  # cosine likeness beyond which a comment waits until the diverse stretch ends


# How the order is made (benchmarks/bench_suggest_learning.py --active compares them):
# "margin": doubt on weak codes (near a threshold, or, with a floor, between a comment's
#   two likeliest codes) weighted by typicality, spread, every other place random;
# "mixed": the same with doubt near a threshold only;
# "doubt": "mixed" without the random places;
# "uncertainty": plain uncertainty sampling, the comments nearest any code's threshold.
STRATEGIES = ("margin", "mixed", "doubt", "uncertainty")
STRATEGY = "margin"


def uncertainty(p: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """Per comment: how near its nearest code's threshold it sits (1: on it)."""
    if not p.shape[1]:
        return np.zeros(p.shape[0])
    room = np.maximum(np.where(p < threshold, threshold, 1.0 - threshold), 1e-6)
    return (1.0 - np.abs(p - threshold) / room).max(axis=1)


def rank(
    ids: np.ndarray,
    p: np.ndarray,
    threshold: np.ndarray,
    f1: np.ndarray,
    rows: sp.csr_matrix,
    *,
    seed: int = 0,
    strategy: str = STRATEGY,
    floor: bool = False,
    single: bool = False,
    coded_per_code: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Comments in one go, most useful next first, by a strategy: (comment_id, score).
    `floor`: the model offers each comment its likeliest code; `single`: every coded
    comment carries exactly one code; `coded_per_code`: coded examples of each code."""
    if strategy == "uncertainty":
        ranker = Ranker()
        ranker.add(ids, uncertainty(p, threshold), rows)
        return ranker.order(diverse=0, explore=False, seed=seed)
    ranker = Ranker()
    margin = strategy == "margin"
    ranker.add(
        ids,
        usefulness(p, threshold, f1, floor=floor and margin),
        rows,
        likeliest=likeliest(p) if margin else None,
    )
    if margin:
        return shaped_order(ranker, seed=seed, single=single, coded_per_code=coded_per_code)
    return ranker.order(explore=strategy != "doubt", seed=seed)


def shaped_order(
    ranker: Ranker, *, seed: int, single: bool, coded_per_code: np.ndarray | None
) -> list[tuple[int, float]]:
    """The order for the coding's shape: where every coded comment carries one code, plain
    random places and no typicality; where comments carry several, typicality and random
    places balanced over the codes with the fewest coded examples."""
    return ranker.order(
        seed=seed, typical=not single, coded_per_code=None if single else coded_per_code
    )


def likeliest(p: np.ndarray) -> np.ndarray:
    """Per comment: the column of its likeliest code (-1 with no codes)."""
    if not p.shape[1]:
        return np.full(p.shape[0], -1, dtype=np.int64)
    return np.argmax(p, axis=1).astype(np.int64)


def usefulness(
    p: np.ndarray, threshold: np.ndarray, f1: np.ndarray, *, floor: bool = False
) -> np.ndarray:
    """Per comment: how close it sits to a threshold, weighted by how weak that code is;
    with a floor, the closeness of its two likeliest codes too, if that is more."""
    if not p.shape[1]:
        return np.zeros(p.shape[0])
    near = _near_threshold(p, threshold, f1)
    if not floor or p.shape[1] < 2:
        return near
    # With a floor a comment's likeliest code is offered whatever its threshold: the doubt
    # is which code that is, as near as its two likeliest sit (1: level).
    top = np.argsort(-p, axis=1, kind="stable")[:, :2]
    first, second = np.take_along_axis(p, top, axis=1).T
    level = 1.0 - (first - second) / np.maximum(first, 1e-6)
    return np.maximum(near, level * _weakness(f1)[top].max(axis=1))


def _weakness(f1: np.ndarray) -> np.ndarray:
    """How much a code's doubts count: more the weaker its cross-validated F1."""
    return 1.1 - np.clip(f1, 0.0, 1.0)


def _near_threshold(p: np.ndarray, threshold: np.ndarray, f1: np.ndarray) -> np.ndarray:
    below = p < threshold
    room = np.where(below, threshold, 1.0 - threshold)
    room = np.maximum(room, 1e-6)
    closeness = 1.0 - np.abs(p - threshold) / room
    weighted = closeness * _weakness(f1)
    return weighted.max(axis=1) + 0.1 * weighted.mean(axis=1)


@dataclass
class Ranker:
    """Collects scores chunk by chunk, keeping the rows of only the most useful comments."""

    pool_size: int = POOL
    ids: list[np.ndarray] = field(default_factory=list)
    scores: list[np.ndarray] = field(default_factory=list)
    likeliest: list[np.ndarray] = field(default_factory=list)
    _pool_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    _pool_scores: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _pool_rows: sp.csr_matrix | None = None

    def add(
        self,
        ids: np.ndarray,
        scores: np.ndarray,
        rows: sp.csr_matrix,
        likeliest: np.ndarray | None = None,
    ) -> None:
        """Score a chunk of comments; `likeliest`: each one's likeliest code (a column)."""
        self.ids.append(ids)
        self.scores.append(scores)
        if likeliest is not None:
            self.likeliest.append(likeliest)
        all_ids = np.concatenate([self._pool_ids, ids])
        all_scores = np.concatenate([self._pool_scores, scores])
        all_rows = rows if self._pool_rows is None else sp.vstack([self._pool_rows, rows], "csr")
        if len(all_ids) > self.pool_size:
            keep = np.sort(_top(all_scores, all_ids, self.pool_size))
            all_ids, all_scores, all_rows = all_ids[keep], all_scores[keep], all_rows[keep]
        self._pool_ids, self._pool_scores, self._pool_rows = all_ids, all_scores, all_rows

    def order(
        self,
        diverse: int = DIVERSE,
        *,
        explore: bool = True,
        seed: int = 0,
        typical: bool = True,
        coded_per_code: np.ndarray | None = None,
    ) -> list[tuple[int, float]]:
        """Every comment added, most useful first: (comment_id, score).

        With explore, every other place goes to a comment drawn at random (by seed); with
        `coded_per_code` (and each comment's likeliest code added), drawn in turn for the
        code with the fewest coded examples. `typical`: doubt in the first stretch weighs
        more the more typical a comment is of the doubtful ones.
        """
        if not self.ids:
            return []
        ids = np.concatenate(self.ids)
        scores = np.concatenate(self.scores)
        head = [
            (int(self._pool_ids[i]), float(self._pool_scores[i]))
            for i in self._spread(diverse, typical)
        ]
        taken = {c for c, _ in head}
        useful = head + [
            (int(ids[i]), float(scores[i]))
            for i in _top(scores, ids, len(ids))
            if int(ids[i]) not in taken
        ]
        if not explore:
            return useful
        drawn = np.random.default_rng(seed).permutation(len(ids))
        if coded_per_code is not None and len(self.likeliest) == len(self.ids):
            drawn = _balanced(drawn, np.concatenate(self.likeliest), coded_per_code)
        chance = [(int(ids[i]), float(scores[i])) for i in drawn]
        mixed: list[tuple[int, float]] = []
        seen: set[int] = set()
        streams = (iter(useful), iter(chance))
        while len(mixed) < len(useful):
            for stream in streams:
                for item in stream:
                    if item[0] not in seen:
                        seen.add(item[0])
                        mixed.append(item)
                        break
        return mixed

    def _spread(self, diverse: int, typical_weighs: bool = True) -> list[int]:
        """Greedy maximal marginal relevance over the pool (positions in the pool)."""
        rows = self._pool_rows
        n = len(self._pool_ids)
        if rows is None or not n:
            return []
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        unit = sp.diags(1.0 / norms) @ rows
        unit = unit.tocsr()
        # Doubt weighted by how typical a comment is of the pool: an odd one-off ("n/a",
        # a stray language) is doubtful for every code but teaches little.
        value = self._pool_scores  # in [0, 1.1], comparable with a cosine likeness
        if typical_weighs:
            typical = np.asarray((unit @ unit.T).mean(axis=1)).ravel()
            value = value * typical / (typical.max() or 1.0)
        likeness = np.zeros(n)
        picked: list[int] = []
        available = np.ones(n, dtype=bool)
        # Ties go to the lower comment id, so the order is the same on every run.
        tie = np.argsort(np.argsort(self._pool_ids, kind="stable"), kind="stable") * 1e-12
        for _ in range(min(diverse, n)):
            gain = np.where(available, value - _REDUNDANCY * likeness - tie, -np.inf)
            fresh = np.where(likeness < NEAR_COPY, gain, -np.inf)
            best = int(np.argmax(fresh if np.isfinite(fresh).any() else gain))
            picked.append(best)
            available[best] = False
            likeness = np.maximum(likeness, np.asarray(unit @ unit[best].T.toarray()).ravel())
        return picked


def _balanced(drawn: np.ndarray, likeliest: np.ndarray, coded: np.ndarray) -> np.ndarray:
    """The positions in `drawn` (a random order) reordered so that each place goes to the
    code with the fewest coded examples so far (those placed counting as coded), taking
    the next comment, in the random order, that the model finds likeliest to carry it."""
    codes = len(coded)
    queues = [drawn[likeliest[drawn] == j] for j in range(codes)]
    have = np.asarray(coded, dtype=np.float64).copy()
    have[[j for j in range(codes) if not len(queues[j])]] = np.inf
    taken = np.zeros(codes, dtype=np.int64)
    out = []
    while np.isfinite(have).any():
        j = int(np.argmin(have))  # ties to the first code, so the same every run
        out.append(queues[j][taken[j]])
        taken[j] += 1
        have[j] = have[j] + 1 if taken[j] < len(queues[j]) else np.inf
    rest = drawn[(likeliest[drawn] < 0) | (likeliest[drawn] >= codes)]  # no code to place by
    return np.concatenate([np.asarray(out, dtype=np.int64), rest.astype(np.int64)])


def _top(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first, ties to the lower comment id."""
    order = np.lexsort((ids, -scores))
    return order[:k]
