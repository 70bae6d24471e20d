"""Reading survey exports (CSV, Excel, JSON Lines, Qualtrics) into respondents and comments.

Files are streamed in chunks, each written in one transaction, so a file of a million
rows imports without being held in memory. If anything goes wrong, everything the
import wrote is taken out again and the project is left as it was.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coder.codebook import CodeIndex
from coder.domain import PATH_SEPARATOR, ImportRow
from coder.errors import CoderError
from coder.store import Store

CHUNK_ROWS = 5000
DELIMITERS = [",", ";", "\t", "|"]
csv.field_size_limit(1 << 28)

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
    codes_created: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


# -- reading tables ----------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for a progress bar."""

    def __init__(self, raw):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 (as Excel writes it) or cp1252."""
    with path.open("rb") as f:
        head = f.read(65536)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head and b"\x00" in head:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > len(odd) * 0.4 and even.count(0) < len(even) * 0.1:
            return "utf-16-le"
        if even.count(0) > len(even) * 0.4 and odd.count(0) < len(odd) * 0.1:
            return "utf-16-be"
        raise ImportError_(f"{path} is not a text file (it contains binary data)")
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while block := f.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    # Not UTF-8: Windows' Western European code page, as older Excel writes CSV. Bytes
    # cp1252 leaves undefined mean the file is something else altogether.
    with path.open("rb") as f:
        sample = f.read(1 << 20)
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportError_(
            f"{path} is not a text file in a known encoding "
            "(UTF-8, UTF-16 or Windows-1252); pass --encoding"
        ) from None
    return "cp1252"


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(text) * 0.05


def detect_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the most, consistent columns."""
    lines = sample.splitlines(keepends=True)[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of the sample may be cut short
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO("".join(lines)), delimiter=delim))
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _is_qualtrics(first_rows: list[list[str]]) -> bool:
    """Qualtrics exports carry two extra header rows: question texts, then ImportIds."""
    return len(first_rows) >= 3 and any('"ImportId"' in str(v) for v in first_rows[2])


@dataclass
class Table:
    columns: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line or row number, values)
    progress: Callable[[], tuple[int, int]]
    format: str
    encoding: str = ""
    delimiter: str = ""
    qualtrics: bool = False


def _csv_table(path: Path, options: ImportOptions) -> Table:
    encoding = options.encoding or detect_encoding(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ImportError_(f"unknown encoding {encoding!r}") from None
    total = path.stat().st_size
    raw = path.open("rb")
    counter = _CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding=encoding, newline="")
    try:
        sample = text.read(65536)
    except UnicodeDecodeError:
        raise ImportError_(f"{path} is not valid {encoding} text") from None
    if _looks_binary(sample):
        raise ImportError_(f"{path} is not a text file (it contains binary data)")
    if not sample.strip():
        raise ImportError_(f"{path} is empty")
    delimiter = options.delimiter or detect_delimiter(sample)
    if delimiter == "\\t":
        delimiter = "\t"
    stream = _chain(sample, text)
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        peek = [next(reader, None), next(reader, None)]
    except csv.Error as exc:
        raise ImportError_(
            f"{path}, line {reader.line_num}: {exc} (is the file cut short or the quoting broken?)"
        ) from None
    peek = [p for p in peek if p is not None]
    qualtrics = _is_qualtrics([header, *peek]) if peek else False
    if qualtrics:
        peek = []

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in peek:
                yield reader.line_num, row
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise ImportError_(
                f"{path}, line {reader.line_num}: {exc} (is the file cut short or the "
                "quoting broken?)"
            ) from None
        except UnicodeDecodeError:
            raise ImportError_(
                f"{path}: not valid {encoding} text near line {reader.line_num}"
            ) from None
        finally:
            raw.close()

    return Table(
        [h.strip() for h in header],
        rows(),
        lambda: (counter.count, total),
        "csv",
        encoding,
        delimiter,
        qualtrics,
    )


def _chain(first: str, rest: io.TextIOBase) -> Iterator[str]:
    """Lines of an already-read sample followed by the rest of the stream."""
    lines = first.splitlines(keepends=True)
    tail = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
    yield from lines
    for line in rest:
        if tail:
            line, tail = tail + line, ""
        yield line
    if tail:
        yield tail


def _xlsx_table(path: Path, options: ImportOptions) -> Table:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportError_(f"{path} is not a readable Excel .xlsx file ({exc})") from None
    if options.sheet:
        if options.sheet not in book.sheetnames:
            raise ImportError_(
                f"{path} has no sheet {options.sheet!r} (sheets: {', '.join(book.sheetnames)})"
            )
        sheet = book[options.sheet]
    else:
        sheet = book.worksheets[0]
    total = sheet.max_row or 0
    it = sheet.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        raise ImportError_(f"{path} is empty")

    def cell(v) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    header_s = [cell(v).strip() for v in header]
    peek = [[cell(v) for v in r] for r in (next(it, None), next(it, None)) if r is not None]
    qualtrics = _is_qualtrics([header_s, *peek])
    state = {"row": 1}

    def rows():
        n = 1
        if not qualtrics:
            for r in peek:
                n += 1
                yield n, r
        else:
            n += len(peek)
        for r in it:
            n += 1
            state["row"] = n
            yield n, [cell(v) for v in r]
        book.close()

    return Table(header_s, rows(), lambda: (state["row"], total), "xlsx", qualtrics=qualtrics)


def _jsonl_table(path: Path, options: ImportOptions) -> Table:
    encoding = options.encoding or detect_encoding(path)
    total = path.stat().st_size
    f = path.open("rb")
    counter = _CountingReader(f)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding=encoding)
    first: list[tuple[int, dict]] = []
    columns: list[str] = []

    def records() -> Iterator[tuple[int, dict]]:
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportError_(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
            except UnicodeDecodeError:
                raise ImportError_(f"{path}, line {number}: not valid {encoding} text") from None
            if not isinstance(obj, dict):
                raise ImportError_(f"{path}, line {number}: each line must be a JSON object")
            yield number, obj

    source = records()
    try:
        for number, obj in source:
            first.append((number, obj))
            for key in obj:
                if key not in columns:
                    columns.append(key)
            if len(first) >= 100:
                break
    except UnicodeDecodeError:
        raise ImportError_(f"{path} is not a text file") from None
    if not first:
        raise ImportError_(f"{path} is empty")

    def value(v) -> str:
        if v is None:
            return ""
        return v if isinstance(v, str) else json.dumps(v) if isinstance(v, list | dict) else str(v)

    def rows():
        for number, obj in [*first, *source]:
            yield number, [value(obj.get(c)) for c in columns]
        f.close()

    return Table(columns, rows(), lambda: (counter.count, total), "jsonl", encoding)


def open_table(path: Path | str, options: ImportOptions | None = None) -> Table:
    path = Path(path)
    options = options or ImportOptions()
    if not path.exists():
        raise ImportError_(f"no file at {path}")
    if path.is_dir():
        raise ImportError_(f"{path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_table(path, options)
    if suffix == ".xls":
        raise ImportError_(f"{path}: old .xls files are not supported; save it as .xlsx or CSV")
    if suffix in {".jsonl", ".ndjson"}:
        return _jsonl_table(path, options)
    return _csv_table(path, options)


# -- importing ---------------------------------------------------------------------------


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
