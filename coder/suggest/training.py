"""Training: from the people's coding to a stored model version with per-code metrics."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coder.model_card import CodeMetrics, FitConfig, ModelCard, SkippedCode, Trial
from coder.nlp import analyse
from coder.progress import Progress, stage
from coder.store import Store
from coder.suggest import embeddings
from coder.suggest.features import Encoded, Features
from coder.suggest.fitting import (
    CANDIDATES,
    CrossValidated,
    fit_codes,
    folds_for,
    make_folds,
    search,
)
from coder.suggest.model import Model
from coder.suggest.targets import MIN_EXAMPLES, TrainingSet, training_set

DEFAULT_BUDGET = 20.0  # seconds for the hyper-parameter search; the first candidate always runs


@dataclass(frozen=True)
class TrainReport:
    """What a training run stored (its card) and what it found in the coding."""

    version: int
    card: ModelCard
    shared_comments: int
    disagreements: int
    settled: int  # comments where the agreed coding (coder `consensus`) was used
    seconds: float = 0.0

    @property
    def training_size(self) -> int:
        return self.card.training_size

    @property
    def features(self) -> str:
        return self.card.features

    @property
    def per_code(self) -> list[CodeMetrics]:
        return list(self.card.per_code)

    @property
    def skipped(self) -> list[SkippedCode]:
        return list(self.card.skipped)

    @property
    def coders(self) -> list[str]:
        return list(self.card.coders)

    @property
    def macro_f1(self) -> float:
        return self.card.macro_f1

    @property
    def micro_f1(self) -> float:
        return self.card.micro_f1


def encode_training(
    store: Store, comment_ids: list[int], features: str, progress: Progress | None = None
) -> tuple[Encoded, Features]:
    """Fit the vocabularies on these comments and turn them into features."""
    texts = store.comments.texts(comment_ids)
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
    candidates: Sequence[FitConfig] = CANDIDATES,
    progress: Progress | None = None,
) -> tuple[Model, CrossValidated, list[CrossValidated], int]:
    """Cross-validate the candidates within the budget, then fit the best on everything."""
    k = folds_for(len(y))
    folds = make_folds(y, k)
    best, tried = search(
        encoded.matrix,
        y,
        folds,
        budget,
        progress=stage(progress, 0.0, 0.85),
        candidates=candidates,
    )
    coef, intercept = fit_codes(encoded.matrix, y, best.config, progress=stage(progress, 0.85, 1.0))
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
    store: Store,
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
    card = ModelCard(
        features=features,
        training_size=data.size,
        config=best.config,
        folds=k,
        max_per_comment=best.max_per_comment,
        per_code=tuple(
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
        ),
        skipped=tuple(data.skipped),
        macro_f1=best.macro_f1,
        micro_f1=best.micro_f1,
        tried=tuple(Trial(t.config, t.macro_f1, t.micro_f1, round(t.seconds, 2)) for t in tried),
        coders=tuple(data.coders),
        min_examples=MIN_EXAMPLES,
        budget_seconds=budget,
        feature_sizes={
            "word": fitted.n_word,
            "char": fitted.n_char,
            "embedding": fitted.embedding_dim,
        },
    )
    if progress:
        progress("saving the model", 0.97)
    version = store.models.add(card, model.to_bytes())
    store.models.keep_only_blob(version)
    if progress:
        progress(f"model v{version} trained", 1.0)
    return TrainReport(
        version=version,
        card=card,
        shared_comments=data.shared_comments,
        disagreements=data.disagreements,
        settled=data.settled,
        seconds=time.perf_counter() - started,
    )
