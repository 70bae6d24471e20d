"""Fitting: one logistic model per code, on coded comments and the codebook's pseudo-examples.

Each code's model sees the TF-IDF features with the words that tell its comments apart
weighted up (naive Bayes log-count ratios, as in Wang and Manning's NBSVM, softened by a
power): on short answers this is worth one or two points of F1 over plain TF-IDF, and it
costs nothing to store, since the weights fold into the coefficients.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from coder.model_card import FitConfig
from coder.progress import Progress

SEED = 0
FEW_COMMENTS = 4000  # up to this many coded comments, 5 folds; beyond, 3
PROCESS_WORK = 30_000_000  # non-zeros times fits beyond which worker processes pay off
SMOOTHING = 1.0  # added to each word's count among a code's comments and the others
# How far the solver goes. On the 10,000 NHS comments of benchmarks/bench_suggest_speed.py
# a fit of every code took 9.0 s of processor time, against 12.7 s with a tolerance of
# 1e-3 and 300 passes: the looser tolerance moves no score by more than 0.01, and of the
# two codes that needed more than 100 passes, one (12 examples: balanced class weights
# make such a code nearly separable) did not settle in 300 either. Held-out macro-F1
# (bench_suggest_quality.py) stayed the same to three places, ANES party 0.002 higher.
TOLERANCE = 1e-2
MAX_ITER = 100

Span = tuple[float, float]
Fitted = tuple[np.ndarray, float]  # one code's coefficients and intercept
Folds = list[tuple[np.ndarray, np.ndarray]]


def n_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def folds_for(n: int) -> int:
    """How many cross-validation folds, for training and evaluating alike."""
    return 5 if n <= FEW_COMMENTS else 3


def _rarity_key(y: np.ndarray, k: int) -> np.ndarray:
    """Each comment's rarest code, with groups smaller than k merged (-1)."""
    counts = y.sum(axis=0)
    rarity = np.where(y > 0, counts[None, :], np.iinfo(np.int64).max)
    key = np.where(y.any(axis=1), rarity.argmin(axis=1), -1) if y.shape[1] else np.full(len(y), -1)
    values, sizes = np.unique(key, return_counts=True)
    return np.where(np.isin(key, values[sizes < k]), -1, key)


def make_folds(y: np.ndarray, k: int, seed: int = SEED) -> Folds:
    """K folds stratified on each comment's rarest code, so every fold sees the rare ones."""
    from sklearn.model_selection import StratifiedKFold

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a merged group smaller than k is fine
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(y)), _rarity_key(y, k)))


def stratified_sample(y: np.ndarray, size: int, seed: int = SEED) -> np.ndarray:
    """About `size` rows of y, sorted, keeping the codes' shares (the same rows every time)."""
    if len(y) <= size:
        return np.arange(len(y))
    k = -(-len(y) // size)
    return np.sort(make_folds(y, k, seed)[0][1])


@dataclass
class Rows:
    """What the models learn from: the coded comments' features, then the pseudo-examples'.

    `weight` says how much each row counts for each code's model (None: every row counts
    once for every code); folds and metrics index the first `n_real` rows only, and every
    fold trains on all the pseudo-examples as well.
    """

    x: sp.csr_matrix
    y: np.ndarray  # (rows, codes) of 0/1
    n_real: int
    weight: np.ndarray | None = None  # (rows, codes)
    # The leading columns the word weighting applies to (the TF-IDF blocks; None: all).
    # A sentence vector's dimensions are not words: every comment has every one, so a
    # "how much more often among the code's comments" ratio only measures comment length.
    weighted_columns: int | None = None

    @property
    def n_codes(self) -> int:
        return int(self.y.shape[1])

    def with_pseudo(self, real_rows: np.ndarray | None) -> np.ndarray | None:
        """These coded comments and every pseudo-example (None: all rows)."""
        if real_rows is None:
            return None
        return np.concatenate([real_rows, np.arange(self.n_real, self.x.shape[0])])


def word_weights(
    present: sp.csr_matrix, y: np.ndarray, weight: np.ndarray | None, power: float
) -> np.ndarray:
    """Per feature: |log-count ratio| ** power, the ratio being how much more often a word
    occurs among the code's comments than among the others (smoothed)."""
    w = np.ones(len(y)) if weight is None else weight
    on = np.asarray(present.T @ (w * (y > 0))).ravel() + SMOOTHING
    off = np.asarray(present.T @ (w * (y == 0))).ravel() + SMOOTHING
    ratio = np.log(on / on.sum()) - np.log(off / off.sum())
    return np.abs(ratio) ** power


def _classifier(config: FitConfig) -> Any:
    from sklearn.linear_model import LogisticRegression

    # The dual solver is several times faster than the primal when, as here, there
    # are more features than comments; it gives the same model.
    return LogisticRegression(
        C=config.c,
        class_weight=config.class_weight,
        solver="liblinear",
        dual=True,
        max_iter=MAX_ITER,
        tol=TOLERANCE,
        random_state=SEED,
    )


def _fit_one(
    x: sp.csr_matrix,
    present: sp.csr_matrix | None,
    y: np.ndarray,
    weight: np.ndarray | None,
    config: FitConfig,
) -> Fitted:
    counted = y if weight is None else y[weight > 0]
    if not len(counted) or counted.min() == counted.max():
        # A fold that happens to hold every example of a code (or none): a constant.
        sure = bool(len(counted) and counted[0])
        return np.zeros(x.shape[1], dtype=np.float32), 10.0 if sure else -10.0
    scale = None
    if config.nb and present is not None:
        scale = word_weights(present, y, weight, config.nb)
        if len(scale) < x.shape[1]:  # the sentence vectors keep their own scale
            scale = np.concatenate([scale, np.ones(x.shape[1] - len(scale))])
        x = x.copy()
        x.data *= scale[x.indices]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny sets are not news
        model = _classifier(config).fit(x, y, sample_weight=weight)
    coef = model.coef_.ravel()
    if scale is not None:
        coef = coef * scale  # the same scores from the unweighted features
    return coef.astype(np.float32), float(model.intercept_[0])


def _fit_group(
    rows: Rows, which: np.ndarray | None, columns: np.ndarray, config: FitConfig
) -> list[Fitted]:
    """One model for each of these codes, on the given rows."""
    x = rows.x if which is None else rows.x[which]
    y = rows.y if which is None else rows.y[which]
    weight = None
    if rows.weight is not None:
        weight = rows.weight if which is None else rows.weight[which]
    present = None
    if config.nb:
        k = rows.weighted_columns
        present = x[:, :k] if k is not None and k < x.shape[1] else x.copy()
        present.data[:] = 1.0
    return [
        _fit_one(x, present, y[:, j], None if weight is None else weight[:, j], config)
        for j in columns
    ]


@dataclass(frozen=True)
class _Report:
    """Where a long fit reports its progress: a callback, a message and its share of the whole."""

    progress: Progress | None
    message: str
    span: Span = (0.0, 1.0)

    def __call__(self, fraction: float) -> None:
        if self.progress:  # may raise to stop the training (the workbench closing)
            lo, hi = self.span
            self.progress(self.message, lo + (hi - lo) * fraction)


def _fit_groups(
    rows: Rows, groups: list[np.ndarray | None], config: FitConfig, report: _Report
) -> list[list[Fitted]]:
    """Fit every code on every group of rows; results by group and code.

    Big jobs go to worker processes, not threads: liblinear keeps its random number
    generator in one global, so models fitted at once in threads would differ from run
    to run. Each fit seeds it afresh, so the results are the same either way.
    """
    codes = rows.n_codes
    work = rows.x.nnz * codes * len(groups) * (2 if config.nb else 1)
    jobs = n_jobs() if work > PROCESS_WORK else 1
    tasks = []
    for g, which in enumerate(groups):
        pieces = min(codes, -(-4 * jobs // len(groups))) if jobs > 1 else 1
        for columns in np.array_split(np.arange(codes), max(1, pieces)):
            tasks.append((g, columns, which))
    fitted: Any
    if jobs == 1:
        fitted = (_fit_group(rows, which, columns, config) for _, columns, which in tasks)
    else:
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=jobs, backend="loky", return_as="generator")(
            delayed(_fit_group)(rows, which, columns, config) for _, columns, which in tasks
        )
    results: list[list[Any]] = [[None] * codes for _ in groups]
    try:
        for done, ((g, columns, _), models) in enumerate(zip(tasks, fitted, strict=True)):
            for j, model in zip(columns, models, strict=True):
                results[g][j] = model
            report((done + 1) / len(tasks))
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "tasks ... have been cancelled": as asked
            fitted.close()
    return results


def _stack(models: list[Fitted], n_features: int) -> tuple[np.ndarray, np.ndarray]:
    if not models:
        return np.zeros((0, n_features), np.float32), np.zeros(0)
    return np.vstack([m[0] for m in models]), np.array([m[1] for m in models])


def out_of_fold_scores(
    rows: Rows,
    folds: Folds,
    config: FitConfig,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> np.ndarray:
    """Each coded comment's score for each code from a model that never saw it."""
    groups = [rows.with_pseudo(train) for train, _ in folds]
    report = _Report(progress, f"cross-validating ({config.describe()})", span)
    fitted = _fit_groups(rows, groups, config, report)
    scores = np.zeros((rows.n_real, rows.n_codes), dtype=np.float64)
    for (_, test), models in zip(folds, fitted, strict=True):
        coef, intercept = _stack(models, rows.x.shape[1])
        scores[test] = np.asarray(rows.x[test] @ coef.T) + intercept
    return scores


def fit_codes(
    rows: Rows,
    config: FitConfig,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """One model per code on every row: (coefficients, intercepts)."""
    report = _Report(progress, "fitting the model", span)
    [models] = _fit_groups(rows, [None], config, report)
    return _stack(models, rows.x.shape[1])
