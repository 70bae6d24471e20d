"""Cross-validated fitting: a logistic model per code, Platt calibration, F1-best thresholds."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from coder.suggest.model import decide, sigmoid

SEED = 0
# Tried in this order while the time budget lasts; the first is the usual winner.
CANDIDATES: tuple[tuple[float, str | None], ...] = (
    (4.0, "balanced"),
    (1.0, "balanced"),
    (16.0, "balanced"),
    (4.0, None),
)
CAPS = (0, 1, 2, 3, 5)  # most suggestions per comment; 0 = no cap

Progress = Callable[[str, float], None]


def n_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def n_folds(n: int) -> int:
    return 5 if n <= 4000 else 3


def make_folds(y: np.ndarray, k: int, seed: int = SEED) -> list[tuple[np.ndarray, np.ndarray]]:
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


def _classifier(c: float, class_weight: str | None):
    from sklearn.linear_model import LogisticRegression

    # The dual solver is several times faster than the primal when, as here, there
    # are more features than comments; it gives the same model.
    return LogisticRegression(
        C=c,
        class_weight=class_weight,
        solver="liblinear",
        dual=True,
        max_iter=300,
        random_state=SEED,
    )


def _fit_one(x: sp.csr_matrix, y: np.ndarray, c: float, weight: str | None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on tiny sets are not news
        model = _classifier(c, weight).fit(x, y)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _parallel(tasks, progress: Progress | None, message: str, span: tuple[float, float]):
    from joblib import Parallel, delayed

    # Threads, not processes: liblinear releases the GIL, and a worker thread of the
    # TUI may be the caller.
    results = []
    batch = max(n_jobs() * 4, len(tasks) // 20)
    lo, hi = span
    for start in range(0, len(tasks), batch):
        part = tasks[start : start + batch]
        results.extend(
            Parallel(n_jobs=n_jobs(), prefer="threads")(delayed(f)(*a) for f, *a in part)
        )
        if progress:
            progress(message, lo + (hi - lo) * min(1.0, (start + batch) / len(tasks)))
    return results


def out_of_fold_scores(
    x: sp.csr_matrix,
    y: np.ndarray,
    folds,
    c: float,
    weight: str | None,
    progress: Progress | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> np.ndarray:
    """Each comment's score for each code from a model that never saw it."""
    parts = [x[train] for train, _ in folds]
    tasks = [
        (_fit_one, parts[f], y[train, j], c, weight)
        for f, (train, _) in enumerate(folds)
        for j in range(y.shape[1])
    ]
    fitted = _parallel(tasks, progress, f"cross-validating (C={c:g})", span)
    scores = np.zeros(y.shape, dtype=np.float64)
    for f, (_, test) in enumerate(folds):
        for j in range(y.shape[1]):
            coef, intercept = fitted[f * y.shape[1] + j]
            scores[test, j] = x[test] @ coef + intercept
    return scores


def fit_codes(x, y, c, weight, progress=None, span=(0.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    tasks = [(_fit_one, x, y[:, j], c, weight) for j in range(y.shape[1])]
    fitted = _parallel(tasks, progress, "fitting the model", span)
    coef = np.vstack([f[0] for f in fitted]) if fitted else np.zeros((0, x.shape[1]), np.float32)
    return coef, np.array([f[1] for f in fitted])


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid, with his smoothed targets so a few examples cannot make it a step."""
    positives = float(y.sum())
    negatives = len(y) - positives
    target = np.where(y > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    scale = float(np.std(scores)) or 1.0
    s = scores / scale

    def loss(ab):
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

    c: float
    class_weight: str | None
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


def cross_validate(x, y, folds, c, weight, progress=None, span=(0.0, 1.0)) -> CrossValidated:
    """Calibrate and choose thresholds on out-of-fold scores; measure with cross-fitting.

    The metrics for each fold use thresholds chosen on the other folds only, so they are
    not flattered by having picked the threshold on the comments they are measured on.
    """
    started = time.perf_counter()
    scores = out_of_fold_scores(x, y, folds, c, weight, progress, span)
    calibration = calibrate(scores, y)
    p = sigmoid(scores * calibration[:, 0] + calibration[:, 1])
    threshold = thresholds_for(p, y)
    cap = _best_cap(p, y, threshold)
    chosen = np.zeros(y.shape, dtype=bool)
    for train, test in folds:
        chosen[test] = decide(p[test], thresholds_for(p[train], y[train]), cap)
    precision, recall, f1 = f1_scores(y, chosen)
    return CrossValidated(
        c,
        weight,
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
    x,
    y,
    folds,
    budget: float,
    progress: Progress | None = None,
    span=(0.0, 1.0),
    *,
    candidates=CANDIDATES,
) -> tuple[CrossValidated, list[CrossValidated]]:
    """Try the candidates in order while the time budget allows; keep the best macro-F1."""
    started = time.perf_counter()
    tried: list[CrossValidated] = []
    lo, hi = span
    for i, (c, weight) in enumerate(candidates):
        if tried:
            elapsed = time.perf_counter() - started
            if elapsed + tried[-1].seconds > budget:
                break
        step = (hi - lo) / len(candidates)
        tried.append(
            cross_validate(x, y, folds, c, weight, progress, (lo + i * step, lo + (i + 1) * step))
        )
    best = max(tried, key=lambda r: (round(r.macro_f1, 4), round(r.micro_f1, 4)))
    return best, tried
