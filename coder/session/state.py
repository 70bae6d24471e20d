"""What a coding session shows and what its verbs report: plain records, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.domain import Code, Coding, Comment, CommentFilter, Memo, Respondent, Suggestion


@dataclass(frozen=True)
class ShownComment:
    """Everything there is to show about one comment."""

    comment: Comment
    respondent: Respondent | None = None
    codings: tuple[Coding, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    memos: tuple[Memo, ...] = ()
    model_version: int | None = None
    search_terms: tuple[tuple[str, bool], ...] = ()
    codes: dict[int, Code] = field(default_factory=dict)
    coder: str = ""
    unsure_hidden: int = 0  # unsure suggestions left out while the unsure tier is hidden
    precision: dict[int, float] = field(default_factory=dict)  # measured, by code id

    def mine(self, code_id: int) -> bool:
        """The coder has this code on the whole comment."""
        return any(
            k.code_id == code_id and k.coder == self.coder and not k.is_segment
            for k in self.codings
        )


@dataclass(frozen=True)
class SessionStatus:
    """The line under the screen: who, how far, which model, which filter, what is busy."""

    coder: str
    coded: int | None  # None: still being counted
    total: int
    model_version: int | None = None
    filter: str = ""  # what the list shows, in words; "" = every comment
    shown: int = 0  # comments in the list
    busy: str = ""  # background work, e.g. "training 40%"
    note: str = ""  # what the last change did, until the next one
    assigned: tuple[int, int] | None = None  # (coded, assigned) of this coder's sample


@dataclass(frozen=True)
class Outcome:
    """What a verb did, in words for the coder, and what the screen must show again."""

    message: str = ""
    severity: str = "information"  # information | warning | error
    timeout: float | None = None
    changed: bool = False  # the coding changed: counts, list rows and the comment
    moved: bool = False  # another comment is current
    redraw: bool = False  # the same comment, shown differently
    refilter: int | None = None  # run the filter again, keeping this comment in view
    count_needed: bool = False  # a big project: count again in the background
    codes_changed: bool = False  # the codebook changed: the tree, keys and chips
    quiet: bool = False  # the message goes in the status line, not a pop-up: the change shows


@dataclass(frozen=True)
class Refresh:
    """What changed when the session re-read the file."""

    codes_changed: bool = False
    count_needed: bool = False  # a big project: count in the background


def warn(message: str, timeout: float | None = None) -> Outcome:
    return Outcome(message, "warning", timeout)


def fail(message: str) -> Outcome:
    return Outcome(message, "error")


def describe(where: CommentFilter, codes: dict[int, Code], me: str) -> str:
    """The filter in words, for the status line."""
    parts = []
    if where.uncoded:
        parts.append("uncoded")
    if where.not_coded_by is not None:
        parts.append(
            "not coded by me" if where.not_coded_by == me else f"not coded by {where.not_coded_by}"
        )
    if where.code_id is not None:
        parts.append(f"has {_path(codes, where.code_id)}")
    if where.suggested_code_id is not None:
        parts.append(f"suggested {_path(codes, where.suggested_code_id)}")
    elif where.suggested:
        parts.append("has suggestions")
    if where.attribute is not None:
        parts.append(f"{where.attribute[0]} = {where.attribute[1]}")
    if where.attribute_in is not None:
        parts.append(where.attribute_label or where.attribute_in[0])
    if where.coder is not None:
        parts.append(f"coded by {where.coder}")
    if where.disagreement:
        parts.append("coders disagree")
    if where.unsettled:
        parts.append("not settled")
    if where.question is not None:
        parts.append(f"question {where.question}")
    if where.assigned_to is not None:
        parts.append(
            "assigned to me" if where.assigned_to == me else f"assigned to {where.assigned_to}"
        )
    if where.theme_id is not None:
        parts.append(where.theme_label or f"theme {where.theme_id}")
    if where.search:
        parts.append(f"search “{where.search}”")
    return " · ".join(parts)


def _path(codes: dict[int, Code], code_id: int) -> str:
    code = codes.get(code_id)
    return code.path if code else f"code {code_id}"
