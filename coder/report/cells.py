"""Safe cells for spreadsheets: text that Excel would take for a formula stays text.

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

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def guard_text(value):
    """The CSV form of a cell: risky text gets a leading apostrophe."""
    return "'" + value if is_risky(value) else value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame with every risky text cell guarded for CSV."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(guard_text)
    out.columns = [guard_text(str(c)) for c in out.columns]
    return out


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside path, so a failure never leaves half a file."""
    path = Path(path)
    if not path.parent.exists():
        from coder.errors import CoderError

        raise CoderError(f"folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """Keep a replaced file's permissions; a new file gets the usual ones (umask)."""
    if path.exists():
        return path.stat().st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
