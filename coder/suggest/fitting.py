"""Cross-validated fitting: a logistic model per code, Platt calibration, F1-best thresholds."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from coder.model_card import FitConfig
from coder.progress import Progress
from coder.suggest.model import decide, sigmoid

SEED = 0
# Tried in this order while the time budget lasts; the first is the usual winner.
CANDIDATES: tuple[FitConfig, ...] = (
    FitConfig(4.0, "balanced"),
    FitConfig(1.0, "balanced"),
    FitConfig(16.0, "balanced"),
    FitConfig(4.0, None),
)
FEW_COMMENTS = 4000  # up to this many coded comments, 5 folds; beyond, 3
CAPS = (0, 1, 2, 3, 5)  # most suggestions per comment; 0 = no cap
PROCESS_WORK = 50_000_000  # non-zeros times fits beyond which worker processes pay off

Span = tuple[float, float]
Fitted = tuple[np.ndarray, float]  # one code's coefficients and intercept
Folds = list[tuple[np.ndarray, np.ndarray]]


def n_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def folds_for(n: int) -> int:
    """How many cross-validation folds, for training and evaluating alike."""
    return 5 if n <= FEW_COMMENTS else 3


def make_folds(y: np.ndarray, k: int, seed: int = SEED) -> Folds:
    """K folds stratified on each comment's rarest code, so every fold sees the rare ones."""
    from sklearn.model_selection import StratifiedKFold

    counts = y.sum(axis=0)
    rarity = np.where(y > 0, counts[None, :], np.iinfo(np.int64).max)
    key = np.where(y.any(axis=1), rarity.argmin(axis=1), -1)
    values, sizes = np.unique(key, return_counts=True)
    key = np.where(np.isin(key, values[sizes < k]), -1, key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a merged group smaller than k is fine
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
        return list(splitter.split(np.zeros(len(key)), key))


def _classifier(config: FitConfig) -> Any:
    from sklearn.linear_model import LogisticRegression

    # The dual solver is several times faster than the primal when, as here, there
    # are more features than comments; it gives the same model.
    return LogisticRegression(
        C=config.c,
        class_weight=config.class_weight,
        solver="liblinear",
        dual=True,
        max_iter=300,
        tol=1e-3,  # measured: the same F1 as the default 1e-4, in two thirds of the time
        random_state=SEED,
    )


def _fit_one(x: sp.csr_matrix, y: np.ndarray, config: FitConfig) -> Fitted:
    if y.min() == y.max():  # a fold that happens to hold every example (or none) of a code
        return np.zeros(x.shape[1], dtype=np.float32), 10.0 if y[0] else -10.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny sets are not news
        model = _classifier(config).fit(x, y)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _fit_group(
    x: sp.csr_matrix, rows: np.ndarray | None, y: np.ndarray, config: FitConfig
) -> list[Fitted]:
    """One model per column of y, on the given rows of x."""
    part = x if rows is None else x[rows]
    return [_fit_one(part, y[:, j], config) for j in range(y.shape[1])]


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
    x: sp.csr_matrix,
    groups: list[tuple[np.ndarray | None, np.ndarray]],
    config: FitConfig,
    report: _Report,
) -> list[list[Fitted]]:
    """Fit every code of every group (rows of x, their targets); results by group and code.

    Big jobs go to worker processes, not threads: liblinear keeps its random number
    generator in one global, so models fitted at once in threads would differ from run
    to run. Each fit seeds it afresh, so the results are the same either way.
    """
    work = x.nnz * sum(y.shape[1] for _, y in groups)
    jobs = n_jobs() if work > PROCESS_WORK else 1
    tasks = []
    for g, (rows, y) in enumerate(groups):
        pieces = min(y.shape[1], -(-4 * jobs // len(groups))) if jobs > 1 else 1
        for columns in np.array_split(np.arange(y.shape[1]), max(1, pieces)):
            tasks.append((g, columns, rows, y[:, columns]))
    fitted: Any
    if jobs == 1:
        fitted = (_fit_group(x, rows, part, config) for _, _, rows, part in tasks)
    else:
        from joblib import Parallel, delayed

        fitted = Parallel(n_jobs=jobs, backend="loky", return_as="generator")(
            delayed(_fit_group)(x, rows, part, config) for _, _, rows, part in tasks
        )
    results: list[list[Any]] = [[None] * y.shape[1] for _, y in groups]
    try:
        for done, ((g, columns, _, _), models) in enumerate(zip(tasks, fitted, strict=True)):
            for j, model in zip(columns, models, strict=True):
                results[g][j] = model
            report((done + 1) / len(tasks))
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "tasks ... have been cancelled": as asked
            fitted.close()
    return results


def out_of_fold_scores(
    x: sp.csr_matrix,
    y: np.ndarray,
    folds: Folds,
    config: FitConfig,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> np.ndarray:
    """Each comment's score for each code from a model that never saw it."""
    groups: list[tuple[np.ndarray | None, np.ndarray]] = [(train, y[train]) for train, _ in folds]
    report = _Report(progress, f"cross-validating (C={config.c:g})", span)
    fitted = _fit_groups(x, groups, config, report)
    scores = np.zeros(y.shape, dtype=np.float64)
    for (_, test), models in zip(folds, fitted, strict=True):
        coef = np.vstack([m[0] for m in models])
        scores[test] = x[test] @ coef.T + np.array([m[1] for m in models])
    return scores


def fit_codes(
    x: sp.csr_matrix,
    y: np.ndarray,
    config: FitConfig,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> tuple[np.ndarray, np.ndarray]:
    """One model per code on every comment: (coefficients, intercepts)."""
    report = _Report(progress, "fitting the model", span)
    [models] = _fit_groups(x, [(None, y)], config, report)
    coef = np.vstack([m[0] for m in models]) if models else np.zeros((0, x.shape[1]), np.float32)
    return coef, np.array([m[1] for m in models])


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

    start = np.array([1.0, np.log((negatives + 1) / (positives + 1)) * -1.0])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    a, b = result.x
    return float(a / scale), float(b)


def calibrate(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([platt(scores[:, j], y[:, j]) for j in range(y.shape[1])]).reshape(-1, 2)


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut that maximises F1, half-way to the next comment's probability."""
    order = np.argsort(-p, kind="stable")
    sorted_p, hits = p[order], y[order]
    tp = np.cumsum(hits)
    f1 = 2 * tp / (np.arange(1, len(p) + 1) + hits.sum())
    # A cut must fall between distinct probabilities.
    last_of_tie = np.r_[sorted_p[1:] != sorted_p[:-1], True]
    f1 = np.where(last_of_tie, f1, -1)
    j = int(np.argmax(f1))
    below = sorted_p[j + 1] if j + 1 < len(p) else 0.0
    return float((sorted_p[j] + below) / 2)


def thresholds_for(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.array([best_threshold(p[:, j], y[:, j]) for j in range(y.shape[1])])


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
    """What cross-validation found for one candidate, and the honest metrics it implies."""

    config: FitConfig
    platt: np.ndarray
    threshold: np.ndarray
    max_per_comment: int
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    micro_f1: float
    seconds: float
    support: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def macro_f1(self) -> float:
        return float(self.f1.mean()) if len(self.f1) else 0.0


def cross_validate(
    x: sp.csr_matrix,
    y: np.ndarray,
    folds: Folds,
    config: FitConfig,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
) -> CrossValidated:
    """Calibrate and choose thresholds on out-of-fold scores; measure with cross-fitting.

    The metrics for each fold use thresholds chosen on the other folds only, so they are
    not flattered by having picked the threshold on the comments they are measured on.
    """
    started = time.perf_counter()
    scores = out_of_fold_scores(x, y, folds, config, progress=progress, span=span)
    calibration = calibrate(scores, y)
    p = sigmoid(scores * calibration[:, 0] + calibration[:, 1])
    threshold = thresholds_for(p, y)
    cap = _best_cap(p, y, threshold)
    chosen = np.zeros(y.shape, dtype=bool)
    for train, test in folds:
        chosen[test] = decide(p[test], thresholds_for(p[train], y[train]), cap)
    precision, recall, f1 = f1_scores(y, chosen)
    return CrossValidated(
        config,
        calibration,
        threshold,
        cap,
        precision,
        recall,
        f1,
        micro_f1(y, chosen),
        time.perf_counter() - started,
        (y > 0).sum(axis=0),
    )


def _best_cap(p: np.ndarray, y: np.ndarray, threshold: np.ndarray) -> int:
    """The per-comment cap that best serves macro and micro F1 together.

    Where each comment carries one code, an uncapped model offers several near-misses
    for every comment; a cap of one or two keeps what matters. Where comments carry
    several codes, no cap wins and none is set.
    """
    best, best_score = 0, -1.0
    for cap in CAPS:
        chosen = decide(p, threshold, cap)
        score = f1_scores(y, chosen)[2].mean() + micro_f1(y, chosen)
        if score > best_score + 1e-9:
            best, best_score = cap, score
    return best


def search(
    x: sp.csr_matrix,
    y: np.ndarray,
    folds: Folds,
    budget: float,
    *,
    progress: Progress | None = None,
    span: Span = (0.0, 1.0),
    candidates: Sequence[FitConfig] = CANDIDATES,
) -> tuple[CrossValidated, list[CrossValidated]]:
    """Try the candidates in order while the time budget allows; keep the best macro-F1."""
    started = time.perf_counter()
    tried: list[CrossValidated] = []
    lo, hi = span
    for i, config in enumerate(candidates):
        if tried:
            elapsed = time.perf_counter() - started
            if elapsed + tried[-1].seconds > budget:
                break
        step = (hi - lo) / len(candidates)
        part = (lo + i * step, lo + (i + 1) * step)
        tried.append(cross_validate(x, y, folds, config, progress=progress, span=part))
    best = max(tried, key=lambda r: (round(r.macro_f1, 4), round(r.micro_f1, 4)))
    return best, tried
