"""What a trained suggestion model is: its settings and measured quality, as typed records.

A model card is stored beside the model's arrays as two JSON columns (`metrics` and
`params`); it is read back here, checked field by field, so a damaged or hand-edited
project file gives a clear error instead of a crash deep in the workbench.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from coder.errors import CoderError

DISAGREEMENT_RULE = (
    "a code counts when at least half of a comment's coders applied it (where coder "
    "'consensus' set the agreed coding, only that counts)"
)
PARENT_RULE = "a sub-code does not imply its parent; each code learns from its own codings"


@dataclass(frozen=True)
class FitConfig:
    """One way of fitting the per-code models: regularisation and class weighting."""

    c: float = 4.0
    class_weight: str | None = "balanced"

    def describe(self) -> str:
        weight = "balanced" if self.class_weight else "unweighted"
        return f"C={self.c:g}, {weight} classes"


@dataclass(frozen=True)
class CodeMetrics:
    """Cross-validated quality of one code's suggestions."""

    code_id: int
    path: str
    precision: float
    recall: float
    f1: float
    support: int
    threshold: float = math.nan


@dataclass(frozen=True)
class SkippedCode:
    """A code the model does not learn, and why."""

    code_id: int
    path: str
    reason: str


@dataclass(frozen=True)
class Trial:
    """One configuration tried in the hyper-parameter search."""

    config: FitConfig
    macro_f1: float
    micro_f1: float
    seconds: float


@dataclass(frozen=True)
class ModelCard:
    """Everything about a trained model except its arrays."""

    features: str
    training_size: int
    config: FitConfig
    folds: int
    max_per_comment: int
    per_code: tuple[CodeMetrics, ...]
    skipped: tuple[SkippedCode, ...] = ()
    macro_f1: float = 0.0
    micro_f1: float = 0.0
    tried: tuple[Trial, ...] = ()
    coders: tuple[str, ...] = ()
    min_examples: int = 5
    budget_seconds: float = 0.0
    feature_sizes: dict[str, int] = field(default_factory=dict)
    disagreement_rule: str = DISAGREEMENT_RULE
    parent_rule: str = PARENT_RULE

    def metrics_for(self, code_id: int) -> CodeMetrics | None:
        return next((m for m in self.per_code if m.code_id == code_id), None)

    # -- the stored form ---------------------------------------------------------------------

    def metrics_json(self) -> str:
        return json.dumps(
            {
                "codes": {
                    str(m.code_id): {
                        "path": m.path,
                        "precision": m.precision,
                        "recall": m.recall,
                        "f1": m.f1,
                        "support": m.support,
                        "threshold": m.threshold,
                    }
                    for m in self.per_code
                },
                "macro_f1": self.macro_f1,
                "micro_f1": self.micro_f1,
                "skipped": {
                    str(s.code_id): {"path": s.path, "reason": s.reason} for s in self.skipped
                },
            }
        )

    def params_json(self) -> str:
        return json.dumps(
            {
                "C": self.config.c,
                "class_weight": self.config.class_weight,
                "folds": self.folds,
                "max_per_comment": self.max_per_comment,
                "min_examples": self.min_examples,
                "budget_seconds": self.budget_seconds,
                "tried": [
                    {
                        "C": t.config.c,
                        "class_weight": t.config.class_weight,
                        "macro_f1": t.macro_f1,
                        "micro_f1": t.micro_f1,
                        "seconds": t.seconds,
                    }
                    for t in self.tried
                ],
                "coders": list(self.coders),
                "disagreement": self.disagreement_rule,
                "parents": self.parent_rule,
                "features": self.feature_sizes,
                "features_name": self.features,
                "training_size": self.training_size,
            }
        )

    @classmethod
    def from_json(
        cls, metrics: str | None, params: str | None, *, features: str = "", training_size: int = 0
    ) -> ModelCard:
        """Read a stored card; anything malformed is one clear error."""
        try:
            m = _object(json.loads(metrics or "{}"))
            p = _object(json.loads(params or "{}"))
            per_code = tuple(
                CodeMetrics(
                    code_id=int(key),
                    path=_text(v.get("path", "")),
                    precision=_number(v.get("precision", 0.0)),
                    recall=_number(v.get("recall", 0.0)),
                    f1=_number(v.get("f1", 0.0)),
                    support=int(_number(v.get("support", 0))),
                    threshold=_number(v.get("threshold", math.nan)),
                )
                for key, v in ((k, _object(v)) for k, v in _object(m.get("codes", {})).items())
            )
            skipped = tuple(
                SkippedCode(int(key), _text(v.get("path", "")), _text(v.get("reason", "")))
                for key, v in ((k, _object(v)) for k, v in _object(m.get("skipped", {})).items())
            )
            tried = tuple(
                Trial(
                    FitConfig(_number(t.get("C", 4.0)), _weight(t.get("class_weight"))),
                    _number(t.get("macro_f1", 0.0)),
                    _number(t.get("micro_f1", 0.0)),
                    _number(t.get("seconds", 0.0)),
                )
                for t in (_object(t) for t in _list(p.get("tried", [])))
            )
            sizes = _object(p.get("features", {}))
            return cls(
                features=_text(p.get("features_name", features)),
                training_size=int(_number(p.get("training_size", training_size))),
                config=FitConfig(_number(p.get("C", 4.0)), _weight(p.get("class_weight"))),
                folds=int(_number(p.get("folds", 0))),
                max_per_comment=int(_number(p.get("max_per_comment", 0))),
                per_code=per_code,
                skipped=skipped,
                macro_f1=_number(m.get("macro_f1", 0.0)),
                micro_f1=_number(m.get("micro_f1", 0.0)),
                tried=tried,
                coders=tuple(_text(c) for c in _list(p.get("coders", []))),
                min_examples=int(_number(p.get("min_examples", 5))),
                budget_seconds=_number(p.get("budget_seconds", 0.0)),
                feature_sizes={_text(k): int(_number(v)) for k, v in sizes.items()},
                disagreement_rule=_text(p.get("disagreement", DISAGREEMENT_RULE)),
                parent_rule=_text(p.get("parents", PARENT_RULE)),
            )
        except (ValueError, TypeError, RecursionError) as exc:
            raise CoderError(
                "the stored model's description is damaged; run coder train to make a new one"
            ) from exc


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _number(value: Any) -> float:
    if value is None:  # json has no NaN: a missing threshold is stored as null
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)


def _weight(value: Any) -> str | None:
    if value is None:
        return None
    return _text(value)
