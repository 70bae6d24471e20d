"""Why a code was suggested: the words and phrases of the comment that weighed most for it."""

from __future__ import annotations

import numpy as np

from coder.nlp import is_stop
from coder.suggest.features import Encoded

MOST = 4  # words or phrases shown per suggestion
_SHARE = 0.15  # a word must carry at least this share of the strongest word's weight
_PHRASE = 0.25  # a pair of words is shown as a phrase when the pair itself carries this share
_STOP_PHRASE = 0.5  # ... and this share when one of the two is a stop word


def explain(encoded: Encoded, row: int, coef: np.ndarray, most: int = MOST) -> list[str]:
    """The comment's words (or two-word phrases) that pushed its score for one code up most.

    A linear score is a sum over features, so it splits exactly: each lemma, each pair
    of lemmas and each character n-gram gives its part to the word or pair it came from.
    """
    tokens = encoded.tokens[row]
    if not tokens or encoded.units is None or encoded.shares is None:
        return []
    all_columns, all_units, offsets = encoded.units
    lo, hi = offsets[row], offsets[row + 1]
    if lo == hi:
        return []
    columns, units = all_columns[lo:hi], all_units[lo:hi]
    weight = encoded.shares[lo:hi] * coef[columns]
    n = len(tokens)
    scores = np.bincount(units, weights=weight, minlength=2 * n)
    by_word: dict[str, float] = {}
    for pos, (word, _) in enumerate(tokens):
        by_word[word] = by_word.get(word, 0.0) + scores[pos]
    # Words such as "about" or "the" may carry weight, but they explain nothing to a
    # reader; they are shown only inside a phrase with a word that does.
    candidates: list[tuple[float, str, tuple[str, ...]]] = [
        (score, word, (word,)) for word, score in by_word.items() if not is_stop(word)
    ]
    for pos in range(n - 1):
        pair = scores[n + pos]
        if pair <= 0:
            continue
        a, b = tokens[pos][0], tokens[pos + 1][0]
        total = pair + max(0.0, by_word[a]) + max(0.0, by_word[b])
        stops = is_stop(a) + is_stop(b)
        # "waiting list" says more than "waiting"; "the bus" only when the pair itself,
        # not the word "bus", is what weighed.
        if a != b and stops < 2 and pair >= (_STOP_PHRASE if stops else _PHRASE) * total:
            candidates.append((total, f"{a} {b}", (a, b)))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    if not candidates or candidates[0][0] <= 0:
        return []
    floor = candidates[0][0] * _SHARE
    shown: list[str] = []
    used: set[str] = set()
    for score, text, words in candidates:
        if score <= 0 or score < floor or len(shown) == most:
            break
        if used.intersection(words):
            continue
        shown.append(text)
        used.update(words)
    return shown
