"""One self-contained HTML report: tables, inline SVG charts, cross-tab, co-occurrence, quotes.

Nothing is fetched when it opens: no scripts, fonts or images from elsewhere, and a Content
Security Policy that forbids them. Every piece of project text is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from coder.agreement import AgreementTable
from coder.limits import CODES_SHOWN
from coder.report.build import Report
from coder.report.charts import group_chart, theme_chart
from coder.report.crosstab import small_groups
from coder.report.display import TextTable, heading, tables

if TYPE_CHECKING:
    import pandas as pd

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       max-width: 1200px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #555; margin: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
th, td { padding: .3em .5em; border-bottom: 1px solid #e5e5e5; vertical-align: top; }
th { text-align: left; background: #f5f5f7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; } th { vertical-align: bottom; }
tr.d0 td:first-child { font-weight: 600; } tr.d1 td:first-child { padding-left: 1.8em; }
tr.d2 td:first-child { padding-left: 3em; } tr.total td { border-top: 2px solid #999; }
.bar { display: inline-block; height: .7em; background: #4e79a7; margin-left: .4em; }
.caption, .notes { color: #555; font-size: 13px; }
blockquote { margin: .6em 0 .2em; padding: .3em .9em; border-left: 4px solid #4e79a7;
             background: #f8f9fb; }
.who { color: #666; font-size: 13px; margin: 0 0 .8em 1.2em; }
.chart svg { max-width: 100%; height: auto; display: block; }
.scroll { max-width: 100%; overflow-x: auto; }
th.small, td.small { color: #8a8a8e; }
@media (max-width: 600px) { body { margin: 1em auto; font-size: 14px; }
  table { font-size: 12px; } th, td { padding: .25em .35em; } .bar { display: none; } }
"""


def _text(value: object) -> str:
    return escape(str(value)).replace("\n", "<br>")


def _table(t: TextTable, bar_column: int | None = None) -> str:
    muted = t.muted or [False] * len(t.headers)
    classes = [
        " ".join(c for c in ("n" if n else "", "small" if m else "") if c)
        for n, m in zip(t.numeric, muted, strict=True)
    ]
    head = "".join(
        f'<th class="{c}">{_text(h)}</th>' for h, c in zip(t.headers, classes, strict=True)
    )
    body = []
    for row, depth in zip(t.rows, t.depths, strict=True):
        cells = []
        for i, (value, c) in enumerate(zip(row, classes, strict=True)):
            extra = ""
            if i == bar_column and value.endswith("%"):
                width = float(value.rstrip("%") or 0)
                extra = f'<span class="bar" style="width:{width * 0.8:.1f}px"></span>'
            cells.append(f'<td class="{c}">{_text(value)}{extra}</td>')
        total = " total" if row[0].startswith("(all coded)") else ""
        body.append(f'<tr class="d{min(depth, 2)}{total}">{"".join(cells)}</tr>')
    caption = "".join(f'<p class="caption">{_text(line)}</p>' for line in t.caption.splitlines())
    return (
        f'<h2>{_text(t.title)}</h2>\n<div class="scroll"><table><thead><tr>{head}</tr></thead>\n'
        f"<tbody>{''.join(body)}</tbody></table></div>{caption}\n"
    )


def _quotes(quotes: pd.DataFrame) -> str:
    out = ["<h2>Quotes</h2>"]
    current = None
    for q in quotes.to_dict("records"):
        if q["code"] != current:
            out.append(f"<h3>{_text(q['code'])}</h3>")
            current = q["code"]
        who = " · ".join(
            part
            for part in (q["comment_id"], q["question"], q["attributes"], q["agreement"])
            if part
        )
        out.append(f'<blockquote>{_text(q["quote"])}</blockquote><p class="who">{_text(who)}</p>')
    if current is None:
        out.append("<p>No coded comments to quote.</p>")
    return "\n".join(out)


MATRIX_THEMES = 30  # a wider grid is unreadable; the CSV and xlsx hold every pair


def _matrix(report: Report, matrix: pd.DataFrame) -> str:
    """Top-level themes by themes: shared comments, shaded by Jaccard similarity."""
    from coder.report.charts import themes

    ranked = themes(report.frequencies).sort_values("comments", ascending=False, kind="stable")
    names = list(ranked["code"])[:MATRIX_THEMES]
    names.sort(key=list(themes(report.frequencies)["code"]).index)  # back in codebook order
    m = matrix.loc[names, names].to_numpy()
    own = m.diagonal()
    head = "".join(f'<th class="n">{_text(n)}</th>' for n in names)
    rows = []
    for i, a in enumerate(names):
        cells = []
        for j in range(len(names)):
            both = int(m[i, j])
            either = int(own[i] + own[j]) - both
            jac = both / either if either and i != j else 0.0
            shade = f' style="background: rgba(78,121,167,{min(jac * 2, 1):.2f})"' if jac else ""
            cells.append(f'<td class="n"{shade}>{"" if i == j else both}</td>')
        rows.append(f"<tr><th>{_text(a)} ({int(own[i])})</th>{''.join(cells)}</tr>")
    more = len(ranked) - len(names)
    shown = f" The {len(names)} most frequent of {len(ranked)} themes are shown." if more else ""
    return (
        '<h2>Themes that occur together</h2><div class="scroll"><table><thead><tr><th></th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="caption">Comments with both themes; darker cells have a higher Jaccard '
        f"similarity. In brackets: comments with the theme.{shown}</p>"
    )


def _figure(value: float | None, *, percent: bool) -> str:
    """A count as it is, a percentage to one place, a coefficient to three; blank for none."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.1f}" if percent else f"{value:.3f}"


def _agreement(table: AgreementTable) -> str:
    """Agreement between coders: one row a code, ALL last; empty where a statistic does
    not apply (Cohen's kappa needs exactly two coders, Fleiss' every coder on every comment)."""
    numeric = [isinstance(v, int | float) or v is None for v in table.rows[0]] if table.rows else []
    head = "".join(
        f'<th class="{"n" if n else ""}">{_text(c)}</th>'
        for c, n in zip(table.columns, numeric or [False] * len(table.columns), strict=True)
    )
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="n">{_figure(v, percent=i == 2)}</td>'
            if isinstance(v, int | float) or v is None
            else f"<td>{_text(v)}</td>"
            for i, v in enumerate(row)
        )
        body.append(f'<tr class="{"total" if row[0] == "ALL" else "d0"}">{cells}</tr>')
    return (
        '<h2>Agreement between coders</h2><div class="scroll"><table><thead>'
        f"<tr>{head}</tr></thead>\n<tbody>{''.join(body)}</tbody></table></div>"
        f'<p class="caption">{_text(table.caption)}</p>'
    )


def html_report(report: Report) -> str:
    CODES_SHOWN.check(len(report.frequencies), "codes in an HTML report")
    head = heading(report)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(report.title)}: coding report</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{_text(report.title)}</h1>",
        *(f'<p class="meta">{_text(line)}</p>' for line in [head[0].split(": ", 1)[-1], *head[1:]]),
    ]
    if report.coded_comments:
        parts.append('<h2>Themes</h2><div class="chart">')
        parts.append(theme_chart(report.frequencies, report.colors))
        parts.append("</div>")
    crosstab, by = report.crosstab, report.options.by
    for t in tables(report):
        if t.title == "Quotes":
            continue
        parts.append(_table(t, bar_column=2 if t.title == "Theme frequencies" else None))
        if crosstab is not None and by and t.title.startswith("By ") and report.coded_comments:
            chart = group_chart(crosstab, report.groups, by, small_groups(crosstab, report.groups))
            parts.append(f'<div class="chart">{chart}</div>')
    if report.matrix is not None and report.coded_comments:
        parts.append(_matrix(report, report.matrix))
    if report.quotes is not None:
        parts.append(_quotes(report.quotes))
    if report.agreement is not None:
        parts.append(_agreement(report.agreement))
    parts.append('<h2>How to read this report</h2><ul class="notes">')
    parts += [f"<li>{_text(n)}</li>" for n in report.notes()]
    parts.append("</ul></body></html>\n")
    return "\n".join(parts)
