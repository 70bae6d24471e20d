"""Suggestions and the "most useful next" order, as stored."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator
from itertools import islice
from typing import Any

from coder.domain import Change, Origin, Suggestion, Tier
from coder.store.codings import Codings
from coder.store.db import LATEST_MODEL, Db

_COLUMNS = "id, comment_id, code_id, probability, model_version, explanation, status, tier"


def _suggestion(row: tuple[Any, ...]) -> Suggestion:
    id_, comment_id, code_id, probability, version, explanation, status, tier = row
    return Suggestion(
        id_, comment_id, code_id, probability, version, _words(explanation), status, _tier(tier)
    )


def _tier(value: object) -> str:
    """A damaged tier reads as unsure: the suggestion is still shown, and not over-trusted."""
    return Tier.CONFIDENT if value == Tier.CONFIDENT else Tier.UNSURE


def _words(text: object) -> tuple[str, ...]:
    """A suggestion's explanation; a damaged one only loses the explanation."""
    try:
        value = json.loads(str(text)) if text else []
    except (ValueError, RecursionError):
        return ()
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


class Suggestions:
    """The model's proposals; deciding one is a change to the coding, made through Codings."""

    def __init__(self, db: Db, codings: Codings):
        self.db = db
        self.codings = codings

    def pending(self, comment_id: int) -> list[Suggestion]:
        """The latest model's undecided suggestions for a comment: the confident ones first,
        then the unsure ones, each most probable first."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM suggestions WHERE comment_id = ? AND status = 'pending' "
            f"AND model_version = {LATEST_MODEL} "
            f"ORDER BY tier != '{Tier.CONFIDENT}', probability DESC",
            (comment_id,),
        ).fetchall()
        return [_suggestion(r) for r in rows]

    def accept(self, comment_id: int, coder: str, code_ids: Iterable[int] | None = None) -> int:
        """Turn pending suggestions into codings by this coder, as one undoable action."""
        return self._decide("add", comment_id, coder, code_ids)

    def accept_or_apply(self, comment_id: int, code_id: int, coder: str) -> int:
        """Accept the suggestion of this code; if a newer model has just withdrawn it, code
        the comment by hand instead, so the key the coder pressed always does what it showed."""
        with self.db.transaction():
            return self.accept(comment_id, coder, [code_id]) or int(
                self.codings.apply(comment_id, code_id, coder)
            )

    def reject(self, comment_id: int, coder: str, code_ids: Iterable[int] | None = None) -> int:
        """Decline pending suggestions, as one undoable action."""
        return self._decide("reject", comment_id, coder, code_ids)

    def _decide(
        self, action: str, comment_id: int, coder: str, code_ids: Iterable[int] | None
    ) -> int:
        wanted = None if code_ids is None else set(code_ids)
        with self.db.transaction():
            changes = [
                Change(action, comment_id, s.code_id, coder, Origin.SUGGESTION)
                for s in self.pending(comment_id)
                if wanted is None or s.code_id in wanted
            ]
            return self.codings.record(changes)

    def rejected(self) -> set[tuple[int, int]]:
        """(comment_id, code_id) pairs someone rejected: never suggested again."""
        return set(
            self.db.execute(
                "SELECT DISTINCT comment_id, code_id FROM suggestions WHERE status = 'rejected'"
            ).fetchall()
        )

    def pending_count(self, version: int | None) -> int:
        return int(
            self.db.scalar(
                "SELECT count(*) FROM suggestions WHERE status = 'pending' AND model_version = ?",
                (version,),
            )
        )

    # -- written by `coder suggest` -----------------------------------------------------------

    def replace(
        self,
        version: int,
        rows: Iterable[tuple[int, int, float, list[str]]],
        *,
        scored: Iterable[int] | None = None,
        unsure: Collection[int] = (),
    ) -> int:
        """Store (comment_id, code_id, probability, explanation) rows for a model version.

        Call once per chunk. `scored` names every comment the chunk scored (default: those
        in rows): their pending suggestions, of this version or another, give way to these
        (scoring again with the same version after the codebook changed may suggest less).
        Decided suggestions are history and are never overwritten. Suggestions of the
        `unsure` codes are stored in the unsure tier.
        """
        unsure = set(unsure)
        rows = list(rows)
        comment_ids = sorted(set(scored) if scored is not None else {r[0] for r in rows})
        with self.db.transaction():
            self.db.executemany(
                "DELETE FROM suggestions WHERE comment_id = ? AND status = 'pending'",
                [(c,) for c in comment_ids],
            )
            self.db.executemany(
                "INSERT INTO suggestions (comment_id, code_id, probability, model_version,"
                " explanation, tier) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (comment_id, code_id, model_version) DO UPDATE SET "
                "probability = excluded.probability, explanation = excluded.explanation, "
                "tier = excluded.tier WHERE status = 'pending'",
                [
                    (
                        c,
                        k,
                        float(p),
                        version,
                        json.dumps(list(e)),
                        Tier.UNSURE if k in unsure else Tier.CONFIDENT,
                    )
                    for c, k, p, e in rows
                ],
            )
        return len(rows)

    def drop_stale(self, version: int) -> int:
        """Remove pending suggestions of other model versions (left on comments coded since)."""
        with self.db.transaction():
            return self.db.execute(
                "DELETE FROM suggestions WHERE status = 'pending' AND model_version != ?",
                (version,),
            ).rowcount

    def export_rows(
        self, version: int
    ) -> Iterator[tuple[str, int, str, float, str, list[str], str]]:
        """A version's pending suggestions for export, in comment order, confident before
        unsure, most probable first: (comment source id, code id, code path, probability,
        text, explanation, tier)."""
        cur = self.db.execute(
            "SELECT c.source_id, s.code_id, p.path, s.probability, c.text, s.explanation, s.tier "
            "FROM suggestions s JOIN comments c ON c.id = s.comment_id "
            "JOIN code_paths p ON p.code_id = s.code_id "
            "WHERE s.model_version = ? AND s.status = 'pending' "
            f"ORDER BY s.comment_id, s.tier != '{Tier.CONFIDENT}', s.probability DESC, p.path",
            (version,),
        )
        for source_id, code_id, path, probability, text, explanation, tier in cur:
            yield (
                source_id,
                code_id,
                path,
                probability,
                text,
                list(_words(explanation)),
                _tier(tier),
            )

    # -- most useful next ------------------------------------------------------------------

    def replace_priorities(self, version: int, ranked: Iterable[tuple[int, float]]) -> None:
        """Store the order (comment_id, score), most useful first, for a model version.

        Written in short transactions, best first, so a coder working meanwhile never
        waits long for the file and "next" can follow the order as soon as it begins.
        """
        with self.db.transaction():
            self.db.execute("DELETE FROM priorities")
        rows = ((c, version, rank, float(s)) for rank, (c, s) in enumerate(ranked))
        while chunk := list(islice(rows, 20000)):
            with self.db.transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO priorities (comment_id, model_version, rank, score) "
                    "VALUES (?, ?, ?, ?)",
                    chunk,
                )

    def has_priorities(self) -> bool:
        return (
            self.db.scalar(f"SELECT 1 FROM priorities WHERE model_version = {LATEST_MODEL} LIMIT 1")
            is not None
        )
