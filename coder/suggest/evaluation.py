"""Evaluation: per-code metrics and a learning curve from the project's own coding (cross-validated).

Each outer fold's comments are held out; the model is trained, features and thresholds
included, on growing samples of the rest and measured on them, so the curve shows what
more coding of the same kind would bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.model_card import CodeMetrics, FitConfig, SkippedCode
from coder.nlp import Token, analyse
from coder.progress import Progress, stage
from coder.store import Store
from coder.suggest import embeddings
from coder.suggest.features import Features
from coder.suggest.fitting import CANDIDATES, SEED, f1_scores, folds_for, make_folds, micro_f1
from coder.suggest.targets import MIN_EXAMPLES, training_set
from coder.suggest.training import fit_model

STEPS = (25, 50, 100, 200, 400, 800, 1600, 3200, 6400)
RISING = 0.03  # macro-F1 gained over the last step that counts as "still rising"


@dataclass(frozen=True)
class CurvePoint:
    coded: int
    macro_f1: float
    macro_sd: float
    micro_f1: float
    micro_sd: float


@dataclass(frozen=True)
class EvaluationReport:
    training_size: int
    features: str
    folds: int
    per_code: list[CodeMetrics]
    skipped: list[SkippedCode]
    curve: list[CurvePoint]
    macro_f1: float
    micro_f1: float

    @property
    def verdict(self) -> str:
        """Whether more coding looks worth it, in a sentence."""
        if len(self.curve) < 2:
            return "too few coded comments to draw a curve yet; code more and evaluate again"
        a, b = self.curve[-2], self.curve[-1]
        gain = b.macro_f1 - a.macro_f1
        if gain >= RISING:
            return (
                f"still rising: macro-F1 went from {a.macro_f1:.2f} to {b.macro_f1:.2f} between "
                f"{a.coded} and {b.coded} coded comments, so more coding should help"
            )
        weakest = sorted(self.per_code, key=lambda m: (m.f1, m.support))[:3]
        names = ", ".join(m.path for m in weakest)
        return (
            f"levelling off: macro-F1 went from {a.macro_f1:.2f} to {b.macro_f1:.2f} between "
            f"{a.coded} and {b.coded} coded comments; more examples of the weakest codes "
            f"({names}) should help more than more of the same"
        )


def _sizes(largest: int) -> list[int]:
    return [s for s in STEPS if s < largest * 0.9] + [largest]


def evaluate(
    store: Store,
    *,
    features: str | None = None,
    progress: Progress | None = None,
    folds: int | None = None,
) -> EvaluationReport:
    """Cross-validated metrics and learning curve; changes nothing but the vector cache."""
    features = embeddings.check_features(features)
    data = training_set(store)
    latest = store.models.latest()
    # Measure the settings the last training chose.
    config = latest.card.config if latest else CANDIDATES[0]
    texts = store.comments.texts(data.comment_ids)
    vectors = None
    if features == embeddings.TFIDF_EMBEDDINGS:
        vectors = embeddings.vectors(store, data.comment_ids, texts, stage(progress, 0, 0.1))
    docs = list(analyse(texts))
    y = data.y
    k = folds or folds_for(data.size)
    splits = make_folds(y, k)
    sizes = _sizes(min(len(train) for train, _ in splits))
    macro = np.zeros((len(sizes), k))
    micro = np.zeros((len(sizes), k))
    pooled = np.zeros(y.shape, dtype=bool)
    rng = np.random.default_rng(SEED)
    steps = len(sizes) * k
    for f, (train, test) in enumerate(splits):
        order = rng.permutation(train)
        for s, size in enumerate(sizes):
            done = (f * len(sizes) + s) / steps
            if progress:
                progress(f"learning curve: {size} coded comments, fold {f + 1} of {k}", done)
            chosen = _fit_and_predict(docs, vectors, y, order[:size], test, config)
            macro[s, f] = f1_scores(y[test], chosen)[2].mean()
            micro[s, f] = micro_f1(y[test], chosen)
            if s == len(sizes) - 1:
                pooled[test] = chosen
    precision, recall, f1 = f1_scores(y, pooled)
    per_code = [
        CodeMetrics(
            code.id,
            code.path,
            float(precision[j]),
            float(recall[j]),
            float(f1[j]),
            int(y[:, j].sum()),
            float("nan"),
        )
        for j, code in enumerate(data.codes)
    ]
    curve = [
        CurvePoint(
            size,
            float(macro[s].mean()),
            float(macro[s].std()),
            float(micro[s].mean()),
            float(micro[s].std()),
        )
        for s, size in enumerate(sizes)
    ]
    if progress:
        progress("evaluated", 1.0)
    return EvaluationReport(
        training_size=data.size,
        features=features,
        folds=k,
        per_code=per_code,
        skipped=data.skipped,
        curve=curve,
        macro_f1=float(f1.mean()),
        micro_f1=micro_f1(y, pooled),
    )


def _fit_and_predict(
    docs: list[list[Token]],
    vectors: np.ndarray | None,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    config: FitConfig,
) -> np.ndarray:
    """Train on `train` only (vocabulary, model, thresholds) and decide on `test`."""
    chosen = np.zeros((len(test), y.shape[1]), dtype=bool)
    positives = y[train].sum(axis=0)
    learnable = np.flatnonzero(
        (positives >= MIN_EXAMPLES) & (len(train) - positives >= MIN_EXAMPLES)
    )
    if not len(learnable):
        return chosen
    fitted = Features.fit([docs[i] for i in train], vectors.shape[1] if vectors is not None else 0)

    def part(ids: np.ndarray) -> np.ndarray | None:
        return vectors[ids] if vectors is not None else None

    encoded = fitted.encode([docs[i] for i in train], part(train))
    model, *_ = fit_model(
        encoded, fitted, y[train][:, learnable], list(learnable), candidates=[config]
    )
    held_out = fitted.encode([docs[i] for i in test], part(test)).matrix
    chosen[:, learnable] = model.decide(model.probabilities(held_out))
    return chosen


def plot_learning_curve(report: EvaluationReport, path: Path | str, title: str = "") -> Path:
    """Save the learning curve as a PNG."""
    # A bare Figure, not pyplot: no global state, so a worker thread may draw it too.
    from matplotlib.figure import Figure

    from coder.files import write_atomically

    x = [p.coded for p in report.curve]
    fig = Figure(figsize=(7, 4.2), dpi=120)
    ax = fig.subplots()
    for name, mean, sd, colour in (
        ("macro-F1 (every code counts the same)", "macro_f1", "macro_sd", "#1f6fb4"),
        ("micro-F1 (every suggestion counts the same)", "micro_f1", "micro_sd", "#c0591e"),
    ):
        m = np.array([getattr(p, mean) for p in report.curve])
        s = np.array([getattr(p, sd) for p in report.curve])
        ax.plot(x, m, marker="o", color=colour, label=name)
        ax.fill_between(x, m - s, m + s, color=colour, alpha=0.15, linewidth=0)
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [str(v) for v in x])
    ax.set_ylim(0, 1)
    ax.set_xlabel("coded comments the model learnt from")
    ax.set_ylabel(f"F1 on held-out comments ({report.folds}-fold)")
    ax.set_title(title or "Learning curve of the suggestion model")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    write_atomically(path, lambda target: fig.savefig(target, format="png"))
    return path
