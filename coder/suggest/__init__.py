"""Code suggestions: features, model, training, explanations and active learning (headless)."""

from coder.model_card import CodeMetrics, SkippedCode
from coder.suggest.embeddings import FEATURE_SETS, default_features
from coder.suggest.evaluation import EvaluationReport, evaluate, plot_learning_curve
from coder.suggest.scoring import SuggestReport, export_suggestions, suggest
from coder.suggest.targets import MIN_EXAMPLES
from coder.suggest.training import TrainReport, train

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
