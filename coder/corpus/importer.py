"""Importing a survey export into the project: one respondent a row, one comment an answer.

Rows are read lazily and written in chunks, each chunk one transaction, so a file of a
million rows imports in constant memory. If anything goes wrong, everything the import
wrote is taken out again, except what someone else worked on meanwhile, which the error
names.
"""

from __future__ import annotations

import difflib
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from operator import itemgetter
from pathlib import Path

from coder.codebook import CodeIndex
from coder.corpus.options import ImportError_, ImportOptions, ImportSummary, Progress
from coder.corpus.tables import Table, open_table
from coder.domain import (
    PATH_SEPARATOR,
    ChunkResult,
    CommentRecord,
    ImportChunk,
    KeptWork,
    RespondentRecord,
)
from coder.errors import CoderError
from coder.store import Store

# Comments a chunk holds, and so one transaction writes: large enough that the index
# and the full-text index grow in big steps, small enough that a colleague's key press
# waits a fraction of a second for the write lock.
CHUNK_COMMENTS = 20_000
_CODE_CELLS_CACHED = 10_000


@dataclass(frozen=True)
class _Layout:
    """Where in each row the import finds what it needs."""

    questions: tuple[str, ...]  # the --text columns' names
    text: tuple[int, ...]
    id: int | None
    attribute_names: tuple[str, ...]
    attributes: tuple[int, ...]
    codes: tuple[int, ...]  # one per question, or none


def _column_index(table: Table, name: str, source: str) -> int:
    if name in table.columns:
        return table.columns.index(name)
    folded = [c.casefold() for c in table.columns]
    if folded.count(name.casefold()) == 1:
        return folded.index(name.casefold())
    near = difflib.get_close_matches(name, table.columns, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    shown = ", ".join(table.columns[:12]) + (", ..." if len(table.columns) > 12 else "")
    extra = ""
    if len(table.columns) == 1:
        extra = "; the file has a single column: is the delimiter right? (try --delimiter)"
    raise ImportError_(f"no column {name!r} in {source}{hint}; its columns are: {shown}{extra}")


def _layout(table: Table, options: ImportOptions, source: str) -> _Layout:
    if not options.text:
        shown = ", ".join(table.columns[:12])
        raise ImportError_(f"name the answer column(s) with --text; {source} has: {shown}")
    text = tuple(_column_index(table, c, source) for c in options.text)
    attributes = {
        table.columns[i]: i for i in (_column_index(table, c, source) for c in options.attrs)
    }
    codes = tuple(_column_index(table, c, source) for c in options.codes)
    if codes and len(codes) != len(text):
        raise ImportError_(
            f"give one --codes column per --text column "
            f"({len(codes)} --codes for {len(text)} --text)"
        )
    return _Layout(
        questions=tuple(table.columns[i] for i in text),
        text=text,
        id=_column_index(table, options.id, source) if options.id else None,
        attribute_names=tuple(attributes),
        attributes=tuple(attributes.values()),
        codes=codes,
    )


def split_codes(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


class _Codes:
    """The code names in a codes column, matched to the codebook; missing ones are created
    (with --create-codes) or counted as unknown."""

    def __init__(self, store: Store, create: bool, import_id: int):
        self.store = store
        self.create = create
        self.import_id = import_id
        self.index = CodeIndex(store.codes.all())
        self.created: list[int] = []
        self.unknown: dict[str, int] = {}  # name -> rows
        self._cells: dict[str, tuple[list[int], list[str]]] = {}

    def ids(self, cell: str) -> list[int]:
        found = self._cells.get(cell)
        if found is None:
            found = self._resolve(cell)
            if len(self._cells) < _CODE_CELLS_CACHED:
                self._cells[cell] = found
        ids, unknown = found
        for name in unknown:
            self.unknown[name] = self.unknown.get(name, 0) + 1
        return ids

    def _resolve(self, cell: str) -> tuple[list[int], list[str]]:
        ids: list[int] = []
        unknown: list[str] = []
        for name in split_codes(cell):
            code = self.index.find(name)
            if code is None and self.index.is_ambiguous(name):
                paths = " or ".join(c.path for c in self.index.by_name[self.index.normalise(name)])
                raise ImportError_(f"code {name!r} is ambiguous: write it as {paths}")
            if code is None and self.create:
                self._create_path(name)
                code = self.index.find(name)
            if code is None:
                unknown.append(name)
            else:
                ids.append(code.id)
        return list(dict.fromkeys(ids)), unknown

    def _create_path(self, name: str) -> None:
        parent_id = None
        path = ""
        for part in (p.strip() for p in name.split(">") if p.strip()):
            path = f"{path}{PATH_SEPARATOR}{part}" if path else part
            found = self.index.by_path.get(self.index.normalise(path))
            if found is None:
                code_id = self.store.codes.add(part, parent_id=parent_id, import_id=self.import_id)
                self.created.append(code_id)
                found = self.store.codes.get(code_id)
                self.index.add(found)
            parent_id = found.id

    def error(self) -> ImportError_:
        names = ", ".join(
            f"{n!r} ({c} row{'s' if c > 1 else ''})" for n, c in sorted(self.unknown.items())[:10]
        )
        more = f" and {len(self.unknown) - 10} more" if len(self.unknown) > 10 else ""
        return ImportError_(
            f"unknown codes in the codes column: {names}{more}; add them to "
            "the codebook or pass --create-codes"
        )


def _picker(indexes: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """The values at these indexes of a row, as a tuple."""
    if len(indexes) > 1:
        return itemgetter(*indexes)
    return lambda values: tuple(values[i] for i in indexes)


def _chunks(
    table: Table, layout: _Layout, summary: ImportSummary, codes: _Codes, source: str
) -> Iterator[ImportChunk]:
    """The file's answers in chunks of about CHUNK_COMMENTS comments, as plain tuples.

    This loop runs once a row of the file, so it builds tuples, not objects, and keeps
    its counts in local variables until a chunk is complete.
    """
    width = len(table.columns)
    id_at = layout.id
    several = len(layout.text) > 1
    answers = [
        (q, f":{question}" if several else "", at)
        for q, (question, at) in enumerate(zip(layout.questions, layout.text, strict=True))
    ]
    codes_at = layout.codes
    attributes = _picker(layout.attributes)
    strip = str.strip
    rows = empty = without_id = 0
    finished = False
    while not finished:
        respondents: list[RespondentRecord] = []
        comments: list[CommentRecord] = []
        codings: list[tuple[int, int]] = []
        positions: dict[str, int] = {}
        for values in table.rows:
            if len(values) != width:
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue  # a blank line
                raise ImportError_(
                    f"{source}, line {table.line()}: {len(values)} fields where the "
                    f"header has {width} (is the file cut short or the delimiter wrong?)"
                )
            rows += 1
            if id_at is None:
                rid = str(rows)
            else:
                rid = values[id_at].strip()
                if not rid:
                    without_id += 1
                    continue
            position = positions.get(rid)
            new = position is None
            if position is None:
                position = len(respondents)
            before = len(comments)
            for q, suffix, at in answers:
                text = values[at].strip()
                if not text:
                    empty += 1
                    continue
                if codes_at:
                    for code_id in codes.ids(values[codes_at[q]]):
                        codings.append((len(comments), code_id))
                comments.append((rid + suffix, position, q, text))
            if new and len(comments) > before:
                positions[rid] = position
                respondents.append((rid, *map(strip, attributes(values))))
            if len(comments) >= CHUNK_COMMENTS:
                break
        else:
            finished = True
        summary.rows, summary.empty_skipped, summary.rows_without_id = rows, empty, without_id
        if comments:
            yield ImportChunk(
                layout.questions, layout.attribute_names, respondents, comments, codings
            )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the import runs.

    An import makes millions of small tuples and lists that hold no cycles; collecting
    them over and over took about a fifteenth of its time. Anything cyclic it leaves is
    collected once the collector runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _count(summary: ImportSummary, result: ChunkResult) -> None:
    summary.comments_added += result.added
    summary.already_present += result.already_present
    summary.duplicate_ids += result.duplicates
    room = 5 - len(summary.duplicate_examples)
    summary.duplicate_examples.extend(result.duplicate_examples[: max(room, 0)])
    summary.codings += result.codings
    summary.codings_on_known += result.codings_on_known
    summary.known_comments_coded += result.known_comments_coded
    summary.text_conflicts += result.text_conflicts
    room = 20 - len(summary.text_conflict_examples)
    summary.text_conflict_examples.extend(result.text_conflict_examples[: max(room, 0)])


def _names(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def kept_message(kept: KeptWork) -> str:
    """What taking a failed import out left in place, and why, in one line."""
    parts = []
    if kept.comments:
        who = []
        if kept.coded_by:
            who.append(f"{_names(kept.coded_by)} coded")
        if kept.memos_by:
            who.append(f"{_names(kept.memos_by)} wrote a memo on")
        plural = "s" if kept.comments != 1 else ""
        parts.append(
            f"kept {kept.comments} comment{plural} that {' or '.join(who)} while the import ran"
        )
    if kept.codes:
        plural = "s" if len(kept.codes) != 1 else ""
        parts.append(f"kept {len(kept.codes)} new code{plural} in use: {', '.join(kept.codes)}")
    return "; ".join(parts) + " (run the import again to complete it)"


def import_file(
    store: Store, path: Path | str, options: ImportOptions, progress: Progress | None = None
) -> ImportSummary:
    """Import a survey export into the project; all or nothing."""
    path = Path(path)
    table = open_table(path, options)
    summary = ImportSummary(
        source=str(path),
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        qualtrics=table.qualtrics,
    )
    layout = _layout(table, options, path.name)
    summary.questions = list(layout.questions)
    import_id = store.imports.begin(str(path.resolve()))
    codes = _Codes(store, options.create_codes, import_id)
    try:
        with store.db.bulk_writes(), _collector_paused():
            for chunk in _chunks(table, layout, summary, codes, path.name):
                # Once a code is unknown the import will fail: read on to name every
                # unknown code, but write nothing more.
                if not codes.unknown:
                    _count(summary, store.imports.write(import_id, chunk, options.coder))
                if progress:
                    progress(*table.progress())
        if progress:
            _, total = table.progress()
            progress(total, total)
        if codes.unknown:
            raise codes.error()
    except BaseException as exc:
        kept = store.imports.undo(import_id)
        if kept:
            if isinstance(exc, CoderError):
                raise ImportError_(f"{exc}; {kept_message(kept)}") from exc
            exc.add_note(kept_message(kept))
        raise
    summary.codes_created = [store.codes.get(i).path for i in codes.created]
    summary.completed_imports = store.imports.finish(import_id, asdict(summary))
    return summary
