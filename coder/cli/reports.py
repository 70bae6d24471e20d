"""Commands for leads: report and export."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.common import cli, opened, project_argument
from coder.cli.output import echo

_REPORT_HELP = """Theme frequencies, cross-tabs, co-occurrence and quotes, as figures a lead can quote.

\b
For each code: comments coded, % of coded comments, respondents, % of coded respondents.
Which codings count:
  - by default, every coding a person made (manual, accepted suggestions, imported), by any
    coder; --coder NAME: only that coder's;
  - --consensus: the agreed coding (coder 'consensus', set in `coder tui --consensus`)
    where there is one; elsewhere a comment counts for a code only if every coder who
    coded that comment applied it (a comment coded by one coder counts as that coder's);
  - --include-suggestions adds the latest model's pending suggestions;
  - a segment coding counts the whole comment as coded with that code.
Sub-codes are listed and also rolled up into their parents: a comment counts once for
"Emotional impact" whether it has the parent, "Emotional impact > Worry", or both.
"% of coded comments" is of the comments with at least one counted coding (within
--question); "% of respondents" is of the respondents with at least one; a respondent
counts once per code. The last row, "(all coded)", gives these bases.

\b
--by ATTR adds, per group (value of ATTR; "(missing)" for respondents without one),
counts and column percentages, and a test of whether the share of respondents with the
code differs between groups: Pearson chi-square, or Fisher's exact test for two groups
with an expected count below 5. q is p adjusted for testing every code at once
(Benjamini-Hochberg); "*" / significant=yes where q < 0.05. Groups with fewer than 5
coded respondents are shown greyed and left out of the test. A numeric or date
attribute with more than 10 different values is grouped into quartiles (--bins EDGES for
your own edges, --bins none for every value). In the terminal a wide cross-tab is
wrapped, abbreviated or split into parts to fit; --wide prints it whole.

\b
Formats: table (terminal), csv and md (standard output, or --out), xlsx (one sheet per
table; needs --out), html (one self-contained file with charts; opens with no network).
CSV columns: code, comments, comments_pct, respondents, respondents_pct, depth, theme,
then with --by for each group G: comments:G, comments_pct:G, respondents:G,
respondents_pct:G, and test, statistic, dof, p_value, q_value (Benjamini-Hochberg),
significant, note, groups_tested. With --out FILE.csv, co-occurrence and quotes go to
FILE.cooccurrence.csv and FILE.quotes.csv. In CSV, text starting with = + - @ gets a
leading ' so spreadsheets never run it as a formula; in xlsx it is stored as text.
"""


@cli.command(help=_REPORT_HELP, short_help="Theme frequencies, cross-tabs, co-occurrence, quotes.")
@project_argument
@click.option("--by", "by", metavar="ATTR", help="Cross-tab by this respondent attribute.")
@click.option(
    "--bins",
    metavar="EDGES",
    help="Group a numeric or date --by attribute at these edges (--bins 2,5,10: under 2, "
    "2 to under 5, 5 to under 10, 10 or more); 'none' keeps every value. Default: quartiles "
    "when it has more than 10 different values.",
)
@click.option("--question", metavar="Q", help="Only the comments answering this question.")
@click.option("--coder", "coder", metavar="NAME", help="Only this coder's codings.")
@click.option(
    "--consensus",
    is_flag=True,
    help="The agreed coding (coder 'consensus') where set, else only codes every coder of "
    "a comment applied.",
)
@click.option(
    "--include-suggestions", is_flag=True, help="Count the latest model's pending suggestions."
)
@click.option(
    "--wide",
    is_flag=True,
    help="Print each table whole, however wide, instead of fitting the terminal (for a pipe "
    "or `less -S`).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "xlsx", "md", "html"]),
    help="Output format (default: from --out's suffix, else table).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE instead of the terminal ('-': standard output). A link is followed; "
    "a device, pipe, folder or project file is refused.",
)
@click.option(
    "--quotes",
    "n_quotes",
    type=click.IntRange(min=0),
    metavar="N",
    help="Exemplar quotes per code (default: 3 in html and xlsx, else none).",
)
@click.option(
    "--cooccurrence/--no-cooccurrence",
    default=None,
    help="Co-occurrence of codes, counts and Jaccard (default: on in html and xlsx).",
)
def report(
    project: Path,
    by: str | None,
    bins: str | None,
    question: str | None,
    coder: str | None,
    consensus: bool,
    include_suggestions: bool,
    wide: bool,
    fmt: str | None,
    out: Path | None,
    n_quotes: int | None,
    cooccurrence: bool | None,
) -> None:
    from coder.errors import CoderError
    from coder.files import check_output, is_stdout
    from coder.report.bins import BinSpec
    from coder.report.build import ReportOptions, build_report
    from coder.report.data import Selection
    from coder.report.formats import format_for, write_report

    if coder and consensus:
        raise CoderError("choose either --coder or --consensus, not both")
    if bins is not None and by is None:
        raise CoderError("--bins groups the attribute of --by; add --by ATTR")
    if is_stdout(out):
        if fmt is None:
            raise CoderError("with --out - (standard output) say which --format")
        out = None
    fmt = format_for(fmt, out)
    if fmt == "xlsx" and out is None:
        raise CoderError("--format xlsx needs a file: add --out FILE.xlsx")
    check_output(out)
    full = fmt in {"html", "xlsx"}
    options = ReportOptions(
        selection=Selection(question, coder, consensus, include_suggestions),
        by=by,
        bins=BinSpec.parse(bins),
        quotes=(3 if full else 0) if n_quotes is None else n_quotes,
        cooccurrence=full if cooccurrence is None else cooccurrence,
        agreement=fmt == "html",
    )
    with opened(project) as store:
        built = build_report(store, options)
    written = write_report(built, fmt, out, wide=wide)
    for path in written:
        echo(f"wrote {path}", err=True)


@cli.command()
@project_argument
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.option("--coder", "coder", metavar="NAME", help="Only this coder's codings.")
@click.option("--question", metavar="Q", help="Only the comments answering this question.")
@click.option(
    "--include-suggestions",
    is_flag=True,
    help="Add the latest model's pending suggestions (column `suggestions`, and in the codes).",
)
@click.option(
    "--no-bom",
    is_flag=True,
    help="Start a CSV without the byte order mark Excel needs to read accents (for tools "
    "that do not expect one).",
)
def export(
    project: Path,
    file: Path,
    coder: str | None,
    question: str | None,
    include_suggestions: bool,
    no_bom: bool,
) -> None:
    """Write the coded data set to FILE.csv, FILE.xlsx or FILE.jsonl, one row a comment;
    or the whole project to FILE.qdpx for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    \b
    Columns: comment_id, respondent_id, question, text, codes ("; "-separated code paths,
    "Parent > Child" for a sub-code), then one column per respondent attribute, coders,
    and one 0/1 column per code named by its path (a parent's column is 1 when the comment
    has the parent or any sub-code, so column sums match `coder report`). Every comment is
    exported, coded or not; suggestions only with --include-suggestions.

    \b
    Segments (coded spans: code, coder, origin, start, end, segment text) go to the sheet
    "Segments" in xlsx, else to FILE.segments.csv or FILE.segments.jsonl beside FILE.

    \b
    A CSV is UTF-8 starting with a byte order mark, so Excel on Windows opens it with
    accents intact (pandas, readr, SPSS and LibreOffice read the mark too; Python's csv
    module with encoding="utf-8-sig"); --no-bom leaves it out.

    \b
    Formula safety: in CSV, a cell starting with = + - @ gets a leading ' so Excel or
    LibreOffice show it as text and never run it; in xlsx such cells are stored as text.
    JSON Lines is written as it is (no spreadsheet reads it).

    \b
    FILE.qdpx (REFI-QDA): the codebook, coders as users, each comment a text source,
    every coding a selection with exact positions, memos as notes, respondents as cases
    with their attributes, questions as sets of sources. See the README's Interchange
    section. --coder, --question and --include-suggestions do not apply to it.
    """
    if file.suffix.lower() == ".qdpx":
        from coder.errors import CoderError
        from coder.interchange.qdpx_export import write_qdpx

        if coder or question or include_suggestions:
            raise CoderError("a .qdpx holds the whole project: drop --coder, --question and "
                             "--include-suggestions")  # fmt: skip
        with opened(project) as store:
            summary = write_qdpx(store, file)
        echo(f"wrote {file}: {summary.done_line()}")
        for line in summary.lines():
            echo(f"note: {line}")
        return
    from coder.report.export import write_export

    with opened(project) as store:
        written = write_export(
            store,
            file,
            coder=coder,
            question=question,
            include_suggestions=include_suggestions,
            bom=not no_bom,
        )
    for path in written:
        echo(f"wrote {path}")
