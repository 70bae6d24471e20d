"""The `coder` command: thin commands over the domain layer.

Importing this module must stay cheap (no textual, spacy or scikit-learn), so that
`coder --help` answers at once; commands import what they need when they run.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

# Each module adds its commands to `cli`.
from coder.cli import codebook_edit as _codebook_edit  # noqa: E402, F401
from coder.cli import discover as _discover  # noqa: E402, F401
from coder.cli import maintenance as _maintenance  # noqa: E402, F401
from coder.cli import model as _model  # noqa: E402, F401
from coder.cli import project as _project  # noqa: E402, F401
from coder.cli import reports as _reports  # noqa: E402, F401
from coder.cli import team as _team  # noqa: E402, F401
from coder.cli import tui as _tui  # noqa: E402, F401
from coder.cli.common import cli
from coder.cli.output import error_line
from coder.errors import CoderError

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every failure is one line on stderr and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="coder", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `coder`: help, not an error
        click.echo(exc.ctx.get_help() if exc.ctx else "coder --help")
        sys.exit(0)
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "coder"
        _fail(f"{exc.format_message()} (see: {command} --help)", exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except click.exceptions.Abort as exc:
        # Ctrl-C in a command reaches us as Abort; a note on the interruption says what
        # was kept after all (a colleague's work on an import's comments).
        kept = getattr(exc.__cause__, "__notes__", None)
        click.echo(f"Interrupted; {'; '.join(kept)}." if kept else "Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt as exc:
        kept = "; ".join(getattr(exc, "__notes__", ())) or "nothing half-written was kept"
        click.echo(f"Interrupted; {kept}.", err=True)
        sys.exit(130)
    except CoderError as exc:
        _fail(exc, 1)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)
    except RecursionError:
        _fail("the input is nested too deeply to read", 1)
    except MemoryError:
        _fail("not enough memory for this input", 1)
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("CODER_DEBUG"):
            raise
        if type(exc).__module__ == "sqlite3":
            _fail(f"the project file could not be used ({exc})", 1)
        _fail(f"unexpected {type(exc).__name__}: {exc} (set CODER_DEBUG=1 to see where)", 2)


def _fail(message: object, code: int) -> NoReturn:
    click.echo(f"error: {error_line(message)}", err=True)
    sys.exit(code)
