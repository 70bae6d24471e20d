"""Evaluation: per-code metrics and a learning curve from the project's own coding (cross-validated).

Each outer fold's comments are held out; the model is trained, features and thresholds
included, on growing samples of the rest and measured on them, so the curve shows what
more coding of the same kind would bring.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from coder.errors import CoderError
from coder.model_card import CodeMetrics, FitConfig, SkippedCode
from coder.nlp import Token
from coder.progress import Progress, stage
from coder.store import Store
from coder.suggest import embeddings
from coder.suggest.crossval import MIN_FOR_CV, PLAN, cross_validate, f1_scores, micro_f1
from coder.suggest.features import Features
from coder.suggest.fitting import SEED, Rows, folds_for, make_folds
from coder.suggest.targets import MIN_EXAMPLES, TrainingSet
from coder.suggest.training import DOCS, Prepared, code_metrics, fit_model, prepare

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
    config: FitConfig = FitConfig()

    @property
    def unsure(self) -> list[CodeMetrics]:
        """The codes suggested in the unsure tier, as training would put them."""
        return [m for m in self.per_code if m.unsure]

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
        weakest = sorted((m for m in self.per_code if m.measured), key=lambda m: (m.f1, m.support))[
            :3
        ]
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
    """Cross-validated metrics and learning curve; changes nothing but the vector cache.

    The per-code figures come from the same cross-validation `coder train` runs, with the
    settings the last training chose (the plan's first without one): for the same coding,
    the same figures. Other `folds` than training's give other figures, as they should.
    """
    features = embeddings.check_features(features)
    prepared = prepare(store, features, stage(progress, 0.0, 0.1))
    data = prepared.data
    latest = store.models.latest()
    config = latest.card.config if latest else PLAN[0]
    y = data.y
    k = folds or folds_for(data.size)
    if data.size < MIN_FOR_CV or k > data.size:
        raise CoderError(
            f"too little coding to evaluate: {data.size} coded comments "
            f"(cross-validation needs at least {max(MIN_FOR_CV, k)})"
        )
    splits = make_folds(y, k)
    if progress:
        progress("cross-validating", 0.1)
    measured = cross_validate(prepared.rows, splits, config, prepared.measured)
    per_code = list(code_metrics(prepared, measured))
    docs = DOCS.analyse(store.comments.texts(data.comment_ids))
    pseudo_docs = DOCS.analyse(prepared.pseudo.texts)
    vectors = None
    if prepared.features.embedding_dim:
        vectors = prepared.rows.x[:, -prepared.features.embedding_dim :].toarray()
    sizes = _sizes(min(len(train) for train, _ in splits))
    macro = np.zeros((len(sizes), k))
    micro = np.zeros((len(sizes), k))
    rng = np.random.default_rng(SEED)
    steps = len(sizes) * k
    for f, (train, test) in enumerate(splits):
        order = rng.permutation(train)
        for s, size in enumerate(sizes):
            done = 0.2 + 0.8 * (f * len(sizes) + s) / steps
            if progress:
                progress(f"learning curve: {size} coded comments, fold {f + 1} of {k}", done)
            chosen = _fit_and_predict(
                docs, vectors, y, order[:size], test, config, prepared, pseudo_docs
            )
            macro[s, f] = f1_scores(y[test], chosen)[2][prepared.measured].mean()
            micro[s, f] = micro_f1(y[test][:, prepared.measured], chosen[:, prepared.measured])
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
        macro_f1=measured.macro_f1,
        micro_f1=measured.micro_f1,
        config=config,
    )


def _fit_and_predict(
    docs: list[list[Token]],
    vectors: np.ndarray | None,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    config: FitConfig,
    prepared: Prepared,
    pseudo_docs: list[list[Token]],
) -> np.ndarray:
    """Train on `train` only (vocabulary, model, thresholds; the codebook as in training)
    and decide on `test`."""
    pseudo = prepared.pseudo
    dim = prepared.features.embedding_dim
    fitted = Features.fit([docs[i] for i in train], dim, always=pseudo_docs)
    n_pseudo = len(pseudo)

    def part(ids: np.ndarray, extra: bool) -> np.ndarray | None:
        if vectors is None:
            return None
        own = vectors[ids]
        if extra and n_pseudo:
            return np.vstack([own, prepared.rows.x[-n_pseudo:, -dim:].toarray()])
        return own

    matrix = fitted.encode([docs[i] for i in train] + pseudo_docs, part(train, True)).matrix
    weight = None
    if n_pseudo:
        weight = np.vstack([np.ones((len(train), y.shape[1])), pseudo.weight])
    rows = Rows(
        matrix,
        np.vstack([y[train], pseudo.y]).astype(np.int8),
        len(train),
        weight,
        fitted.n_word + fitted.n_char,
    )
    sub = Prepared(
        TrainingSet(
            [int(i) for i in train],
            y[train],
            prepared.data.codes,
            [],
            [],
            0,
            0,
            measured=_enough(y[train]),
        ),
        pseudo,
        rows,
        fitted,
    )
    model, _ = fit_model(sub, plan=[config])
    held_out = fitted.encode([docs[i] for i in test], part(test, False)).matrix
    return model.decide(model.probabilities(held_out))


def _enough(y: np.ndarray) -> np.ndarray:
    positives = y.sum(axis=0)
    return (positives >= MIN_EXAMPLES) & (len(y) - positives >= MIN_EXAMPLES)


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
