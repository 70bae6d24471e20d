"""Reliability coefficients: Krippendorff's alpha (nominal), Cohen's and Fleiss' kappa and
percent agreement, computed here from count matrices.

`counts[..., unit, value]` is how many coders gave each value to each unit; every
function is batched over leading axes. For present/absent data, `BinarySums` holds the few
sums per code from which every coefficient follows, so many codes are one numpy pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FloatArray = np.ndarray


def _pairable(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Counts and coders per unit with units of fewer than two values zeroed out."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=-1)
    keep = m >= 2
    return np.where(keep[..., None], counts, 0.0), np.where(keep, m, 0.0)


def nominal_alpha(counts: np.ndarray) -> FloatArray:
    """Krippendorff's alpha for nominal data; NaN where there is no variation (or no pair).

    alpha = 1 - (n - 1) * (n - sum_c o_cc) / (n^2 - sum_c n_c^2), with the coincidences
    o_cc = sum_u n_uc (n_uc - 1) / (m_u - 1) over pairable units (Krippendorff 2011).
    """
    c, m = _pairable(counts)
    within = (c * (c - 1.0)).sum(axis=-1) / np.where(m > 1, m - 1.0, 1.0)
    o_same = within.sum(axis=-1)
    n_c = c.sum(axis=-2)
    n = n_c.sum(axis=-1)
    expected = n * n - (n_c * n_c).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * (n - o_same) / expected
    return np.where(expected > 0, alpha, np.nan)


def pairwise_agreement(counts: np.ndarray) -> FloatArray:
    """The share of agreeing pairs of coders on a unit, averaged over pairable units
    (for two coders: the share of units they agree on). NaN where no unit is pairable."""
    c, m = _pairable(counts)
    pairs = m * (m - 1.0)
    per_unit = (c * (c - 1.0)).sum(axis=-1) / np.where(pairs > 0, pairs, 1.0)
    units = (m >= 2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = per_unit.sum(axis=-1) / units
    return np.where(units > 0, mean, np.nan)


def fleiss_kappa(counts: np.ndarray) -> FloatArray:
    """Fleiss' kappa; every unit must have the same number of coders (at least two).
    NaN where there is no variation."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=-1)
    raters = m.reshape(-1)[:1]
    if m.size == 0 or raters[0] < 2 or not np.all(m == raters[0]):
        raise ValueError(
            "Fleiss' kappa needs the same number of coders (two or more) on every unit"
        )
    r = float(raters[0])
    units = counts.shape[-2]
    agree = ((counts * counts).sum(axis=-1) - r) / (r * (r - 1.0))
    observed = agree.mean(axis=-1)
    shares = counts.sum(axis=-2) / (units * r)
    expected = (shares * shares).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = (observed - expected) / (1.0 - expected)
    return np.where(expected < 1.0, kappa, np.nan)


def cohen_kappa(table: np.ndarray) -> FloatArray:
    """Cohen's kappa from confusion tables `table[..., first coder's value, second's]`.
    NaN where there is no variation."""
    table = np.asarray(table, dtype=np.float64)
    total = table.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(table, axis1=-2, axis2=-1) / total
        expected = (table.sum(axis=-1) * table.sum(axis=-2)).sum(axis=-1) / (total * total)
        kappa = (observed - expected) / (1.0 - expected)
    return np.where((total > 0) & (expected < 1.0), kappa, np.nan)


def counts_from_ratings(ratings: Sequence[Sequence[object | None]]) -> np.ndarray:
    """A units x values count matrix from reliability data: one row a coder, one column a
    unit, None (or NaN) where the coder gave no value. Values in sorted order."""

    def missing(v: object | None) -> bool:
        return v is None or (isinstance(v, float) and v != v)

    values = sorted({v for row in ratings for v in row if not missing(v)}, key=str)
    index = {v: i for i, v in enumerate(values)}
    units = max((len(row) for row in ratings), default=0)
    counts = np.zeros((units, len(values)), dtype=np.int64)
    for row in ratings:
        for u, v in enumerate(row):
            if not missing(v):
                counts[u, index[v]] += 1
    return counts


@dataclass(frozen=True)
class BinarySums:
    """For present/absent data, the sums over units from which every coefficient follows,
    one per column (code). Adding them over codes pools the codes: every comment and
    code then counts as one unit.

    With n_1 and n_0 coders applying and not applying a code to a unit of m coders, and
    same = n_1 (n_1 - 1) + n_0 (n_0 - 1) the ordered pairs of coders who agree there:
    the coincidences of like values are sum same / (m - 1) (Krippendorff), the share of
    agreeing pairs sum same / (m (m - 1)) (percent agreement; Fleiss' observed agreement).
    """

    units: np.ndarray  # units, per column
    values: np.ndarray  # n: every value given, sum of m
    ones: np.ndarray  # n_1: the values "applied"
    alike: np.ndarray  # sum of same / (m - 1)
    agreeing: np.ndarray  # sum of same / (m (m - 1))

    def pooled(self, columns: list[int]) -> BinarySums:
        return BinarySums(*(np.asarray(getattr(self, f)[columns].sum()) for f in _SUM_FIELDS))

    def alpha(self) -> FloatArray:
        n, n1 = self.values, self.ones
        expected = n * n - n1 * n1 - (n - n1) * (n - n1)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = 1.0 - (n - 1.0) * (n - self.alike) / expected
        return np.where(expected > 0, alpha, np.nan)

    def percent(self) -> FloatArray:
        return 100.0 * self.agreeing / self.units

    def fleiss(self, raters: int) -> FloatArray:
        observed = self.agreeing / self.units
        p1 = self.ones / (self.units * raters)
        expected = p1 * p1 + (1.0 - p1) * (1.0 - p1)
        with np.errstate(divide="ignore", invalid="ignore"):
            kappa = (observed - expected) / (1.0 - expected)
        return np.where(expected < 1.0, kappa, np.nan)


_SUM_FIELDS = ("units", "values", "ones", "alike", "agreeing")


def binary_sums(ones: np.ndarray, m: np.ndarray) -> BinarySums:
    """The sums for each column of ones[column, unit], the units having m coders each."""
    m = m.astype(np.float64)
    zeros = m.astype(np.int32)[None, :] - ones
    same = ones * (ones - 1) + zeros * (zeros - 1)
    columns = ones.shape[0]
    return BinarySums(
        units=np.full(columns, float(len(m))),
        values=np.full(columns, m.sum()),
        ones=ones.sum(axis=1, dtype=np.float64),
        alike=same @ (1.0 / (m - 1.0)),
        agreeing=same @ (1.0 / (m * (m - 1.0))),
    )
