"""A theme's most distinctive words and phrases: class-based TF-IDF over its members.

Each theme's members are taken as one document; a term scores by how often the theme
uses it (per word the theme has) against how common it is across all themes (BERTopic's
c-TF-IDF). Stop words are never terms, and neither are phrases that begin or end with one;
a term must be used by at least two of the theme's comments. Words of the codebook's own
code names are kept (they link a theme to an existing code) and named, so a reader can
tell the words that are new.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from coder.nlp import Token, is_stop

MAX_TERMS = 8


def _countable(word: str) -> bool:
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
    for tokens, label in zip(docs, labels, strict=True):
        if label < 0:
            continue
        terms = comment_terms(tokens)
        counts[label].update(terms.keys())
        shown[label].update(terms.items())
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    sizes = [sum(c.values()) for c in counts]
    average = (sum(sizes) / n_themes) if n_themes else 0.0
    out: list[list[str]] = []
    for theme, c in enumerate(counts):
        if not sizes[theme]:
            out.append([])
            continue
        scored = sorted(
            (
                (-(used / sizes[theme]) * math.log(1 + average / total[term]), term)
                for term, used in c.items()
                if used >= 2
            )
        )
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
