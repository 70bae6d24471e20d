"""Comments' character n-grams, and themes settled over every comment once they are chosen."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from coder.discover.clustering import _settle, character_matrix, cluster, word_matrix
from coder.nlp import analyse


def _blobs() -> np.ndarray:
    """Unit vectors in two groups, around 0° and around 90°, three apart at most."""
    rng = np.random.default_rng(0)
    angles = np.concatenate([rng.uniform(-0.5, 0.5, 40), rng.uniform(89.5, 90.5, 40)])
    radians = np.deg2rad(angles)
    return np.column_stack([np.cos(radians), np.sin(radians)])


def test_comments_joined_to_the_wrong_theme_move_to_the_nearest():
    vectors = _blobs()
    truth = np.repeat([3, 7], 40)  # theme numbers as a join might leave them
    joined = truth.copy()
    joined[[0, 1, 2, 41]] = [7, 7, 7, 3]  # whole small groups put on the wrong side
    empty = np.zeros(len(vectors), dtype=bool)
    settled = _settle(vectors, joined, empty)
    assert settled.tolist() == truth.tolist()  # the themes keep their numbers


def test_comments_without_words_stay_unthemed_and_one_theme_is_left_alone():
    vectors = np.vstack([_blobs(), np.zeros((2, 2))])
    empty = np.arange(len(vectors)) >= 80
    joined = np.concatenate([np.repeat([0, 1], 40), [-1, -1]])
    joined[5] = 1
    settled = _settle(vectors[~empty], joined, empty)
    assert settled[80:].tolist() == [-1, -1]
    assert settled[:80].tolist() == np.repeat([0, 1], 40).tolist()
    one = np.where(empty, -1, 0)
    assert _settle(vectors[~empty], one, empty).tolist() == one.tolist()


def test_asked_for_themes_are_the_two_groups_every_time():
    vectors = _blobs()
    first = cluster(vectors, 2, seed=0)
    assert first.n_themes == 2
    assert len(set(first.labels[:40].tolist())) == 1
    assert len(set(first.labels[40:].tolist())) == 1
    assert first.labels[0] != first.labels[40]
    assert cluster(vectors, 2, seed=0).labels.tolist() == first.labels.tolist()


def test_character_ngrams_are_those_of_each_comment_cut_whole():
    texts = ["Waiting for an appointment", "appointments WAITING", "", "staf were kind"]
    got = character_matrix(list(analyse(texts))).toarray()
    # scikit-learn cutting each comment (its words as analyse leaves them) gives the same
    expected = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    want = expected.fit_transform([" ".join(w for w, _ in d) for d in analyse(texts)])
    want = want.toarray()
    assert np.allclose(got @ got.T, want @ want.T, atol=1e-6)  # columns in another order
    assert np.allclose(np.sort(got, axis=1), np.sort(want, axis=1), atol=1e-6)
    assert not got[2].any()  # a comment without words has no n-grams


def test_a_misspelt_or_inflected_word_still_meets_its_fellow():
    docs = list(analyse(["the staff", "staf", "car park", "appointments", "appointment"]))
    words, _ = word_matrix(docs)
    letters = character_matrix(docs)
    assert (words[0] @ words[1].T).toarray()[0, 0] == 0  # as words they share nothing
    assert (letters[0] @ letters[1].T).toarray()[0, 0] > 0.3  # "sta", "taf", "staf", ...
    assert (letters[0] @ letters[2].T).toarray()[0, 0] == 0
    assert (letters[3] @ letters[4].T).toarray()[0, 0] > 0.5


def test_no_comment_with_a_word_gives_an_empty_matrix():
    assert character_matrix(list(analyse(["!!", "?"]))).nnz == 0
