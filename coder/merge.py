"""Merging copies of a project: each coder's work in another copy, brought into this one.

Coders often code apart, each in a copy of the project file. Merging brings in the other
copies' codings (segments too), memos, assignments and the codes they added, matching
comments by id and text and codes by stable id, then by path. It only ever adds:
nothing here is changed or removed, so a coder's work is never overwritten with
another's, and running it again adds nothing. What cannot be brought in is named in the
summary: a comment missing here or with another text (its work is left out), a code
only one side has, a memo that differs from this copy's (this copy's is kept), a coding
someone removed here (it stays removed) or removed there (it stays here).

Everything is written in one transaction of this project: all of it, or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from coder.codebook import CodeIndex
from coder.domain import Code
from coder.errors import CoderError
from coder.store import Store, open_project
from coder.store.merging import CodingKey, CodingRow, MemoRow

NAMED = 10  # comments, codes or memos named per kind of conflict


@dataclass
class Conflicts:
    """What a merge could not bring in as it was, by kind; each kind counted and named."""

    counts: dict[str, int] = field(default_factory=dict)
    named: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, name: str | Callable[[], str]) -> None:
        """Count a conflict; name it (`name` may be a function that looks the name up,
        called only for the first few of a kind)."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        names = self.named.setdefault(kind, [])
        if len(names) < NAMED:
            names.append(name if isinstance(name, str) else name())

    def lines(self) -> list[str]:
        out = []
        for kind, count in self.counts.items():
            names = self.named.get(kind, [])
            more = f" and {count - len(names)} more" if count > len(names) else ""
            out.append(f"{kind} ({count}): {', '.join(names)}{more}")
        return out

    def __bool__(self) -> bool:
        return bool(self.counts)


@dataclass
class MergeSummary:
    """What merging one copy brought in, and what it could not."""

    source: str
    codings: int = 0
    segments: int = 0  # of the codings, those of a span of the comment
    coders: list[str] = field(default_factory=list)  # whose codings or memos came in
    new_coders: list[str] = field(default_factory=list)  # of them, new to this project
    memos: int = 0
    assignments: int = 0
    codes_added: list[str] = field(default_factory=list)
    conflicts: Conflicts = field(default_factory=Conflicts)

    @property
    def anything(self) -> bool:
        return bool(self.codings or self.memos or self.assignments or self.codes_added)


# -- matching codes --------------------------------------------------------------------------


def code_key(code: Code, stable_ids: dict[int, str]) -> tuple[str | None, str]:
    """How a code is known across copies: its stable id (GUID) where the file has one, and
    its path (compared as people type it: case and spaces round '>' aside). The one place
    to change should codes come to carry another stable id."""
    return stable_ids.get(code.id), CodeIndex.normalise(code.path)


def match_codes(
    ours: list[Code],
    our_ids: dict[int, str],
    theirs: list[Code],
    their_ids: dict[int, str],
) -> dict[int, int | None]:
    """Each of their codes' id -> the id of the same code here (None: not here), matched
    by stable id first, then by path."""
    by_stable: dict[str, int] = {}
    by_path: dict[str, int] = {}
    for code in ours:
        stable, path = code_key(code, our_ids)
        if stable:
            by_stable[stable] = code.id
        by_path[path] = code.id
    matched: dict[int, int | None] = {}
    for code in theirs:
        stable, path = code_key(code, their_ids)
        found = by_stable.get(stable) if stable else None
        matched[code.id] = found if found is not None else by_path.get(path)
    return matched


# -- merging -----------------------------------------------------------------------------------


def open_copies(project: Path, others: list[Path]) -> list[Store]:
    """Open every other copy (checked as any project file is) before anything is written."""
    here = project.resolve()
    seen: set[Path] = set()
    stores: list[Store] = []
    try:
        for path in others:
            resolved = path.resolve()
            if resolved == here:
                raise CoderError(f"{path} is the project itself; name the other copies")
            if resolved in seen:
                raise CoderError(f"{path} is named twice")
            seen.add(resolved)
            stores.append(open_project(path))
    except BaseException:
        for store in stores:
            store.close()
        raise
    return stores


def merge_copies(store: Store, others: list[Store]) -> list[MergeSummary]:
    """Merge every other copy into `store`, all in one transaction: all or nothing."""
    with store.merging.transaction():
        return [merge_one(store, other) for other in others]


def merge_one(store: Store, other: Store) -> MergeSummary:
    """Bring one copy's work into `store` (inside the caller's transaction)."""
    summary = MergeSummary(source=str(other.path))
    conflicts = summary.conflicts
    known_coders = set(store.codings.coders()) | set(store.assignments.coders())
    code_map = _merge_codes(store, other, summary)
    comment_map = _match_comments(store, other, conflicts)
    codings = _new_codings(store, other, comment_map, code_map, conflicts)
    memos = _new_memos(store, other, comment_map, code_map, conflicts)
    assignments = [
        (comment_map[c], who, seed, at)
        for c, who, seed, at in other.merging.assignments()
        if c in comment_map
    ]
    summary.assignments = store.merging.add(codings, memos, assignments)
    summary.codings = len(codings)
    summary.segments = sum(1 for row in codings if row[3] is not None)
    summary.memos = len(memos)
    coders = {row[2] for row in codings} | {row[2] for row in memos}
    summary.coders = sorted(coders)
    summary.new_coders = sorted(coders - known_coders)
    return summary


def _merge_codes(store: Store, other: Store, summary: MergeSummary) -> dict[int, int]:
    """Their code ids -> ours, adding the codes only they have (parents first); codes only
    this project has, and definitions that differ, are named as conflicts."""
    ours = store.codes.all()
    theirs = other.codes.all()
    our_ids, their_ids = store.codes.stable_ids(), other.codes.stable_ids()
    matched = match_codes(ours, our_ids, theirs, their_ids)
    taken = set(our_ids.values())
    ours_by_id = {c.id: c for c in ours}
    mapping: dict[int, int] = {}
    for code in theirs:  # tree order: a parent before its children
        found = matched[code.id]
        if found is None:
            parent = mapping.get(code.parent_id) if code.parent_id is not None else None
            found = store.codes.add(
                code.name,
                parent_id=parent,
                description=code.description,
                include=code.include,
                exclude=code.exclude,
                examples=code.examples,
                color=code.color,
                codable=code.codable,
                # the code keeps its stable id, so later merges and exports know it as one
                guid=their_ids.get(code.id) if their_ids.get(code.id) not in taken else None,
            )
            summary.codes_added.append(code.path)
        elif _definition(ours_by_id[found]) != _definition(code):
            summary.conflicts.add("codes defined differently there (this copy's kept)", code.path)
        mapping[code.id] = found
    reached = set(mapping.values())
    for code in ours:
        if code.id not in reached:
            summary.conflicts.add("codes not in that copy", code.path)
    return mapping


def _definition(code: Code) -> tuple[object, ...]:
    return (code.description, code.include, code.exclude, code.examples, code.color)


def _match_comments(store: Store, other: Store, conflicts: Conflicts) -> dict[int, int]:
    """Their comment ids -> ours, for comments with the same id and text; the rest named."""
    ours = {source: (cid, text) for cid, source, text in store.merging.comments()}
    mapping: dict[int, int] = {}
    for cid, source, text in other.merging.comments():
        found = ours.get(source)
        if found is None:
            conflicts.add("comments not in this project (their work left out)", source)
        elif found[1] != text:
            conflicts.add("comments with another text there (their work left out)", source)
        else:
            mapping[cid] = found[0]
    return mapping


def _new_codings(
    store: Store,
    other: Store,
    comment_map: dict[int, int],
    code_map: dict[int, int],
    conflicts: Conflicts,
) -> list[CodingRow]:
    """Their codings this project lacks, in our ids; never one a coder removed here."""
    have = store.merging.coding_keys()
    removed_here = store.merging.removed()
    new: dict[CodingKey, CodingRow] = {}
    for comment, code, coder, start, end, origin, created in other.merging.codings():
        if comment not in comment_map or code not in code_map:
            continue  # its comment is named among the conflicts already
        key = (comment_map[comment], code_map[code], coder, start, end)
        if key in have or key in new:
            continue
        if key in removed_here:
            conflicts.add(
                f"codings removed here, kept removed (by {coder})", partial(_where, store, key)
            )
            continue
        new[key] = (*key, origin, created)
    for comment, code, coder, start, end in other.merging.removed():
        if comment not in comment_map or code not in code_map:
            continue
        key = (comment_map[comment], code_map[code], coder, start, end)
        if key in have:
            conflicts.add(
                f"codings removed there, kept here (by {coder})", partial(_where, store, key)
            )
    return list(new.values())


def _where(store: Store, key: CodingKey) -> str:
    comment, code, _, start, end = key
    source = store.comments.get(comment).source_id
    span = f" [{start}-{end}]" if start is not None else ""
    return f"{source} {store.codes.get(code).path}{span}"


def _new_memos(
    store: Store,
    other: Store,
    comment_map: dict[int, int],
    code_map: dict[int, int],
    conflicts: Conflicts,
) -> list[MemoRow]:
    """Their memos on what this project has, where the coder has none here; a memo that
    differs from the coder's here is named and this copy's kept."""
    ours = {(c, k, who): text for c, k, who, text, _, _ in store.merging.memos()}
    new: list[MemoRow] = []
    for comment, code, coder, text, created, updated in other.merging.memos():
        if comment is not None and comment not in comment_map:
            continue
        if code is not None and code not in code_map:
            continue
        target = (
            comment_map[comment] if comment is not None else None,
            code_map[code] if code is not None else None,
        )
        mine = ours.get((*target, coder))
        if mine is None:
            new.append((*target, coder, text, created, updated))
            ours[(*target, coder)] = text
        elif mine != text:
            conflicts.add(
                "memos that differ there (this copy's kept)",
                partial(_memo_name, store, coder, *target),
            )
    return new


def _memo_name(store: Store, coder: str, comment: int | None, code: int | None) -> str:
    return f"{coder} on {_target(store, comment, code)}"


def _target(store: Store, comment: int | None, code: int | None) -> str:
    if comment is not None:
        return store.comments.get(comment).source_id
    if code is not None:
        return store.codes.get(code).path
    return "the project"
