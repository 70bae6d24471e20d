"""Importing a survey export into the project: one respondent a row, one comment an answer.

Files are streamed in chunks, each written in one transaction, so a file of a million
rows imports without being held in memory. If anything goes wrong, everything the
import wrote is taken out again and the project is left as it was.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from coder.codebook import CodeIndex
from coder.corpus.options import ImportError_, ImportOptions, ImportSummary, Progress
from coder.corpus.tables import Table, open_table
from coder.domain import PATH_SEPARATOR, ImportRow
from coder.store import Store

CHUNK_ROWS = 5000


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


def split_codes(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


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
    if not options.text:
        shown = ", ".join(table.columns[:12])
        raise ImportError_(f"name the answer column(s) with --text; {path.name} has: {shown}")
    text_idx = [_column_index(table, c, path.name) for c in options.text]
    questions = [table.columns[i] for i in text_idx]
    id_idx = _column_index(table, options.id, path.name) if options.id else None
    attr_idx = {
        table.columns[i]: i for i in (_column_index(table, c, path.name) for c in options.attrs)
    }
    codes_idx = [_column_index(table, c, path.name) for c in options.codes]
    if codes_idx and len(codes_idx) != len(text_idx):
        raise ImportError_(
            f"give one --codes column per --text column "
            f"({len(codes_idx)} --codes for {len(text_idx)} --text)"
        )
    summary.questions = questions
    coder = options.coder

    index = CodeIndex(store.codes.all())
    created: list[int] = []
    unknown: dict[str, int] = {}
    seen: set[str] = set()
    width = len(table.columns)
    several = len(text_idx) > 1

    def code_ids(cell: str) -> list[int]:
        ids = []
        for name in split_codes(cell):
            code = index.find(name)
            if code is None and index.is_ambiguous(name):
                raise ImportError_(
                    f"code {name!r} is ambiguous: write it as "
                    f"{' or '.join(c.path for c in index.by_name[index.normalise(name)])}"
                )
            if code is None and options.create_codes:
                _create_code_path(store, index, name, created)
                code = index.find(name)
            if code is None:
                unknown[name] = unknown.get(name, 0) + 1
                continue
            ids.append(code.id)
        return ids

    import_id = store.imports.begin(str(path))
    try:
        chunk: list[ImportRow] = []
        for number, values in table.rows:
            if len(values) != width:
                if len(values) == 0 or (len(values) == 1 and not values[0].strip()):
                    continue  # a blank line
                raise ImportError_(
                    f"{path.name}, line {number}: {len(values)} fields where the "
                    f"header has {width} (is the file cut short or the "
                    "delimiter wrong?)"
                )
            summary.rows += 1
            rid = values[id_idx].strip() if id_idx is not None else str(summary.rows)
            if not rid:
                summary.rows_without_id += 1
                continue
            attrs = {name: values[i].strip() for name, i in attr_idx.items()}
            for q, (question, ti) in enumerate(zip(questions, text_idx, strict=True)):
                text = values[ti].strip()
                if not text:
                    summary.empty_skipped += 1
                    continue
                cid = f"{rid}:{question}" if several else rid
                if cid in seen:
                    summary.duplicate_ids += 1
                    if len(summary.duplicate_examples) < 5:
                        summary.duplicate_examples.append(cid)
                    continue
                seen.add(cid)
                ids = code_ids(values[codes_idx[q]]) if codes_idx else []
                chunk.append(ImportRow(cid, rid, question, text, attrs, tuple(ids)))
            if len(chunk) >= CHUNK_ROWS:
                _flush(store, import_id, chunk, coder, summary, unknown)
                chunk = []
                if progress:
                    progress(*table.progress())
        _flush(store, import_id, chunk, coder, summary, unknown)
        if progress:
            done, total = table.progress()
            progress(total, total)
        if unknown:
            names = ", ".join(
                f"{n!r} ({c} row{'s' if c > 1 else ''})" for n, c in sorted(unknown.items())[:10]
            )
            more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            raise ImportError_(
                f"unknown codes in the codes column: {names}{more}; add them to "
                "the codebook or pass --create-codes"
            )
    except BaseException:
        store.imports.undo(import_id, reversed(created))
        raise
    summary.codes_created = [store.codes.get(i).path for i in created]
    store.imports.finish(import_id, {k: v for k, v in summary.__dict__.items()})
    return summary


def _flush(store, import_id, chunk, coder, summary, unknown) -> None:
    # Once a code is unknown the import will fail: read on to name every unknown code,
    # but write nothing more.
    if not chunk or unknown:
        return
    result = store.imports.write_chunk(import_id, chunk, coder)
    summary.comments_added += result.added
    summary.already_present += result.already_present
    summary.codings += result.codings


def _create_code_path(store: Store, index: CodeIndex, name: str, created: list[int]) -> None:
    parts = [p.strip() for p in name.split(">") if p.strip()]
    parent_id = None
    path = ""
    for part in parts:
        path = f"{path}{PATH_SEPARATOR}{part}" if path else part
        found = index.by_path.get(index.normalise(path))
        if found is None:
            code_id = store.codes.add(part, parent_id=parent_id)
            created.append(code_id)
            index.__init__(store.codes.all())
            found = index.by_path[index.normalise(path)]
        parent_id = found.id
