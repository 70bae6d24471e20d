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

    def attribute_values(self, name: str) -> list[str]:
        """Every value an attribute takes among all respondents, in sorted order."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT value FROM respondent_attributes "
                "WHERE name = ? AND value IS NOT NULL AND trim(value) != '' ORDER BY value",
                (name,),
            )
        ]

    def respondents_lacking(self, name: str) -> int:
        """How many respondents have no value for an attribute."""
        return self.db.execute(
            "SELECT count(*) FROM respondents r WHERE NOT EXISTS (SELECT 1 FROM "
            "respondent_attributes a WHERE a.respondent_id = r.id AND a.name = ? "
            "AND a.value IS NOT NULL AND trim(a.value) != '')",
            (name,),
        ).fetchone()[0]

    def comment_total(self, question_id: int | None = None) -> int:
        if question_id is None:
            return self.db.execute("SELECT count(*) FROM comments").fetchone()[0]
        return self.db.execute(
            "SELECT count(*) FROM comments WHERE question_id = ?", (question_id,)
        ).fetchone()[0]
