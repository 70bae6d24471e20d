"""The command that opens the coding workbench."""

from __future__ import annotations

import getpass
import os
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coder.cli.common import cli, default_coder, opened, project_argument
from coder.cli.output import echo
from coder.domain import CONSENSUS_CODER, CommentFilter
from coder.errors import CoderError
from coder.text import shown

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


def open_tui(project: Path, coder: str | None, consensus: bool = False) -> None:
    """Open the coding workbench on a project file; as coder `consensus`, on the comments
    whose coders disagree and are not settled yet."""
    from coder.tui.keys import load_settings

    settings = load_settings()  # a broken keys file is reported before the screen opens
    with opened(project) as store:
        if consensus and coder not in (None, CONSENSUS_CODER):
            raise CoderError(f"--consensus codes as coder {CONSENSUS_CODER!r}: leave out --coder")
        name = CONSENSUS_CODER if consensus else resolve_coder(store, coder)
    check_terminal()
    from coder.tui.app import CoderApp

    where = CommentFilter(disagreement=True, unsettled=True) if consensus else None
    app = CoderApp(project, name, settings, where)
    app.run()
    if app.return_code:
        raise CoderError(
            f"the workbench stopped on an error; everything it showed as coded is saved in "
            f"{project}"
        )
    if app.unsaved:
        count = len(app.unsaved)
        raise CoderError(
            f"{count} change{'s' if count != 1 else ''} could not be saved "
            f"({shown(app.unsaved[-1])}) and {'were' if count != 1 else 'was'} not shown as "
            f"coded; everything shown as coded is saved in {project}"
        )
    echo(f"{shown(name)}'s coding is saved in {project}")


def check_terminal() -> None:
    """The workbench draws on a terminal and reads its keys: refuse at once without one."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CoderError(
            "coder tui needs a terminal to draw on and read keys from; run it in a terminal "
            "window (for output to a file or a pipe, use coder status, report or export)"
        )


@cli.command()
@project_argument
@click.option(
    "--coder",
    "coder",
    metavar="NAME",
    help="Your name as a coder (default: $CODER_NAME, else the name you used last time on "
    "this project, else your login name).",
)
@click.option(
    "--consensus",
    is_flag=True,
    help="Settle disagreements: code as coder 'consensus' (the agreed coding that reports "
    "and training prefer), starting on the comments coders disagree on and nobody settled.",
)
def tui(project: Path, coder: str | None, consensus: bool) -> None:
    """Open the coding workbench on a project: code comments from the keyboard.

    Keys: 1-9 toggle a code, j/k move, n next uncoded, a/x accept/reject suggestions,
    u undo, / search, f filter, m memo, v code a segment, t train, ? help, q quit.
    Where several coders coded a comment, their codes show side by side.
    """
    open_tui(project, coder, consensus)
