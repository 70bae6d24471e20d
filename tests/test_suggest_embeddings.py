"""The optional sentence-embedding features: detection, fallback, the per-comment cache."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from coder.errors import CoderError
from coder.store import open_project
from coder.suggest import embeddings, suggest, train
from coder.suggest.model import Model


def fake_encode(texts):
    """Stands in for the encoder: a fixed unit vector per text."""
    out = np.zeros((len(texts), embeddings.DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(texts):
        v = np.random.default_rng(zlib.crc32(text.encode())).normal(size=embeddings.DIMENSIONS)
        out[i] = v / np.linalg.norm(v)
    return out


@pytest.fixture
def pretend_installed(monkeypatch):
    calls: list[int] = []

    def encode(texts):
        calls.append(len(texts))
        return fake_encode(texts)

    monkeypatch.setattr(embeddings, "available", lambda: True)
    monkeypatch.setattr(embeddings, "encode", encode)
    return calls


def test_without_the_extra_tfidf_is_the_default_and_asking_for_more_explains(monkeypatch):
    real = embeddings.find_spec
    monkeypatch.setattr(
        embeddings, "find_spec", lambda name: None if name == "torch" else real(name)
    )
    assert not embeddings.available()
    assert embeddings.default_features() == "tfidf"
    assert embeddings.check_features(None) == "tfidf"
    with pytest.raises(CoderError, match=r"pip install 'coder\[embeddings\]'"):
        embeddings.check_features("tfidf+embeddings")
    with pytest.raises(CoderError, match="unknown features"):
        embeddings.check_features("bag-of-words")


def test_the_default_install_has_no_torch():
    import importlib.util

    if importlib.util.find_spec("torch") is not None:
        pytest.skip("the embeddings extra is installed here")
    assert embeddings.default_features() == "tfidf"


def test_vectors_are_joined_to_tfidf_and_cached_per_comment(demo_project, pretend_installed):
    with open_project(demo_project) as store:
        report = train(store, budget=0)  # the best installed: with embeddings
        assert report.features == "tfidf+embeddings"
        model = Model.from_bytes(store.models.blob(report.version))
        assert model.features.embedding_dim == embeddings.DIMENSIONS
        # Every coded comment, the uncoded ones that fill out a small project's vocabulary
        # (here all of them), and the codebook's definitions and examples.
        everything = store.comments.count() + report.card.codebook_examples
        assert sum(pretend_installed) == everything
        suggested = suggest(store)
        assert sum(pretend_installed) == everything  # suggesting found them all cached
        pretend_installed.clear()
        again = suggest(store)  # every vector is cached now
        cached = store.models.embeddings(embeddings.MODEL, [c for c, _ in store.comments.uncoded()])
    assert pretend_installed == []
    assert again.suggestions == suggested.suggestions > 0
    vector = np.frombuffer(next(iter(cached.values())), dtype="<f4")
    assert vector.shape == (embeddings.DIMENSIONS,)
    assert np.linalg.norm(vector) == pytest.approx(1, abs=1e-5)


def test_a_model_with_embeddings_needs_the_extra_to_suggest(
    demo_project, pretend_installed, monkeypatch
):
    with open_project(demo_project) as store:
        train(store, budget=0)
        monkeypatch.setattr(embeddings, "available", lambda: False)
        with pytest.raises(CoderError, match="--features tfidf"):
            suggest(store)


@pytest.mark.skipif(not embeddings.available(), reason="the embeddings extra is not installed")
def test_the_real_encoder_runs_offline_on_the_cpu():
    vectors = embeddings.encode(["The waiting list is months long", "Months of waiting"])
    assert vectors.shape == (2, embeddings.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > 0.3  # alike in meaning


@pytest.mark.skipif(not embeddings.available(), reason="the embeddings extra is not installed")
def test_training_and_suggesting_with_the_real_encoder(demo_project):
    with open_project(demo_project) as store:
        report = train(store, features="tfidf+embeddings", budget=0)
        suggested = suggest(store)
        cached = store.models.embeddings(embeddings.MODEL, [c for c, _ in store.comments.uncoded()])
    assert report.features == "tfidf+embeddings" and report.macro_f1 > 0.3
    assert suggested.suggestions > 0
    assert len(cached) == suggested.scored
