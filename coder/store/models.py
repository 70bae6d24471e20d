"""Trained model versions (a card and plain arrays, never pickle) and cached sentence vectors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coder.domain import ModelVersion
from coder.model_card import ModelCard
from coder.store.db import LATEST_MODEL, Db

_VERSION = "SELECT id, created_at, training_size, features, metrics, params FROM model_versions"


class Models:
    """Each trained model is a version; only the newest keeps its fitted arrays."""

    def __init__(self, db: Db):
        self.db = db

    def add(self, card: ModelCard, model: bytes | None) -> int:
        with self.db.transaction():
            cur = self.db.execute(
                "INSERT INTO model_versions (training_size, features, metrics, params, model) "
                "VALUES (?, ?, ?, ?, ?)",
                (card.training_size, card.features, card.metrics_json(), card.params_json(), model),
            )
            return int(cur.lastrowid or 0)

    def latest_id(self) -> int | None:
        found = self.db.scalar(f"SELECT {LATEST_MODEL}")
        return None if found is None else int(found)

    def latest(self) -> ModelVersion | None:
        return self._version(self.db.execute(f"{_VERSION} ORDER BY id DESC LIMIT 1").fetchone())

    def get(self, version: int) -> ModelVersion | None:
        return self._version(self.db.execute(f"{_VERSION} WHERE id = ?", (version,)).fetchone())

    @staticmethod
    def _version(row: tuple[Any, ...] | None) -> ModelVersion | None:
        if row is None:
            return None
        id_, created_at, training_size, features, metrics, params = row
        card = ModelCard.from_json(metrics, params, features=features, training_size=training_size)
        return ModelVersion(id_, created_at, training_size, features, card)

    def blob(self, version: int) -> bytes | None:
        found = self.db.scalar("SELECT model FROM model_versions WHERE id = ?", (version,))
        return found if isinstance(found, bytes) else None

    def keep_only_blob(self, version: int) -> None:
        """Drop the fitted parameters of older versions (their metrics stay as history)."""
        with self.db.transaction():
            self.db.execute(
                "UPDATE model_versions SET model = NULL WHERE id != ? AND model IS NOT NULL",
                (version,),
            )

    # -- sentence vectors, cached per comment and encoder ----------------------------------

    def embeddings(self, encoder: str, comment_ids: Sequence[int]) -> dict[int, bytes]:
        return dict(
            self.db.select_in(
                "SELECT comment_id, vector FROM embeddings WHERE model = ? "
                "AND comment_id IN ({marks})",
                comment_ids,
                before=[encoder],
            )
        )

    def put_embeddings(self, encoder: str, rows: Iterable[tuple[int, bytes]]) -> None:
        with self.db.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings (comment_id, model, vector) VALUES (?, ?, ?)",
                [(c, encoder, v) for c, v in rows],
            )
