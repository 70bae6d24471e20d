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
    them code the same comments. Assigning a comment twice changes nothing. In the
    workbench, the filter "assigned to me" shows the sample and the status line the
    progress on it; `coder agreement` compares the coders once they have coded it.
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

