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


def check_folder(path: Path | None) -> None:
    """Fail before the work, not after it, when an output file's folder is missing."""
    if path is not None and not Path(path).parent.exists():
        raise CoderError(f"folder {Path(path).parent} does not exist")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside path, so a failure never leaves half a file.

    `write` is given the temporary file's path; what it returns is not used.
    """
    path = Path(path)
    check_folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write text as UTF-8, whole or not at all."""
    write_atomically(path, lambda target: target.write_text(text, encoding="utf-8"))


def _mode_for(path: Path) -> int:
    """Keep a replaced file's permissions; a new file gets the usual ones (umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
