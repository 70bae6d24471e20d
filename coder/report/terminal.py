"""A report in the terminal: tables that fit the terminal's width, never a column dropped.

A cross-tab is printed as one table when it fits, its code names wrapped at words if need
be; else with its group headers abbreviated and a legend beneath; else split into parts,
each a few groups wide with the code column repeated, the overall column and the test in
the first. `wide` prints every table whole, however wide, for a pipe or a file.
Everything printed from project data goes through coder.text.visible.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from coder.report.build import Report
from coder.report.data import MISSING
from coder.report.display import CrossView, GroupColumn, TextTable, crosstab_view, heading, tables
from coder.text import visible

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

CODE_MIN = 16  # the narrowest code column: names wrap at words within it
CODE_MAX = 34  # the widest, however long a code's name
CODE_PARTS = 24  # the code column when a cross-tab is split into parts
WIDE = 100_000  # the width of "as wide as it needs"


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(visible(text))


def _longest_word(text: str) -> int:
    return max((_cells(w) for w in text.split()), default=0)


def table_width(widths: list[int]) -> int:
    """Columns of these widths, padded and ruled as every report table is."""
    return sum(widths) + 3 * len(widths) + 1


@dataclass
class Layout:
    """How a cross-tab is printed: its parts (groups, and whether the summary columns come
    with them), the code column's width, and abbreviated group headers if any."""

    parts: list[tuple[list[GroupColumn], bool]]
    code_width: int
    short: dict[str, str]  # group name -> its abbreviation (empty: full headers)


def _cell_width(g: GroupColumn) -> int:
    return max([_cells(c) for c in g.cells] + [_cells(g.size)])


def abbreviations(groups: list[GroupColumn]) -> dict[str, str]:
    """A short header for each group whose name is wider than its figures: its initials
    ("social worker" -> "SW"), numbered where two would be the same."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for g in groups:
        if _cells(g.name) <= _cell_width(g) or g.name == MISSING:
            short = g.name
        else:
            words = re.findall(r"[^\W_]+", g.name)
            short = "".join(w[0] for w in words).upper()[:4] or "G"
            base, n = short, 2
            while short in taken or short in {x.name for x in groups}:
                short, n = f"{base}{n}", n + 1
        taken.add(short)
        out[g.name] = short
    return out


def plan(view: CrossView, width: int, wide: bool = False) -> Layout:
    """The most readable way to print a cross-tab within `width` columns."""
    code_natural = max(
        (2 * d + _cells(c) for c, d in zip(view.codes, view.depths, strict=True)), default=4
    )
    summary = [
        _cell_width(view.overall),
        max([_cells(p) for p in view.p] + [1]),
        max([_cells(q) for q in view.q] + [1]),
        1,
    ]
    groups = view.groups
    if wide:
        return Layout([(groups, True)], code_natural, {})
    code_fit = min(code_natural, CODE_MAX)
    full = [max(_cell_width(g), _longest_word(g.name)) for g in groups]
    rest = table_width([*full, *summary]) + 3  # + the code column's padding and rule
    if rest + code_fit <= width:
        return Layout([(groups, True)], code_fit, {})
    if width - rest >= CODE_MIN:
        return Layout([(groups, True)], width - rest, {})
    short = abbreviations(groups)
    narrow = [max(_cell_width(g), _cells(short[g.name])) for g in groups]
    rest = table_width([*narrow, *summary]) + 3
    if width - rest >= CODE_MIN:
        return Layout([(groups, True)], min(code_fit, width - rest), short)
    # Parts: a few groups each beside the code column, the summary in the first part.
    room = width - table_width(summary) - 3  # beside the summary columns
    code_width = max(CODE_MIN, min(code_fit, CODE_PARTS, room))
    first = table_width([code_width, *summary])
    later = table_width([code_width])
    with_summary = _fewest_parts(groups, full, first, later, width, summary=True)
    alone = _fewest_parts(groups, full, later, later, width, summary=False)
    if len(alone) + 1 <= len(with_summary):
        # As few parts either way: the summary on its own, the groups spread evenly.
        return Layout([([], True), *((g, False) for g, _ in alone)], code_width, {})
    return Layout(with_summary, code_width, {})


def _fewest_parts(
    groups: list[GroupColumn],
    widths: list[int],
    first: int,
    later: int,
    width: int,
    *,
    summary: bool,
) -> list[tuple[list[GroupColumn], bool]]:
    # One part per group always succeeds, so this ends by len(groups) + 1 parts.
    count = 1
    while True:
        parts = _split(groups, widths, count, first, later, width, summary=summary)
        if parts is not None:
            return parts
        count += 1


def _split(
    groups: list[GroupColumn],
    widths: list[int],
    count: int,
    first: int,
    later: int,
    width: int,
    *,
    summary: bool,
) -> list[tuple[list[GroupColumn], bool]] | None:
    """Groups in `count` parts of about equal size that fit in `width`, or None; with
    `summary`, the first part holds the summary columns too.

    A part holds at least one group (the first may hold none when the summary columns
    fill it), so a terminal too narrow for even that still shows every column.
    """
    parts: list[tuple[list[GroupColumn], bool]] = []
    i = 0
    for k in range(count):
        used = first if k == 0 else later
        left = count - k
        target = -(-(len(groups) - i) // left)  # an even share of what is left, rounded up
        current: list[GroupColumn] = []
        while i < len(groups) and len(current) < target:
            if used + widths[i] + 3 > width and (current or (k == 0 and summary)):
                break
            current.append(groups[i])
            used += widths[i] + 3
            i += 1
        parts.append((current, k == 0 and summary))
    if i < len(groups):
        return None
    return [p for p in parts if p[0] or p[1]]


def _code_cell(name: str, depth: int, width: int | None) -> str:
    indent = "  " * depth
    if width is None:
        return indent + name
    lines = textwrap.wrap(
        name,
        width=max(width, 2 * depth + 4),
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=True,
        break_on_hyphens=False,
    )
    return "\n".join(lines) or indent


def _rich_table(
    t: TextTable, code_width: int | None = None, widths: list[int] | None = None
) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(visible(t.title)),
        title_justify="left",
        caption=Text(visible(t.caption)) if t.caption else None,
        caption_justify="left",
        box=box.HEAVY_HEAD,
        padding=(0, 1),
    )
    muted = t.muted or [False] * len(t.headers)
    for i, (header, numeric) in enumerate(zip(t.headers, t.numeric, strict=True)):
        style = "dim" if muted[i] else ""
        if i == 0 and widths is not None:
            table.add_column(Text(visible(header)), width=code_width, no_wrap=True)
        elif widths is not None:
            table.add_column(
                Text(visible(header), style=style),
                justify="right" if numeric else "left",
                width=widths[i],
                no_wrap=True,
                style=style,
            )
        else:
            table.add_column(
                Text(visible(header)),
                justify="right" if numeric else "left",
                overflow="fold",
                min_width=22 if i == 0 else None,
                ratio=None if i else 1,
            )
    for row, depth in zip(t.rows, t.depths, strict=True):
        # Text() keeps comment text literal: no rich markup is read from survey answers,
        # and visible() keeps escape sequences in them from reaching the terminal.
        name = visible(row[0])
        first = Text(_code_cell(name, depth, code_width) if code_width else "  " * depth + name)
        first.stylize("" if depth else "bold")
        table.add_row(first, *(Text(visible(c)) for c in row[1:]))
    return table


def _header(name: str, size: str, width: int) -> str:
    lines = textwrap.wrap(name, width=max(width, 1), break_long_words=True) or [""]
    return "\n".join([*lines, size])


def crosstab_tables(view: CrossView, width: int, wide: bool = False) -> list[RenderableType]:
    """The cross-tab as one table or several parts, each within `width` columns, then its
    footnotes."""
    from rich.text import Text

    layout = plan(view, width, wide)
    out: list[RenderableType] = []
    count = len(layout.parts)
    summary_widths = [
        _cell_width(view.overall),
        max([_cells(p) for p in view.p] + [1]),
        max([_cells(q) for q in view.q] + [1]),
        1,
    ]
    for k, (groups, summary) in enumerate(layout.parts, start=1):
        names = [layout.short.get(g.name, g.name) for g in groups]
        if wide:
            widths = [max(_cells(n), _cell_width(g)) for n, g in zip(names, groups, strict=True)]
        else:
            widths = [
                max(_cell_width(g), _cells(n) if layout.short else _longest_word(n))
                for n, g in zip(names, groups, strict=True)
            ]
        shown = [
            GroupColumn(_header(n, "", w).rstrip("\n"), g.n, g.small, g.cells)
            for n, g, w in zip(names, groups, widths, strict=True)
        ]
        t = view.table(shown, summary=summary)
        if count > 1:
            by = view.title.split(":", 1)[0]
            t.title = f"{view.title}, part 1 of {count}" if k == 1 else f"{by}, part {k} of {count}"
        t.caption = ""
        all_widths = [0, *widths, *(summary_widths if summary else [])]
        out.append(_rich_table(t, None if wide else layout.code_width, all_widths))
    notes = list(view.footnotes)
    if layout.short:
        notes.append(
            "Groups: " + ", ".join(f"{s} = {n}" for n, s in layout.short.items() if s != n)
        )
    out.append(Text(visible("\n".join(notes))))
    return out


def report_tables(report: Report, width: int, wide: bool = False) -> list[RenderableType]:
    out: list[RenderableType] = []
    for t in tables(report):
        if t.title.startswith("By ") and report.crosstab is not None:
            out += crosstab_tables(crosstab_view(report, report.crosstab), width, wide)
        else:
            out.append(_rich_table(t))
    return out


def console_for(file: IO[str] | None, width: int | None, wide: bool) -> Console:
    from rich.console import Console

    return Console(file=file, width=WIDE if wide else width, highlight=False)


def terminal(
    report: Report, file: IO[str] | None = None, width: int | None = None, wide: bool = False
) -> None:
    from rich.text import Text

    console = console_for(file, width, wide)
    head = heading(report)
    console.print(Text(visible(head[0]), style="bold"))
    for line in head[1:]:
        console.print(Text(visible(line)))
    for table in report_tables(report, console.width, wide):
        console.print()
        console.print(table)
    console.print()
    for note in report.notes():
        console.print(Text(visible(note), style="dim"))
