"""The store: the only code that speaks SQL. Everything lives in one SQLite project file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from coder.domain import ProjectStatus
from coder.store.browse import BrowseMixin
from coder.store.codes import CodesMixin
from coder.store.codings import Change, CodingsMixin, LogEntry
from coder.store.core import StoreCore, open_connection
from coder.store.corpus import ChunkResult, ChunkRow, CorpusMixin
from coder.store.memos import MemosMixin
from coder.store.reports import ReportsMixin
from coder.store.suggestions import SuggestionsMixin

__all__ = [
    "Change",
    "ChunkResult",
    "ChunkRow",
    "LogEntry",
    "Store",
    "create_project",
    "open_project",
]


class Store(
    BrowseMixin,
    CodesMixin,
    CodingsMixin,
    CorpusMixin,
    MemosMixin,
    ReportsMixin,
    SuggestionsMixin,
    StoreCore,
):
    """One open project file."""

    def status(self) -> ProjectStatus:
        q = self.conn.execute
        comments = q("SELECT count(*) FROM comments").fetchone()[0]
        coded = q("SELECT count(DISTINCT comment_id) FROM codings").fetchone()[0]
        model = q("SELECT max(id) FROM model_versions").fetchone()[0]
        return ProjectStatus(
            comments=comments,
            coded=coded,
            uncoded=comments - coded,
            codes=q("SELECT count(*) FROM codes").fetchone()[0],
            coders=tuple(self.coders()),
            respondents=q("SELECT count(*) FROM respondents").fetchone()[0],
            questions=q("SELECT count(*) FROM questions").fetchone()[0],
            model_version=model,
            pending_suggestions=q(
                "SELECT count(*) FROM suggestions WHERE status = 'pending' AND model_version = ?",
                (model,),
            ).fetchone()[0],
            incomplete_imports=len(self.incomplete_imports()),
        )


def open_project(path: Path | str) -> Store:
    """Open an existing project file, migrating it forward if it is older than this coder."""
    return Store(Path(path), open_connection(path))


def create_project(path: Path | str, name: str | None = None) -> Store:
    """Make a new, empty project file; refuses to overwrite an existing one."""
    path = Path(path)
    store = Store(path, open_connection(path, create=True))
    store.set_meta("name", name or path.stem)
    store.set_meta("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    return store
