"""A discovery run: the comments in scope, their features, themes, terms, quotes and the
existing code each theme overlaps most; stored in the project."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np
from threadpoolctl import threadpool_limits

from coder.discover.clustering import (
    MIN_COMMENTS,
    character_matrix,
    cluster,
    normalize_rows,
    reduce,
    word_matrix,
)
from coder.discover.options import MAX_THEMES, DiscoverOptions, parse_themes
from coder.discover.terms import codebook_words, in_codebook, theme_terms
from coder.discover.wordvectors import comment_vectors
from coder.domain import CommentFilter, DiscoveryRun
from coder.errors import CoderError
from coder.nlp import analyse
from coder.progress import Progress
from coder.store import Store
from coder.store.discovery import NewTheme
from coder.suggest import embeddings

QUOTES = 5
QUOTE_MIN_WORDS = 4  # the most typical comments are often a word or two: prefer sentences
SCOPES = ("uncoded", "all")
__all__ = ["MAX_THEMES", "DiscoverOptions", "discover", "parse_themes", "scope_filter"]


def scope_filter(store: Store, options: DiscoverOptions) -> CommentFilter:
    if options.question is not None and options.question not in {
        q.name for q in store.comments.questions()
    }:
        raise CoderError(f"no question {options.question!r} in this project")
    if options.scope == "uncoded":
        return CommentFilter(uncoded=True, question=options.question)
    if options.scope == "all":
        return CommentFilter(question=options.question)
    wanted = options.scope.strip().casefold()
    for code in store.codes.all():
        if code.path.casefold() == wanted or (code.name.casefold() == wanted):
            return CommentFilter(code_id=code.id, question=options.question)
    raise CoderError(
        f"--scope is uncoded, all or a code: no code {options.scope!r} in this project"
    )


def discover(
    store: Store, options: DiscoverOptions, coder: str, progress: Progress | None = None
) -> DiscoveryRun:
    """Group the comments in scope into candidate themes and store them as the latest run."""
    started = time.perf_counter()
    features_name = embeddings.check_features(options.features)
    ids = list(store.comments.filtered_ids(scope_filter(store, options)))
    if len(ids) < MIN_COMMENTS:
        raise CoderError(
            f"{len(ids)} comments in scope; discovering themes needs at least {MIN_COMMENTS}"
        )
    if options.themes is not None and options.themes > len(ids) // 2:
        raise CoderError(f"{options.themes} themes in {len(ids)} comments is too many")
    texts = store.comments.texts(ids)
    if progress:
        progress("reading comments", 0.1)
    docs = list(analyse(texts))
    if not any(docs):
        raise CoderError(f"none of the {len(ids)} comments in scope has a word to group them by")
    matrix, terms_of_columns = word_matrix(docs)
    if progress:
        progress("finding themes", 0.3)
    # The linear algebra runs on one thread. With BLAS's and OpenMP's threads, each of the
    # many small products waited on the others whenever another program kept a core busy:
    # on the demo's 628 comments discovering took 3 to 13 s that way, and 0.7 s on one
    # thread, with the same themes. At 100,000 comments one thread was about as fast (62 s
    # against 73, the plain baseline 8 s against 10 in the same runs on a busy machine),
    # and it leaves a core to the workbench.
    characters = character_matrix(docs)
    with threadpool_limits(1):
        vectors = reduce(characters, options.seed)
    del characters
    if features_name == embeddings.TFIDF_EMBEDDINGS:
        sentence = embeddings.vectors(store, ids, texts, progress)
        # The sentence vector leads; the letters weigh 0.7 (of 0.5 to 1 measured on the
        # benchmark's data, the best on the four sets together).
        vectors = normalize_rows(np.hstack([sentence.astype(np.float64), 0.7 * vectors]))
    else:
        # Beside the comment's own letters, the company its words keep, at equal weights:
        # on the benchmark's data sets NMI 0.016 to 0.038 higher than the letters alone,
        # and letters weighted 0.7 to 1.25 did no better on the four sets together.
        with threadpool_limits(1):
            words = comment_vectors(matrix, terms_of_columns, options.seed)
        vectors = normalize_rows(np.hstack([words, vectors]))
    with threadpool_limits(1):
        found = cluster(vectors, options.themes, options.seed)
    if progress:
        progress("describing themes", 0.8)
    terms = theme_terms(docs, found.labels, found.n_themes)
    # A group whose comments share no word worth naming is not a theme a reader can see.
    kept = [t for t in range(found.n_themes) if terms[t]]
    renumber = np.full(found.n_themes + 1, -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept))
    labels = renumber[found.labels]  # -1 (unthemed) maps to the last entry, also -1
    terms = [terms[t] for t in kept]
    codes = store.codes.all()
    vocabulary = codebook_words(analyse(c.name for c in codes))
    carried = _codes_by_comment(store, ids)
    id_array = np.array(ids, dtype=np.int64)
    themes = []
    for theme in range(len(kept)):
        members = np.flatnonzero(labels == theme)
        order = members[np.lexsort((id_array[members], -found.typicality[members]))]
        nearest, share = _nearest_code(carried, id_array[order])
        themes.append(
            NewTheme(
                size=len(members),
                terms=terms[theme],
                quotes=_quotes(order, texts, docs, ids),
                nearest_code_id=nearest,
                nearest_code_share=share,
                members=[(ids[i], round(float(found.typicality[i]), 4)) for i in order],
            )
        )
    unthemed = np.flatnonzero(labels < 0)
    chosen = {
        "comments": len(ids),
        "themes": len(kept),
        "unthemed": len(unthemed),
        "how": found.how
        + (
            f"; {found.n_themes - len(kept)} of them, whose comments share no word worth "
            "naming, left unthemed"
            if len(kept) < found.n_themes
            else ""
        ),
        "features": features_name,
        "codebook_terms": sorted({t for ts in terms for t in ts if in_codebook(t, vocabulary)}),
        "seconds": round(time.perf_counter() - started, 2),
    }
    settings = asdict(options) | {"features": features_name}
    return store.discovery.save(
        coder,
        settings,
        chosen,
        themes,
        [(ids[i], round(float(found.typicality[i]), 4)) for i in unthemed],
    )


def _codes_by_comment(
    store: Store, ids: Sequence[int]
) -> tuple[dict[int, set[int]], dict[int, int]]:
    """Each comment's codes, a sub-code's parents included (as the reports roll them up),
    and each code's depth."""
    parent = {c.id: c.parent_id for c in store.codes.all()}
    depth: dict[int, int] = {}
    for code_id in parent:
        d, above = 0, parent[code_id]
        while above is not None and d < len(parent):
            d, above = d + 1, parent.get(above)
        depth[code_id] = d
    out: dict[int, set[int]] = {}
    for comment_id, code_id in store.discovery.codings_of(ids):
        codes = out.setdefault(comment_id, set())
        code: int | None = code_id
        while code is not None and code not in codes:
            codes.add(code)
            code = parent.get(code)
    return out, depth


def _nearest_code(
    carried: tuple[dict[int, set[int]], dict[int, int]], members: np.ndarray
) -> tuple[int | None, float]:
    """The code the most members already carry (a parent counting its sub-codes', the
    more specific code where they tie), and their share; (None, 0) if none does."""
    by_comment, depth = carried
    counts: Counter[int] = Counter()
    for comment_id in members.tolist():
        counts.update(by_comment.get(comment_id, ()))
    if not counts or not len(members):
        return None, 0.0
    code_id, count = min(
        counts.items(), key=lambda item: (-item[1], -depth.get(item[0], 0), item[0])
    )
    return code_id, round(count / len(members), 4)


def _quotes(
    order: np.ndarray, texts: Sequence[str], docs: Sequence[Sequence[object]], ids: Sequence[int]
) -> list[int]:
    """The most typical members as quotes: each text once, sentences before fragments."""
    seen: set[str] = set()
    full: list[int] = []
    short: list[int] = []
    for i in order[: QUOTES * 10].tolist():
        key = " ".join(texts[i].casefold().split())
        if key in seen:
            continue
        seen.add(key)
        (full if len(docs[i]) >= QUOTE_MIN_WORDS else short).append(ids[i])
    return (full + short)[:QUOTES]
