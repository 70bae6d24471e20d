"""Training: from the people's coding and the codebook to a stored model version with metrics."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from coder.model_card import CodeMetrics, FitConfig, ModelCard, SkippedCode, Trial
from coder.nlp import Token, analyse
from coder.progress import Progress, stage
from coder.store import Store
from coder.suggest import embeddings
from coder.suggest.codebook_signal import PseudoExamples, pseudo_examples
from coder.suggest.crossval import (
    MIN_FOR_CV,
    PLAN,
    CrossValidated,
    SearchResult,
    cross_validate,
    search,
)
from coder.suggest.features import Features
from coder.suggest.fitting import Rows, fit_codes, folds_for, make_folds
from coder.suggest.model import Model
from coder.suggest.targets import MIN_EXAMPLES, MIN_TO_LEARN, TrainingSet, training_set

VOCABULARY_FLOOR = 2000  # with fewer coded comments, uncoded ones fill the vocabulary up
QUICK_GROWTH = 0.25  # a quick retrain reuses the last settings until coding grows this much
COLD_SPREAD = 2.0  # see _unmeasured_calibration
COLD_CAP = 1  # suggestions per comment while no code can be measured


class DocCache:
    """Analysed comments by text, kept between trainings in one process (the workbench
    retrains every few minutes; the text of a comment never changes)."""

    def __init__(self, limit: int = 300_000):
        self.limit = limit
        self._docs: dict[str, list[Token]] = {}
        self._lock = threading.Lock()

    def analyse(self, texts: Sequence[str]) -> list[list[Token]]:
        with self._lock:
            found = [self._docs.get(t) for t in texts]
        missing = [i for i, d in enumerate(found) if d is None]
        if missing:
            fresh = list(analyse(texts[i] for i in missing))
            with self._lock:
                if len(self._docs) + len(fresh) > self.limit:
                    self._docs.clear()
                for i, doc in zip(missing, fresh, strict=True):
                    found[i] = doc
                    self._docs[texts[i]] = doc
        return [d if d is not None else [] for d in found]


DOCS = DocCache()


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
    def unsure(self) -> list[CodeMetrics]:
        return list(self.card.unsure)

    @property
    def coders(self) -> list[str]:
        return list(self.card.coders)

    @property
    def macro_f1(self) -> float:
        return self.card.macro_f1

    @property
    def micro_f1(self) -> float:
        return self.card.micro_f1


@dataclass
class Prepared:
    """Everything a model is fitted on: the coding, the codebook's pseudo-examples, the
    features of both, and uncoded comments that only fill out the vocabulary. Training and
    evaluating build it the same way."""

    data: TrainingSet
    pseudo: PseudoExamples
    rows: Rows
    features: Features
    reference: sp.csr_matrix | None = None  # the uncoded filler comments' features

    @property
    def measured(self) -> np.ndarray:
        return self.data.is_measured


def prepare(
    store: Store, features: str, progress: Progress | None = None, *, codebook: bool = True
) -> Prepared:
    """Read the coding and the codebook and turn them into features."""
    data = training_set(store, codebook=codebook)
    pseudo = pseudo_examples(data.codes) if codebook else PseudoExamples.none(len(data.codes))
    texts = store.comments.texts(data.comment_ids)
    # A few hundred coded comments make a thin vocabulary: uncoded ones (the same ones every
    # time) add the words the coding has not met yet, without labels.
    filler: list[tuple[int, str]] = []
    if len(texts) < VOCABULARY_FLOOR:
        filler = store.comments.uncoded(limit=VOCABULARY_FLOOR - len(texts))
    vectors = filler_vectors = pseudo_vectors = None
    if features == embeddings.TFIDF_EMBEDDINGS:
        ids = data.comment_ids + [c for c, _ in filler]
        both = embeddings.vectors(store, ids, texts + [t for _, t in filler], progress)
        vectors, filler_vectors = both[: len(texts)], both[len(texts) :]
        pseudo_vectors = embeddings.encode(pseudo.texts)
    if progress:
        progress("reading comments", 1.0)
    return assemble(
        data,
        pseudo,
        DOCS.analyse(texts),
        DOCS.analyse([t for _, t in filler]),
        DOCS.analyse(pseudo.texts),
        (vectors, filler_vectors, pseudo_vectors) if vectors is not None else None,
    )


def assemble(
    data: TrainingSet,
    pseudo: PseudoExamples,
    docs: list[list[Token]],
    filler: list[list[Token]],
    pseudo_docs: list[list[Token]],
    vectors: tuple[np.ndarray, np.ndarray | None, np.ndarray | None] | None = None,
) -> Prepared:
    """Fit the vocabularies on the coded and filler comments (keeping every term of the
    codebook's) and turn the coded comments and pseudo-examples into rows."""
    dim = embeddings.DIMENSIONS if vectors is not None else 0
    fitted = Features.fit(docs + filler, dim, always=pseudo_docs)
    own = None
    filler_vectors = None
    if vectors is not None:
        coded, filler_vectors, pseudo_vectors = vectors
        own = coded if pseudo_vectors is None else np.vstack([coded, pseudo_vectors])
    matrix = fitted.encode(docs + pseudo_docs, own).matrix
    reference = fitted.encode(filler, filler_vectors).matrix if filler else None
    y = np.vstack([data.y, pseudo.y]).astype(np.int8)
    weight = None
    if len(pseudo):
        weight = np.vstack([np.ones(data.y.shape), pseudo.weight])
    rows = Rows(sp.csr_matrix(matrix), y, data.size, weight, fitted.n_word + fitted.n_char)
    return Prepared(data, pseudo, rows, fitted, reference)


def fit_model(
    prepared: Prepared,
    *,
    plan: Sequence[FitConfig] = PLAN,
    budget: float | None = None,
    progress: Progress | None = None,
) -> tuple[Model, SearchResult]:
    """Search the plan (within the budget), then fit the best on everything."""
    result = search(
        prepared.rows,
        prepared.measured,
        plan=plan,
        budget=budget,
        progress=stage(progress, 0.0, 0.8),
    )
    best = result.best
    coef, intercept = fit_codes(prepared.rows, best.config, progress=stage(progress, 0.8, 1.0))
    platt, threshold, cap = best.platt.copy(), best.threshold.copy(), best.max_per_comment
    # A code with a few coded examples keeps the balanced model's own cut (score 0), as
    # cross-validation left it; one learnt from its definition alone gets a cut of its own.
    cold = ~prepared.measured & (prepared.data.y.sum(axis=0) < MIN_TO_LEARN)
    if cold.any():
        platt[cold] = _unmeasured_calibration(prepared, coef[cold], intercept[cold])
    unmeasured = ~prepared.measured
    if unmeasured.any():
        threshold[unmeasured] = 0.5
        if not prepared.measured.any():
            cap = COLD_CAP
    model = Model(
        features=prepared.features,
        code_ids=np.array([c.id for c in prepared.data.codes], dtype=np.int64),
        coef=coef,
        intercept=intercept,
        platt=platt,
        threshold=threshold,
        max_per_comment=cap,
        min_per_comment=best.min_per_comment,
        relative=best.relative,
    )
    return model, result


def _unmeasured_calibration(
    prepared: Prepared, coef: np.ndarray, intercept: np.ndarray
) -> np.ndarray:
    """For codes learnt mostly from their definitions: a code's score means little on its
    own (a comment never reads like a definition), but how far a comment stands out from
    the others does. Each code's scores over the comments at hand are put on one scale,
    and probability one half sits COLD_SPREAD standard deviations above their mean (fewer
    among a handful of comments, where none can stand out that far)."""
    parts = [prepared.rows.x[: prepared.rows.n_real]]
    if prepared.reference is not None:
        parts.append(prepared.reference)
    matrix = sp.vstack(parts, format="csr")
    if not matrix.shape[0]:
        return np.tile([1.0, 0.0], (len(intercept), 1))
    scores = np.asarray(matrix @ coef.T) + intercept
    mean, spread = scores.mean(axis=0), scores.std(axis=0)
    spread[spread <= 1e-9] = 1.0
    reach = min(COLD_SPREAD, 0.5 * np.sqrt(max(len(scores) - 1, 1)))
    cut = mean + reach * spread
    return np.column_stack([1.0 / spread, -cut / spread])


def measure(
    prepared: Prepared, config: FitConfig, progress: Progress | None = None
) -> CrossValidated:
    """The cross-validated figures of one configuration on all the coding: what training
    reports for the configuration it chose, and what evaluating reports for the same."""
    y = prepared.rows.y[: prepared.rows.n_real]
    folds = make_folds(y, folds_for(len(y))) if len(y) >= MIN_FOR_CV else []
    return cross_validate(prepared.rows, folds, config, prepared.measured, progress=progress)


def code_metrics(prepared: Prepared, result: CrossValidated) -> tuple[CodeMetrics, ...]:
    """Per code, as the model card keeps it: a code not measured has zeros and says so."""
    tiers = result.tiers

    def known(values: np.ndarray, j: int) -> float:
        return float(values[j]) if prepared.measured[j] else 0.0

    return tuple(
        CodeMetrics(
            code.id,
            code.path,
            known(result.precision, j),
            known(result.recall, j),
            known(result.f1, j),
            int(prepared.data.y[:, j].sum()),
            float(result.threshold[j]),
            tiers[j],
            bool(prepared.measured[j]),
        )
        for j, code in enumerate(prepared.data.codes)
    )


def _quick_plan(
    store: Store, features: str, size: int
) -> tuple[tuple[FitConfig, ...], int | None, int]:
    """For a retrain while coding: the settings of the last full search, while the coding
    has not grown much since; else the whole plan. (plan, version reused, searched on)."""
    latest = store.models.latest()
    if latest is None or latest.card.features != features or not latest.card.plan:
        return PLAN, None, size
    card = latest.card
    searched_on = card.searched_on or card.training_size
    if size > searched_on * (1 + QUICK_GROWTH) + 50:
        return PLAN, None, size
    origin = card.settings_from if card.settings_from is not None else latest.id
    return (card.config,), origin, searched_on


def train(
    store: Store,
    *,
    features: str | None = None,
    progress: Progress | None = None,
    budget: float | None = None,
    quick: bool = False,
    codebook: bool = True,
) -> TrainReport:
    """Train on the people's coding (and the codebook's definitions) and store a new model
    version. See coder.suggest.targets for how coders' disagreements and sub-codes are
    treated. `quick` (the workbench's retrain) reuses the last full search's settings."""
    started = time.perf_counter()
    features = embeddings.check_features(features)
    if progress:
        progress("reading the coding", 0.0)
    prepared = prepare(store, features, stage(progress, 0.0, 0.1), codebook=codebook)
    data = prepared.data
    plan, settings_from, searched_on = PLAN, None, data.size
    if quick:
        plan, settings_from, searched_on = _quick_plan(store, features, data.size)
    model, result = fit_model(
        prepared, plan=plan, budget=budget, progress=stage(progress, 0.1, 0.95)
    )
    best = result.best
    card = ModelCard(
        features=features,
        training_size=data.size,
        config=best.config,
        folds=result.folds,
        max_per_comment=best.max_per_comment,
        min_per_comment=best.min_per_comment,
        relative=best.relative,
        per_code=code_metrics(prepared, best),
        skipped=tuple(data.skipped),
        macro_f1=best.macro_f1,
        micro_f1=best.micro_f1,
        tried=tuple(
            Trial(t.config, t.macro_f1, t.micro_f1, round(t.seconds, 2)) for t in result.tried
        ),
        coders=tuple(data.coders),
        min_examples=MIN_EXAMPLES,
        budget_seconds=budget if budget is not None else 0.0,
        feature_sizes={
            "word": prepared.features.n_word,
            "char": prepared.features.n_char,
            "embedding": prepared.features.embedding_dim,
        },
        plan=result.plan,
        plan_complete=result.complete,
        search_sample=result.sample,
        codebook_examples=len(prepared.pseudo),
        settings_from=settings_from,
        searched_on=searched_on,
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
