"""Commands that look after the project file itself: backup and repair."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.common import cli, project_argument
from coder.cli.output import echo


@cli.command()
@project_argument
@click.argument("dest", type=click.Path(path_type=Path), metavar="DEST")
def backup(project: Path, dest: Path) -> None:
    """Copy PROJECT.db to DEST (a file name or a folder), safely while others work on it.

    The copy is made through SQLite's online backup, so it is consistent even while
    coders keep coding; it is one self-contained file. An existing DEST is never replaced.
    """
    from coder.store.repair import backup as copy

    written = copy(project, dest)
    echo(f"backed up {project} to {written}")


@cli.command()
@project_argument
def repair(project: Path) -> None:
    """Make a damaged or tampered project file safe to open again.

    \b
    First copies the file to PROJECT.before-repair-DATE.db beside it. Then removes
    triggers, views and indexes coder did not create; puts back coder's own definitions
    where they were changed (rows that break them are counted and left out); rebuilds the
    full-text index; moves codes whose parents form a loop to the top level; clears
    colours, example lists and explanations that are not what they claim; removes rows
    that point at nothing. Prints everything it did.
    """
    from coder.store.repair import repair as mend

    report = mend(project)
    echo(f"copied {project} to {report.backup} first")
    if not report.done:
        echo("nothing needed repair")
    for line in report.done:
        echo(f"  {line}")
