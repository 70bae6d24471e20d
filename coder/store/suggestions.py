"""Suggestions, model versions and the "most useful next" order, as stored."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from coder.domain import ModelVersion, Origin, Suggestion
from coder.store.browse import _chunks
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

    def keep_only_model_blob(self, version: int) -> None:
        """Drop the fitted parameters of older versions (their metrics stay as history)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE model_versions SET model = NULL WHERE id != ? AND model IS NOT NULL",
                (version,),
            )

    # -- what the model learns from --------------------------------------------------------

    def human_codings(self) -> list[tuple[int, int, str]]:
        """(comment_id, code_id, coder) once each: manual, accepted and imported codings,
        of whole comments or of segments."""
        return self.conn.execute(
            "SELECT DISTINCT comment_id, code_id, coder FROM codings "
            "ORDER BY comment_id, code_id, coder"
        ).fetchall()

    def comment_texts(self, comment_ids: Sequence[int]) -> list[str]:
        """The texts of these comments, in the order given."""
        texts: dict[int, str] = {}
        for part in _chunks(comment_ids):
            marks = ",".join("?" * len(part))
            texts.update(
                self.conn.execute(
                    f"SELECT id, text FROM comments WHERE id IN ({marks})", part
                ).fetchall()
            )
        return [texts[c] for c in comment_ids]

    def uncoded_count(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM comments c "
            "WHERE NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id)"
        ).fetchone()[0]

    def uncoded_comments(self, *, after: int = 0, limit: int = 5000) -> list[tuple[int, str]]:
        """The next `limit` comments nobody has coded, by id, after comment id `after`."""
        return self.conn.execute(
            "SELECT id, text FROM comments c WHERE id > ? "
            "AND NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id) "
            "ORDER BY id LIMIT ?",
            (after, limit),
        ).fetchall()

    # -- sentence vectors, cached per comment and encoder ----------------------------------

    def embeddings(self, model: str, comment_ids: Sequence[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for part in _chunks(comment_ids):
            marks = ",".join("?" * len(part))
            out.update(
                self.conn.execute(
                    f"SELECT comment_id, vector FROM embeddings WHERE model = ? "
                    f"AND comment_id IN ({marks})",
                    [model, *part],
                ).fetchall()
            )
        return out

    def put_embeddings(self, model: str, rows: Iterable[tuple[int, bytes]]) -> None:
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (comment_id, model, vector) VALUES (?, ?, ?)",
                [(c, model, v) for c, v in rows],
            )

    # -- suggestions -----------------------------------------------------------------------

    def replace_suggestions(
        self,
        version: int,
        rows: Iterable[tuple[int, int, float, list[str]]],
        *,
        scored: Iterable[int] | None = None,
    ) -> int:
        """Store (comment_id, code_id, probability, explanation) rows for a model version.

        Call once per chunk. `scored` names every comment the chunk scored (default: those
        in rows): their pending suggestions of other versions give way to these. Decided
        suggestions are history and are never overwritten.
        """
        rows = list(rows)
        comment_ids = sorted(set(scored) if scored is not None else {r[0] for r in rows})
        with self.transaction():
            self.conn.executemany(
                "DELETE FROM suggestions WHERE comment_id = ? AND status = 'pending' "
                "AND model_version != ?",
                [(c, version) for c in comment_ids],
            )
            self.conn.executemany(
                "INSERT INTO suggestions (comment_id, code_id, probability, model_version,"
                " explanation) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (comment_id, code_id, model_version) DO UPDATE SET "
                "probability = excluded.probability, explanation = excluded.explanation "
                "WHERE status = 'pending'",
                [(c, k, float(p), version, json.dumps(list(e))) for c, k, p, e in rows],
            )
        return len(rows)

    def drop_stale_suggestions(self, version: int) -> int:
        """Remove pending suggestions of other model versions (left on comments coded since)."""
        with self.transaction():
            return self.conn.execute(
                "DELETE FROM suggestions WHERE status = 'pending' AND model_version != ?",
                (version,),
            ).rowcount

    def rejected_suggestions(self) -> set[tuple[int, int]]:
        """(comment_id, code_id) pairs someone rejected: never suggested again."""
        return set(
            self.conn.execute(
                "SELECT DISTINCT comment_id, code_id FROM suggestions WHERE status = 'rejected'"
            ).fetchall()
        )

    def suggestion_rows(self, version: int) -> Iterator[tuple[str, str, float, str, list[str]]]:
        """A version's pending suggestions for export, in comment order, most probable first:
        (comment source id, code path, probability, text, explanation)."""
        cur = self.conn.execute(
            "SELECT c.source_id, p.path, s.probability, c.text, s.explanation "
            "FROM suggestions s JOIN comments c ON c.id = s.comment_id "
            "JOIN code_paths p ON p.code_id = s.code_id "
            "WHERE s.model_version = ? AND s.status = 'pending' "
            "ORDER BY s.comment_id, s.probability DESC, p.path",
            (version,),
        )
        for source_id, path, probability, text, explanation in cur:
            yield source_id, path, probability, text, json.loads(explanation or "[]")

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
        return self._decide_pending("add", comment_id, coder, code_ids)

    def reject_suggestions(
        self, comment_id: int, coder: str, code_ids: Iterable[int] | None = None
    ) -> int:
        """Decline pending suggestions, as one undoable action."""
        return self._decide_pending("reject", comment_id, coder, code_ids)

    def _decide_pending(
        self, action: str, comment_id: int, coder: str, code_ids: Iterable[int] | None
    ) -> int:
        wanted = None if code_ids is None else set(code_ids)
        changes = [
            Change(action, comment_id, s.code_id, coder, Origin.SUGGESTION)
            for s in self.pending_suggestions(comment_id)
            if wanted is None or s.code_id in wanted
        ]
        return self.record(changes)

    # -- most useful next ------------------------------------------------------------------

    def replace_priorities(self, version: int, ranked: Iterable[tuple[int, float]]) -> None:
        """Store the order (comment_id, score), most useful first, for a model version.

        Written in short transactions, best first, so a coder working meanwhile never
        waits long for the file and "next" can follow the order as soon as it begins.
        """
        with self.transaction():
            self.conn.execute("DELETE FROM priorities")
        rows = ((c, version, rank, float(s)) for rank, (c, s) in enumerate(ranked))
        while chunk := list(islice(rows, 20000)):
            with self.transaction():
                self.conn.executemany(
                    "INSERT OR REPLACE INTO priorities (comment_id, model_version, rank, score) "
                    "VALUES (?, ?, ?, ?)",
                    chunk,
                )
