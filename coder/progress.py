"""How long work reports how far it has got, the same way everywhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# (what is happening now, fraction of the whole done): training, suggesting, evaluating.
Progress = Callable[[str, float], None]

# (units done, units in all), e.g. bytes of a file read so far: importing.
Tally = Callable[[int, int], None]


def stage(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """A progress callback for one stage, mapped onto [lo, hi] of the whole."""
    if progress is None:
        return None
    return lambda message, fraction: progress(message, lo + (hi - lo) * fraction)


def emit(record: dict[str, Any]) -> None:
    """One line of a background process's report to the workbench: JSON on standard output,
    {"progress": f, "message": m}, then {"done": {...}} or {"error": why}."""
    print(json.dumps(record), flush=True)


def emitted(message: str, fraction: float) -> None:
    """A Progress that reports to the workbench as a background process."""
    emit({"progress": round(fraction, 4), "message": message})
