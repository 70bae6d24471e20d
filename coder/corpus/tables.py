"""Reading survey exports (CSV, Excel, JSON Lines, Qualtrics) as a header and rows.

Rows are read lazily, so a file of a million rows is never held in memory; encodings,
delimiters and Qualtrics' extra header rows are detected.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

from coder.corpus.options import ImportError_, ImportOptions
from coder.errors import CoderError
from coder.limits import SHEET_ROWS, SPREADSHEET_BYTES, SPREADSHEET_MEMBER_BYTES

DELIMITERS = [",", ";", "\t", "|"]
SAMPLE_CHARS = 65536  # read first to detect the delimiter and spot binary data
csv.field_size_limit(1 << 28)


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts the bytes read, for a progress bar."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return int(n or 0)

    def close(self) -> None:
        self.raw.close()
        super().close()


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
    # Lines as csv sees them: str.splitlines would also break at U+2028, vertical tabs and
    # other separators that are plain characters inside a quoted field.
    lines = io.StringIO(sample, newline="").readlines()[:50]
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
    rows: Iterator[list[str]]  # the values of each row after the header
    line: Callable[[], int]  # the line (or sheet row) the last row came from, for errors
    progress: Callable[[], tuple[int, int]]  # (done, total) in bytes or rows
    format: str
    encoding: str = ""
    delimiter: str = ""
    qualtrics: bool = False


def _text(path: Path, encoding: str) -> tuple[_CountingReader, io.TextIOWrapper]:
    counter = _CountingReader(path.open("rb"))
    return counter, io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding, newline="")


def check_encoding(encoding: str) -> str:
    """A text encoding Python knows, or a clear error (rot13 and zlib are codecs, not text)."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ImportError_(f"unknown encoding {encoding!r}; try utf-8, cp1252 or utf-16") from None
    if not getattr(info, "_is_text_encoding", True):
        raise ImportError_(f"{encoding!r} is not a text encoding; try utf-8, cp1252 or utf-16")
    return encoding


def check_delimiter(delimiter: str) -> str:
    """One character that can separate fields ('\\t' for a tab)."""
    if delimiter == "\\t":
        return "\t"
    if len(delimiter) != 1 or delimiter in '\r\n"' or delimiter.isalnum():
        raise ImportError_(
            f"the delimiter must be one character such as , ; | or \\t, not {delimiter!r}"
        )
    return delimiter


def _csv_table(path: Path, options: ImportOptions) -> Table:
    encoding = check_encoding(options.encoding or detect_encoding(path))
    _, first = _text(path, encoding)
    with first:
        try:
            sample = first.read(SAMPLE_CHARS)
        except UnicodeDecodeError:
            raise ImportError_(f"{path} is not valid {encoding} text") from None
    if _looks_binary(sample):
        raise ImportError_(f"{path} is not a text file (it contains binary data)")
    if not sample.strip():
        raise ImportError_(f"{path} is empty")
    delimiter = (
        check_delimiter(options.delimiter) if options.delimiter else detect_delimiter(sample)
    )
    # Read again from the start: the csv reader then pulls lines straight from the file.
    counter, text = _text(path, encoding)
    reader = csv.reader(text, delimiter=delimiter, strict=True)

    def broken(exc: csv.Error) -> ImportError_:
        return ImportError_(
            f"{path}, line {reader.line_num}: {exc} (is the file cut short or the quoting broken?)"
        )

    try:
        header = next(reader)
        peek = []  # the next two rows and the lines they end on: Qualtrics or data?
        for _ in range(2):
            row = next(reader, None)
            if row is not None:
                peek.append((reader.line_num, row))
    except csv.Error as exc:
        text.close()
        raise broken(exc) from None
    except UnicodeDecodeError:
        text.close()
        raise ImportError_(f"{path} is not valid {encoding} text") from None
    qualtrics = _is_qualtrics([header, *(row for _, row in peek)]) if peek else False
    if qualtrics:
        peek = []
    peeked: int | None = None

    def line() -> int:
        return peeked if peeked is not None else reader.line_num

    def rows() -> Iterator[list[str]]:
        nonlocal peeked
        try:
            for number, row in peek:
                peeked = number
                yield row
            peeked = None
            yield from reader
        except csv.Error as exc:
            raise broken(exc) from None
        except UnicodeDecodeError:
            raise ImportError_(
                f"{path}: not valid {encoding} text near line {reader.line_num}"
            ) from None
        finally:
            text.close()

    total = path.stat().st_size
    return Table(
        [h.strip() for h in header],
        rows(),
        line,
        lambda: (counter.count, total),
        "csv",
        encoding,
        delimiter,
        qualtrics,
    )


def _check_spreadsheet(path: Path) -> None:
    """A spreadsheet is a zip: refuse one that would unpack to more than the limits allow
    (a 600 KB file can hold a cell of 600 MB), before anything is unpacked."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportError_(f"{path} is not a readable Excel .xlsx file ({exc})") from None
    for member in members:
        SPREADSHEET_MEMBER_BYTES.check(member.file_size, f"{path.name}'s part {member.filename}")
    SPREADSHEET_BYTES.check(sum(m.file_size for m in members), f"{path.name} unpacked")


def _xlsx_table(path: Path, options: ImportOptions) -> Table:
    import openpyxl

    _check_spreadsheet(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any damage in the zip or its XML: one line
        raise ImportError_(f"{path} is not a readable Excel .xlsx file ({_short(exc)})") from None
    sheet: Any
    if options.sheet:
        if options.sheet not in book.sheetnames:
            raise ImportError_(
                f"{path} has no sheet {options.sheet!r} (sheets: {', '.join(book.sheetnames)})"
            )
        sheet = book[options.sheet]
    else:
        sheet = book.worksheets[0]
    limit = SHEET_ROWS.value
    try:
        total = sheet.max_row or 0
        SHEET_ROWS.check(total, f"{path.name}'s sheet {sheet.title!r}")
        # The dimension a sheet declares can be wrong (or made up): read every row it holds,
        # not only those it admits to, and count them as they come.
        sheet.reset_dimensions()
        it = sheet.iter_rows(values_only=True)
        header = next(it, None)
    except CoderError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ImportError_(f"{path} is not a readable Excel .xlsx file ({_short(exc)})") from None
    if header is None:
        raise ImportError_(f"{path} is empty")

    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    header_s = [cell(v).strip() for v in header]

    def padded(r: tuple[object, ...]) -> list[str]:
        values = [cell(v) for v in r]
        return values + [""] * (len(header_s) - len(values))

    peek = [padded(r) for r in (next(it, None), next(it, None)) if r is not None]
    qualtrics = _is_qualtrics([header_s, *peek])
    row = 1 + (len(peek) if qualtrics else 0)

    def rows() -> Iterator[list[str]]:
        nonlocal row
        try:
            if not qualtrics:
                for values in peek:
                    row += 1
                    yield values
            width = len(header_s)
            for r in it:
                row += 1
                if row > limit:  # the sheet said fewer rows than it holds
                    SHEET_ROWS.check(row, f"{path.name}'s sheet {sheet.title!r}")
                values = [cell(v) for v in r]
                if len(values) < width:  # a sheet leaves out empty cells at a row's end
                    values += [""] * (width - len(values))
                yield values
        except CoderError:
            raise
        except Exception as exc:  # noqa: BLE001 - damage found part-way through the sheet
            raise ImportError_(
                f"{path}, row {row}: the sheet cannot be read ({_short(exc)})"
            ) from None
        finally:
            book.close()

    return Table(header_s, rows(), lambda: row, lambda: (row, total), "xlsx", qualtrics=qualtrics)


def _short(exc: BaseException) -> str:
    """An exception in a few words: its own message's first line, or its kind."""
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _jsonl_table(path: Path, options: ImportOptions) -> Table:
    encoding = check_encoding(options.encoding or detect_encoding(path))
    total = path.stat().st_size
    counter, text = _text(path, encoding)
    first: list[tuple[int, dict[str, object]]] = []
    columns: list[str] = []
    line = 0

    def records() -> Iterator[tuple[int, dict[str, object]]]:
        for number, raw in enumerate(text, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ImportError_(f"{path}, line {number}: not valid JSON ({exc.msg})") from None
            except ValueError as exc:  # a number of thousands of digits, say
                raise ImportError_(f"{path}, line {number}: cannot read its JSON ({exc})") from None
            except RecursionError:
                raise ImportError_(
                    f"{path}, line {number}: its JSON is nested too deeply"
                ) from None
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
        text.close()
        raise ImportError_(f"{path} is not a text file") from None
    except ImportError_:
        text.close()
        raise
    if not first:
        text.close()
        raise ImportError_(f"{path} is empty")

    def value(v: object) -> str:
        if v is None:
            return ""
        return v if isinstance(v, str) else json.dumps(v) if isinstance(v, list | dict) else str(v)

    def rows() -> Iterator[list[str]]:
        nonlocal line
        try:
            for number, obj in chain(first, source):
                line = number
                yield [value(obj.get(c)) for c in columns]
        finally:
            text.close()

    return Table(columns, rows(), lambda: line, lambda: (counter.count, total), "jsonl", encoding)


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
