"""Word vectors learnt from the comments: words that keep the same company meet, though the
comments that use them share no word."""

from __future__ import annotations

import random

import numpy as np

from coder.discover.clustering import word_matrix
from coder.discover.wordvectors import comment_vectors
from coder.nlp import analyse


def survey(seed: int = 0) -> list[str]:
    """'nurse' and 'staff' both come with ward words, 'parking' and 'car' with money words;
    never 'nurse' with 'staff', nor 'parking' with 'car'."""
    rng = random.Random(seed)
    ward = ["kind", "caring", "ward", "gentle", "night", "compassion"]
    money = ["fees", "expensive", "pay", "ticket", "machine", "charges"]
    out = []
    for _ in range(40):
        out.append(f"the nurse was {' '.join(rng.sample(ward, 3))}")
        out.append(f"the staff were {' '.join(rng.sample(ward, 3))}")
        out.append(f"parking {' '.join(rng.sample(money, 3))}")
        out.append(f"car {' '.join(rng.sample(money, 3))}")
    return out + ["nurse", "staff", "parking", "car", "nurse staff", "?!"]


def test_comments_whose_words_keep_the_same_company_are_close_though_they_share_no_word():
    texts = survey()
    docs = list(analyse(texts))
    matrix, terms = word_matrix(docs)
    vectors = comment_vectors(matrix, terms, seed=0)
    nurse, staff, parking, car = (
        vectors[texts.index(w)] for w in ["nurse", "staff", "parking", "car"]
    )
    assert np.allclose(np.linalg.norm(vectors[:-1], axis=1), 1.0)
    assert nurse @ staff > 0.5 and parking @ car > 0.5
    assert nurse @ staff > nurse @ parking + 0.5
    assert parking @ car > staff @ car + 0.5
    assert not vectors[-1].any()  # no word at all: no direction


def test_the_same_comments_and_seed_give_the_same_vectors():
    docs = list(analyse(survey()))
    matrix, terms = word_matrix(docs)
    assert np.array_equal(comment_vectors(matrix, terms, 3), comment_vectors(matrix, terms, 3))


def test_too_few_words_to_learn_from_give_no_vectors():
    docs = list(analyse(["one", "two", "three"]))
    matrix, terms = word_matrix(docs)
    vectors = comment_vectors(matrix, terms, 0)
    assert vectors.shape[0] == 3 and not vectors.any()
