"""Helpers the tests share for setting up a store: a model version with no fitted arrays."""

from __future__ import annotations

from coder.model_card import FitConfig, ModelCard
from coder.store import Store


def add_model(store: Store, training_size: int = 2, features: str = "tfidf") -> int:
    """A model version as `coder train` would record one, without arrays: for suggestions
    and priorities written by the test itself."""
    card = ModelCard(
        features=features,
        training_size=training_size,
        config=FitConfig(),
        folds=5,
        max_per_comment=0,
        per_code=(),
    )
    return store.models.add(card, None)
