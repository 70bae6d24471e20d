"""What an import is asked to do, what it reports, and its one error type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from coder.errors import CoderError

Progress = Callable[[int, int], None]  # (done, total) in bytes or rows


class ImportError_(CoderError):  # noqa: N801 - "ImportError" is a builtin
    pass


@dataclass
class ImportOptions:
    text: list[str] = field(default_factory=list)
    id: str | None = None
    attrs: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    coder: str | None = None
    create_codes: bool = False
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None


@dataclass
class ImportSummary:
    source: str
    format: str = ""
    encoding: str = ""
    delimiter: str = ""
    qualtrics: bool = False
    rows: int = 0
    comments_added: int = 0
    already_present: int = 0
    empty_skipped: int = 0
    rows_without_id: int = 0
    duplicate_ids: int = 0
    duplicate_examples: list[str] = field(default_factory=list)
    codings: int = 0
    codings_on_known: int = 0  # of them, added to comments already in the project
    known_comments_coded: int = 0
    text_conflicts: int = 0  # ids already in the project with another text: not written
    text_conflict_examples: list[str] = field(default_factory=list)
    codes_created: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    completed_imports: int = 0  # earlier unfinished imports of this file, now complete
