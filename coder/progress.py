"""How long work reports how far it has got, the same way everywhere."""

from __future__ import annotations

from collections.abc import Callable

# (what is happening now, fraction of the whole done): training, suggesting, evaluating.
Progress = Callable[[str, float], None]

# (units done, units in all), e.g. bytes of a file read so far: importing.
Tally = Callable[[int, int], None]


def stage(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    """A progress callback for one stage, mapped onto [lo, hi] of the whole."""
    if progress is None:
        return None
    return lambda message, fraction: progress(message, lo + (hi - lo) * fraction)
