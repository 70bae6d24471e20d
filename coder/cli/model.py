"""Commands for the suggestion model: train, suggest, evaluate."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.cli.common import cli, opened, project_argument
from coder.cli.output import echo
from coder.errors import CoderError
from coder.files import check_output, is_stdout
from coder.progress import Progress
from coder.text import counted, shown

if TYPE_CHECKING:
    from coder.model_card import CodeMetrics, SkippedCode

FEATURE_CHOICES = ["tfidf", "tfidf+embeddings"]  # as coder.suggest.FEATURE_SETS, kept light

features_option = click.option(
    "--features",
    type=click.Choice(FEATURE_CHOICES),
    help="tfidf, or tfidf+embeddings with the embeddings extra (default: the best installed).",
)


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress | None]:
    """A progress bar on stderr fed with (message, fraction); none unless stderr is a terminal."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TaskProgressColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)
        yield lambda message, fraction: bar.update(
            task, description=escape(shown(message)), completed=fraction
        )


def _metrics_table(rows: Sequence[CodeMetrics], show_threshold: bool) -> None:
    """Per-code precision, recall, F1, support and tier, with macro and micro averages after.
    A code too rare to measure shows dashes: it is still learnt and suggested."""
    width = max([len("code")] + [len(m.path) for m in rows])
    head = f"{'code':<{width}}  precision  recall     F1  support"
    echo(head + ("  threshold" if show_threshold else "") + "  tier")
    for m in rows:
        if m.measured:
            figures = f"{m.precision:9.2f}  {m.recall:6.2f}  {m.f1:5.2f}"
        else:
            figures = f"{'-':>9}  {'-':>6}  {'-':>5}"
        line = f"{m.path:<{width}}  {figures}  {m.support:7d}"
        if show_threshold:
            line += f"  {m.threshold:9.2f}" if not math.isnan(m.threshold) else f"  {'':9}"
        echo(f"{line}  {m.tier}")


def _averages(macro: float, micro: float) -> None:
    echo(f"macro-F1 {macro:.2f} (every code counts the same), micro-F1 {micro:.2f}")


def _skipped(skipped: Sequence[SkippedCode]) -> None:
    if skipped:
        echo("not suggested:")
        for s in skipped:
            echo(f"  {s.path}: {s.reason}")


def _unsure(per_code: Sequence[CodeMetrics]) -> None:
    """Name the codes suggested in the unsure tier, with what is known of them."""
    from coder.model_card import UNSURE_F1

    weak = [m for m in per_code if m.unsure]
    if weak:
        echo(
            f"suggested as unsure (cross-validated F1 below {UNSURE_F1:.2f}, or too few "
            "examples to measure; code more examples):"
        )
        for m in weak:
            if m.measured:
                echo(f"  {m.path}: precision {m.precision:.2f}, F1 {m.f1:.2f}")
            elif m.support:
                examples = f"{m.support} coded example{'s' if m.support != 1 else ''}"
                echo(f"  {m.path}: {examples}, too few to measure; suggested all the same")
            else:
                echo(f"  {m.path}: no coded examples; learnt from its definition")


@cli.command()
@project_argument
@features_option
@click.option(
    "--budget",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Stop the search for settings after this long (the first is always tried); "
    "without it the whole fixed plan runs, so the same coding always gives the same model.",
)
@click.option(
    "--no-codebook",
    is_flag=True,
    help="Learn from the coding only, not from the codebook's definitions and examples.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def train(
    project: Path, features: str | None, budget: float | None, no_codebook: bool, quiet: bool
) -> None:
    """Learn to suggest codes from the coding done so far; stores a new model version.

    Every person's coding counts (by hand, accepted suggestions, imported), and the
    codebook's definitions and examples too. Prints each code's cross-validated precision,
    recall, F1 and support and its tier (codes the model is weak on are suggested as
    unsure), and names the codes it cannot suggest.
    """
    from coder.suggest import train as train_model

    with opened(project) as store, _progress(quiet) as progress:
        report = train_model(
            store,
            features=features,
            progress=progress,
            budget=budget,
            codebook=not no_codebook,
        )
    card = report.card
    coders = f" by {', '.join(card.coders)}" if card.coders else ""
    folds = f", {card.folds}-fold cross-validation" if card.folds else ", not cross-validated"
    echo(
        f"model v{report.version}: learnt from {card.training_size} coded comments{coders}"
        f"; {card.features} features; logistic regression ({card.config.describe()}){folds}"
    )
    if card.codebook_examples:
        echo(f"and from {card.codebook_examples} definitions and examples in the codebook")
    if note := card.search_note():
        echo(note)
    if report.shared_comments:
        echo(
            f"{counted(report.shared_comments, 'comment')} "
            f"{'was' if report.shared_comments == 1 else 'were'} coded by more than one person and they "
            f"disagreed on {report.disagreements} comment-code pairs: {card.disagreement_rule}"
        )
    else:
        echo(f"no comment was coded by two people (where they are: {card.disagreement_rule})")
    if report.settled:
        echo(
            f"{counted(report.settled, 'comment')} settled by consensus: on "
            f"{'it' if report.settled == 1 else 'them'} only the agreed coding (coder "
            "'consensus') was learnt from, not the coders' own"
        )
    echo(card.parent_rule)
    for rule in card.rules():
        echo(f"{rule} (chosen by cross-validation)")
    echo()
    _metrics_table(report.per_code, show_threshold=True)
    _averages(report.macro_f1, report.micro_f1)
    _skipped(report.skipped)
    _unsure(report.per_code)
    echo(f"\nnext: coder suggest {project}")


@cli.command()
@project_argument
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.csv",
    help="Also write the suggestions to CSV ('-': standard output): comment_id, code, "
    "probability, text, explanation, model_version, tier (confident or unsure), "
    "code_precision (the code's cross-validated precision; empty if not measured).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def suggest(project: Path, out: Path | None, quiet: bool) -> None:
    """Suggest codes for every comment nobody has coded yet, with the latest model.

    Every code the model learnt is suggested; those it is weak on in the unsure tier,
    after the confident ones. Suggestions wait for a person to accept or reject them; a
    rejected one is not made again. Also ranks the uncoded comments by how much coding them would teach the model
    (the workbench's "next" follows that order).
    """
    from coder.suggest import export_suggestions
    from coder.suggest import suggest as suggest_codes

    check_output(out)
    to_stdout = is_stdout(out)
    with opened(project) as store:
        with _progress(quiet) as progress:
            report = suggest_codes(store, progress=progress)
        rows = export_suggestions(store, out, report.version) if out else 0

    def say(text: str) -> None:  # the CSV has standard output to itself when asked for
        echo(text, err=to_stdout)

    say(
        f"model v{report.version} scored {report.scored} uncoded comments: "
        f"{report.suggestions} suggestions for {report.comments_with_suggestions} of them"
    )
    for path, count in sorted(report.per_code.items(), key=lambda kv: (-kv[1], kv[0])):
        tier = "  (unsure)" if path in report.unsure else ""
        say(f"  {count:6d}  {shown(path)}{tier}")
    if report.unsure:
        unsure = sum(report.unsure.values())
        say(f"{unsure} of the suggestions are unsure: of codes the model is weak on")
    if report.prioritised:
        say(f"ranked {report.prioritised} comments by how useful coding them would be")
    if report.coded_since_training:
        say(
            f"{counted(report.coded_since_training, 'comment')} "
            f"{'was' if report.coded_since_training == 1 else 'were'} coded after this model was trained; "
            f"run coder train {project} to learn from them"
        )
    if out and not to_stdout:
        say(f"wrote {rows} suggestions to {out}")


@cli.command()
@project_argument
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.png",
    help="Where to save the learning curve (default: PROJECT-learning-curve.png beside it).",
)
@features_option
@click.option(
    "--folds",
    type=click.IntRange(2, 10),
    help="Cross-validation folds (default: 5, or 3 beyond 4,000 coded comments, as in training).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def evaluate(
    project: Path, plot: Path | None, features: str | None, folds: int | None, quiet: bool
) -> None:
    """How good suggestions are per code, and whether more coding would help.

    Cross-validates on the project's own coding, and draws the learning curve: F1 on
    held-out comments against how many coded comments the model learnt from. Changes
    nothing in the project.
    """
    from coder.suggest.evaluation import evaluate as evaluate_model
    from coder.suggest.evaluation import plot_learning_curve

    plot = plot or project.with_name(f"{project.stem}-learning-curve.png")
    if is_stdout(plot):
        raise CoderError("--plot needs a file name: a PNG cannot go to the terminal")
    check_output(plot)
    with opened(project) as store:
        name = store.meta.get("name") or project.stem
        with _progress(quiet) as progress:
            report = evaluate_model(store, features=features, progress=progress, folds=folds)
    plot_learning_curve(report, plot, f"Learning curve: {name}")
    echo(
        f"{report.training_size} coded comments, {report.features} features, "
        f"{report.config.describe()}, {report.folds}-fold cross-validation\n"
    )
    _metrics_table(report.per_code, show_threshold=False)
    _averages(report.macro_f1, report.micro_f1)
    _skipped(report.skipped)
    _unsure(report.per_code)
    echo("\nlearning curve (F1 on held-out comments):")
    echo(f"{'coded':>7}  macro-F1  micro-F1")
    for point in report.curve:
        echo(
            f"{point.coded:7d}  {point.macro_f1:5.2f} ±{point.macro_sd:.2f}"
            f"  {point.micro_f1:5.2f} ±{point.micro_sd:.2f}"
        )
    echo(report.verdict)
    echo(f"wrote {plot}")
