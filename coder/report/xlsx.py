"""Writing tables to an Excel workbook, one sheet per table, text never read as a formula."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from coder.report.build import Report
from coder.report.formats import main_table

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# A sheet: its title, its table, and widths for some of its columns.
Sheet = tuple[str, pd.DataFrame, Mapping[str, int] | None]

EXCEL_MAX_ROWS = 1_048_576
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(name: str, taken: set[str]) -> str:
    base = name.translate(_SHEET_FORBIDDEN).strip()[:31] or "Sheet"
    out, n = base, 2
    while out.casefold() in taken:
        out = f"{base[: 31 - len(str(n)) - 1]} {n}"
        n += 1
    taken.add(out.casefold())
    return out


def storable(text: str) -> str:
    """Text Excel can hold: a control character (a vertical tab pasted from Word) becomes
    its visible picture, the same length, instead of making the whole file fail."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), text)


def cell(
    ws: WriteOnlyWorksheet, value: Any, *, header: bool = False, percent: bool = False
) -> Cell:
    """A write-only cell: text stays text (quote prefix), NaN becomes an empty cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return WriteOnlyCell(ws, value=None)
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        value = storable(value)
    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(("=", "+", "-", "@")):
            c.quotePrefix = True
    if header:
        c.font = Font(bold=True)
    elif percent and isinstance(value, float):
        c.number_format = "0.0"
    return c


def add_frame(
    wb: Workbook,
    title: str,
    frame: pd.DataFrame,
    taken: set[str],
    widths: Mapping[str, int] | None = None,
) -> None:
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        from coder.errors import CoderError

        raise CoderError(
            f"{len(frame)} rows do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1} at most); "
            "write csv or jsonl instead"
        )
    ws = wb.create_sheet(sheet_name(title, taken))
    ws.freeze_panes = "B2"
    columns = [str(c) for c in frame.columns]
    for i, name in enumerate(columns):
        from openpyxl.utils import get_column_letter

        width = (widths or {}).get(name) or min(max(len(name) + 2, 10), 40)
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.append([cell(ws, name, header=True) for name in columns])
    percent = ["_pct" in c or c in {"jaccard"} for c in columns]
    for row in frame.itertuples(index=False, name=None):
        ws.append([cell(ws, v, percent=p) for v, p in zip(row, percent, strict=True)])


def write_frames(path: Path, sheets: Sequence[Sheet]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    taken: set[str] = set()
    for title, frame, widths in sheets:
        add_frame(wb, title, frame, taken, widths)
    wb.save(path)


def write_xlsx(report: Report, path: Path) -> None:
    wide = {"code": 45, "code_a": 40, "code_b": 40, "quote": 90, "attributes": 40, "note": 40}
    sheets: list[Sheet] = [("Frequencies", report.frequencies, wide)]
    if report.crosstab is not None:
        sheets.append((f"By {report.options.by}", main_table(report), wide))
    if report.cooccurrence is not None:
        sheets.append(("Co-occurrence", report.cooccurrence, wide))
    if report.matrix is not None:
        sheets.append(("Co-occurrence matrix", report.matrix.reset_index(names="code"), wide))
    if report.quotes is not None:
        sheets.append(("Quotes", report.quotes, wide))
    notes = pd.DataFrame({"about this report": [report.title, report.generated, *report.notes()]})
    sheets.append(("Notes", notes, {"about this report": 120}))
    write_frames(path, sheets)
