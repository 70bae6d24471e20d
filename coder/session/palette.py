"""Finding a code by typing a few of its letters, the codes that matter here ranked first.

A code matches when the letters typed occur in its path in order ("emwor" finds
"Emotional impact > Worry"). Matches at the start of words and in unbroken runs score
higher, and so do codes the model suggests for this comment and codes used often, so with
a big codebook the wanted code is usually first after two or three letters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from coder.domain import Code

SHOWN = 40  # matches listed at once; the rest are a few more letters away


@dataclass(frozen=True)
class Match:
    code: Code
    score: float
    positions: tuple[int, ...]  # where in the path the typed letters matched


def _fuzzy(query: str, text: str) -> tuple[float, tuple[int, ...]] | None:
    """Score `text` for the letters of `query` in order; None if they do not all occur."""
    lowered = text.casefold()
    positions: list[int] = []
    score = 0.0
    start = 0
    for ch in query:
        found = lowered.find(ch, start)
        if found < 0:
            return None
        word_start = found == 0 or not lowered[found - 1].isalnum()
        run = bool(positions) and positions[-1] == found - 1
        score += 1.0 + (8.0 if word_start else 0.0) + (4.0 if run else 0.0)
        score -= min(found - start, 10) * 0.2  # letters skipped over
        positions.append(found)
        start = found + 1
    return score, tuple(positions)


def rank(
    codes: list[Code],
    query: str,
    *,
    used: dict[int, int] | None = None,
    suggested: dict[int, float] | None = None,
    limit: int = SHOWN,
) -> list[Match]:
    """The codes matching `query`, best first: suggested and often-used codes are lifted."""
    used = used or {}
    suggested = suggested or {}
    needle = "".join(query.casefold().split())
    matches = []
    for index, code in enumerate(codes):
        boost = 12.0 * suggested.get(code.id, 0.0) + 1.5 * math.log1p(used.get(code.id, 0))
        if not needle:
            matches.append(Match(code, boost - index * 1e-6, ()))
            continue
        found = _fuzzy(needle, code.path)
        if found is None:
            continue
        score, positions = found
        leaf = len(code.path) - len(code.name)
        if positions and positions[0] >= leaf:
            score += 3.0  # all in the code's own name, not its parent's
        matches.append(Match(code, score + boost - index * 1e-6, positions))
    matches.sort(key=lambda m: -m.score)
    return matches[:limit]
