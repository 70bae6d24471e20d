"""Everything the command line prints goes through here, made safe for the terminal.

Names, descriptions and comments come from other people's files; `echo` makes any control
or escape character in them visible instead of letting the terminal obey it.
"""

from __future__ import annotations

import click

from coder.text import clip, visible

MAX_ERROR = 1000  # characters of an error line; a 10 MB name is not repeated back


def echo(text: object = "", *, err: bool = False) -> None:
    """Print a line (or lines) with every control character made visible."""
    click.echo(visible(str(text)), err=err)


def error_line(message: object) -> str:
    """An error as one safe line of bounded length."""
    return clip(visible(str(message), one_line=True), MAX_ERROR)
