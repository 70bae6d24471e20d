"""Formula-safe frames for CSV: every risky text cell gets the guard of coder.files."""

from __future__ import annotations

import pandas as pd

from coder.files import guard_text


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame with every risky text cell guarded for CSV."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(guard_text)
    out.columns = [guard_text(str(c)) for c in out.columns]
    return out
