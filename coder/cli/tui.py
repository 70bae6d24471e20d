"""The command that opens the coding workbench."""

from __future__ import annotations

from pathlib import Path

import click

from coder.cli.common import cli, opened, project_argument


def open_tui(project: Path, coder: str | None) -> None:
    """Open the coding screen (until the TUI exists: print the project's status)."""
    from coder.cli.project import status

    click.get_current_context().invoke(status, project=project)


@cli.command()
@project_argument
@click.option(
    "--coder",
    "coder",
    metavar="NAME",
    help="Your name as a coder (default: remembered per project, else login name).",
)
def tui(project: Path, coder: str | None) -> None:
    """Open the coding workbench on a project."""
    with opened(project):
        pass
    open_tui(project, coder)
