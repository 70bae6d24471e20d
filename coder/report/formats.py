"""Writing a report as a terminal table, CSV or Markdown, and choosing the writer by format."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd

from coder.errors import CoderError
from coder.files import write_atomically, write_text_atomically
from coder.report.build import Report
from coder.report.cells import guard_frame
from coder.report.display import TextTable, heading, tables
from coder.text import visible

FORMATS = ("table", "csv", "md", "xlsx", "html")
SUFFIXES = {
    ".csv": "csv",
    ".md": "md",
    ".markdown": "md",
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".txt": "table",
}


def format_for(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one the output file's suffix names, else table."""
    if fmt:
        return fmt
    if out is not None:
        found = SUFFIXES.get(out.suffix.lower())
        if found is None:
            raise CoderError(
                f"cannot tell the format from {out.name}; add --format ({', '.join(FORMATS)})"
            )
        return found
    return "table"


# -- CSV --------------------------------------------------------------------------------------


def csv_text(frame: pd.DataFrame) -> str:
    return guard_frame(frame).to_csv(index=False, float_format="%.6g", lineterminator="\n")


def main_table(report: Report) -> pd.DataFrame:
    """The report's one table per code: the frequencies, widened by the cross-tab if any."""
    table = report.crosstab if report.crosstab is not None else report.frequencies
    table = table.copy()
    for column in table.columns:
        if column.startswith(("comments_pct", "respondents_pct")):
            table[column] = table[column].round(2)
    return table


def csv_files(report: Report, out: Path) -> dict[Path, pd.DataFrame]:
    """The main CSV and its siblings (FILE.cooccurrence.csv, FILE.quotes.csv)."""
    files = {out: main_table(report)}
    stem = out.with_suffix("")
    if report.cooccurrence is not None:
        files[Path(f"{stem}.cooccurrence.csv")] = report.cooccurrence.round(4)
    if report.quotes is not None:
        files[Path(f"{stem}.quotes.csv")] = report.quotes
    return files


# -- Markdown ---------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def _md_table(table: TextTable) -> list[str]:
    lines = [f"## {table.title}", ""]
    lines.append("| " + " | ".join(_md_cell(h) for h in table.headers) + " |")
    lines.append("|" + "|".join("---:" if n else "---" for n in table.numeric) + "|")
    for row, depth in zip(table.rows, table.depths, strict=True):
        first = ("↳ " * min(depth, 1)) + ("  " * max(depth - 1, 0)) + row[0]
        cells = [_md_cell(first), *(_md_cell(c) for c in row[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    if table.caption:
        lines.append("")
        lines += [f"_{_md_cell(line)}_  " for line in table.caption.splitlines()]
    return [*lines, ""]


def markdown(report: Report) -> str:
    head = heading(report)
    lines = [f"# {_md_cell(head[0])}", "", *(f"{_md_cell(h)}  " for h in head[1:]), ""]
    for table in tables(report):
        lines += _md_table(table)
    lines += ["## Notes", "", *(f"- {_md_cell(n)}" for n in report.notes()), ""]
    return "\n".join(lines)


# -- dispatch ---------------------------------------------------------------------------------


def _stdout(text: str) -> None:
    """Data for a pipe goes out as it is; on a terminal, nothing in it is obeyed."""
    sys.stdout.write(visible(text) if sys.stdout.isatty() else text)


def write_report(report: Report, fmt: str, out: Path | None, *, wide: bool = False) -> list[Path]:
    """Write the report; returns the files written (none when it went to standard output)."""
    if fmt == "csv":
        if out is None:
            if report.cooccurrence is not None or report.quotes is not None:
                raise CoderError(
                    "CSV on standard output holds one table; use --out FILE.csv to write "
                    "co-occurrence and quotes to files beside it"
                )
            _stdout(csv_text(main_table(report)))
            return []
        files = csv_files(report, out)
        for path, frame in files.items():
            write_text_atomically(path, csv_text(frame))
        return list(files)
    if fmt == "md":
        text = markdown(report)
        if out is None:
            _stdout(text)
            return []
        write_text_atomically(out, text)
        return [out]
    if fmt == "table":
        from coder.report.terminal import terminal

        if out is None:
            terminal(report, wide=wide)
            return []
        buffer = io.StringIO()
        terminal(report, file=buffer, width=160, wide=wide)
        write_text_atomically(out, buffer.getvalue())
        return [out]
    if fmt == "xlsx":
        from coder.report.xlsx import write_xlsx

        if out is None:
            raise CoderError("--format xlsx needs a file: add --out FILE.xlsx")
        write_atomically(out, lambda p: write_xlsx(report, p))
        return [out]
    if fmt == "html":
        from coder.report.html import html_report

        text = html_report(report)
        if out is None:
            _stdout(text)
            return []
        write_text_atomically(out, text)
        return [out]
    raise CoderError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
