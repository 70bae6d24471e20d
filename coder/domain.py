"""The nouns of qualitative coding, as small frozen dataclasses shared by every layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coder.model_card import ModelCard, Tier

PATH_SEPARATOR = " > "


class Origin(StrEnum):
    """Where a coding came from."""

    MANUAL = "manual"
    SUGGESTION = "suggestion"  # a suggestion a person accepted
    IMPORTED = "imported"
    DISCOVERED = "discovered"  # applied to a discovered theme's members at once


# The coder whose coding of a comment is the agreed one (see coder.consensus).
CONSENSUS_CODER = "consensus"


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
    codable: bool = True  # False: a heading that groups codes, not applied itself
    guid: str | None = None  # the REFI-QDA GUID other tools know the code by

    @property
    def is_top_level(self) -> bool:
        return self.parent_id is None


@dataclass(frozen=True)
class CodeSet:
    """A named group of codes from anywhere in the tree (REFI-QDA's code sets)."""

    id: int
    guid: str
    name: str
    description: str = ""
    code_ids: tuple[int, ...] = ()


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
    guid: str | None = None


@dataclass(frozen=True)
class Suggestion:
    id: int
    comment_id: int
    code_id: int
    probability: float
    model_version: int
    explanation: tuple[str, ...] = ()
    status: str = "pending"  # pending | accepted | rejected
    tier: str = Tier.CONFIDENT  # unsure: a code the model is weak on, shown after the others

    @property
    def unsure(self) -> bool:
        return self.tier == Tier.UNSURE


@dataclass(frozen=True)
class ModelVersion:
    """A trained model as stored: when, on how much, and its card (settings and metrics)."""

    id: int
    created_at: str
    training_size: int
    features: str
    card: ModelCard


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


# -- changes to the coding, as the change log records them -------------------------------

_INVERSE = {"add": "remove", "remove": "add", "reject": "unreject", "unreject": "reject"}


@dataclass(frozen=True)
class Change:
    """One change to the coding: add or remove a coding, or reject/unreject a suggestion."""

    action: str  # add | remove | reject | unreject
    comment_id: int
    code_id: int
    coder: str
    origin: Origin = Origin.MANUAL
    start: int | None = None
    end: int | None = None

    def inverse(self) -> Change:
        return Change(
            _INVERSE[self.action],
            self.comment_id,
            self.code_id,
            self.coder,
            self.origin,
            self.start,
            self.end,
        )


@dataclass(frozen=True)
class LogEntry:
    """One line of the change log: what changed, by whom, when (provenance)."""

    seq: int
    batch: int
    kind: str  # do | undo | redo
    action: str
    comment_id: int
    code_id: int
    coder: str
    origin: str
    start: int | None
    end: int | None
    at: str


# -- browsing the comments -----------------------------------------------------------------


@dataclass(frozen=True)
class CommentFilter:
    """Which comments to show; every field that is set must hold (AND)."""

    uncoded: bool = False  # no coding by anyone
    not_coded_by: str | None = None  # nothing coded by this coder yet
    code_id: int | None = None  # has this code or one of its sub-codes
    suggested: bool = False  # has a pending suggestion of the latest model
    suggested_code_id: int | None = None  # ... of this code or one of its sub-codes
    attribute: tuple[str, str] | None = None  # the respondent's attribute (name, value)
    # one of several values of an attribute (a numeric attribute's bin), and its words
    attribute_in: tuple[str, tuple[str, ...]] | None = None
    attribute_label: str = ""
    coder: str | None = None  # coded by this coder
    disagreement: bool = False  # coded by two or more coders who chose different codes
    unsettled: bool = False  # not coded by coder `consensus` (the agreed coding) yet
    question: str | None = None
    search: str | None = None  # full-text query as the researcher typed it
    assigned_to: str | None = None  # in a sample assigned to this coder (coder sample)
    theme_id: int | None = None  # a member of this discovered theme (coder discover)
    theme_label: str = ""  # how the filter names the theme

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


# -- importing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    """One answered question, for callers that write a few rows by hand (`write_chunk`).

    The importer itself hands the store whole `ImportChunk`s instead, with no object per row.
    """

    comment_source_id: str
    respondent_source_id: str
    question: str
    text: str
    attributes: dict[str, str]
    code_ids: tuple[int, ...] = ()


# (respondent source id, value of each of the chunk's attributes; None = not given)
RespondentRecord = tuple[str | None, ...]
# (comment source id, position of its respondent in the chunk, position of its question, text)
CommentRecord = tuple[str, int, int, str]


@dataclass(frozen=True)
class ImportChunk:
    """One chunk of an import as plain tuples: what the store writes in one transaction.

    Respondents appear once each; a comment names its respondent and its question by their
    positions in `respondents` and `questions`, a coding its comment by position in `comments`.
    """

    questions: tuple[str, ...]
    attribute_names: tuple[str, ...]
    respondents: list[RespondentRecord]
    comments: list[CommentRecord]
    codings: list[tuple[int, int]] = field(default_factory=list)  # (comment position, code id)


@dataclass
class ChunkResult:
    """What writing one chunk of an import did."""

    added: int = 0
    already_present: int = 0  # in the project before this import
    duplicates: int = 0  # ids used again within this import's file: the first is kept
    duplicate_examples: list[str] = field(default_factory=list)
    codings: int = 0
    codings_on_known: int = 0  # of them, added to comments the project had already
    known_comments_coded: int = 0  # how many such comments got codings
    text_conflicts: int = 0  # ids already in the project with another text: nothing written
    text_conflict_examples: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class KeptWork:
    """What undoing a failed import left in place because someone else had worked on it."""

    comments: int = 0
    coded_by: tuple[str, ...] = ()  # coders who coded (or uncoded) those comments
    memos_by: tuple[str, ...] = ()  # coders who wrote memos on them
    codes: tuple[str, ...] = ()  # paths of codes the import created that others used

    def __bool__(self) -> bool:
        return bool(self.comments or self.codes)


# -- interchange with other tools (REFI-QDA) -------------------------------------------------


@dataclass
class ExchangeData:
    """What reading another tool's project gives the store to write, as plain tuples.

    A record names another by its position in these lists; codes by their id in the
    project (they are written first, one by one).
    """

    questions: list[tuple[str, str | None]] = field(default_factory=list)  # name, GUID
    respondents: list[tuple[str, str | None]] = field(default_factory=list)  # source id, GUID
    attributes: list[tuple[int, str, str]] = field(default_factory=list)  # respondent, name, value
    # source id, GUID, respondent (or None), question (or None), text
    comments: list[tuple[str, str | None, int | None, int | None, str]] = field(
        default_factory=list
    )
    # comment, code id, coder, start, end (None, None: the whole comment), created at
    codings: list[tuple[int, int, str, int | None, int | None, str]] = field(default_factory=list)
    # comment (or None), code id (or None), coder, text, GUID, created at
    memos: list[tuple[int | None, int | None, str, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ExportedComment:
    """A comment as an export reads it, in id order."""

    id: int
    source_id: str
    guid: str | None  # None: derived from the project's GUID and the source id
    text: str
    respondent_id: int | None
    question_id: int | None


# -- discovering themes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """A candidate theme of a discovery run, as stored."""

    id: int
    number: int  # 1, 2, ... largest first
    size: int
    share: float  # of the comments in the run's scope
    terms: tuple[str, ...]  # the most distinctive words and phrases, best first
    quotes: tuple[int, ...]  # the most typical comments' ids, most typical first
    nearest_code_id: int | None
    nearest_code_share: float  # of the theme's members already carrying that code
    code_id: int | None = None  # the code made from the theme


@dataclass(frozen=True)
class DiscoveryRun:
    """One run of `coder discover`: its settings, what it chose, and its themes."""

    id: int
    created_at: str
    coder: str
    settings: dict[str, Any]
    chosen: dict[str, Any]
    themes: tuple[Theme, ...] = ()

    @property
    def scope_size(self) -> int:
        return int(self.chosen.get("comments", 0))

    @property
    def unthemed(self) -> int:
        return int(self.chosen.get("unthemed", 0))
