"""Code suggestions: features, model, training, explanations and active learning (headless).

The names below are imported when first used, not with the package: a worker process
that fits models imports coder.suggest.fitting, and loading spaCy and the rest with it
would cost each worker a second or more for nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder.model_card import CodeMetrics, SkippedCode
    from coder.suggest.embeddings import FEATURE_SETS, default_features
    from coder.suggest.evaluation import EvaluationReport, evaluate, plot_learning_curve
    from coder.suggest.scoring import SuggestReport, export_suggestions, suggest
    from coder.suggest.targets import MIN_EXAMPLES
    from coder.suggest.training import TrainReport, train

_HOMES = {
    "CodeMetrics": "coder.model_card",
    "SkippedCode": "coder.model_card",
    "FEATURE_SETS": "coder.suggest.embeddings",
    "default_features": "coder.suggest.embeddings",
    "EvaluationReport": "coder.suggest.evaluation",
    "evaluate": "coder.suggest.evaluation",
    "plot_learning_curve": "coder.suggest.evaluation",
    "SuggestReport": "coder.suggest.scoring",
    "export_suggestions": "coder.suggest.scoring",
    "suggest": "coder.suggest.scoring",
    "MIN_EXAMPLES": "coder.suggest.targets",
    "TrainReport": "coder.suggest.training",
    "train": "coder.suggest.training",
}

__all__ = [
    "FEATURE_SETS",
    "MIN_EXAMPLES",
    "CodeMetrics",
    "EvaluationReport",
    "SkippedCode",
    "SuggestReport",
    "TrainReport",
    "default_features",
    "evaluate",
    "export_suggestions",
    "plot_learning_curve",
    "suggest",
    "train",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
