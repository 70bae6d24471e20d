"""What every command shares: the group, the project argument, the coder name."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder import __version__

if TYPE_CHECKING:
    from coder.store import Store


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="coder")
def cli() -> None:
    """coder: code free-text survey comments, fast, with suggestions learnt from your coding.

    Everything lives in one SQLite project file. Start with `coder demo`, or
    `coder init project.db --codebook codebook.yaml` then `coder import`.
    """


project_argument = click.argument(
    "project", type=click.Path(dir_okay=False, path_type=Path), metavar="PROJECT.db"
)


def default_coder() -> str:
    """The coder's name when none is given: $CODER_NAME, else the login name."""
    name = os.environ.get("CODER_NAME")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "coder"


@contextmanager
def opened(path: Path) -> Iterator[Store]:
    """Open a project for a command and close it afterwards."""
    from coder.store import open_project

    store = open_project(path)
    try:
        yield store
    finally:
        store.close()
