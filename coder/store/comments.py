"""Comments, their respondents and questions, read the way the coding screen browses them."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from typing import Any

from coder.domain import (
    CONSENSUS_CODER,
    Comment,
    CommentFilter,
    CommentRow,
    NextUncoded,
    Question,
    Respondent,
)
from coder.errors import CoderError
from coder.search import fts_query
from coder.store.db import LATEST_MODEL, Db

# A code and every code beneath it: filtering on a theme finds its sub-codes too.
_SUBTREE = (
    "(WITH RECURSIVE sub(id) AS (SELECT ? UNION "
    "SELECT codes.id FROM codes JOIN sub ON codes.parent_id = sub.id) SELECT id FROM sub)"
)
_PREVIEW_CHARS = 200
_UNCODED = "NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id)"


class Comments:
    """The corpus: comments by id, position, filter and search, with their respondents."""

    def __init__(self, db: Db):
        self.db = db

    # -- one comment -----------------------------------------------------------------------

    def get(self, comment_id: int) -> Comment:
        row = self.db.execute(
            "SELECT c.id, c.source_id, c.text, c.respondent_id, q.name FROM comments c "
            "LEFT JOIN questions q ON q.id = c.question_id WHERE c.id = ?",
            (comment_id,),
        ).fetchone()
        if row is None:
            raise KeyError(comment_id)
        id_, source_id, text, respondent_id, question = row
        return Comment(id_, str(source_id), str(text or ""), respondent_id, question)

    def by_source_id(self, source_id: str) -> Comment | None:
        found = self.db.scalar("SELECT id FROM comments WHERE source_id = ?", (source_id,))
        return self.get(found) if found is not None else None

    def texts(self, comment_ids: Sequence[int]) -> list[str]:
        """The texts of these comments, in the order given."""
        texts = dict(
            self.db.select_in("SELECT id, text FROM comments WHERE id IN ({marks})", comment_ids)
        )
        return [texts[c] for c in comment_ids]

    # -- respondents and questions -----------------------------------------------------------

    def questions(self) -> list[Question]:
        return [
            Question(*r)
            for r in self.db.execute(
                "SELECT id, name, position FROM questions ORDER BY position, id"
            )
        ]

    def respondent(self, respondent_id: int) -> Respondent:
        source = self.db.scalar("SELECT source_id FROM respondents WHERE id = ?", (respondent_id,))
        attrs = dict(
            self.db.execute(
                "SELECT name, value FROM respondent_attributes WHERE respondent_id = ? ORDER BY name",
                (respondent_id,),
            ).fetchall()
        )
        return Respondent(respondent_id, source or "", attrs)

    def attribute_names(self) -> list[str]:
        return self.db.column("SELECT DISTINCT name FROM respondent_attributes ORDER BY name")

    def attribute_values(self, limit: int = 1000) -> list[tuple[str, str, int]]:
        """(name, value, respondents) for every attribute value, for choosing a filter."""
        return self.db.execute(
            "SELECT name, value, count(*) FROM respondent_attributes "
            "WHERE value IS NOT NULL AND value != '' GROUP BY name, value "
            "ORDER BY name, value LIMIT ?",
            (limit,),
        ).fetchall()

    # -- counts ------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.db.scalar("SELECT count(*) FROM comments"))

    def coded_count(self) -> int:
        """How many comments carry at least one coding, by anyone."""
        return int(self.db.scalar("SELECT count(DISTINCT comment_id) FROM codings"))

    def uncoded_count(self) -> int:
        return int(self.db.scalar(f"SELECT count(*) FROM comments c WHERE {_UNCODED}"))

    def uncoded(self, *, after: int = 0, limit: int = 5000) -> list[tuple[int, str]]:
        """The next `limit` comments nobody has coded, by id, after comment id `after`."""
        return self.db.execute(
            f"SELECT id, text FROM comments c WHERE id > ? AND {_UNCODED} ORDER BY id LIMIT ?",
            (after, limit),
        ).fetchall()

    # -- the whole corpus, by position -------------------------------------------------------

    def bounds(self) -> tuple[int, int, int]:
        """(count, smallest id, largest id) of the comments."""
        # Three statements: SQLite answers min and max from the index alone, but not
        # when they share a query with count(*).
        count = self.count()
        low = int(self.db.scalar("SELECT coalesce(min(id), 0) FROM comments"))
        high = int(self.db.scalar("SELECT coalesce(max(id), 0) FROM comments"))
        return count, low, high

    def ids_at(self, offset: int, limit: int) -> list[int]:
        """The ids of comments offset .. offset+limit-1 in document order."""
        return self.db.column(
            "SELECT id FROM comments ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
        )

    def position(self, comment_id: int) -> int:
        """Where a comment stands in document order (0 = first)."""
        return int(self.db.scalar("SELECT count(*) FROM comments WHERE id < ?", (comment_id,)))

    # -- filtered and searched -----------------------------------------------------------------

    def filtered_ids(self, where: CommentFilter) -> array[int]:
        """The ids of every comment the filter lets through, in document order."""
        clauses, params = _filter_sql(where)
        sql = "SELECT c.id FROM comments c"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        try:
            return array("q", (r[0] for r in self.db.execute(sql + " ORDER BY c.id", params)))
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise CoderError(f"cannot search for {where.search!r}: {exc}") from exc
            raise

    # -- rows for the list ---------------------------------------------------------------------

    def rows(self, ids: Sequence[int], coder: str | None = None) -> list[CommentRow]:
        """The list rows for these comments, in the order given (unknown ids are left out)."""
        found: dict[int, tuple[str, str]] = {
            cid: (source_id, preview)
            for cid, source_id, preview in self.db.select_in(
                f"SELECT id, source_id, substr(text, 1, {_PREVIEW_CHARS}) FROM comments "
                "WHERE id IN ({marks})",
                ids,
            )
        }
        codes: dict[int, list[int]] = {}
        mine: set[int] = set()
        for cid, code_id, by_coder in self.db.select_in(
            "SELECT comment_id, code_id, max(coder IS ?) FROM codings "
            "WHERE comment_id IN ({marks}) GROUP BY comment_id, code_id ORDER BY min(id)",
            ids,
            before=[coder],
        ):
            codes.setdefault(cid, []).append(code_id)
            if by_coder:
                mine.add(cid)
        pending = dict(
            self.db.select_in(
                "SELECT comment_id, count(*) FROM suggestions WHERE status = 'pending' "
                f"AND model_version = {LATEST_MODEL} AND comment_id IN ({{marks}}) "
                "GROUP BY comment_id",
                ids,
            )
        )
        memos = {
            r[0]
            for r in self.db.select_in(
                "SELECT DISTINCT comment_id FROM memos WHERE comment_id IN ({marks})", ids
            )
        }
        return [
            CommentRow(
                cid,
                found[cid][0],
                found[cid][1],
                tuple(codes.get(cid, ())),
                pending.get(cid, 0),
                cid in memos,
                cid in mine,
            )
            for cid in ids
            if cid in found
        ]

    # -- what to code next ----------------------------------------------------------------------

    def next_uncoded(
        self,
        current_id: int | None,
        *,
        after_rank: int = -1,
        where: CommentFilter | None = None,
    ) -> NextUncoded | None:
        """The next comment nobody has coded: the most useful one once a model has ranked them.

        With a ranking, it is the best-ranked uncoded comment ranked after `after_rank`
        (wrapping round); without one, the first uncoded comment after `current_id` in
        document order (wrapping round). The current comment itself is never returned.
        """
        clauses, params = _filter_sql(where or CommentFilter())
        clauses.append(_UNCODED)
        if current_id is not None:
            clauses.append("c.id != ?")
            params.append(current_id)
        where_sql = " AND ".join(clauses)
        ranked = (
            "SELECT c.id, p.rank FROM priorities p JOIN comments c ON c.id = p.comment_id "
            f"WHERE p.model_version = {LATEST_MODEL} AND p.rank > ? AND {where_sql} "
            "ORDER BY p.rank LIMIT 1"
        )
        for floor in (after_rank, -1):
            row = self.db.execute(ranked, [floor, *params]).fetchone()
            if row:
                return NextUncoded(row[0], row[1])
        in_order = (
            f"SELECT c.id FROM comments c WHERE c.id > ? AND {where_sql} ORDER BY c.id LIMIT 1"
        )
        for start in (current_id or 0, 0):
            row = self.db.execute(in_order, [start, *params]).fetchone()
            if row:
                return NextUncoded(row[0], None)
        return None


def _filter_sql(f: CommentFilter) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.uncoded:
        clauses.append(_UNCODED)
    if f.not_coded_by is not None:
        clauses.append(
            "NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id AND k.coder = ?)"
        )
        params.append(f.not_coded_by)
    if f.code_id is not None:
        clauses.append(f"c.id IN (SELECT comment_id FROM codings WHERE code_id IN {_SUBTREE})")
        params.append(f.code_id)
    if f.suggested or f.suggested_code_id is not None:
        sql = (
            "c.id IN (SELECT comment_id FROM suggestions WHERE status = 'pending' "
            f"AND model_version = {LATEST_MODEL}"
        )
        if f.suggested_code_id is not None:
            sql += f" AND code_id IN {_SUBTREE}"
            params.append(f.suggested_code_id)
        clauses.append(sql + ")")
    if f.attribute is not None:
        clauses.append(
            "c.respondent_id IN (SELECT respondent_id FROM respondent_attributes "
            "WHERE name = ? AND value = ?)"
        )
        params.extend(f.attribute)
    if f.attribute_in is not None:
        name, values = f.attribute_in
        marks = ",".join("?" * len(values))
        clauses.append(
            "c.respondent_id IN (SELECT respondent_id FROM respondent_attributes "
            f"WHERE name = ? AND value IN ({marks}))"
        )
        params.extend([name, *values])
    if f.coder is not None:
        clauses.append("c.id IN (SELECT comment_id FROM codings WHERE coder = ?)")
        params.append(f.coder)
    if f.disagreement:
        # Coders disagree when some code was not chosen by every one of them; the agreed
        # coding (coder `consensus`) settles a disagreement rather than taking part in one.
        clauses.append(
            "c.id IN (SELECT comment_id FROM codings WHERE coder != ? GROUP BY comment_id "
            "HAVING count(DISTINCT coder) > 1 AND count(DISTINCT coder || char(31) || code_id)"
            " < count(DISTINCT coder) * count(DISTINCT code_id))"
        )
        params.append(CONSENSUS_CODER)
    if f.unsettled:
        clauses.append("c.id NOT IN (SELECT comment_id FROM codings WHERE coder = ?)")
        params.append(CONSENSUS_CODER)
    if f.question is not None:
        clauses.append("c.question_id IN (SELECT id FROM questions WHERE name = ?)")
        params.append(f.question)
    if f.assigned_to is not None:
        clauses.append("c.id IN (SELECT comment_id FROM assignments WHERE coder = ?)")
        params.append(f.assigned_to)
    if f.theme_id is not None:
        clauses.append("c.id IN (SELECT comment_id FROM discovery_members WHERE theme_id = ?)")
        params.append(f.theme_id)
    if f.search is not None:
        clauses.append("c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)")
        params.append(fts_query(f.search))
    return clauses, params
