"""Reading comments the way the coding screen browses them: by position, filtered, searched."""

from __future__ import annotations

import re
import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coder.errors import CoderError

_LATEST_MODEL = "(SELECT max(id) FROM model_versions)"
# A code and every code beneath it: filtering on a theme finds its sub-codes too.
_SUBTREE = (
    "(WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL "
    "SELECT codes.id FROM codes JOIN sub ON codes.parent_id = sub.id) SELECT id FROM sub)"
)
_PREVIEW_CHARS = 200
_MAX_PARAMS = 900  # below SQLite's smallest limit on bound parameters


@dataclass(frozen=True)
class CommentFilter:
    """Which comments to show; every field that is set must hold (AND)."""

    uncoded: bool = False  # no coding by anyone
    not_coded_by: str | None = None  # nothing coded by this coder yet
    code_id: int | None = None  # has this code or one of its sub-codes
    suggested: bool = False  # has a pending suggestion of the latest model
    suggested_code_id: int | None = None  # ... of this code or one of its sub-codes
    attribute: tuple[str, str] | None = None  # the respondent's attribute (name, value)
    coder: str | None = None  # coded by this coder
    disagreement: bool = False  # coded by two or more coders who chose different codes
    question: str | None = None
    search: str | None = None  # full-text query as the researcher typed it

    @property
    def is_empty(self) -> bool:
        return self == CommentFilter()


@dataclass(frozen=True)
class CommentRow:
    """What the comment list shows for one comment."""

    id: int
    source_id: str
    preview: str
    code_ids: tuple[int, ...]  # distinct codes applied by anyone, oldest first
    pending: int  # undecided suggestions of the latest model
    has_memo: bool
    mine: bool = False  # the coder asked about has coded it


@dataclass(frozen=True)
class NextUncoded:
    comment_id: int
    rank: int | None  # its place in the "most useful next" order; None in document order


_TERM = re.compile(r'"([^"]*)"|(\S+)')


def search_terms(text: str) -> list[tuple[str, bool]]:
    """The words and phrases of a search as typed: (text, is_prefix) pairs."""
    terms = []
    for phrase, word in _TERM.findall(text):
        if phrase:
            terms.append((phrase, False))
        elif word.upper() in {"OR", "AND", "NOT"}:
            continue
        else:
            prefix = word.endswith("*")
            word = word.rstrip("*").strip("\"'()^:")
            if word:
                terms.append((word, prefix))
    return [t for t in terms if re.search(r"\w", t[0])]


def fts_query(text: str) -> str:
    """Turn what a researcher typed into a safe FTS5 query.

    Words must all occur (in any order); "quoted words" must occur together; a trailing *
    matches the start of a word; OR between two terms takes either. Nothing typed can
    reach FTS5's own syntax, so no search can fail with a syntax error.
    """
    parts: list[str] = []
    pending_or = False
    for phrase, word in _TERM.findall(text):
        if word.upper() == "OR" and parts:
            pending_or = True
            continue
        terms = search_terms(f'"{phrase}"' if phrase else word)
        if not terms:
            continue
        term, prefix = terms[0]
        quoted = '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")
        if pending_or:
            parts[-1] = f"({parts[-1]} OR {quoted})"
            pending_or = False
        else:
            parts.append(quoted)
    if not parts:
        raise CoderError(f"nothing to search for in {text!r}: type a word")
    return " AND ".join(parts)


class BrowseMixin:
    conn: sqlite3.Connection

    # -- the whole corpus, by position -------------------------------------------------------

    def comment_bounds(self) -> tuple[int, int, int]:
        """(count, smallest id, largest id) of the comments."""
        # Three statements: SQLite answers min and max from the index alone, but not
        # when they share a query with count(*).
        count = self.conn.execute("SELECT count(*) FROM comments").fetchone()[0]
        low = self.conn.execute("SELECT coalesce(min(id), 0) FROM comments").fetchone()[0]
        high = self.conn.execute("SELECT coalesce(max(id), 0) FROM comments").fetchone()[0]
        return count, low, high

    def comment_ids_at(self, offset: int, limit: int) -> list[int]:
        """The ids of comments offset .. offset+limit-1 in document order."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT id FROM comments ORDER BY id LIMIT ? OFFSET ?", (limit, offset)
            )
        ]

    def comment_position(self, comment_id: int) -> int:
        """Where a comment stands in document order (0 = first)."""
        return self.conn.execute(
            "SELECT count(*) FROM comments WHERE id < ?", (comment_id,)
        ).fetchone()[0]

    # -- filtered and searched -----------------------------------------------------------------

    def filtered_comment_ids(self, where: CommentFilter) -> array:
        """The ids of every comment the filter lets through, in document order."""
        clauses, params = self._filter_sql(where)
        sql = "SELECT c.id FROM comments c"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        try:
            return array("q", (r[0] for r in self.conn.execute(sql + " ORDER BY c.id", params)))
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc):
                raise CoderError(f"cannot search for {where.search!r}: {exc}") from exc
            raise

    def _filter_sql(self, f: CommentFilter) -> tuple[list[str], list]:
        clauses: list[str] = []
        params: list = []
        if f.uncoded:
            clauses.append("NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id)")
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
                f"AND model_version = {_LATEST_MODEL}"
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
        if f.coder is not None:
            clauses.append("c.id IN (SELECT comment_id FROM codings WHERE coder = ?)")
            params.append(f.coder)
        if f.disagreement:
            # Coders disagree when some code was not chosen by every one of them.
            clauses.append(
                "c.id IN (SELECT comment_id FROM codings GROUP BY comment_id "
                "HAVING count(DISTINCT coder) > 1 AND count(DISTINCT coder || char(31) || code_id)"
                " < count(DISTINCT coder) * count(DISTINCT code_id))"
            )
        if f.question is not None:
            clauses.append("c.question_id IN (SELECT id FROM questions WHERE name = ?)")
            params.append(f.question)
        if f.search is not None:
            clauses.append("c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)")
            params.append(fts_query(f.search))
        return clauses, params

    # -- rows for the list ---------------------------------------------------------------------

    def comment_rows(self, ids: Sequence[int], coder: str | None = None) -> list[CommentRow]:
        """The list rows for these comments, in the order given (unknown ids are left out)."""
        found: dict[int, tuple[str, str]] = {}
        codes: dict[int, list[int]] = {}
        mine: set[int] = set()
        pending: dict[int, int] = {}
        memos: set[int] = set()
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            for cid, source_id, preview in self.conn.execute(
                f"SELECT id, source_id, substr(text, 1, {_PREVIEW_CHARS}) FROM comments "
                f"WHERE id IN ({marks})",
                part,
            ):
                found[cid] = (source_id, preview)
            for cid, code_id, by_coder in self.conn.execute(
                "SELECT comment_id, code_id, max(coder IS ?) FROM codings "
                f"WHERE comment_id IN ({marks}) GROUP BY comment_id, code_id ORDER BY min(id)",
                [coder, *part],
            ):
                codes.setdefault(cid, []).append(code_id)
                if by_coder:
                    mine.add(cid)
            pending.update(
                self.conn.execute(
                    "SELECT comment_id, count(*) FROM suggestions WHERE status = 'pending' "
                    f"AND model_version = {_LATEST_MODEL} AND comment_id IN ({marks}) "
                    "GROUP BY comment_id",
                    part,
                ).fetchall()
            )
            memos.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT DISTINCT comment_id FROM memos WHERE comment_id IN ({marks})", part
                )
            )
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
        clauses, params = self._filter_sql(where or CommentFilter())
        clauses.append("NOT EXISTS (SELECT 1 FROM codings k WHERE k.comment_id = c.id)")
        if current_id is not None:
            clauses.append("c.id != ?")
            params.append(current_id)
        where_sql = " AND ".join(clauses)
        ranked = (
            "SELECT c.id, p.rank FROM priorities p JOIN comments c ON c.id = p.comment_id "
            f"WHERE p.model_version = {_LATEST_MODEL} AND p.rank > ? AND {where_sql} "
            "ORDER BY p.rank LIMIT 1"
        )
        for floor in (after_rank, -1):
            row = self.conn.execute(ranked, [floor, *params]).fetchone()
            if row:
                return NextUncoded(row[0], row[1])
        in_order = (
            f"SELECT c.id FROM comments c WHERE c.id > ? AND {where_sql} ORDER BY c.id LIMIT 1"
        )
        for start in (current_id or 0, 0):
            row = self.conn.execute(in_order, [start, *params]).fetchone()
            if row:
                return NextUncoded(row[0], None)
        return None

    def has_priorities(self) -> bool:
        return (
            self.conn.execute(
                f"SELECT 1 FROM priorities WHERE model_version = {_LATEST_MODEL} LIMIT 1"
            ).fetchone()
            is not None
        )

    # -- small reads for the screen --------------------------------------------------------------

    def coded_count(self) -> int:
        """How many comments carry at least one coding, by anyone."""
        return self.conn.execute("SELECT count(DISTINCT comment_id) FROM codings").fetchone()[0]

    def code_counts_of(self, code_ids: Iterable[int]) -> dict[int, int]:
        """How many comments carry each of these codes: cheaper than counting every code."""
        ids = list(dict.fromkeys(code_ids))
        counts = dict.fromkeys(ids, 0)
        for part in _chunks(ids):
            marks = ",".join("?" * len(part))
            counts.update(
                self.conn.execute(
                    "SELECT code_id, count(DISTINCT comment_id) FROM codings "
                    f"WHERE code_id IN ({marks}) GROUP BY code_id",
                    part,
                ).fetchall()
            )
        return counts

    def attribute_values(self, limit: int = 1000) -> list[tuple[str, str, int]]:
        """(name, value, respondents) for every attribute value, for choosing a filter."""
        return self.conn.execute(
            "SELECT name, value, count(*) FROM respondent_attributes "
            "WHERE value IS NOT NULL AND value != '' GROUP BY name, value "
            "ORDER BY name, value LIMIT ?",
            (limit,),
        ).fetchall()

    def coding_mark(self) -> int:
        """Moves on with every change to any coding (the log's last entry): cheap to ask."""
        return self.conn.execute("SELECT coalesce(max(seq), 0) FROM coding_log").fetchone()[0]

    def data_version(self) -> int:
        """Changes whenever another connection (another coder's screen) commits to the file."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]


def _chunks(ids: Sequence[int] | Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), _MAX_PARAMS):
        yield ids[i : i + _MAX_PARAMS]
