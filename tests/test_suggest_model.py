"""The model's parts without a project: features, safe storage, thresholds, ranking, explanations."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

from coder.errors import CoderError
from coder.nlp import analyse
from coder.suggest.active import Ranker, _balanced, usefulness
from coder.suggest.crossval import _best_cap, best_threshold, platt, score_thresholds
from coder.suggest.explain import explain
from coder.suggest.features import WORD_WEIGHT, Features
from coder.suggest.fitting import Rows, make_folds
from coder.suggest.model import Model, decide

TEXTS = [
    "My caseload is huge and the waiting list is long",
    "Waiting lists for specialist help are months long",
    "Snapchat and online games are where it happens",
    "I worry about getting it wrong",
    "The bus to the clinic was late again",
]


def fitted(texts=TEXTS):
    docs = list(analyse(texts))
    features = Features.fit(docs)
    return features, features.encode(docs, with_units=True)


def a_model(features, codes=2, seed=0):
    rng = np.random.default_rng(seed)
    return Model(
        features=features,
        code_ids=np.arange(1, codes + 1),
        coef=rng.normal(size=(codes, features.n_features)).astype(np.float32),
        intercept=rng.normal(size=codes),
        platt=np.column_stack([np.full(codes, 1.5), np.zeros(codes)]),
        threshold=np.full(codes, 0.4),
        max_per_comment=1,
    )


def test_each_block_of_a_comment_has_its_set_length():
    features, encoded = fitted()
    m = encoded.matrix
    assert m.shape == (len(TEXTS), features.n_features)
    word = sp.linalg.norm(m[:, : features.n_word], axis=1)
    char = sp.linalg.norm(m[:, features.n_word :], axis=1)
    assert np.allclose(word, WORD_WEIGHT) and np.allclose(char, 1)


def test_a_model_stored_before_the_word_weight_existed_reads_its_words_at_full_length():
    features, _ = fitted()
    arrays = dict(features.to_arrays())
    del arrays["word_weight"]
    old = Features.from_arrays(arrays)
    assert old.word_weight == 1.0
    m = old.encode(list(analyse(TEXTS))).matrix
    assert np.allclose(sp.linalg.norm(m[:, : old.n_word], axis=1), 1)


def test_the_sentence_vectors_weight_is_stored_with_the_model():
    docs = list(analyse(TEXTS))
    base = Features.fit(docs)
    features = Features(
        base.word_vocab, base.word_idf, base.char_vocab, base.char_idf, 3, embedding_weight=0.5
    )
    vectors = np.tile([0.6, 0.8, 0.0], (len(docs), 1))
    again = Features.from_arrays(features.to_arrays())
    assert again.embedding_weight == 0.5
    m = again.encode(docs, vectors).matrix
    assert np.allclose(sp.linalg.norm(m[:, -3:], axis=1), 0.5)
    arrays = dict(features.to_arrays())
    del arrays["embedding_weight"]  # as stored before the weight was kept
    assert Features.from_arrays(arrays).embedding_weight == 1.0
    arrays["embedding_weight"] = np.array([-1.0])
    with pytest.raises(ValueError, match="out of range"):
        Features.from_arrays(arrays)


def test_the_codebook_s_terms_stay_in_the_vocabulary_however_rare():
    docs = list(analyse(TEXTS * 300))  # enough comments that a term seen once is dropped
    definition = list(analyse(["Safeguarding referrals and thresholds"]))
    plain = Features.fit(docs)
    kept = Features.fit(docs, always=definition)
    assert "safeguard" not in plain.word_vocab
    assert {"safeguard", "referral", "threshold"} <= set(kept.word_vocab)


def test_words_unseen_in_training_add_nothing():
    features, _ = fitted()
    [known, unknown] = features.encode(list(analyse(["waiting list", "zzqx"]))).matrix
    assert known.nnz > 0
    assert unknown.nnz == 0


def test_a_model_survives_storage_as_arrays():
    features, encoded = fitted()
    model = a_model(features)
    again = Model.from_bytes(model.to_bytes())
    assert again.features.word_vocab == features.word_vocab
    assert again.features.char_vocab == features.char_vocab
    docs = list(analyse(["the waiting list is huge", "online games"]))
    before = model.probabilities(features.encode(docs).matrix)
    after = again.probabilities(again.features.encode(docs).matrix)
    assert np.allclose(before, after)
    assert again.max_per_comment == 1
    assert (again.min_per_comment, again.relative) == (0, 0.0)
    model.min_per_comment, model.relative = 1, 0.5
    again = Model.from_bytes(model.to_bytes())
    assert (again.min_per_comment, again.relative) == (1, 0.5)


def test_a_model_stored_before_the_floor_and_the_relative_share_decides_without_them():
    features, _ = fitted()
    model = a_model(features)
    model.min_per_comment, model.relative = 1, 0.5
    arrays = dict(np.load(io.BytesIO(model.to_bytes())).items())
    del arrays["min_per_comment"], arrays["relative"]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    old = Model.from_bytes(buffer.getvalue())
    assert (old.min_per_comment, old.relative) == (0, 0.0)


class Payload:
    """Would write a file if it were ever unpickled."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (str(self.target), "w"))


def test_a_pickled_payload_is_refused_without_running(tmp_path):
    target = tmp_path / "pwned"
    blob = pickle.dumps(Payload(target))
    with pytest.raises(CoderError, match="cannot be read"):
        Model.from_bytes(blob)
    assert not target.exists()


def test_an_array_of_objects_inside_the_archive_is_refused(tmp_path):
    target = tmp_path / "pwned"
    features, _ = fitted()
    good = a_model(features)
    buffer = io.BytesIO()
    arrays = {name: value for name, value in np.load(io.BytesIO(good.to_bytes())).items()}
    arrays["coef"] = np.array([Payload(target)], dtype=object)
    np.savez(buffer, **arrays)
    with pytest.raises(CoderError):
        Model.from_bytes(buffer.getvalue())
    assert not target.exists()


def test_a_model_that_would_inflate_past_the_limit_is_refused_before_unpacking(monkeypatch):
    features, _ = fitted()
    arrays = dict(np.load(io.BytesIO(a_model(features).to_bytes())).items())
    arrays["padding"] = np.zeros(20_000_000, dtype=np.float64)  # 160 MB, a few hundred KB packed
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    assert len(buffer.getvalue()) < 1_000_000
    monkeypatch.setenv("CODER_MAX_MODEL_BYTES", str(50_000_000))
    with pytest.raises(CoderError, match="CODER_MAX_MODEL_BYTES"):
        Model.from_bytes(buffer.getvalue())


@pytest.mark.parametrize(
    "claimed, message", [(10**12, "CODER_MAX_MODEL_BYTES"), (1000, "cannot be read")]
)
def test_an_array_claiming_more_than_it_holds_is_refused(claimed, message):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, archive.open("coef.npy", "w") as member:
        np.lib.format.write_array_header_1_0(
            member, {"descr": "<f8", "fortran_order": False, "shape": (claimed,)}
        )
        member.write(b"\x00" * 16)  # 2 numbers, whatever the header claims
    with pytest.raises(CoderError, match=message):
        Model.from_bytes(buffer.getvalue())


def test_garbage_and_missing_models_give_a_clear_error():
    with pytest.raises(CoderError, match="cannot be read"):
        Model.from_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CoderError, match="coder train"):
        Model.from_bytes(None)


def test_best_threshold_falls_between_the_last_hit_and_the_first_miss():
    p = np.array([0.9, 0.8, 0.3, 0.1])
    y = np.array([1, 1, 0, 0])
    assert best_threshold(p, y) == pytest.approx(0.55)
    # Tied probabilities cannot be split by a threshold.
    t = best_threshold(np.array([0.7, 0.7, 0.2]), np.array([1, 0, 0]))
    assert t < 0.7


def test_platt_calibration_is_increasing_and_stays_inside_zero_and_one():
    rng = np.random.default_rng(1)
    scores = np.r_[rng.normal(2, 1, 30), rng.normal(-2, 1, 300)]
    y = np.r_[np.ones(30), np.zeros(300)]
    a, b = platt(scores, y)
    assert a > 0
    p = 1 / (1 + np.exp(-(a * np.array([-5.0, 0.0, 5.0]) + b)))
    assert 0 < p[0] < p[1] < p[2] < 1


def test_decide_applies_thresholds_then_the_cap():
    p = np.array([[0.9, 0.8, 0.1], [0.2, 0.3, 0.35]])
    threshold = np.array([0.5, 0.5, 0.3])
    assert decide(p, threshold, 0).tolist() == [[True, True, False], [False, False, True]]
    assert decide(p, threshold, 1).tolist() == [[True, False, False], [False, False, True]]


def test_a_floor_offers_a_bare_comment_its_likeliest_code_only_if_half_way_to_its_threshold():
    p = np.array([[0.9, 0.8, 0.1], [0.2, 0.3, 0.1], [0.0, 0.0, 0.0], [0.1, 0.2, 0.05]])
    threshold = np.array([0.5, 0.5, 0.3])
    assert decide(p, threshold, 0, 1).tolist() == [
        [True, True, False],
        [False, True, False],  # none passed: its likeliest
        [False, False, False],  # every code deleted or rejected: nothing
        [False, False, False],  # none even half way to its threshold ("n/a"): nothing
    ]
    assert not decide(p, threshold, 0, 0)[1].any()


def test_a_relative_share_keeps_only_codes_near_the_likeliest():
    p = np.array([[0.9, 0.8, 0.4], [0.9, 0.6, 0.1]])
    threshold = np.array([0.3, 0.3, 0.3])
    assert decide(p, threshold, 0, 0, 0.5).tolist() == [
        [True, True, False],  # 0.4 is under half of 0.9
        [True, True, False],
    ]
    assert decide(p, threshold, 0, 0, 0.7).tolist() == [
        [True, True, False],
        [True, False, False],
    ]


def test_cross_validation_chooses_a_floor_only_where_every_comment_carries_a_code():
    rng = np.random.default_rng(0)
    n, k = 600, 4
    truth = rng.integers(0, k, n)
    y = np.zeros((n, k), dtype=np.int8)
    y[np.arange(n), truth] = 1
    # The right code is likeliest, but often under a threshold set high.
    p = rng.uniform(0.0, 0.3, (n, k))
    p[np.arange(n), truth] = rng.uniform(0.25, 0.9, n)
    threshold = np.full(k, 0.6)
    assert _best_cap(p, y, threshold)[1] == 1
    # Most comments carry no code, and score as low as the bare ones above.
    y[: 3 * n // 4] = 0
    p[: 3 * n // 4] = rng.uniform(0.0, 0.5, (3 * n // 4, k))
    assert _best_cap(p, y, threshold)[1] == 0


def test_folds_spread_a_rare_code_across_them():
    y = np.zeros((100, 2), dtype=np.int8)
    y[:50, 0] = 1
    y[[3, 20, 41, 60, 77], 1] = 1
    folds = make_folds(y, 5)
    assert sorted(np.concatenate([test for _, test in folds]).tolist()) == list(range(100))
    assert all(y[test, 1].sum() == 1 for _, test in folds)


def test_a_comment_near_a_threshold_of_a_weak_code_is_most_useful():
    p = np.array([[0.41, 0.0], [0.95, 0.0], [0.0, 0.41], [0.02, 0.02]])
    scores = usefulness(p, np.array([0.4, 0.4]), np.array([0.9, 0.2]))
    assert scores.argmax() == 2  # unsure, on the weak code
    assert scores[0] > scores[1] > 0 and scores[0] > scores[3]


def test_with_a_floor_a_comment_torn_between_two_codes_is_doubtful_far_from_any_threshold():
    threshold, f1 = np.array([0.5, 0.5, 0.5]), np.array([0.4, 0.4, 0.4])
    p = np.array([[0.1, 0.1, 0.08], [0.1, 0.02, 0.01], [0.15, 0.14, 0.01]])
    plain = usefulness(p, threshold, f1)
    floored = usefulness(p, threshold, f1, floor=True)
    assert np.all(floored >= plain)
    assert floored[0] > floored[2] > floored[1]  # level first, then near level, then clear
    assert floored[1] == plain[1]  # a clear likeliest adds nothing to its doubt


def test_the_first_comments_to_code_are_not_near_copies():
    rows = sp.csr_matrix(
        np.array([[1.0, 0, 0], [1.0, 0, 0], [0.99, 0.01, 0], [0, 1.0, 0], [0, 0, 1.0]])
    )
    ranker = Ranker()
    ranker.add(np.array([10, 11, 12, 13, 14]), np.array([0.9, 0.89, 0.88, 0.6, 0.5]), rows)
    order = [c for c, _ in ranker.order(diverse=3, explore=False)]
    assert order[:3] == [10, 13, 14]  # the copies of 10 wait
    assert sorted(order) == [10, 11, 12, 13, 14]


def test_every_other_comment_of_the_order_is_drawn_at_random():
    rng = np.random.default_rng(5)
    ranker = Ranker()
    ids = np.arange(100, 160)
    ranker.add(ids, rng.random(60), sp.random(60, 40, density=0.3, random_state=6, format="csr"))
    useful = [c for c, _ in ranker.order(diverse=10, explore=False)]
    mixed = [c for c, _ in ranker.order(diverse=10, seed=1)]
    assert sorted(mixed) == sorted(useful) == ids.tolist()
    assert mixed[0::2][:10] == [c for c in useful if c not in set(mixed[1::2][:10])][:10]
    assert mixed == [c for c, _ in ranker.order(diverse=10, seed=1)]  # the same every time
    assert mixed != [c for c, _ in ranker.order(diverse=10, seed=2)]


def test_random_places_go_first_to_the_codes_with_fewest_coded_examples():
    rng = np.random.default_rng(7)
    ids = np.arange(200, 260)
    likeliest = np.array([0] * 40 + [1] * 15 + [2] * 5)  # code 2: few comments look like it
    ranker = Ranker()
    rows = sp.random(60, 30, density=0.3, random_state=8, format="csr")
    ranker.add(ids, rng.random(60), rows, likeliest=likeliest)
    coded = np.array([30, 6, 1])  # coded examples so far: code 2 the rarest
    order = [c for c, _ in ranker.order(diverse=5, seed=3, coded_per_code=coded)]
    assert sorted(order) == ids.tolist()  # nothing is lost
    code = dict(zip(ids.tolist(), likeliest.tolist(), strict=True))
    drawn = [code[c] for c in order[1::2][:10]]
    # code 2 until it has as many as code 1, then both in turn; code 0 not yet
    assert drawn[:5].count(2) >= 4 and 0 not in drawn
    plain = [c for c, _ in ranker.order(diverse=5, seed=3)]
    assert [code[c] for c in plain[1::2][:10]].count(0) >= 3  # drawn at random instead


def test_balanced_drawing_keeps_every_comment_and_is_repeatable():
    drawn = np.random.default_rng(1).permutation(12)
    likeliest = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 0, 1, -1])
    out = _balanced(drawn, likeliest, np.array([5, 0, 2]))
    assert sorted(out.tolist()) == list(range(12))
    assert likeliest[out[0]] == 1 and likeliest[out[-1]] == -1
    assert out.tolist() == _balanced(drawn, likeliest, np.array([5, 0, 2])).tolist()


def test_without_typicality_an_odd_doubtful_comment_leads_the_spread():
    rows = sp.csr_matrix(
        np.array([[1.0, 0, 0], [1.0, 0.1, 0], [1.0, 0, 0.1], [0.9, 0.1, 0], [0, 0, 1.0]])
    )
    scores = np.array([0.5, 0.5, 0.5, 0.5, 0.6])  # the odd one (14) the most doubtful
    ranker = Ranker()
    ranker.add(np.arange(10, 15), scores, rows)
    assert ranker.order(diverse=2, explore=False)[0][0] != 14
    assert ranker.order(diverse=2, explore=False, typical=False)[0][0] == 14


def test_ranking_streams_in_chunks_and_keeps_every_comment():
    rng = np.random.default_rng(2)
    ranker = Ranker(pool_size=5)
    ids = np.arange(1, 41)
    scores = rng.random(40)
    rows = sp.random(40, 30, density=0.3, random_state=3, format="csr")
    for start in range(0, 40, 7):
        ranker.add(ids[start : start + 7], scores[start : start + 7], rows[start : start + 7])
    order = ranker.order(diverse=3, explore=False)
    assert sorted(c for c, _ in order) == ids.tolist()
    assert {c for c, _ in order[:3]} <= set(ids[np.argsort(-scores)[:5]].tolist())


def test_explanations_name_the_words_that_weighed_most():
    features, encoded = fitted()
    coef = np.zeros(features.n_features, dtype=np.float32)
    for term in ("wait", "list", "wait list"):
        coef[features.word_vocab.index(term)] = 3.0
    coef[features.word_vocab.index("huge")] = 3.0
    words = explain(encoded, 0, coef)
    assert words[0] == "waiting list"
    assert "huge" in words
    assert "the" not in words and "is" not in words  # stop words explain nothing
    assert explain(encoded, 2, coef) == []  # nothing in that comment speaks for the code


def test_each_feature_occurrence_carries_its_share_of_the_score():
    """Explanations split a comment's score among the places its features came from: a
    feature met twice gives half its value to each, and the parts add up to the score."""
    texts = [*TEXTS, "Long long waiting, the list is long and the wait is long"]
    features, encoded = fitted(texts)
    assert encoded.units is not None and encoded.shares is not None
    columns, _, offsets = encoded.units
    coef = np.random.default_rng(5).normal(size=features.n_features)
    for row in range(len(texts)):
        part = slice(offsets[row], offsets[row + 1])
        parts = encoded.shares[part] * coef[columns[part]]
        assert np.isclose(parts.sum(), (encoded.matrix[row] @ coef)[0])
    long = features.word_vocab.index("long")
    last = slice(offsets[len(texts) - 1], offsets[len(texts)])
    value = encoded.matrix[len(texts) - 1, long]
    assert np.allclose(encoded.shares[last][columns[last] == long], value / 4)


def test_a_fold_without_an_example_of_a_code_still_fits():
    from coder.model_card import FitConfig
    from coder.suggest.fitting import fit_codes

    x = sp.random(20, 8, density=0.5, random_state=4, format="csr")
    y = np.zeros((20, 2), dtype=np.int8)
    y[:10, 0] = 1
    coef, intercept = fit_codes(Rows(x, y, 20), FitConfig(4.0, "balanced"))
    assert coef.shape == (2, 8)
    assert not coef[1].any() and intercept[1] < 0  # never seen: never suggested


def test_word_weighting_folds_into_the_coefficients():
    """A code's model is fitted on features weighted per code, yet scores plain features."""
    from sklearn.linear_model import LogisticRegression

    from coder.model_card import FitConfig
    from coder.suggest.fitting import MAX_ITER, TOLERANCE, fit_codes, word_weights

    rng = np.random.default_rng(7)
    x = sp.random(60, 30, density=0.3, random_state=8, format="csr")
    y = (rng.random((60, 1)) < 0.3).astype(np.int8)
    config = FitConfig(2.0, "balanced", 0.5)
    coef, intercept = fit_codes(Rows(x, y, 60), config)
    present = x.copy()
    present.data[:] = 1
    scale = word_weights(present, y[:, 0], None, 0.5)
    weighted = x @ sp.diags(scale)
    direct = LogisticRegression(
        C=2.0,
        class_weight="balanced",
        solver="liblinear",
        dual=True,
        tol=TOLERANCE,
        max_iter=MAX_ITER,
        random_state=0,
    ).fit(weighted, y[:, 0])
    assert np.allclose(x @ coef[0] + intercept[0], direct.decision_function(weighted), atol=1e-4)
    # Words never seen with the code and words seen only with it are weighted apart.
    assert scale.min() < scale.max()


def test_word_weighting_leaves_the_sentence_vectors_their_own_scale():
    """A sentence vector's dimensions are in every comment, so their "word" ratio measures
    only comment length: here the same for all, which would weigh the vector down to
    nothing although it alone tells the code's comments apart."""
    from coder.model_card import FitConfig
    from coder.suggest.fitting import fit_codes

    rng = np.random.default_rng(5)
    n, words = 80, 40
    y = np.zeros((n, 1), dtype=np.int8)
    y[: n // 2, 0] = 1
    # Every comment has 4 words, drawn regardless of the code: no word tells.
    columns = np.concatenate([rng.choice(words, 4, replace=False) for _ in range(n)])
    counts = sp.csr_matrix((np.ones(4 * n), columns, np.arange(0, 4 * n + 1, 4)), shape=(n, words))
    vector = np.where(y > 0, 1.0, -1.0) + rng.normal(0, 0.3, (n, 1))
    x = sp.hstack([counts, sp.csr_matrix(vector)], format="csr")
    config = FitConfig(2.0, "balanced", 0.5)
    coef, intercept = fit_codes(Rows(x, y, n, weighted_columns=words), config)
    decided = (x @ coef[0] + intercept[0]) > 0
    assert (decided == (y[:, 0] > 0)).mean() > 0.9
    # Weighting every column alike, the vector's weight is that ratio's: nil.
    flat, _ = fit_codes(Rows(x, y, n), config)
    assert abs(flat[0, -1]) < 0.1 * abs(coef[0, -1])


def test_pseudo_examples_count_in_every_fold_and_never_as_held_out():
    from coder.model_card import FitConfig
    from coder.suggest.fitting import out_of_fold_scores

    x = sp.identity(12, format="csr")
    y = np.zeros((12, 1), dtype=np.int8)
    y[[0, 1, 2, 10], 0] = 1  # rows 10 and 11 are pseudo-examples
    rows = Rows(x, y, 10, np.ones((12, 1)))
    assert rows.with_pseudo(np.array([3, 4])).tolist() == [3, 4, 10, 11]
    folds = make_folds(y[:10], 2)
    scores = out_of_fold_scores(rows, folds, FitConfig(1.0, "balanced"))
    assert scores.shape == (10, 1)  # scores for the coded comments only


def test_thresholds_picked_on_few_examples_lean_towards_the_balanced_cut():
    rng = np.random.default_rng(3)
    few = np.r_[np.ones(3), np.zeros(300)]
    many = np.r_[np.ones(300), np.zeros(300)]
    s_few = np.r_[rng.normal(3, 0.1, 3), rng.normal(-1, 1, 300)]
    s_many = np.r_[rng.normal(3, 0.1, 300), rng.normal(-1, 1, 300)]
    y = np.zeros((600, 2))
    scores = np.zeros((600, 2))
    y[:303, 0], scores[:303, 0] = few, s_few
    y[:, 1], scores[:, 1] = many, s_many
    cut = score_thresholds(scores, y)
    best_few = best_threshold(scores[:, 0], y[:, 0])
    best_many = best_threshold(scores[:, 1], y[:, 1])
    assert abs(cut[0]) < 0.2 * abs(best_few)  # three examples: mostly the balanced cut
    assert abs(cut[1] - best_many) < 0.1 * abs(best_many)  # hundreds: their own best
