"""Writing output files safely: whole or not at all, and cells no spreadsheet runs as formulas.

A comment such as "=HYPERLINK(...)" or "-2 staff" in a CSV would be run (or mangled) as a
formula when the file is opened in Excel or LibreOffice. In CSV such a cell gets a leading
apostrophe, which spreadsheet programs hide and read as "this is text"; in xlsx the cell is
stored with the text type and Excel's quote-prefix style, so its value is unchanged.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from coder.errors import CoderError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: object) -> bool:
    """Text a spreadsheet would take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def guard_text(value: object) -> object:
    """The CSV form of a cell: risky text gets a leading apostrophe."""
    return "'" + value if isinstance(value, str) and is_risky(value) else value


STDOUT = "-"  # an output file name that means standard output, where a format allows it
_SQLITE_HEADER = b"SQLite format 3\x00"
_PROJECT_ID = (0x436F6452).to_bytes(4, "big")  # the application id every project file carries


def is_stdout(path: Path | str | None) -> bool:
    return path is not None and str(path) == STDOUT


def output_target(path: Path | str) -> Path:
    """Where writing `path` will really go, refusing what must not be replaced.

    A symbolic link is followed: the file it points to is written and the link stays a
    link. The target must be a regular file or not exist yet; a device, a pipe, a socket
    or a folder is refused (replacing one with a file would break it), and so is a coder
    project file (a report written over a project would destroy the coding).
    """
    path = Path(path)
    target = path.resolve(strict=False) if path.is_symlink() else path
    if target.exists() or target.is_symlink():
        if not target.exists():  # a link that leads nowhere, or round in a circle
            raise CoderError(f"{path} is a link to {target}, which cannot be written")
        if target.is_dir():
            raise CoderError(f"{path} is a folder; give a file name")
        if not target.is_file():
            raise CoderError(
                f"{path} is not a regular file (a device, pipe or socket); give a file name"
            )
        if _is_project_file(target):
            raise CoderError(f"{path} is a coder project file; choose another name for output")
    check_folder(target)
    return target


def _is_project_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(72)
    except OSError:
        return False
    return head.startswith(_SQLITE_HEADER) and head[68:72] == _PROJECT_ID


def check_folder(path: Path | str | None) -> None:
    """Fail before the work, not after it, when an output file's folder is missing."""
    if path is None or is_stdout(path):
        return
    folder = Path(path).parent
    if not folder.exists():
        raise CoderError(f"folder {folder} does not exist")
    if not folder.is_dir():
        raise CoderError(f"{folder} is not a folder")


def check_output(path: Path | str | None) -> None:
    """Every check of `output_target`, made before the work that produces the output."""
    if path is not None and not is_stdout(path):
        output_target(path)


def write_atomically(path: Path | str, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file beside the target, so a failure never leaves half a
    file; returns the file written (the target of a symbolic link).

    `write` is given the temporary file's path; what it returns is not used.
    """
    target = output_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def write_text_atomically(path: Path | str, text: str) -> Path:
    """Write text as UTF-8, whole or not at all."""
    return write_atomically(path, lambda target: target.write_text(text, encoding="utf-8"))


def _mode_for(path: Path) -> int:
    """Keep a replaced file's permissions; a new file gets the usual ones (umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
