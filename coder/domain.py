"""The nouns of qualitative coding, as small frozen dataclasses shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PATH_SEPARATOR = " > "


class Origin(StrEnum):
    """Where a coding came from."""

    MANUAL = "manual"
    SUGGESTION = "suggestion"  # a suggestion a person accepted
    IMPORTED = "imported"


@dataclass(frozen=True)
class Code:
    id: int
    name: str
    parent_id: int | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    color: str | None = None
    position: int = 0
    path: str = ""  # "Parent > Child"; equals name for a top-level code

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None


@dataclass(frozen=True)
class Question:
    id: int
    name: str
    position: int = 0


@dataclass(frozen=True)
class Respondent:
    id: int
    source_id: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Comment:
    id: int  # internal row id
    source_id: str  # the id users see and every command prints (`comment_id`)
    text: str
    respondent_id: int | None = None
    question: str | None = None


@dataclass(frozen=True)
class Coding:
    id: int
    comment_id: int
    code_id: int
    coder: str
    origin: Origin = Origin.MANUAL
    start: int | None = None  # character span for segment coding; None = whole comment
    end: int | None = None
    created_at: str = ""

    @property
    def is_segment(self) -> bool:
        return self.start is not None


@dataclass(frozen=True)
class Memo:
    id: int
    text: str
    coder: str
    comment_id: int | None = None
    code_id: int | None = None
    updated_at: str = ""


@dataclass(frozen=True)
class Suggestion:
    id: int
    comment_id: int
    code_id: int
    probability: float
    model_version: int
    explanation: tuple[str, ...] = ()
    status: str = "pending"  # pending | accepted | rejected


@dataclass(frozen=True)
class ModelVersion:
    id: int
    created_at: str
    training_size: int
    features: str
    metrics: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectStatus:
    comments: int
    coded: int
    uncoded: int
    codes: int
    coders: tuple[str, ...]
    respondents: int
    questions: int
    model_version: int | None
    pending_suggestions: int
    incomplete_imports: int = 0
