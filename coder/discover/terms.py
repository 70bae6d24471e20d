"""A theme's most distinctive words and phrases: class-based term weighting over its members.

Each theme's members are taken together, as class-based TF-IDF does (BERTopic's c-TF-IDF),
but a term scores by how much more often the theme's comments use it than all the
comments in scope do, weighted by how often the theme uses it: p(t|theme) *
log(p(t|theme) / p(t)), over comments that use the term. Plain c-TF-IDF ranks words every
answer uses ("know", "feel") near the top of every theme; this ranks the words that
set a theme apart. Stop words are never terms, and neither are phrases that begin or end
with one; a term must be used by at least two of the theme's comments. Words of the codebook's own
code names are kept (they link a theme to an existing code) and named, so a reader can
tell the words that are new.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from coder.nlp import Token, is_stop

MAX_TERMS = 8


@lru_cache(maxsize=200_000)
def _countable(word: str) -> bool:
    """A word that can be a term: not a stop word, a number or a single letter (asked
    millions of times at 100,000 comments, of a vocabulary a fraction of that)."""
    return len(word) > 1 and any(ch.isalpha() for ch in word) and not is_stop(word)


def comment_terms(tokens: Sequence[Token]) -> dict[str, str]:
    """The terms of one comment, each (lemma form) with the words as written."""
    out: dict[str, str] = {}
    for i, (word, lemma) in enumerate(tokens):
        if _countable(word) and _countable(lemma):
            out.setdefault(lemma, word)
            if i + 1 < len(tokens):
                word2, lemma2 = tokens[i + 1]
                if _countable(word2) and _countable(lemma2):
                    out.setdefault(f"{lemma} {lemma2}", f"{word} {word2}")
    return out


def theme_terms(
    docs: Sequence[Sequence[Token]], labels: np.ndarray, n_themes: int
) -> list[list[str]]:
    """The most distinctive terms of each theme, best first, as the comments write them."""
    counts: list[Counter[str]] = [Counter() for _ in range(n_themes)]
    shown: list[Counter[tuple[str, str]]] = [Counter() for _ in range(n_themes)]
    everywhere: Counter[str] = Counter()
    for tokens, label in zip(docs, labels, strict=True):
        terms = comment_terms(tokens)
        everywhere.update(terms.keys())
        if label >= 0:
            counts[label].update(terms.keys())
            shown[label].update(terms.items())
    n = max(1, len(docs))
    sizes = np.bincount(labels[labels >= 0], minlength=n_themes)
    out: list[list[str]] = []
    for theme, c in enumerate(counts):
        size = int(sizes[theme]) if theme < len(sizes) else 0
        if not size:
            out.append([])
            continue
        scored = []
        for term, used in c.items():
            if used < 2:
                continue
            inside = used / size
            lift = inside / (everywhere[term] / n)
            if lift > 1.0:
                scored.append((-inside * math.log(lift), term))
        scored.sort()
        forms: dict[str, str] = {}
        for (term, form), _ in shown[theme].most_common():
            forms.setdefault(term, form)
        out.append(_pick([term for _, term in scored], forms))
    return out


def _pick(ranked: Iterable[str], forms: dict[str, str]) -> list[str]:
    """The best terms, a word left out where a phrase already chosen holds it."""
    chosen: list[str] = []
    for term in ranked:
        words = set(term.split())
        if any(words <= set(c.split()) for c in chosen):
            continue
        if " " in term:  # a phrase takes the place of its own words chosen before it
            chosen = [c for c in chosen if not (" " not in c and c in words)]
        chosen.append(term)
        if len(chosen) >= MAX_TERMS:
            break
    return [forms.get(t, t) for t in chosen]


def codebook_words(names: Iterable[Sequence[Token]]) -> set[str]:
    """The content words of the code names, lower case, as written and as lemmas."""
    words: set[str] = set()
    for tokens in names:
        for word, lemma in tokens:
            if _countable(word):
                words.update((word, lemma))
    return words


def in_codebook(term: str, words: set[str]) -> bool:
    return any(w in words for w in term.lower().split())
