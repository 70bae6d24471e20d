"""Numeric and date attributes made into a few groups (bins), so a cross-tab compares like sizes.

An attribute whose every value is a number (years in post, age) or an ISO date
(2024-03-01, the date a survey was answered) and that takes more than MAX_VALUES
different values is grouped into bins; one with few values (a 1-5 scale) keeps a group
per value. By default the bins are quartiles of the respondents who have a value: four
groups of about equal size, their edges chosen among the values so that respondents
with the same value stay together. The researcher's own edges (`--bins 2,5,10`) make
the bins "under 2", "2 to under 5", "5 to under 10" and "10 or more". Each bin runs from
one edge up to, not including, the next; with whole numbers (or dates) it is labelled
by the first and last value it can hold ("2 to 4"), its open ends by the smallest and
largest value there is. `--bins none` keeps every value as its own group.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coder.errors import CoderError

MAX_VALUES = 10  # more different values than this, and a numeric attribute is binned
QUANTILES = 4
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True)
class BinSpec:
    """How a numeric or date attribute becomes groups: quartiles, these edges, or none."""

    edges: tuple[str, ...] = ()  # the researcher's edges, as written
    off: bool = False  # every value its own group

    @classmethod
    def parse(cls, text: str | None) -> BinSpec:
        """`None` (quartiles), "none", or edges separated by commas: "2,5,10"."""
        if text is None:
            return cls()
        if text.strip().casefold() == "none":
            return cls(off=True)
        edges = tuple(part.strip() for part in text.split(","))
        if not text.strip() or any(not e for e in edges):
            raise CoderError(
                f"--bins {text!r}: give edges separated by commas (--bins 2,5,10), or none"
            )
        return cls(edges=edges)

    @property
    def default(self) -> bool:
        return not self.edges and not self.off


@dataclass(frozen=True)
class Binned:
    """An attribute's values grouped into bins."""

    labels: list[str]  # the bins in order
    of_value: dict[str, str]  # each value as stored -> its bin's label
    description: str  # for a report's notes: how the bins were made, with their edges
    caption: str  # the same in a line, beneath a table


def _kind(values: pd.Series) -> tuple[str, pd.Series] | None:
    """("number" | "date", the parsed values), or None for text."""
    if values.empty:
        return None
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and np.isfinite(numbers.to_numpy(dtype=float)).all():
        return "number", numbers.astype(float)
    if values.str.match(_ISO_DATE).all():
        dates = pd.to_datetime(values, format="ISO8601", errors="coerce")
        if dates.notna().all():
            return "date", dates
    return None


def _quantile_cuts(sorted_values: np.ndarray, k: int) -> list:
    """Cut points for k bins of about equal size; equal values are never split."""
    n = len(sorted_values)
    cuts = []
    for i in range(1, k):
        target = i * n / k
        at = sorted_values[min(int(math.ceil(target)), n - 1)]
        below_if_above = np.searchsorted(sorted_values, at, side="left")  # ties go up
        below_if_below = np.searchsorted(sorted_values, at, side="right")  # ties go down
        if below_if_below < n and abs(below_if_below - target) < abs(below_if_above - target):
            at = sorted_values[below_if_below]
        cuts.append(at)
    low = sorted_values[0]
    return sorted({c for c in cuts if c > low})


def _parse_edges(spec: BinSpec, kind: str, attribute: str) -> list:
    out = []
    for edge in spec.edges:
        if kind == "number":
            try:
                value = float(edge)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                raise CoderError(f"--bins: {edge!r} is not a number ({attribute} holds numbers)")
            out.append(value)
        else:
            if not _ISO_DATE.match(edge):
                raise CoderError(
                    f"--bins: {edge!r} is not a date like 2024-03-01 ({attribute} holds dates)"
                )
            out.append(pd.Timestamp(edge).to_datetime64().astype("datetime64[ns]"))
    return sorted(set(out))


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _date(x: np.datetime64, with_time: bool) -> str:
    stamp = pd.Timestamp(x)
    return stamp.isoformat(sep=" ", timespec="minutes") if with_time else stamp.date().isoformat()


def bin_values(values: pd.Series, spec: BinSpec, attribute: str) -> Binned | None:
    """Bins for an attribute's values (one per respondent), or None to keep every value."""
    values = values.astype(str)
    distinct = pd.Series(values.unique())
    found = _kind(distinct)  # each different value once: a million respondents hold few
    if found is None:
        if spec.edges:
            example = values.iloc[0] if len(values) else ""
            raise CoderError(
                f"--bins needs an attribute of numbers or dates; {attribute} has text "
                f"such as {example!r}"
            )
        return None
    kind, parsed_distinct = found
    if spec.off or (spec.default and len(distinct) <= MAX_VALUES):
        return None
    parsed = values.map(dict(zip(distinct, parsed_distinct, strict=True)))
    if kind == "number":
        points = parsed.to_numpy(dtype=float)
    else:
        points = parsed.to_numpy(dtype="datetime64[ns]")
    ordered = np.sort(points)
    cuts = _parse_edges(spec, kind, attribute) if spec.edges else _quantile_cuts(ordered, QUANTILES)
    # Bin i holds cuts[i-1] <= value < cuts[i]; bin 0 everything below the first cut.
    which = np.searchsorted(np.asarray(cuts, dtype=ordered.dtype), points, side="right")
    n_bins = len(cuts) + 1
    used = np.bincount(which, minlength=n_bins) > 0
    # The open ends exist only when someone is in them; the bins between edges always do.
    keep = [i for i in range(n_bins) if used[i] or 0 < i < n_bins - 1]
    if kind == "number":
        whole = bool(np.all(np.mod(ordered, 1) == 0)) and all(float(c).is_integer() for c in cuts)
        labels = _number_labels(cuts, float(ordered[0]), float(ordered[-1]), whole)
    else:
        with_time = bool(np.any(ordered != ordered.astype("datetime64[D]")))
        with_time = with_time or any(c != c.astype("datetime64[D]") for c in cuts)
        labels = _date_labels(cuts, ordered[0], ordered[-1], with_time)
    of_value = {raw: labels[int(i)] for raw, i in zip(values.to_numpy(), which, strict=True)}
    shown = [_number(c) if kind == "number" else _date(c, True) for c in cuts]
    shown = [s.removesuffix(" 00:00") for s in shown]
    how = (
        f"your edges {', '.join(shown)}"
        if spec.edges
        else f"quartiles of the {len(points)} respondents with a value (edges {', '.join(shown)})"
        if cuts
        else "one bin, as every respondent has the same value"
    )
    kind_text = "a number" if kind == "number" else "a date"
    description = (
        f"{attribute} is {kind_text} with {len(distinct)} different values, grouped by "
        f"{how}; each bin runs from one edge up to, not including, the next: "
        f"{', '.join(labels[i] for i in keep)}. --bins EDGES sets your own edges, "
        "--bins none keeps every value."
    )
    caption = f"{attribute} in bins: {how}" + (
        "" if spec.edges or not cuts else "; --bins EDGES sets your own"
    )
    return Binned([labels[i] for i in keep], of_value, description, caption)


def _number_labels(cuts: list, low: float, high: float, whole: bool) -> list[str]:
    if whole:
        starts = [low, *cuts]
        ends = [c - 1 for c in cuts] + [high]
        return [
            _number(a) if a == b else f"{_number(a)} to {_number(b)}"
            for a, b in zip(starts, ends, strict=True)
        ]
    if not cuts:
        return [f"{_number(low)} to {_number(high)}"]
    return (
        [f"under {_number(cuts[0])}"]
        + [f"{_number(a)} to under {_number(b)}" for a, b in zip(cuts, cuts[1:], strict=False)]
        + [f"{_number(cuts[-1])} or more"]
    )


def _date_labels(cuts: list, low: np.datetime64, high: np.datetime64, with_time: bool) -> list[str]:
    if not with_time:
        starts = [low, *cuts]
        ends = [c - _DAY for c in cuts] + [high]
        return [
            _date(a, False) if a == b else f"{_date(a, False)} to {_date(b, False)}"
            for a, b in zip(starts, ends, strict=True)
        ]
    if not cuts:
        return [f"{_date(low, True)} to {_date(high, True)}"]
    return (
        [f"before {_date(cuts[0], True)}"]
        + [
            f"{_date(a, True)} to before {_date(b, True)}"
            for a, b in zip(cuts, cuts[1:], strict=False)
        ]
        + [f"{_date(cuts[-1], True)} or later"]
    )


def bin_counted(
    attribute: str, values: list[tuple[str, int]]
) -> list[tuple[str, list[tuple[str, int]]]] | None:
    """(value, respondents) pairs grouped into the default bins, as (label, its pairs), or
    None where every value keeps its own group (few values, or text)."""
    if len(values) <= MAX_VALUES:
        return None
    per_respondent = pd.Series([v for v, c in values for _ in range(c)], dtype=object)
    binned = bin_values(per_respondent, BinSpec(), attribute)
    if binned is None:
        return None
    members: dict[str, list[tuple[str, int]]] = {label: [] for label in binned.labels}
    for value, count in values:
        members.setdefault(binned.of_value[value], []).append((value, count))
    return [(label, pairs) for label, pairs in members.items() if pairs]
