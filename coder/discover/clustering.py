"""Grouping comment vectors into themes: LSA, then k-means in two stages.

Comments are first reduced to a hundred latent dimensions (truncated SVD of their TF-IDF,
"latent semantic analysis"), so that comments sharing no word but many neighbours still
meet. The TF-IDF is of character n-grams, three to five letters within each word: "staff"
and "staf", "appointment" and "appointments", "Obama" and "Obama's" share most of theirs,
where as words they share nothing. k-means then cuts the comments into a few hundred
small, tight groups (micro-clusters), and k-means again, over the groups' centres weighted
by their sizes, joins those into themes: one pass over all comments, then any number of
tries over a few hundred points, which stays fast at 100,000 comments. With no number of
themes asked for, each number up to a bound is tried and chosen by how distinct its themes
are (the silhouette, on a sample). The chosen themes are then settled by a few passes of
k-means over every comment, starting from their centres: a theme made of whole small
groups has the groups' rough edges, and a comment near an edge belongs with the theme
whose centre is nearest. A comment far from its theme's centre is left unthemed rather
than forced into one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from coder.discover.options import MAX_THEMES
from coder.nlp import Token
from coder.suggest.features import MAX_WORD_FEATURES, word_terms

MIN_COMMENTS = 10
DIMENSIONS = 100
CHARACTER_NGRAMS = (3, 5)  # letters, within a word padded with a space at either end
# Power iterations of the randomized SVD: two gave about the same themes' agreement with
# human labels as scikit-learn's five on the benchmark's data, in half the time.
LSA_ITERATIONS = 2
LSA_SAMPLE = 20_000  # comments the latent dimensions are learnt from, at most
MAX_MICRO = 240
SILHOUETTE_SAMPLE = 3000
UNTHEMED_BELOW = 0.2  # cosine to the theme's centre under which a comment is left out
MINIBATCH_FROM = 20_000  # comments from which k-means learns in batches
SETTLE_PASSES = 10  # k-means passes over every comment once the themes are chosen


@dataclass(frozen=True)
class Clustering:
    """Each comment's theme (0, 1, ... largest first; -1 unthemed) and typicality."""

    labels: np.ndarray
    typicality: np.ndarray  # cosine to its theme's centre (to the nearest, if unthemed)
    n_themes: int
    how: str  # one line: how the number of themes was chosen


def auto_bound(n: int) -> int:
    """The most themes `--themes auto` considers for n comments: half the square root of
    n (12 for 600 comments, 50 for 10,000), never more than MAX_THEMES."""
    return max(2, min(MAX_THEMES, round(math.sqrt(n) / 2)))


def auto_floor(n: int) -> int:
    """The fewest themes `--themes auto` considers: a fifth of the most, and at least 3.
    Two themes "separate" thousands of comments best by some measures (praise against
    complaint), and tell a researcher nothing."""
    return min(auto_bound(n), max(3, auto_bound(n) // 5))


def word_matrix(docs: Sequence[Sequence[Token]]) -> tuple[sp.csr_matrix, list[str]]:
    """The comments' lemmas and pairs of lemmas as sublinear TF-IDF, and the terms of its
    columns: the suggestion model's word features, from which themes are named and the
    words' company is learnt."""
    vectorizer = TfidfVectorizer(
        analyzer=word_terms,
        sublinear_tf=True,
        min_df=1 if len(docs) < 1000 else 2,
        max_features=MAX_WORD_FEATURES,
        dtype=np.float32,
    )
    matrix = vectorizer.fit_transform(docs)
    return matrix, [str(t) for t in vectorizer.get_feature_names_out()]


def character_matrix(docs: Sequence[Sequence[Token]]) -> sp.csr_matrix:
    """The comments' character n-grams (as scikit-learn's "char_wb" makes them, of each
    word as written, lower case) as sublinear TF-IDF.

    Each distinct word is cut into n-grams once, and a comment's counts are its word counts
    times that table: the same counts as cutting every comment, in 2 s rather than 18 at
    100,000 comments. Grouping on these rather than on the words themselves raised the
    agreement with human labels on all four benchmark sets (NMI 0.010 to 0.020 higher,
    mean of seeds 0 to 2)."""
    n = len(docs)
    words = CountVectorizer(analyzer=_forms, dtype=np.float32)
    try:
        counts = words.fit_transform(docs)
    except ValueError:  # no comment has a word
        return sp.csr_matrix(np.zeros((n, 1), dtype=np.float32))
    ngrams = CountVectorizer(analyzer="char_wb", ngram_range=CHARACTER_NGRAMS, dtype=np.float32)
    table = ngrams.fit_transform(words.get_feature_names_out())
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform((counts @ table).tocsr())
    return sp.csr_matrix(tfidf, dtype=np.float32)


def _forms(tokens: Sequence[Token]) -> list[str]:
    return [word for word, _ in tokens]


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    return np.asarray(normalize(vectors), dtype=np.float64)


def reduce(matrix: sp.csr_matrix | np.ndarray, seed: int) -> np.ndarray:
    """Rows as unit vectors in a few latent dimensions (zero for a comment with no words).

    The dimensions are learnt from at most LSA_SAMPLE comments drawn at random, then every
    comment is placed in them: at 100,000 comments the SVD of them all took 12 s of the
    run. Learnt from 3,000 of the benchmark's 4,400 to 10,300 comments, they grouped them
    as well (NMI within 0.004 of learning from all, mean of three seeds, on all four sets)."""
    n, width = matrix.shape
    dims = max(1, min(DIMENSIONS, width - 1, n - 1))
    svd = TruncatedSVD(dims, algorithm="randomized", n_iter=LSA_ITERATIONS, random_state=seed)
    if n > LSA_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(n, LSA_SAMPLE, replace=False))
        reduced = svd.fit(matrix[rows]).transform(matrix)
    else:
        reduced = svd.fit_transform(matrix)
    return np.asarray(normalize(reduced), dtype=np.float64)


def cluster(vectors: np.ndarray, n_themes: int | None, seed: int) -> Clustering:
    """Group unit vectors into `n_themes` themes, or into as many as fit best (None)."""
    n = vectors.shape[0]
    empty = ~np.any(vectors != 0, axis=1)
    bound = auto_bound(n) if n_themes is None else min(n_themes, n)
    micro_k = int(min(n - int(empty.sum()), max(3 * bound, min(MAX_MICRO, n // 10))))
    micro_k = max(micro_k, min(bound, n))
    if micro_k < 2:
        return _trivial(n, "too few comments with words to group")
    fit_on = vectors[~empty]
    if len(fit_on) >= MINIBATCH_FROM:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            micro_k, random_state=seed, n_init=3, batch_size=4096
        )
    else:
        model = KMeans(micro_k, random_state=seed, n_init=1)
    model.fit(fit_on)
    micro = np.full(n, -1, dtype=np.int64)
    micro[~empty] = model.predict(fit_on)
    centres = normalize(model.cluster_centers_)
    weights = np.bincount(micro[~empty], minlength=micro_k).astype(np.float64)

    def cut(k: int) -> np.ndarray:
        joined = KMeans(k, random_state=seed, n_init=4).fit_predict(centres, sample_weight=weights)
        out = np.full(n, -1, dtype=np.int64)
        out[~empty] = joined[micro[~empty]]
        return out

    if n_themes is not None:
        k = min(n_themes, micro_k)
        labels = _settle(fit_on, cut(k), empty)
        how = f"{k} themes as asked"
    else:
        rng = np.random.default_rng(seed)
        rows = np.flatnonzero(~empty)
        sample = np.sort(rng.choice(rows, min(len(rows), SILHOUETTE_SAMPLE), replace=False))
        # Unit vectors: cosine distance is 1 - the dot product, computed once for every k.
        distances = np.clip(1.0 - vectors[sample] @ vectors[sample].T, 0.0, 2.0)
        np.fill_diagonal(distances, 0.0)
        floor = min(auto_floor(n), micro_k)
        scores: dict[int, float] = {}
        for k in range(floor, min(bound, micro_k) + 1):
            candidate = cut(k)
            if len(np.unique(candidate[sample])) < 2:
                continue
            scores[k] = float(silhouette_score(distances, candidate[sample], metric="precomputed"))
        if not scores:
            return _trivial(n, "the comments do not separate into themes")
        # The fewest themes within 5% of the most distinct grouping: more themes are read
        # only when they are worth reading.
        best = max(scores.values())
        k = min(k for k, s in scores.items() if s >= best - 0.05 * abs(best))
        labels = _settle(fit_on, cut(k), empty)
        how = (
            f"{k} themes: of {min(scores)} to {max(scores)} tried (up to √n/2 for {n:,} "
            f"comments), the fewest that separate the comments about as well as any "
            f"(silhouette {scores[k]:.2f}, best {best:.2f})"
        )
    return _finish(vectors, labels, empty, how)


def _settle(fit_on: np.ndarray, labels: np.ndarray, empty: np.ndarray) -> np.ndarray:
    """Each comment with words moved to the theme whose centre is nearest, the centres
    moving with them, for a few passes of k-means from the themes' own centres (no random
    start: the same themes give the same result). Joining whole small groups leaves each
    theme with their rough edges; settling them raised the agreement with human labels on
    all four benchmark sets (NMI 0.016 to 0.026 higher, the same numbers of themes)."""
    joined = labels[~empty]
    ids = np.unique(joined)
    if len(ids) < 2:
        return labels
    centres = np.vstack([fit_on[joined == t].mean(axis=0) for t in ids])
    # copy_x=False: k-means centres the data in place (and back) rather than on a copy of
    # it, 160 MB at 100,000 comments.
    model = KMeans(len(ids), init=centres, n_init=1, max_iter=SETTLE_PASSES, copy_x=False)
    moved = model.fit_predict(fit_on)
    out = labels.copy()
    out[~empty] = ids[moved]
    return out


def _finish(vectors: np.ndarray, labels: np.ndarray, empty: np.ndarray, how: str) -> Clustering:
    """Leave out the comments far from their theme, drop themes too small to read, and
    number the rest largest first."""
    n = len(labels)
    min_size = max(3, math.ceil(0.002 * n))
    for _ in range(2):  # centres move a little once the far comments leave
        ids = [t for t in np.unique(labels) if t >= 0]
        centres = np.vstack([vectors[labels == t].mean(axis=0) for t in ids]) if ids else None
        if centres is None:
            break
        centres = normalize(centres)
        similarity = vectors @ centres.T
        position = np.full(int(labels.max()) + 2, -1, dtype=np.int64)
        position[ids] = np.arange(len(ids))
        own = position[labels]  # label -1 reads the last entry: -1
        sim_own = np.where(own >= 0, similarity[np.arange(n), np.maximum(own, 0)], -1.0)
        labels = np.where((sim_own < UNTHEMED_BELOW) | empty, -1, labels)
        sizes = {t: int((labels == t).sum()) for t in ids}
        labels = np.where(
            np.isin(labels, [t for t, s in sizes.items() if s < min_size]), -1, labels
        )
    ids = sorted((t for t in np.unique(labels) if t >= 0), key=lambda t: (-(labels == t).sum(), t))
    renumber = np.full(int(max(labels.max(), 0)) + 2, -1, dtype=np.int64)
    renumber[ids] = np.arange(len(ids))
    final = renumber[labels]
    typicality = np.zeros(n)
    if ids:
        centres = normalize(np.vstack([vectors[final == i].mean(axis=0) for i in range(len(ids))]))
        similarity = vectors @ centres.T
        typicality = np.where(
            final >= 0, similarity[np.arange(n), np.maximum(final, 0)], similarity.max(axis=1)
        )
    typicality = np.clip(np.where(empty, 0.0, typicality), 0.0, 1.0)
    return Clustering(final, typicality, len(ids), how)


def _trivial(n: int, why: str) -> Clustering:
    return Clustering(np.full(n, -1, dtype=np.int64), np.zeros(n), 0, why)
