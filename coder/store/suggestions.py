"""Suggestions, model versions and the "most useful next" order, as stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from coder.domain import ModelVersion, Origin, Suggestion
from coder.store.codings import Change


def _suggestion(row) -> Suggestion:
    id_, comment_id, code_id, probability, version, explanation, status = row
    return Suggestion(
        id_,
        comment_id,
        code_id,
        probability,
        version,
        tuple(json.loads(explanation or "[]")),
        status,
    )


_COLUMNS = "id, comment_id, code_id, probability, model_version, explanation, status"


class SuggestionsMixin:
    conn: sqlite3.Connection

    # -- model versions --------------------------------------------------------------------

    def add_model_version(
        self, *, training_size: int, features: str, metrics: dict, params: dict, model: bytes | None
    ) -> int:
        with self.transaction():
            return self.conn.execute(
                "INSERT INTO model_versions (training_size, features, metrics, params, model) "
                "VALUES (?, ?, ?, ?, ?)",
                (training_size, features, json.dumps(metrics), json.dumps(params), model),
            ).lastrowid

    def latest_model_version(self) -> ModelVersion | None:
        row = self.conn.execute(
            "SELECT id, created_at, training_size, features, metrics, params FROM model_versions "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return ModelVersion(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]))

    def model_blob(self, version: int) -> bytes | None:
        row = self.conn.execute(
            "SELECT model FROM model_versions WHERE id = ?", (version,)
        ).fetchone()
        return row[0] if row else None

    # -- suggestions -----------------------------------------------------------------------

    def replace_suggestions(
        self, version: int, rows: Iterable[tuple[int, int, float, list[str]]]
    ) -> int:
        """Store (comment_id, code_id, probability, explanation) rows for a model version.

        Call once per chunk; earlier pending suggestions of older versions for the same
        comments are dropped, decided ones are kept as history.
        """
        rows = list(rows)
        with self.transaction():
            comment_ids = sorted({r[0] for r in rows})
            self.conn.executemany(
                "DELETE FROM suggestions WHERE comment_id = ? AND status = 'pending' "
                "AND model_version != ?",
                [(c, version) for c in comment_ids],
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO suggestions (comment_id, code_id, probability,"
                " model_version, explanation) VALUES (?, ?, ?, ?, ?)",
                [(c, k, float(p), version, json.dumps(list(e))) for c, k, p, e in rows],
            )
        return len(rows)

    def pending_suggestions(self, comment_id: int) -> list[Suggestion]:
        """The latest model's undecided suggestions for a comment, most probable first."""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM suggestions WHERE comment_id = ? AND status = 'pending' "
            "AND model_version = (SELECT max(id) FROM model_versions) "
            "ORDER BY probability DESC",
            (comment_id,),
        ).fetchall()
        return [_suggestion(r) for r in rows]

    def accept_suggestions(
        self, comment_id: int, coder: str, code_ids: Iterable[int] | None = None
    ) -> int:
        """Turn pending suggestions into codings by this coder, as one undoable action."""
        wanted = None if code_ids is None else set(code_ids)
        changes = [
            Change("add", comment_id, s.code_id, coder, Origin.SUGGESTION)
            for s in self.pending_suggestions(comment_id)
            if wanted is None or s.code_id in wanted
        ]
        return self.record(changes)

    def reject_suggestions(
        self, comment_id: int, coder: str, code_ids: Iterable[int] | None = None
    ) -> int:
        wanted = None if code_ids is None else set(code_ids)
        changes = [
            Change("reject", comment_id, s.code_id, coder, Origin.SUGGESTION)
            for s in self.pending_suggestions(comment_id)
            if wanted is None or s.code_id in wanted
        ]
        return self.record(changes)

    # -- most useful next ------------------------------------------------------------------

    def replace_priorities(self, version: int, ranked: Iterable[tuple[int, float]]) -> None:
        """Store the order (comment_id, score), most useful first, for a model version."""
        with self.transaction():
            self.conn.execute("DELETE FROM priorities")
            self.conn.executemany(
                "INSERT INTO priorities (comment_id, model_version, rank, score) "
                "VALUES (?, ?, ?, ?)",
                [(c, version, rank, float(s)) for rank, (c, s) in enumerate(ranked)],
            )
