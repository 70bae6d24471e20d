"""Cross-validation: calibrated probabilities, thresholds that hold up on new comments, honest
metrics, tiers, and the fixed search plan.

One code path measures a model, for `coder train` and `coder evaluate` alike: the same
folds (`folds_for`, `make_folds`), the same fitting and the same decisions, so both report
the same per-code figures for the same coding and settings.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from coder.model_card import UNSURE_F1, FitConfig, Tier
from coder.progress import Progress
from coder.suggest.fitting import (
    Folds,
    Rows,
    Span,
    folds_for,
    make_folds,
    out_of_fold_scores,
    stratified_sample,
)
from coder.suggest.model import decide, sigmoid
from coder.suggest.targets import MIN_EXAMPLES

# The fixed search plan, compared in this order; ties go to the earlier one. Regularisation
# matters more than anything else here; the word weighting helps on every data set tried.
PLAN: tuple[FitConfig, ...] = (
    FitConfig(2.0, "balanced", 0.5),
    FitConfig(1.0, "balanced", 0.5),
    FitConfig(4.0, "balanced", 0.5),
    FitConfig(2.0, "balanced", 0.0),
)
# Beyond this many coded comments only the plan's first settings are fitted: searching
# four settings on 10,000 comments took three times the careful baseline's fit + predict
# (benchmarks/bench_suggest_speed.py), and on the NHS held-out quarters the first did as
# well or better (0.608 and 0.379 macro-F1 against the search's 0.608 and 0.365).
# Comparing on a small sample instead chose badly too: word weighting learnt
# from a few examples per code is noisy, so on 2,500 of the NHS comments the plan
# preferred plain TF-IDF, which on all 8,000 did worse (0.601 against 0.608 held out).
SEARCH_ALL = 4000
SEARCH_SAMPLE = 10_000
CAPS = (0, 1, 2, 3, 5)  # most suggestions per comment; 0 = no cap
FLOORS = (0, 1)  # 1: a comment with no code past its threshold is offered its likeliest
# A code is offered only when at least this share as likely as the comment's likeliest
# (0: any past its threshold). On the NHS held-out quarter, where each comment carries
# one code, half lifted macro-F1 from 0.610 to 0.619; finer steps were chosen by noise.
RELATIVES = (0.0, 0.5)
# A code's threshold moves from the balanced model's own cut (score 0) towards the one
# that maximised its F1 on held-out comments by n / (n + SHRINK), n being its examples:
# a threshold picked on a handful of examples over-fits them, one picked on hundreds holds.
SHRINK = 30.0
MIN_FOR_CV = 10  # coded comments needed to cross-validate at all


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid, with his smoothed targets so a few examples cannot make it a step."""
    positives = float(y.sum())
    negatives = len(y) - positives
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    scale = float(np.std(scores)) or 1.0
    s = scores / scale

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * s + ab[1]
        p = sigmoid(z)
        eps = 1e-12
        value = -np.sum(target * np.log(p + eps) + (1 - target) * np.log(1 - p + eps))
        grad_z = p - target
        return value, np.array([np.sum(grad_z * s), np.sum(grad_z)])

    from scipy.optimize import minimize  # here: suggesting needs none of scipy.optimize

    start = np.array([1.0, np.log((negatives + 1) / (positives + 1)) * -1.0])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    a, b = result.x
    # A higher score never means a lower probability, even for a code the model cannot tell.
    return max(float(a / scale), 1e-6), float(b)


def calibrate(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([platt(scores[:, j], y[:, j]) for j in range(y.shape[1])]).reshape(-1, 2)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The cut that maximises F1, half-way to the next comment's value."""
    order = np.argsort(-p, kind="stable")
    sorted_p, hits = p[order], y[order]
    tp = np.cumsum(hits)
    f1 = 2 * tp / (np.arange(1, len(p) + 1) + hits.sum())
    # A cut must fall between distinct values.
    last_of_tie = np.r_[sorted_p[1:] != sorted_p[:-1], True]
    f1 = np.where(last_of_tie, f1, -1)
    j = int(np.argmax(f1))
    below = sorted_p[j + 1] if j + 1 < len(p) else sorted_p[j] - 1.0
    return float((sorted_p[j] + below) / 2)


def score_thresholds(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per code, a cut on the score: the F1-best one, shrunk towards 0 by its examples."""
    out = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        n = float(y[:, j].sum())
        if n and n < len(y):
            out[j] = best_threshold(scores[:, j], y[:, j]) * n / (n + SHRINK)
    return out


def f1_scores(y: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (chosen & (y > 0)).sum(axis=0).astype(float)
    predicted = chosen.sum(axis=0)
    actual = (y > 0).sum(axis=0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return precision, recall, f1


def micro_f1(y: np.ndarray, chosen: np.ndarray) -> float:
    tp = float((chosen & (y > 0)).sum())
    denominator = float(chosen.sum() + (y > 0).sum())
    return 2 * tp / denominator if denominator else 0.0


@dataclass
class CrossValidated:
    """What cross-validation found for one configuration, and the honest metrics it implies.

    Metrics are for the measured codes (enough coded examples to cross-validate); the
    others get no figures, the balanced model's own cut and the unsure tier.
    """

    config: FitConfig
    platt: np.ndarray  # (codes, 2)
    threshold: np.ndarray  # (codes,) on the probability
    max_per_comment: int
    precision: np.ndarray  # (codes,), NaN where not measured
    recall: np.ndarray
    f1: np.ndarray
    micro_f1: float
    seconds: float
    support: np.ndarray = field(default_factory=lambda: np.zeros(0))
    measured: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    min_per_comment: int = 0
    relative: float = 0.0

    @property
    def macro_f1(self) -> float:
        values = self.f1[self.measured]
        return float(values.mean()) if len(values) else 0.0

    @property
    def tiers(self) -> list[str]:
        """Confident where the measured F1 reaches UNSURE_F1; unsure otherwise."""
        return [
            Tier.CONFIDENT if m and f >= UNSURE_F1 else Tier.UNSURE
            for m, f in zip(self.measured, self.f1, strict=True)
        ]

    def unsure_columns(self) -> np.ndarray:
        return np.array([t == Tier.UNSURE for t in self.tiers], dtype=bool)


def unmeasured(config: FitConfig, rows: Rows, measured: np.ndarray) -> CrossValidated:
    """Too little coding to cross-validate: defaults for every code, and no figures."""
    k = rows.n_codes
    nan = np.full(k, math.nan)
    return CrossValidated(
        config,
        np.tile([1.0, 0.0], (k, 1)),
        np.full(k, 0.5),
        0,
        nan,
        nan.copy(),
        nan.copy(),
        0.0,
        0.0,
        rows.y[: rows.n_real].sum(axis=0),
        np.zeros(k, dtype=bool) & measured,
    )


def cross_validate(
    rows: Rows,
    folds: Folds,
    config: FitConfig,
    measured: np.ndarray,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> CrossValidated:
    """Calibrate and choose thresholds on out-of-fold scores; measure with cross-fitting.

    The metrics for each fold use thresholds chosen on the other folds only, so they are
    not flattered by having picked the threshold on the comments they are measured on.
    """
    started = time.perf_counter()
    if rows.n_real < MIN_FOR_CV or not folds:
        return unmeasured(config, rows, measured)
    y = rows.y[: rows.n_real]
    scores = out_of_fold_scores(rows, folds, config, progress=progress, span=span)
    calibration = calibrate(scores, y)
    # Codes too rare to measure keep the balanced model's own cut and a plain sigmoid.
    calibration[~measured] = (1.0, 0.0)

    def thresholds(train: np.ndarray | slice) -> np.ndarray:
        cut = np.where(measured, score_thresholds(scores[train], y[train]), 0.0)
        return sigmoid(cut * calibration[:, 0] + calibration[:, 1])

    p = sigmoid(scores * calibration[:, 0] + calibration[:, 1])
    threshold = thresholds(slice(None))
    cap, floor, relative = _best_cap(p[:, measured], y[:, measured], threshold[measured])
    chosen = np.zeros(y.shape, dtype=bool)
    for train, test in folds:
        chosen[test] = decide(p[test], thresholds(train), cap, floor, relative)
    precision, recall, f1 = f1_scores(y, chosen)
    for values in (precision, recall, f1):
        values[~measured] = math.nan
    return CrossValidated(
        config,
        calibration,
        threshold,
        cap,
        precision,
        recall,
        f1,
        micro_f1(y[:, measured], chosen[:, measured]),
        time.perf_counter() - started,
        (y > 0).sum(axis=0),
        measured.copy(),
        floor,
        relative,
    )


def _best_cap(p: np.ndarray, y: np.ndarray, threshold: np.ndarray) -> tuple[int, int, float]:
    """The per-comment rule (cap, floor, relative share) that best serves macro and micro
    F1 together.

    Where each comment carries one code, an uncapped model offers several near-misses
    for every comment; a cap of one or two, or only codes near as likely as the likeliest,
    keeps what matters, and a comment none of whose codes passed its threshold still
    carries one, so its likeliest code is worth offering. Where comments carry several
    codes or none, no cap or floor wins and none is set.
    """
    best, best_score = (0, 0, 0.0), -1.0
    if not y.shape[1]:
        return best
    for relative in RELATIVES:
        for floor in FLOORS:
            for cap in CAPS:
                chosen = decide(p, threshold, cap, floor, relative)
                score = f1_scores(y, chosen)[2].mean() + micro_f1(y, chosen)
                if score > best_score + 1e-9:
                    best, best_score = (cap, floor, relative), score
    return best


@dataclass
class SearchResult:
    """The configuration chosen from the plan, and how it was chosen."""

    best: CrossValidated
    tried: list[CrossValidated]
    plan: tuple[FitConfig, ...]
    complete: bool  # False: the time budget stopped the plan part-way
    sample: int  # the plan was compared on this many coded comments (0: all of them)
    folds: int


def search(
    rows: Rows,
    measured: np.ndarray,
    *,
    plan: Sequence[FitConfig] = PLAN,
    budget: float | None = None,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
    sample_size: int = SEARCH_SAMPLE,
) -> SearchResult:
    """Compare the plan's configurations by cross-validated macro-F1, in order, on a sample
    of the coding when there is much of it; then cross-validate the best on all of it.

    With no budget the whole plan always runs, so the same coding gives the same model on
    any machine; a budget stops it before a configuration that would overrun (the first
    one always runs), and the result says so.
    """
    started = time.perf_counter()
    plan = tuple(plan)
    y = rows.y[: rows.n_real]
    k = folds_for(rows.n_real)
    lo, hi = span
    if rows.n_real < MIN_FOR_CV:
        best = unmeasured(plan[0], rows, measured)
        return SearchResult(best, [best], plan, True, 0, 0)
    if rows.n_real > SEARCH_ALL:
        plan = plan[:1]
    sampled = rows.n_real > sample_size and len(plan) > 1
    picked = stratified_sample(y, sample_size) if sampled else np.arange(rows.n_real)
    part = _subset(rows, picked) if sampled else rows
    part_measured = measured & _enough(part.y[: part.n_real])
    part_folds = make_folds(part.y[: part.n_real], folds_for(part.n_real))
    search_share = 0.3 if sampled else 1.0
    tried: list[CrossValidated] = []
    complete = True
    for i, config in enumerate(plan):
        if tried and budget is not None:
            elapsed = time.perf_counter() - started
            if elapsed + tried[-1].seconds > budget:
                complete = False
                break
        step = (hi - lo) * search_share / len(plan)
        tried.append(
            cross_validate(
                part,
                part_folds,
                config,
                part_measured,
                progress=progress,
                span=(lo + i * step, lo + (i + 1) * step),
            )
        )
    best = max(tried, key=lambda r: (round(r.macro_f1, 4), round(r.micro_f1, 4)))
    if sampled:
        best = cross_validate(
            rows,
            make_folds(y, k),
            best.config,
            measured,
            progress=progress,
            span=(lo + (hi - lo) * search_share, hi),
        )
    return SearchResult(best, tried, plan, complete, len(picked) if sampled else 0, k)


def _subset(rows: Rows, picked: np.ndarray) -> Rows:
    """These coded comments and every pseudo-example."""
    which = rows.with_pseudo(picked)
    assert which is not None
    weight = None if rows.weight is None else rows.weight[which]
    return Rows(rows.x[which], rows.y[which], len(picked), weight, rows.weighted_columns)


def _enough(y: np.ndarray) -> np.ndarray:
    """Codes with enough examples (and comments without them) to cross-validate."""
    positives = y.sum(axis=0)
    return (positives >= MIN_EXAMPLES) & (len(y) - positives >= MIN_EXAMPLES)
