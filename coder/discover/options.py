"""What a discovery run is asked for, read without loading the clustering (for the faces)."""

from __future__ import annotations

from dataclasses import dataclass

from coder.errors import CoderError

MAX_THEMES = 60  # a researcher reads a theme a minute: more than this is not an overview


@dataclass(frozen=True)
class DiscoverOptions:
    scope: str = "uncoded"  # uncoded, all, or a code's path (its comments and its sub-codes')
    question: str | None = None
    themes: int | None = None  # None: chosen (--themes auto)
    features: str | None = None  # tfidf or tfidf+embeddings; None: the best installed
    seed: int = 0


def parse_themes(value: str) -> int | None:
    """`--themes N|auto` as a number of themes, or None for auto."""
    if value.strip().lower() == "auto":
        return None
    try:
        number = int(value)
    except ValueError:
        raise CoderError(f"--themes takes a number or 'auto', not {value!r}") from None
    if not 2 <= number <= MAX_THEMES:
        raise CoderError(f"--themes must be between 2 and {MAX_THEMES} (or 'auto'), not {number}")
    return number
