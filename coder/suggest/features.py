"""Comment text as numbers: lemma and character n-gram TF-IDF, optionally sentence vectors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np
import scipy.sparse as sp

from coder.nlp import Token

CHAR_NGRAMS = (2, 5)
MAX_WORD_FEATURES = 150_000
MAX_CHAR_FEATURES = 200_000
EMBEDDING_WEIGHT = 1.0  # the sentence vector's length beside the two TF-IDF blocks
# The word block's length beside the unit-length character block: on the shared survey
# data, letting character n-grams weigh a little more gained about a point of macro-F1.
WORD_WEIGHT = 0.7
_SEPARATOR = "\n"  # no token holds a line break, so terms are stored joined by one


def word_terms(tokens: Sequence[Token]) -> list[str]:
    """Lemmas and pairs of neighbouring lemmas ("wait list")."""
    lemmas = [lemma for _, lemma in tokens]
    return lemmas + [f"{a} {b}" for a, b in zip(lemmas, lemmas[1:], strict=False)]


def _char_ngrams(word: str) -> list[str]:
    """Character n-grams of one word padded with spaces, as scikit-learn's char_wb makes them."""
    padded = f" {word} "
    out: list[str] = []
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        if len(padded) < n:
            break
        out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        if len(padded) == n:
            break
    return out


def _min_df(n_docs: int) -> int:
    # On a few hundred comments a word seen once may be the only sign of a rare code;
    # on thousands, such words are mostly typing slips.
    return 1 if n_docs < 1000 else 2


def _vocabulary(counts: Counter, min_df: int, limit: int, always: set[str]) -> list[str]:
    kept = [(df, term) for term, df in counts.items() if df >= min_df or term in always]
    if len(kept) > limit:
        kept.sort(key=lambda item: (-item[0], item[1]))
        kept = kept[:limit]
    return sorted(term for _, term in kept)


def _idf(counts: Counter, vocab: list[str], n_docs: int) -> np.ndarray:
    return np.array(
        [math.log((1 + n_docs) / (1 + counts[t])) + 1.0 for t in vocab], dtype=np.float64
    )


class FeatureArrays(TypedDict):
    """Fitted features as the plain arrays they are stored as."""

    word_vocab: np.ndarray  # uint8: the terms' UTF-8, joined by line breaks
    word_idf: np.ndarray
    char_vocab: np.ndarray
    char_idf: np.ndarray
    embedding_dim: np.ndarray  # one int64
    word_weight: np.ndarray  # one float64 (models stored before it existed: 1.0)
    embedding_weight: np.ndarray  # one float64 (models stored before it existed: 1.0)


@dataclass
class Encoded:
    """A chunk of comments as features, with where each feature came from in each comment.

    `units` is (columns, units, offsets): comment i's feature occurrences are
    columns[offsets[i]:offsets[i + 1]], each paired with the word it came from (the
    word's position) or the pair of words (the first one's position + the number of
    words), so the words behind a suggestion are found without reading it again.
    """

    matrix: sp.csr_matrix
    tokens: list[list[Token]]
    units: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    # With units: each feature occurrence's share of its feature's value in the comment
    # (a feature met twice in a comment gives half its value to each place).
    shares: np.ndarray | None = None


@dataclass
class Features:
    """Fitted vocabularies and weights; turns analysed comments into one sparse row each."""

    word_vocab: list[str]
    word_idf: np.ndarray
    char_vocab: list[str]
    char_idf: np.ndarray
    embedding_dim: int = 0  # 0: TF-IDF only
    word_weight: float = WORD_WEIGHT
    embedding_weight: float = EMBEDDING_WEIGHT
    _word_index: dict[str, int] = field(init=False, repr=False)
    _char_index: dict[str, int] = field(init=False, repr=False)
    _token_columns: dict[Token, tuple[int | None, list[int]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_index = {t: i for i, t in enumerate(self.word_vocab)}
        self._char_index = {t: i for i, t in enumerate(self.char_vocab)}
        self._token_columns = {}

    @property
    def n_word(self) -> int:
        return len(self.word_vocab)

    @property
    def n_char(self) -> int:
        return len(self.char_vocab)

    @property
    def n_features(self) -> int:
        return self.n_word + self.n_char + self.embedding_dim

    @classmethod
    def fit(
        cls,
        docs: Sequence[Sequence[Token]],
        embedding_dim: int = 0,
        *,
        always: Sequence[Sequence[Token]] = (),
    ) -> Features:
        """Vocabularies and weights from these comments; the terms of `always` (the
        codebook's definitions) are kept however rarely they occur."""
        word_df: Counter = Counter()
        char_df: Counter = Counter()
        ngrams: dict[str, list[str]] = {}

        def terms(tokens: Sequence[Token]) -> tuple[set[str], set[str]]:
            grams: set[str] = set()
            for word, _ in tokens:
                if word not in ngrams:
                    ngrams[word] = _char_ngrams(word)
                grams.update(ngrams[word])
            return set(word_terms(tokens)), grams

        for tokens in [*docs, *always]:
            words, grams = terms(tokens)
            word_df.update(words)
            char_df.update(grams)
        n = len(docs) + len(always)
        min_df = _min_df(n)
        kept_words: set[str] = set()
        kept_grams: set[str] = set()
        for tokens in always:
            words, grams = terms(tokens)
            kept_words |= words
            kept_grams |= grams
        word_vocab = _vocabulary(word_df, min_df, MAX_WORD_FEATURES, kept_words)
        char_vocab = _vocabulary(char_df, min_df, MAX_CHAR_FEATURES, kept_grams)
        return cls(
            word_vocab,
            _idf(word_df, word_vocab, n),
            char_vocab,
            _idf(char_df, char_vocab, n),
            embedding_dim,
        )

    def _columns(self, token: Token) -> tuple[int | None, list[int]]:
        """A token's lemma column and its character n-gram columns, remembered per token."""
        found = self._token_columns.get(token)
        if found is None:
            word, lemma = token
            index, offset = self._char_index, self.n_word
            found = (
                self._word_index.get(lemma),
                [offset + index[g] for g in _char_ngrams(word) if g in index],
            )
            if len(self._token_columns) < 500_000:  # bounded: a million comments bring typos
                self._token_columns[token] = found
        return found

    def encode(
        self,
        docs: list[list[Token]],
        vectors: np.ndarray | None = None,
        *,
        with_units: bool = False,
    ) -> Encoded:
        """Sublinear TF-IDF per block, each block scaled to unit length, blocks side by side."""
        words = self._word_index
        indices: list[int] = []
        unit_of: list[int] = []
        indptr = [0]
        for tokens in docs:
            n = len(tokens)
            for pos, token in enumerate(tokens):
                lemma_column, char_columns = self._columns(token)
                if lemma_column is not None:
                    indices.append(lemma_column)
                    unit_of.append(pos)
                indices.extend(char_columns)
                if with_units:
                    unit_of.extend([pos] * len(char_columns))
            for pos in range(n - 1):
                column = words.get(f"{tokens[pos][1]} {tokens[pos + 1][1]}")
                if column is not None:
                    indices.append(column)
                    unit_of.append(n + pos)
            indptr.append(len(indices))
        columns = np.array(indices, dtype=np.int64)
        counts = sp.csr_matrix(
            (np.ones(len(columns)), columns.astype(np.int32), np.array(indptr, dtype=np.int32)),
            shape=(len(docs), self.n_word + self.n_char),
        )
        counts.sum_duplicates()  # also sorts each row's columns
        np.log(counts.data, out=counts.data)
        counts.data += 1.0
        counts.data *= np.concatenate([self.word_idf, self.char_idf])[counts.indices]
        _normalise_blocks(counts, self.n_word, self.word_weight)
        matrix = counts
        if self.embedding_dim:
            if vectors is None or vectors.shape != (len(docs), self.embedding_dim):
                raise ValueError("these features need a sentence vector for every comment")
            matrix = sp.hstack(
                [counts, sp.csr_matrix(vectors.astype(np.float64) * self.embedding_weight)],
                format="csr",
            )
        if not with_units:
            return Encoded(matrix, docs)
        offsets = np.array(indptr, dtype=np.int64)
        units = (columns, np.array(unit_of, dtype=np.int64), offsets)
        return Encoded(matrix, docs, units, _shares(counts, columns, offsets))

    # -- storage as plain arrays (never pickle) --------------------------------------------

    def to_arrays(self) -> FeatureArrays:
        return {
            "word_vocab": _pack(self.word_vocab),
            "word_idf": self.word_idf,
            "char_vocab": _pack(self.char_vocab),
            "char_idf": self.char_idf,
            "embedding_dim": np.array([self.embedding_dim], dtype=np.int64),
            "word_weight": np.array([self.word_weight], dtype=np.float64),
            "embedding_weight": np.array([self.embedding_weight], dtype=np.float64),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Features:
        word_vocab = _unpack(arrays["word_vocab"])
        char_vocab = _unpack(arrays["char_vocab"])
        word_idf = np.asarray(arrays["word_idf"], dtype=np.float64)
        char_idf = np.asarray(arrays["char_idf"], dtype=np.float64)
        if word_idf.shape != (len(word_vocab),) or char_idf.shape != (len(char_vocab),):
            raise ValueError("vocabulary and weights differ in length")
        # Models stored before a weight was kept used 1.0 for both.
        weights = [
            float(arrays[name][0]) if name in arrays else 1.0
            for name in ("word_weight", "embedding_weight")
        ]
        if not all(0 < w <= 10 for w in weights):
            raise ValueError("a block's weight is out of range")
        return cls(
            word_vocab,
            word_idf,
            char_vocab,
            char_idf,
            int(arrays["embedding_dim"][0]),
            weights[0],
            weights[1],
        )


def _shares(counts: sp.csr_matrix, columns: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each occurrence's value (its row and column's in `counts`, whose rows hold sorted
    columns) divided by how often the column occurs in the row, for a whole chunk at once."""
    width = max(counts.shape[1], 1)
    key = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets)) * width + columns
    stored = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr)) * width
    stored += counts.indices
    _, inverse, repeats = np.unique(key, return_inverse=True, return_counts=True)
    return np.asarray(counts.data[np.searchsorted(stored, key)] / repeats[inverse])


def _normalise_blocks(matrix: sp.csr_matrix, split: int, word_weight: float) -> None:
    """Scale each row's word block to word_weight and its character block to unit length."""
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    block = (matrix.indices >= split).astype(np.int64)
    key = rows * 2 + block
    norms = np.sqrt(np.bincount(key, weights=matrix.data**2, minlength=matrix.shape[0] * 2))
    norms[norms == 0] = 1.0
    norms[0::2] /= word_weight
    matrix.data /= norms[key]


def _pack(terms: list[str]) -> np.ndarray:
    return np.frombuffer(_SEPARATOR.join(terms).encode("utf-8"), dtype=np.uint8)


def _unpack(array: np.ndarray) -> list[str]:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("a vocabulary is not stored as text")
    text = array.tobytes().decode("utf-8")
    return text.split(_SEPARATOR) if text else []
