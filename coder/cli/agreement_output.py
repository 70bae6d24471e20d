"""Agreement figures as a terminal table, CSV or Markdown."""

from __future__ import annotations

import csv
import io

from coder.agreement import COLUMNS, AgreementReport, CodeAgreement
from coder.files import guard_text


def _csv_value(value: float | None, places: int) -> str:
    return "" if value is None else f"{round(value, places):g}"


def _cells(row: CodeAgreement, places: int = 4) -> list[str]:
    return [
        row.code,
        str(row.comments),
        _csv_value(row.percent_agreement, 2),
        _csv_value(row.cohen_kappa, places),
        _csv_value(row.krippendorff_alpha, places),
        _csv_value(row.fleiss_kappa, places),
        _csv_value(row.alpha_mean_over_codes, places),
        "yes" if row.rolled_up else "no",
        row.note,
    ]


def to_csv(report: AgreementReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.rows:
        writer.writerow([guard_text(cell) for cell in _cells(row)])
    return buffer.getvalue()


_SHOWN = ("code", "comments", "% agree", "Cohen κ", "Fleiss κ", "alpha", "note")


def _shown(row: CodeAgreement) -> list[str]:
    def fixed(value: float | None, places: int = 3) -> str:
        return "–" if value is None else f"{value:.{places}f}"

    alpha = fixed(row.krippendorff_alpha)
    if row.alpha_mean_over_codes is not None:
        alpha += f" (mean {row.alpha_mean_over_codes:.3f})"
    return [
        row.code,
        str(row.comments),
        fixed(row.percent_agreement, 1),
        fixed(row.cohen_kappa),
        fixed(row.fleiss_kappa),
        alpha,
        row.note,
    ]


def _caption(report: AgreementReport) -> str:
    where = f" in question {report.question}" if report.question else ""
    return (
        f"Agreement between {', '.join(report.coders)} on the {report.comments} comments{where} "
        "coded by at least two of them (Krippendorff's alpha nominal; ALL pools every comment "
        "and code)"
    )


def _table(report: AgreementReport) -> list[list[str]]:
    """The header and rows shown, without a kappa column that cannot apply: Cohen's for
    other than two coders, Fleiss' when no code has one."""
    rows = [list(_SHOWN), *(_shown(row) for row in report.rows)]
    drop = set()
    if len(report.coders) != 2:
        drop.add(_SHOWN.index("Cohen κ"))
    if all(row.fleiss_kappa is None for row in report.rows):
        drop.add(_SHOWN.index("Fleiss κ"))
    return [[cell for i, cell in enumerate(row) if i not in drop] for row in rows]


def to_markdown(report: AgreementReport) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    header, *rows = _table(report)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---", *["---:"] * (len(header) - 2), "---"]) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + f"\n\n{_caption(report)}.\n"


def to_table(report: AgreementReport) -> str:
    rows = _table(report)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for k, r in enumerate(rows):
        parts = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, len(widths))]
        lines.append("  ".join([*parts, r[-1]]).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return _caption(report) + ":\n\n" + "\n".join(lines) + "\n"


def render(report: AgreementReport, fmt: str) -> str:
    if fmt == "csv":
        return to_csv(report)
    if fmt == "md":
        return to_markdown(report)
    return to_table(report)
