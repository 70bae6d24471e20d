"""What a trained suggestion model is: its settings and measured quality, as typed records.

A model card is stored beside the model's arrays as two JSON columns (`metrics` and
`params`); it is read back here, checked field by field, so a damaged or hand-edited
project file gives a clear error instead of a crash deep in the workbench.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coder.errors import CoderError

DISAGREEMENT_RULE = (
    "a code counts when at least half of a comment's coders applied it (where coder "
    "'consensus' set the agreed coding, only that counts)"
)
PARENT_RULE = "a sub-code does not imply its parent; each code learns from its own codings"
UNSURE_F1 = 0.3  # below this cross-validated F1 a code's suggestions are in the unsure tier


class Tier(StrEnum):
    """How far a code's suggestions can be trusted: every modelled code is suggested, the
    ones the model is weak on (or could not measure) in the unsure tier, after the others."""

    CONFIDENT = "confident"
    UNSURE = "unsure"


@dataclass(frozen=True)
class FitConfig:
    """One way of fitting the per-code models: regularisation and class weighting."""

    c: float = 4.0
    class_weight: str | None = "balanced"
    # How strongly each code's model leans on the words that tell its comments apart
    # (naive Bayes log-count ratios, raised to this power; 0: plain TF-IDF).
    nb: float = 0.0

    def describe(self) -> str:
        weight = "balanced" if self.class_weight else "unweighted"
        lean = f", word weighting {self.nb:g}" if self.nb else ""
        return f"C={self.c:g}, {weight} classes{lean}"


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
    tier: str = Tier.CONFIDENT
    # False: too few coded examples to cross-validate; learnt (also) from the codebook's
    # definition, so suggested in the unsure tier with no measured figures.
    measured: bool = True

    @property
    def unsure(self) -> bool:
        return self.tier == Tier.UNSURE


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
    # The fixed search plan, and whether all of it ran (False: the budget cut it short).
    plan: tuple[FitConfig, ...] = ()
    plan_complete: bool = True
    search_sample: int = 0  # the plan was compared on this many coded comments (0: all)
    codebook_examples: int = 0  # pseudo-examples taken from the codebook's definitions
    unsure_f1: float = UNSURE_F1
    settings_from: int | None = None  # a quick retrain: the version whose settings it reused
    searched_on: int = 0  # coded comments when those settings were chosen
    min_per_comment: int = 0  # 1: a comment with none past its threshold gets its likeliest
    relative: float = 0.0  # codes offered only within this share of the likeliest

    def rules(self) -> list[str]:
        """The per-comment rules cross-validation chose, one line each, as a reader says them."""
        lines = []
        if self.relative:
            lines.append(
                f"a code is suggested only if at least {self.relative:.0%} as likely as the "
                "comment's likeliest"
            )
        if self.max_per_comment:
            lines.append(f"at most {self.max_per_comment} suggestions per comment")
        if self.min_per_comment:
            lines.append(
                "a comment with no code past its threshold is offered the likeliest of those "
                "half way there"
            )
        return lines

    def metrics_for(self, code_id: int) -> CodeMetrics | None:
        return next((m for m in self.per_code if m.code_id == code_id), None)

    @property
    def unsure(self) -> tuple[CodeMetrics, ...]:
        """The codes suggested in the unsure tier."""
        return tuple(m for m in self.per_code if m.unsure)

    def search_note(self) -> str:
        """The search in words: the whole fixed plan, or where a budget cut it short."""
        if self.settings_from is not None:
            return f"settings reused from model v{self.settings_from} (a quick retrain)"
        if not self.plan:
            return ""
        on = f" on a sample of {self.search_sample} coded comments" if self.search_sample else ""
        if self.plan_complete and len(self.plan) == 1:
            return "the fixed settings for this much coding (no search)"
        if self.plan_complete:
            return f"settings chosen from a fixed plan of {len(self.plan)}{on}"
        return (
            f"the time budget cut the search short: {len(self.tried)} of {len(self.plan)} "
            f"settings tried{on}; the same project may train differently with another budget"
        )

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
                        "tier": m.tier,
                        "measured": m.measured,
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
                "nb": self.config.nb,
                "folds": self.folds,
                "max_per_comment": self.max_per_comment,
                "min_per_comment": self.min_per_comment,
                "relative": self.relative,
                "min_examples": self.min_examples,
                "budget_seconds": self.budget_seconds,
                "tried": [
                    {
                        "C": t.config.c,
                        "class_weight": t.config.class_weight,
                        "nb": t.config.nb,
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
                "plan": [_config_json(c) for c in self.plan],
                "plan_complete": self.plan_complete,
                "search_sample": self.search_sample,
                "codebook_examples": self.codebook_examples,
                "unsure_f1": self.unsure_f1,
                "settings_from": self.settings_from,
                "searched_on": self.searched_on,
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
                    tier=_tier(v.get("tier", Tier.CONFIDENT)),
                    measured=_flag(v.get("measured", True)),
                )
                for key, v in ((k, _object(v)) for k, v in _object(m.get("codes", {})).items())
            )
            skipped = tuple(
                SkippedCode(int(key), _text(v.get("path", "")), _text(v.get("reason", "")))
                for key, v in ((k, _object(v)) for k, v in _object(m.get("skipped", {})).items())
            )
            tried = tuple(
                Trial(
                    _config(t),
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
                config=_config(p),
                folds=int(_number(p.get("folds", 0))),
                max_per_comment=int(_number(p.get("max_per_comment", 0))),
                min_per_comment=int(_number(p.get("min_per_comment", 0))),
                relative=_number(p.get("relative", 0.0)),
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
                plan=tuple(_config(_object(c)) for c in _list(p.get("plan", []))),
                plan_complete=_flag(p.get("plan_complete", True)),
                search_sample=int(_number(p.get("search_sample", 0))),
                codebook_examples=int(_number(p.get("codebook_examples", 0))),
                unsure_f1=_number(p.get("unsure_f1", UNSURE_F1)),
                settings_from=_optional_int(p.get("settings_from")),
                searched_on=int(_number(p.get("searched_on", 0))),
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


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(_number(value))


def _tier(value: Any) -> str:
    return Tier(_text(value))  # anything else is damage: ValueError


def _config(value: dict[str, Any]) -> FitConfig:
    """A configuration as stored; a card from before a setting existed reads its default."""
    return FitConfig(
        _number(value.get("C", 4.0)),
        _weight(value.get("class_weight")),
        _number(value.get("nb", 0.0)),
    )


def _config_json(config: FitConfig) -> dict[str, Any]:
    return {"C": config.c, "class_weight": config.class_weight, "nb": config.nb}
