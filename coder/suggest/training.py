"""Training: from the people's coding to a stored model version with per-code metrics."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from coder.nlp import analyse
from coder.suggest import embeddings
from coder.suggest.features import Encoded, Features
from coder.suggest.fitting import (
    CANDIDATES,
    CrossValidated,
    fit_codes,
    make_folds,
    n_folds,
    search,
)
from coder.suggest.model import Model
from coder.suggest.targets import (
    DISAGREEMENT_RULE,
    MIN_EXAMPLES,
    PARENT_RULE,
    Skipped,
    TrainingSet,
    training_set,
)

DEFAULT_BUDGET = 20.0  # seconds for the hyper-parameter search; the first candidate always runs

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class CodeMetrics:
    code_id: int
    path: str
    precision: float
    recall: float
    f1: float
    support: int
    threshold: float


@dataclass(frozen=True)
class TrainReport:
    version: int
    training_size: int
    features: str
    per_code: list[CodeMetrics]
    skipped: list[Skipped]
    coders: list[str]
    shared_comments: int
    disagreements: int
    macro_f1: float
    micro_f1: float
    params: dict = field(default_factory=dict)
    seconds: float = 0.0
    disagreement_rule: str = DISAGREEMENT_RULE
    parent_rule: str = PARENT_RULE


def stage(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """A progress callback for one stage, mapped onto [lo, hi] of the whole."""
    if progress is None:
        return None
    return lambda message, fraction: progress(message, lo + (hi - lo) * fraction)


def encode_training(
    store, comment_ids: list[int], features: str, progress: Progress | None = None
) -> tuple[Encoded, Features]:
    """Fit the vocabularies on these comments and turn them into features."""
    texts = store.comment_texts(comment_ids)
    vectors = None
    if features == embeddings.TFIDF_EMBEDDINGS:
        vectors = embeddings.vectors(store, comment_ids, texts, progress)
    docs = list(analyse(texts))
    fitted = Features.fit(docs, embeddings.DIMENSIONS if vectors is not None else 0)
    return fitted.encode(docs, vectors), fitted


def fit_model(
    encoded: Encoded,
    fitted: Features,
    y: np.ndarray,
    code_ids: list[int],
    *,
    budget: float = DEFAULT_BUDGET,
    candidates=CANDIDATES,
    progress: Progress | None = None,
) -> tuple[Model, CrossValidated, list[CrossValidated], int]:
    """Cross-validate the candidates within the budget, then fit the best on everything."""
    k = n_folds(len(y))
    folds = make_folds(y, k)
    best, tried = search(
        encoded.matrix, y, folds, budget, stage(progress, 0.0, 0.85), candidates=candidates
    )
    coef, intercept = fit_codes(
        encoded.matrix, y, best.c, best.class_weight, stage(progress, 0.85, 1.0)
    )
    model = Model(
        features=fitted,
        code_ids=np.array(code_ids, dtype=np.int64),
        coef=coef,
        intercept=intercept,
        platt=best.platt,
        threshold=best.threshold,
        max_per_comment=best.max_per_comment,
    )
    return model, best, tried, k


def train(
    store,
    *,
    features: str | None = None,
    progress: Progress | None = None,
    budget: float = DEFAULT_BUDGET,
) -> TrainReport:
    """Train on the people's coding and store a new model version (see coder.suggest.targets
    for how coders' disagreements and sub-codes are treated)."""
    started = time.perf_counter()
    features = embeddings.check_features(features)
    if progress:
        progress("reading the coding", 0.0)
    data: TrainingSet = training_set(store)
    if progress:
        progress("reading comments", 0.02)
    encoded, fitted = encode_training(store, data.comment_ids, features, stage(progress, 0.02, 0.1))
    code_ids = [c.id for c in data.codes]
    model, best, tried, k = fit_model(
        encoded, fitted, data.y, code_ids, budget=budget, progress=stage(progress, 0.1, 0.95)
    )
    per_code = [
        CodeMetrics(
            code.id,
            code.path,
            float(best.precision[j]),
            float(best.recall[j]),
            float(best.f1[j]),
            int(best.support[j]),
            float(best.threshold[j]),
        )
        for j, code in enumerate(data.codes)
    ]
    metrics = {
        "codes": {
            str(m.code_id): {
                "path": m.path,
                "precision": m.precision,
                "recall": m.recall,
                "f1": m.f1,
                "support": m.support,
                "threshold": m.threshold,
            }
            for m in per_code
        },
        "macro_f1": best.macro_f1,
        "micro_f1": best.micro_f1,
        "skipped": {str(s.code_id): {"path": s.path, "reason": s.reason} for s in data.skipped},
    }
    params = {
        "C": best.c,
        "class_weight": best.class_weight,
        "folds": k,
        "max_per_comment": best.max_per_comment,
        "min_examples": MIN_EXAMPLES,
        "budget_seconds": budget,
        "tried": [
            {
                "C": t.c,
                "class_weight": t.class_weight,
                "macro_f1": t.macro_f1,
                "micro_f1": t.micro_f1,
                "seconds": round(t.seconds, 2),
            }
            for t in tried
        ],
        "coders": data.coders,
        "disagreement": DISAGREEMENT_RULE,
        "parents": PARENT_RULE,
        "features": {
            "word": fitted.n_word,
            "char": fitted.n_char,
            "embedding": fitted.embedding_dim,
        },
    }
    if progress:
        progress("saving the model", 0.97)
    version = store.add_model_version(
        training_size=data.size,
        features=features,
        metrics=metrics,
        params=params,
        model=model.to_bytes(),
    )
    store.keep_only_model_blob(version)
    if progress:
        progress(f"model v{version} trained", 1.0)
    return TrainReport(
        version=version,
        training_size=data.size,
        features=features,
        per_code=per_code,
        skipped=data.skipped,
        coders=data.coders,
        shared_comments=data.shared_comments,
        disagreements=data.disagreements,
        macro_f1=best.macro_f1,
        micro_f1=best.micro_f1,
        params=params,
        seconds=time.perf_counter() - started,
    )
