"""Comments as averages of word vectors learnt from the comments themselves.

Two comments of eight words often share none, though "nurse" and "staff", or "Obama" and
"Democrat", keep the same company across thousands of answers. Each word gets a vector from
the words it shares comments with (positive pointwise mutual information, reduced by
truncated SVD: Levy, Goldberg and Dagan 2015), and each comment is the average of its words'
vectors, a word weighing less the more often it is used, with the direction every comment
shares removed (smooth inverse frequency, "SIF": Arora, Liang and Ma 2017). Nothing is
downloaded: the vectors come from the comments in scope, so they know this survey's words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

DIMENSIONS = 100
MAX_WORDS = 10_000  # the most used words; rarer ones' company is too thin to learn from
SMOOTHING = 0.75  # context counts raised to this power: rare contexts count less (Levy et al.)
SIF_A = 1e-3  # a word of frequency p weighs a / (a + p)


def _word_columns(terms: Sequence[str]) -> np.ndarray:
    """The columns of single words (not pairs, numbers or letters)."""
    return np.array(
        [
            i
            for i, t in enumerate(terms)
            if " " not in t and len(t) > 1 and any(map(str.isalpha, t))
        ],
        dtype=np.int64,
    )


def comment_vectors(matrix: sp.csr_matrix, terms: Sequence[str], seed: int) -> np.ndarray:
    """Each comment's SIF-weighted average word vector, as a unit row (zero without words).

    `matrix` holds the comments' terms (columns named by `terms`, as `word_matrix` makes
    them): which single words each comment uses is read from it, not counted again.
    """
    n = matrix.shape[0]
    present = (matrix[:, _word_columns(terms)] > 0).astype(np.float32).tocsc()
    used = np.asarray(present.sum(axis=0)).ravel()
    # The most used words, used at least twice (ties by column, so the same every run).
    order = np.lexsort((np.arange(len(used)), -used))
    keep = np.sort(order[: min(MAX_WORDS, int((used >= 2).sum()))])
    counts = present[:, keep].tocsr()
    width = counts.shape[1]
    together = (counts.T @ counts).tocsr()  # comments each pair of words shares
    together.setdiag(0)
    together.eliminate_zeros()
    if width < 3 or together.nnz == 0:
        return np.zeros((n, 1))
    coo = together.tocoo()
    total = float(coo.data.sum())
    rows = np.asarray(together.sum(axis=1)).ravel() / total
    contexts = np.asarray(together.sum(axis=0)).ravel() ** SMOOTHING
    contexts /= contexts.sum()
    pmi = np.log(coo.data / total / (rows[coo.row] * contexts[coo.col]))
    keep = pmi > 0
    ppmi = sp.csr_matrix(
        (pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=together.shape
    )
    dims = max(1, min(DIMENSIONS, width - 1))
    svd = TruncatedSVD(dims, algorithm="randomized", random_state=seed)
    words = svd.fit_transform(ppmi)  # U * S
    words /= np.sqrt(np.maximum(svd.singular_values_, 1e-12))  # U * sqrt(S), as Levy et al.
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    weights = SIF_A / (SIF_A + frequency / frequency.sum())
    lengths = np.maximum(np.asarray(counts.sum(axis=1)).ravel(), 1.0)
    vectors = np.asarray(counts @ sp.diags(weights) @ words) / lengths[:, None]
    if n > 1:  # the direction every comment shares says nothing about any of them
        common = TruncatedSVD(1, algorithm="randomized", random_state=seed).fit(vectors)
        u = common.components_[0]
        vectors -= np.outer(vectors @ u, u)
    return np.asarray(normalize(vectors), dtype=np.float64)
