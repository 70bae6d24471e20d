"""Commands for coding as a team: sample, agreement, merge."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.common import cli, opened, project_argument
from coder.cli.output import echo


@cli.command()
@project_argument
@click.option("--fraction", type=float, metavar="F", help="Sample this share of comments (0-1].")
@click.option("--n", "n", type=int, metavar="N", help="Sample this many comments.")
@click.option("--coder", "coder", required=True, metavar="NAME", help="Who the sample is for.")
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="The random seed; the same seed draws the same sample, so give two coders the same.",
)
@click.option("--question", metavar="Q", help="Sample only the comments answering this question.")
def sample(
    project: Path,
    fraction: float | None,
    n: int | None,
    coder: str,
    seed: int,
    question: str | None,
) -> None:
    """Assign a random sample of comments to a coder, for double coding.

    \b
    The sample is stratified by question: each question gives its share of comments
    (rounded so that the shares add up). The same project and --seed always draw the
    same sample, so sampling for two coders with the same seed (the default is 0) has
    them code the same comments. Assigning a comment twice changes nothing. Once they
    have coded it, `coder agreement` compares them. (The workbench's filter "assigned to
    me" and its progress in the status line are still to come.)
    """
    from coder.questions import resolve_question
    from coder.sampling import assign_sample

    with opened(project) as store:
        result = assign_sample(
            store,
            coder,
            fraction=fraction,
            n=n,
            seed=seed,
            question_id=resolve_question(store, question),
        )
        progress = store.assignments.progress(coder)
    parts = ", ".join(
        f"{count} from {name or '(no question)'}" for name, count in result.by_question.items()
    )
    echo(f"drew {result.drawn} comments with seed {result.seed}: {parts}")
    already = result.drawn - result.added
    note = f" ({already} of them were assigned already)" if already else ""
    echo(f"assigned {result.added} comments to {coder}{note}")
    if progress:
        echo(f"{coder} has coded {progress[0]} of the {progress[1]} comments assigned to them")


_AGREEMENT_HELP = """Inter-coder agreement, code by code and overall.

\b
Measured on the comments coded by at least two of the chosen coders (default: every
coder except `consensus`, the agreed coding). On each such comment a coder either
applied a code or did not; a coder who coded nothing on it has no value there. A
sub-code counts for itself, and a parent is also reported rolled up, "(with sub-codes)":
present when the parent or any code below it was applied. Segments count the comment.

\b
For each code: comments compared; percent agreement (the share of agreeing pairs of
coders, averaged over comments; for two coders, the share of comments they agree on);
Cohen's kappa (exactly two coders); Fleiss' kappa (three or more, each coding every
comment); Krippendorff's alpha (nominal; any number of coders, missing values allowed).
A code with no variation (nobody applied it, or everybody everywhere) has no kappa or
alpha and is reported as such. The last row, ALL, pools every comment and code as one
unit each, and gives beside the pooled alpha the mean of the codes' alphas
(alpha_mean_over_codes, codes with no variation left out).

\b
CSV columns: code, comments, percent_agreement (0-100), cohen_kappa,
krippendorff_alpha, fleiss_kappa, alpha_mean_over_codes, rolled_up, note.
"""


@cli.command(help=_AGREEMENT_HELP, short_help="Inter-coder agreement per code and overall.")
@project_argument
@click.option("--coders", metavar="A,B,...", help="The coders to compare (default: all).")
@click.option("--code", "code", metavar="NAME", help="Only this code (and its sub-codes).")
@click.option("--question", metavar="Q", help="Only the comments answering this question.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "md"]),
    help="Output format (default: from --out's suffix, else table).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE instead of the terminal.",
)
def agreement(
    project: Path,
    coders: str | None,
    code: str | None,
    question: str | None,
    fmt: str | None,
    out: Path | None,
) -> None:
    from coder.agreement import agreement as measure
    from coder.cli.agreement_output import render
    from coder.errors import CoderError
    from coder.files import check_output, is_stdout, write_text_atomically
    from coder.questions import resolve_question

    if is_stdout(out):
        out = None
    if fmt is None:
        suffix = out.suffix.lower() if out else ""
        fmt = {".csv": "csv", ".md": "md"}.get(suffix, "table" if out is None else "")
        if not fmt:
            raise CoderError(f"cannot tell the format from {out}: give --format table, csv or md")
    check_output(out)
    with opened(project) as store:
        report = measure(
            store,
            coders.split(",") if coders else None,
            code=code,
            question_id=resolve_question(store, question),
            question=question,
        )
    text = render(report, fmt)
    if out is None:
        echo(text.rstrip("\n"))
    else:
        written = write_text_atomically(out, text)
        echo(f"wrote {written}", err=True)


@cli.command()
@project_argument
@click.argument(
    "others",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OTHER.db...",
)
def merge(project: Path, others: tuple[Path, ...]) -> None:
    """Bring other copies' coding into PROJECT.db: codings, segments, memos, assignments,
    and the codes only they have.

    \b
    Comments are matched by id and text, codes by stable id where the files have one,
    else by path. A merge only adds: nothing in PROJECT.db is changed or removed, so no
    coder's work is overwritten with another's, and merging again adds nothing. What
    cannot come in is named: comments missing here or with another text (their work is
    left out), codes only one side has, memos that differ (this copy's is kept), codings
    someone removed here (they stay removed) or removed there (they stay here).
    Everything is written in one transaction: all of it, or nothing. The other copies
    are only read (one written by an older coder is first brought up to date, as
    opening any project file does).
    """
    from coder.merge import merge_copies, open_copies

    copies = open_copies(project, list(others))
    try:
        with opened(project) as store:
            summaries = merge_copies(store, copies)
    finally:
        for copy in copies:
            copy.close()
    for s in summaries:
        name = Path(s.source).name
        if not s.anything:
            echo(f"{name}: nothing new (everything in it is here already)")
        else:
            by = f" by {', '.join(s.coders)}" if s.coders else ""
            segments = f" ({s.segments} of them segments)" if s.segments else ""
            echo(
                f"{name}: merged {s.codings} codings{by}{segments}, {s.memos} memos, "
                f"{s.assignments} assignments"
            )
            if s.new_coders:
                echo(f"  new coders: {', '.join(s.new_coders)}")
            if s.codes_added:
                echo(f"  new codes: {', '.join(s.codes_added)}")
        for line in s.conflicts.lines():
            echo(f"  conflict: {line}")
