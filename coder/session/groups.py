"""An attribute's values as the groups a coder filters by: a numeric one in the report's bins.

Years in post, age, a date: an attribute of numbers or dates with many different values is
offered in the same bins the reports use by default (quartiles of its respondents, equal
values kept together), instead of a long list of single values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """One choice in the filter: an attribute's single value, or the values of one bin."""

    name: str  # the attribute
    label: str
    respondents: int
    values: tuple[str, ...]


def groups(rows: list[tuple[str, str, int]]) -> list[Group]:
    """(name, value, respondents) rows, as the choices to filter by, attribute by attribute."""
    by_name: dict[str, list[tuple[str, int]]] = {}
    for name, value, count in rows:
        by_name.setdefault(name, []).append((value, count))
    out: list[Group] = []
    for name, values in by_name.items():
        binned = _binned(name, values)
        if binned is None:
            out += [Group(name, f"{name} = {v}", c, (v,)) for v, c in values]
        else:
            out += binned
    return out


def _binned(name: str, values: list[tuple[str, int]]) -> list[Group] | None:
    from coder.report.bins import bin_counted  # loads pandas: only for such an attribute

    bins = bin_counted(name, values)
    if bins is None:
        return None
    return [
        Group(name, f"{name} {label}", sum(c for _, c in members), tuple(v for v, _ in members))
        for label, members in bins
    ]
