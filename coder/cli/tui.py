"""The command that opens the coding workbench."""

from __future__ import annotations

import getpass
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.cli.common import cli, default_coder, opened, project_argument
from coder.errors import CoderError

if TYPE_CHECKING:
    from coder.store import Store

MAX_CODER_NAME = 100


def _login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown"


def check_coder_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise CoderError("the coder name is empty; give one with --coder NAME")
    if len(name) > MAX_CODER_NAME:
        raise CoderError(f"the coder name is longer than {MAX_CODER_NAME} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise CoderError("the coder name contains control characters")
    return name


def resolve_coder(store: Store, given: str | None) -> str:
    """--coder, else $CODER_NAME, else the name this login last used on this project, else
    the login name; remembered in the project for this login."""
    key = f"coder_name:{_login()}"
    remembered = store.meta.get(key)
    name = check_coder_name(given or os.environ.get("CODER_NAME") or remembered or default_coder())
    if name != remembered:
        store.meta.set(key, name)
    return name


def open_tui(project: Path, coder: str | None) -> None:
    """Open the coding workbench on a project file."""
    from coder.tui.keys import load_settings

    settings = load_settings()  # a broken keys file is reported before the screen opens
    with opened(project) as store:
        name = resolve_coder(store, coder)
    from coder.tui.app import CoderApp

    CoderApp(project, name, settings).run()
    click.echo(f"{name}'s coding is saved in {project}")


@cli.command()
@project_argument
@click.option(
    "--coder",
    "coder",
    metavar="NAME",
    help="Your name as a coder (default: $CODER_NAME, else the name you used last time on "
    "this project, else your login name).",
)
def tui(project: Path, coder: str | None) -> None:
    """Open the coding workbench on a project: code comments from the keyboard.

    Keys: 1-9 toggle a code, j/k move, n next uncoded, a/x accept/reject suggestions,
    u undo, / search, f filter, m memo, v code a segment, t train, ? help, q quit.
    """
    open_tui(project, coder)
