"""Raw tables the reports and the export are computed from, read in bulk as pandas frames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from coder.store.db import LATEST_MODEL, Db

if TYPE_CHECKING:
    import pandas as pd

# Pending suggestions are reported under this coder name, which no person can take
# because it is not a valid name on the command line's --coder (it is bracketed).
SUGGESTION_CODER = "(suggestion)"
_BLOCK = 1_000_000  # codings read at once
_CASES = 50  # up to this many coders are told apart in the query itself, more by a table


class Reports:
    """Bulk reads for reports and export; pandas is loaded only when one is made."""

    def __init__(self, db: Db):
        self.db = db

    def _frame(
        self, sql: str, params: Iterable[Any] = (), columns: list[str] | None = None
    ) -> pd.DataFrame:
        import pandas as pd

        cur = self.db.execute(sql, tuple(params))
        names = columns or [d[0] for d in cur.description]
        return pd.DataFrame.from_records(cur.fetchall(), columns=names)

    def codings(
        self, *, question_id: int | None = None, include_suggestions: bool = False
    ) -> pd.DataFrame:
        """Every coding as a row: comment_id, respondent_id, code_id, coder, origin, start, end.

        Ids are the internal row ids. With include_suggestions, the latest model version's
        pending suggestions are added with coder SUGGESTION_CODER and origin 'pending'.
        """
        where = "WHERE c.question_id = ?" if question_id is not None else ""
        params: list[Any] = [question_id] if question_id is not None else []
        sql = (
            'SELECT k.comment_id, c.respondent_id, k.code_id, k.coder, k.origin, k.start, k."end" '
            f"FROM codings k JOIN comments c ON c.id = k.comment_id {where}"
        )
        if include_suggestions:
            where_s = "AND c.question_id = ?" if question_id is not None else ""
            sql += (
                " UNION ALL SELECT s.comment_id, c.respondent_id, s.code_id, ?, 'pending', "
                "NULL, NULL FROM suggestions s JOIN comments c ON c.id = s.comment_id "
                "WHERE s.status = 'pending' AND s.model_version = "
                f"{LATEST_MODEL} {where_s}"
            )
            params += [SUGGESTION_CODER] + ([question_id] if question_id is not None else [])
        columns = ["comment_id", "respondent_id", "code_id", "coder", "origin", "start", "end"]
        return self._frame(sql, params, columns)

    def coded(
        self, *, question_id: int | None = None, coders: list[str] | None = None
    ) -> pd.DataFrame:
        """Every coding a person made, as numbers: comment_id, respondent_id (-1 for none),
        code_id and coder (the coder's position in `coders`, -1 for one not listed, or -1
        for all when no list is given).

        The rows are read a million at a time, each block as one string of numbers that
        numpy parses: a row at a time, sqlite3 builds a Python tuple and objects for every
        coding, which at a million codings costs several times what SQLite itself does.
        """
        import numpy as np
        import pandas as pd

        coder_of = "-1"
        if coders and len(coders) <= _CASES:
            whens = " ".join("WHEN ? THEN ?" for _ in coders)
            coder_of = f"CASE k.coder {whens} ELSE -1 END"
            coder_params: list[Any] = [x for i, name in enumerate(coders) for x in (name, i)]
        elif coders:
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS report_coders "
                "(coder TEXT PRIMARY KEY, position INTEGER NOT NULL)"
            )
            self.db.execute("DELETE FROM temp.report_coders")
            self.db.executemany(
                "INSERT OR IGNORE INTO temp.report_coders VALUES (?, ?)",
                [(name, i) for i, name in enumerate(coders)],
            )
            coder_of = (
                "coalesce((SELECT position FROM temp.report_coders r WHERE r.coder = k.coder), -1)"
            )
            coder_params = []
        else:
            coder_params = []
        where, params = (
            ("AND c.question_id = ?", [question_id]) if question_id is not None else ("", [])
        )
        low, high = self.db.execute("SELECT min(id), max(id) FROM codings").fetchone()
        blocks = []
        for start in range(low or 0, (high or -1) + 1, _BLOCK):
            (text,) = self.db.execute(
                "SELECT group_concat(k.comment_id || ' ' || coalesce(c.respondent_id, -1) || ' ' "
                f"|| k.code_id || ' ' || {coder_of}, ' ') "
                "FROM codings k JOIN comments c ON c.id = k.comment_id "
                f"WHERE k.id BETWEEN ? AND ? {where}",
                (*coder_params, start, start + _BLOCK - 1, *params),
            ).fetchone()
            if text:
                blocks.append(np.fromstring(text, dtype=np.int64, sep=" "))
        rows = np.concatenate(blocks).reshape(-1, 4) if blocks else np.empty((0, 4), np.int64)
        return pd.DataFrame(rows, columns=["comment_id", "respondent_id", "code_id", "coder"])

    def segments(self, *, question_id: int | None = None) -> pd.DataFrame:
        """Codings of a span of a comment: comment_id, code_id, coder, start, end."""
        where, params = (
            ("AND c.question_id = ?", [question_id]) if question_id is not None else ("", [])
        )
        return self._frame(
            'SELECT k.comment_id, k.code_id, k.coder, k.start, k."end" FROM codings k '
            f"JOIN comments c ON c.id = k.comment_id WHERE k.start IS NOT NULL {where}",
            params,
            ["comment_id", "code_id", "coder", "start", "end"],
        )

    def pending(self, *, question_id: int | None = None) -> pd.DataFrame:
        """The latest model's pending suggestions as codings: comment_id, respondent_id
        (-1 for none), code_id."""
        where = "AND c.question_id = ?" if question_id is not None else ""
        return self._frame(
            "SELECT s.comment_id, coalesce(c.respondent_id, -1), s.code_id FROM suggestions s "
            "JOIN comments c ON c.id = s.comment_id WHERE s.status = 'pending' AND "
            f"s.model_version = {LATEST_MODEL} {where}",
            [question_id] if question_id is not None else [],
            ["comment_id", "respondent_id", "code_id"],
        )

    def suggestions(self, *, question_id: int | None = None) -> pd.DataFrame:
        """The latest model's pending suggestions: comment_id, code_id, probability."""
        where = "AND c.question_id = ?" if question_id is not None else ""
        return self._frame(
            "SELECT s.comment_id, s.code_id, s.probability FROM suggestions s "
            "JOIN comments c ON c.id = s.comment_id WHERE s.status = 'pending' AND "
            f"s.model_version = {LATEST_MODEL} {where} "
            "ORDER BY s.comment_id, s.probability DESC",
            [question_id] if question_id is not None else [],
            ["comment_id", "code_id", "probability"],
        )

    def comments(
        self,
        *,
        question_id: int | None = None,
        with_text: bool = False,
        ids: Iterable[int] | None = None,
    ) -> pd.DataFrame:
        """Comments: comment_id, source_id, respondent_id, respondent, question[, text].

        `respondent` is the respondent's source id; ids limits the rows to those comments.
        """
        text = ", c.text" if with_text else ""
        conditions: list[str] = []
        params: list[Any] = []
        if question_id is not None:
            conditions.append("c.question_id = ?")
            params.append(question_id)
        if ids is not None:
            # A temporary table, because a list of ids can be longer than SQLite's limit.
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS report_ids (id INTEGER PRIMARY KEY)")
            self.db.execute("DELETE FROM temp.report_ids")
            self.db.executemany(
                "INSERT OR IGNORE INTO temp.report_ids VALUES (?)", ((int(i),) for i in ids)
            )
            conditions.append("c.id IN (SELECT id FROM temp.report_ids)")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        columns = ["comment_id", "source_id", "respondent_id", "respondent", "question"]
        return self._frame(
            f"SELECT c.id, c.source_id, c.respondent_id, r.source_id, q.name{text} "
            "FROM comments c LEFT JOIN respondents r ON r.id = c.respondent_id "
            f"LEFT JOIN questions q ON q.id = c.question_id {where} ORDER BY c.id",
            params,
            columns + (["text"] if with_text else []),
        )

    def attributes(self, name: str | None = None) -> pd.DataFrame:
        """Respondent attributes in long form: respondent_id, name, value."""
        where, params = ("WHERE name = ?", [name]) if name is not None else ("", [])
        return self._frame(
            f"SELECT respondent_id, name, value FROM respondent_attributes {where}",
            params,
            ["respondent_id", "name", "value"],
        )

    def attributes_of(self, respondent_ids: Iterable[int]) -> pd.DataFrame:
        """These respondents' attributes in long form: respondent_id, name, value."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS report_people (id INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.report_people")
        self.db.executemany(
            "INSERT OR IGNORE INTO temp.report_people VALUES (?)",
            ((int(i),) for i in respondent_ids),
        )
        return self._frame(
            "SELECT respondent_id, name, value FROM respondent_attributes "
            "WHERE respondent_id IN (SELECT id FROM temp.report_people)",
            (),
            ["respondent_id", "name", "value"],
        )

    def attribute_groups(self, name: str) -> dict[str, Any]:
        """Each value an attribute takes (not empty), with the ids of the respondents who
        have it, as an integer array: a row per value, not per respondent."""
        import numpy as np

        rows = self.db.execute(
            "SELECT value, group_concat(respondent_id, ' ') FROM respondent_attributes "
            "WHERE name = ? AND value IS NOT NULL AND trim(value) != '' GROUP BY value",
            (name,),
        ).fetchall()
        return {str(v): np.fromstring(ids, dtype=np.int64, sep=" ") for v, ids in rows}

    def has_attribute(self, name: str) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM respondent_attributes WHERE name = ? LIMIT 1", (name,)
        ).fetchone()
        return found is not None

    def respondent_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM respondents").fetchone()[0]

    def comment_total(self, question_id: int | None = None) -> int:
        if question_id is None:
            return self.db.execute("SELECT count(*) FROM comments").fetchone()[0]
        return self.db.execute(
            "SELECT count(*) FROM comments WHERE question_id = ?", (question_id,)
        ).fetchone()[0]
