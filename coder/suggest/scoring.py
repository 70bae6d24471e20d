"""Suggesting: score every uncoded comment with the latest model, in chunks, and rank them."""

from __future__ import annotations

import csv
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from coder.domain import ModelVersion
from coder.errors import CoderError
from coder.model_card import CodeMetrics
from coder.progress import Progress
from coder.store import Store
from coder.suggest import embeddings
from coder.suggest.active import Ranker, likeliest, shaped_order, usefulness
from coder.suggest.explain import explain
from coder.suggest.model import Model
from coder.suggest.training import DOCS

if TYPE_CHECKING:
    from coder.store import Store

CHUNK = 5000  # comments scored and written at a time: memory stays flat for a million
# New columns go at the end: a spreadsheet or script reading the first six keeps working.
CSV_COLUMNS = [
    "comment_id",
    "code",
    "probability",
    "text",
    "explanation",
    "model_version",
    "tier",
    "code_precision",
]


@dataclass(frozen=True)
class SuggestReport:
    version: int
    scored: int
    suggestions: int
    comments_with_suggestions: int
    per_code: dict[str, int] = field(default_factory=dict)  # code path -> suggestions
    unsure: dict[str, int] = field(default_factory=dict)  # of those, in the unsure tier
    prioritised: int = 0
    coded_since_training: int = 0  # comments coded now that the model never saw
    seconds: float = 0.0


def latest_model(store: Store) -> tuple[ModelVersion, Model]:
    """The latest model version and its fitted model, or a clear error."""
    latest = store.models.latest()
    if latest is None:
        raise CoderError("no model yet: train one first with coder train PROJECT.db")
    if latest.features == embeddings.TFIDF_EMBEDDINGS and not embeddings.available():
        raise CoderError(
            f"model v{latest.id} uses sentence embeddings: install them with "
            f"{embeddings.INSTALL_HINT}, or retrain with coder train --features tfidf"
        )
    return latest, Model.from_bytes(store.models.blob(latest.id))


def suggest(
    store: Store, *, progress: Progress | None = None, chunk_size: int = CHUNK
) -> SuggestReport:
    """Score every comment nobody has coded; store suggestions and the most-useful-next order."""
    started = time.perf_counter()
    latest, model = latest_model(store)
    version = latest.id
    paths = {code.id: code.path for code in store.codes.all()}
    # Codes deleted since training are no longer suggested.
    alive = np.array([int(c) in paths for c in model.code_ids], dtype=bool)
    code_ids = [int(c) for c in model.code_ids]
    metrics = {m.code_id: m for m in latest.card.per_code}
    f1 = np.array([_measured_f1(metrics.get(c)) for c in code_ids])
    # A code the model is weak on is still suggested, in the unsure tier, after the others:
    # hiding it would leave the coder without help on exactly the rare themes.
    unsure = {c for c in code_ids if c not in metrics or metrics[c].unsure}
    column = {c: j for j, c in enumerate(code_ids)}
    rejected: dict[int, list[int]] = {}
    for comment_id, code_id in store.suggestions.rejected():
        if code_id in column:
            rejected.setdefault(comment_id, []).append(column[code_id])
    total = store.comments.uncoded_count()
    ranker = Ranker()
    per_code: Counter = Counter()
    per_unsure: Counter = Counter()
    scored = suggested = with_any = 0
    after = 0
    if progress:
        progress("suggesting", 0.0)
    while rows := store.comments.uncoded(after=after, limit=chunk_size):
        ids = [r[0] for r in rows]
        texts = [r[1] for r in rows]
        vectors = None
        if model.features.embedding_dim:
            vectors = embeddings.vectors(store, ids, texts)
        encoded = model.features.encode(DOCS.analyse(texts), vectors, with_units=True)
        p = model.probabilities(encoded.matrix)
        # A code deleted since training, or one a person rejected for this comment, is
        # never offered, and leaves its place to the next most probable one.
        offered = np.where(alive, p, 0.0)
        for i, comment_id in enumerate(ids):
            if comment_id in rejected:
                offered[i, rejected[comment_id]] = 0.0
        out = []
        for i, j in zip(*np.nonzero(model.decide(offered)), strict=True):
            words = explain(encoded, int(i), model.coef[j])
            out.append((ids[i], code_ids[j], float(p[i, j]), words))
            per_code[paths[code_ids[j]]] += 1
            if code_ids[j] in unsure:
                per_unsure[paths[code_ids[j]]] += 1
        store.suggestions.replace(version, out, scored=ids, unsure=unsure)
        with_any += len({r[0] for r in out})
        suggested += len(out)
        scored += len(ids)
        ranker.add(
            np.array(ids, dtype=np.int64),
            usefulness(
                p[:, alive],
                model.threshold[alive],
                f1[alive],
                floor=bool(model.min_per_comment),
            ),
            encoded.matrix,
            likeliest=likeliest(p[:, alive]),
        )
        after = ids[-1]
        if progress:
            progress("suggesting", min(0.95, 0.95 * scored / max(total, 1)))
    store.suggestions.drop_stale(version)
    if progress:
        progress("ordering the most useful next", 0.96)
    single = store.codings.most_codes_on_a_comment() <= 1
    coded = np.array([metrics[c].support if c in metrics else 0 for c in code_ids])
    order = shaped_order(ranker, seed=version, single=single, coded_per_code=coded[alive])
    store.suggestions.replace_priorities(version, order)
    if progress:
        progress(f"{suggested} suggestions from model v{version}", 1.0)
    coded_now = store.comments.count() - store.comments.uncoded_count()
    return SuggestReport(
        version=version,
        scored=scored,
        suggestions=suggested,
        comments_with_suggestions=with_any,
        per_code=dict(per_code),
        unsure=dict(per_unsure),
        prioritised=len(order),
        coded_since_training=max(0, coded_now - latest.training_size),
        seconds=time.perf_counter() - started,
    )


def _measured_f1(metrics: CodeMetrics | None) -> float:
    """A code's cross-validated F1, 0 where it could not be measured."""
    if metrics is None or not metrics.measured or math.isnan(metrics.f1):
        return 0.0
    return metrics.f1


def export_suggestions(store: Store, path: Path | str, version: int | None = None) -> int:
    """Write a version's pending suggestions (default: the latest's) to CSV, or to standard
    output for "-"; returns the rows."""
    from coder.files import guard_text, is_stdout, write_atomically

    if version is None:
        latest = store.models.latest()
        if latest is None:
            raise CoderError("no model yet: train one first with coder train PROJECT.db")
        version = latest.id
    found = store.models.get(version)
    card = found.card if found is not None else None
    count = 0

    def write_to(handle: TextIO) -> None:
        nonlocal count
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for (
            source_id,
            code_id,
            code,
            probability,
            text,
            words,
            tier,
        ) in store.suggestions.export_rows(version):
            metrics = card.metrics_for(code_id) if card else None
            precision = (
                f"{metrics.precision:.4f}"
                if metrics is not None and metrics.measured and not math.isnan(metrics.precision)
                else ""
            )
            writer.writerow(
                [
                    guard_text(source_id),
                    guard_text(code),
                    f"{probability:.4f}",
                    guard_text(text),
                    guard_text("; ".join(words)),
                    version,
                    tier,
                    precision,
                ]
            )
            count += 1

    if is_stdout(path):
        write_to(sys.stdout)
        return count

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8", newline="") as handle:
            write_to(handle)

    write_atomically(path, write)
    return count
