"""The store: the only code that speaks SQL. Everything lives in one SQLite project file.

A `Store` is one open project file: a `Db` (the connection and its transactions) and the
repositories over it, one per noun (`store.codes`, `store.comments`, `store.codings`, ...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from coder.domain import ProjectStatus
from coder.store.assignments import Assignments
from coder.store.code_sets import CodeSets
from coder.store.codebook import Codebook
from coder.store.coders import Coders
from coder.store.codes import Codes
from coder.store.codings import ChangeLog, Codings
from coder.store.comments import Comments
from coder.store.db import Db, open_connection
from coder.store.discovery import Discovery
from coder.store.exchange import Exchange
from coder.store.history import History, RowLog
from coder.store.imports import Imports
from coder.store.memos import Memos
from coder.store.merging import Merging
from coder.store.meta import Meta
from coder.store.models import Models
from coder.store.reports import Reports
from coder.store.suggestions import Suggestions

__all__ = ["Store", "create_project", "open_project"]


class Store:
    """One open project file and its repositories."""

    def __init__(self, db: Db):
        self.db = db
        self.meta = Meta(db)
        self.codes = Codes(db)
        self.comments = Comments(db)
        self.log = ChangeLog(db)
        self.history = History(db, self.log, RowLog(db))
        self.codings = Codings(db, self.log, self.history)
        self.codebook = Codebook(db, self.codes, self.codings, self.history)
        self.suggestions = Suggestions(db, self.codings)
        self.memos = Memos(db)
        self.models = Models(db)
        self.imports = Imports(db, self.log)
        self.reports = Reports(db)
        self.code_sets = CodeSets(db)
        self.coders = Coders(db)
        self.exchange = Exchange(db, self.log)
        self.assignments = Assignments(db)
        self.merging = Merging(db, self.log)
        self.discovery = Discovery(db)

    @property
    def path(self) -> Path:
        return self.db.path

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def status(self) -> ProjectStatus:
        comments = self.comments.count()
        coded = self.comments.coded_count()
        model = self.models.latest_id()
        return ProjectStatus(
            comments=comments,
            coded=coded,
            uncoded=comments - coded,
            codes=int(self.db.scalar("SELECT count(*) FROM codes")),
            coders=tuple(self.codings.coders()),
            respondents=int(self.db.scalar("SELECT count(*) FROM respondents")),
            questions=int(self.db.scalar("SELECT count(*) FROM questions")),
            model_version=model,
            pending_suggestions=self.suggestions.pending_count(model),
            incomplete_imports=len(self.imports.incomplete()),
        )


def open_project(path: Path | str) -> Store:
    """Open an existing project file, migrating it forward if it is older than this coder."""
    return Store(Db(Path(path), open_connection(path)))


def create_project(path: Path | str, name: str | None = None) -> Store:
    """Make a new, empty project file; refuses to overwrite an existing one."""
    path = Path(path)
    store = Store(Db(path, open_connection(path, create=True)))
    store.meta.set("name", name or path.stem)
    store.meta.set("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    return store
