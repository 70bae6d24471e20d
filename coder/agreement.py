"""Inter-coder agreement: percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha.

Coding free text is multi-label, so agreement is measured code by code: on each comment
coded by at least two of the chosen coders, each of them either applied the code or did
not (present/absent). A coder who coded nothing on a comment has no value for it (a
missing value, which Krippendorff's alpha allows). A sub-code counts for itself; a parent
is also reported rolled up ("with sub-codes"), present when the parent or any code below
it was applied. A segment coding counts the whole comment as coded with that code.

The overall row (`ALL`) pools every comment and code as one unit each; beside the pooled
alpha it gives the mean of the codes' alphas. A code nobody varied on (never applied, or
applied by everyone everywhere) has no chance-corrected figure: it is reported as having
no variation, never as 1.0.

The coefficients themselves are in coder.reliability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coder.codebook import CodeIndex
from coder.consensus import CONSENSUS  # the agreed coding: not an independent coder
from coder.domain import Code
from coder.errors import CoderError
from coder.reliability import BinarySums, binary_sums, cohen_kappa
from coder.store import Store

ROLLED_UP = " (with sub-codes)"
ALL = "ALL"

# -- agreement on a project ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAgreement:
    """The figures for one code (or, with code `ALL`, for every code pooled)."""

    code: str  # the code's path; "<path> (with sub-codes)" when rolled up; "ALL"
    code_id: int | None
    rolled_up: bool
    comments: int  # comments coded by at least two of the coders
    percent_agreement: float | None  # 0-100
    cohen_kappa: float | None  # exactly two coders
    fleiss_kappa: float | None  # three or more, every one coding every comment
    krippendorff_alpha: float | None
    alpha_mean_over_codes: float | None = None  # the ALL row only
    note: str = ""


@dataclass(frozen=True)
class AgreementReport:
    coders: tuple[str, ...]
    question: str | None
    comments: int
    rows: tuple[CodeAgreement, ...]  # the codes in codebook order, then ALL

    @property
    def overall(self) -> CodeAgreement:
        return self.rows[-1]


COLUMNS = (
    "code",
    "comments",
    "percent_agreement",
    "cohen_kappa",
    "krippendorff_alpha",
    "fleiss_kappa",
    "alpha_mean_over_codes",
    "rolled_up",
    "note",
)


def choose_coders(store: Store, wanted: Sequence[str] | None) -> tuple[str, ...]:
    """The coders to compare: those named, else everyone who coded except `consensus`."""
    known = store.codings.coders()
    if wanted:
        chosen = tuple(dict.fromkeys(w.strip() for w in wanted if w.strip()))
        unknown = [c for c in chosen if c not in known]
        if unknown:
            listed = ", ".join(known) or "none yet"
            raise CoderError(
                f"unknown coder{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"coders in this project: {listed}"
            )
    else:
        chosen = tuple(c for c in known if c != CONSENSUS)
    if len(chosen) < 2:
        listed = ", ".join(known) or "none yet"
        raise CoderError(f"agreement needs at least two coders; coders in this project: {listed}")
    return chosen


def _selected_codes(codes: list[Code], name: str | None) -> list[Code]:
    if name is None:
        return codes
    index = CodeIndex(codes)
    code = index.find(name)
    if code is None:
        hint = " (write it as Parent > Child)" if index.is_ambiguous(name) else ""
        raise CoderError(f"unknown code {name!r}{hint}")
    below = {code.id}
    for c in codes:  # tree order: a parent comes before its children
        if c.parent_id in below:
            below.add(c.id)
    return [c for c in codes if c.id in below]


@dataclass(frozen=True)
class _Columns:
    """What each column of the presence matrix stands for."""

    labels: list[str]
    code_ids: list[int]
    rolled: list[bool]
    members: list[list[int]]  # the direct columns a rolled-up column ORs together


def _columns(codes: list[Code]) -> _Columns:
    position = {c.id: j for j, c in enumerate(codes)}
    below: dict[int, list[int]] = {c.id: [position[c.id]] for c in codes}
    for c in reversed(codes):  # children before parents
        if c.parent_id is not None and c.parent_id in below:
            below[c.parent_id].extend(below[c.id])
    labels, ids, rolled, members = [], [], [], []
    for c in codes:
        labels.append(c.path)
        ids.append(c.id)
        rolled.append(False)
        members.append([position[c.id]])
        if len(below[c.id]) > 1:
            labels.append(c.path + ROLLED_UP)
            ids.append(c.id)
            rolled.append(True)
            members.append(sorted(below[c.id]))
    return _Columns(labels, ids, rolled, members)


def _locate(units: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each id stands in the sorted `units`, and whether it is one of them."""
    at = np.searchsorted(units, ids)
    if not len(units):
        return at, np.zeros(len(ids), dtype=bool)
    return at, (at < len(units)) & (units[np.minimum(at, len(units) - 1)] == ids)


def _presence(
    pairs_by_coder: list[np.ndarray], codes: list[Code]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(units: comment ids coded by at least two coders, coded[coder, unit],
    present[coder, unit, code]) from each coder's (comment_id, code_id) pairs."""
    coded_sets = [np.unique(p[:, 0]) for p in pairs_by_coder]
    ids, times = np.unique(np.concatenate(coded_sets), return_counts=True)
    units = ids[times >= 2]
    coded = np.zeros((len(pairs_by_coder), len(units)), dtype=bool)
    present = np.zeros((len(pairs_by_coder), len(units), len(codes)), dtype=bool)
    column_of = np.full(max((c.id for c in codes), default=0) + 1, -1, dtype=np.int64)
    for j, c in enumerate(codes):
        column_of[c.id] = j
    for r, (pairs, mine) in enumerate(zip(pairs_by_coder, coded_sets, strict=True)):
        at, inside = _locate(units, mine)
        coded[r, at[inside]] = True
        u, in_units = _locate(units, pairs[:, 0])
        code_ids = pairs[:, 1]
        known = (code_ids >= 0) & (code_ids < len(column_of))
        k = np.where(known, column_of[np.where(known, code_ids, 0)], -1)
        keep = in_units & (k >= 0)
        present[r, u[keep], k[keep]] = True
    return units, coded, present


def _no_variation(ones: int, cells: int) -> str:
    if ones == 0:
        return "no variation: no coder applied it"
    if ones == cells:
        return "no variation: every coder applied it everywhere"
    return "no variation"


def agreement(
    store: Store,
    coders: Sequence[str] | None = None,
    *,
    code: str | None = None,
    question_id: int | None = None,
    question: str | None = None,
) -> AgreementReport:
    """Agreement between the chosen coders (default: every coder but `consensus`) on the
    comments at least two of them coded, per code and overall."""
    chosen = choose_coders(store, coders)
    codes = _selected_codes(store.codes.all(), code)
    if not codes:
        raise CoderError("the codebook is empty: there is nothing to agree on")
    pairs = [
        np.frombuffer(store.codings.pairs_by(c, question_id), dtype=np.int64).reshape(-1, 2)
        for c in chosen
    ]
    units, coded, present = _presence(pairs, codes)
    if not len(units):
        where = f" in question {question}" if question else ""
        raise CoderError(
            f"no comment{where} is coded by at least two of {', '.join(chosen)} "
            "(draw a sample for them with: coder sample PROJECT --fraction F --coder NAME)"
        )
    columns = _columns(codes)
    rolled = np.stack(
        [present[:, :, members].any(axis=2) for members in columns.members], axis=2
    )  # coder, unit, column
    m = coded.sum(axis=0)  # coders per unit
    ones = rolled.sum(axis=0, dtype=np.int32).T  # column, unit: coders who applied it
    sums = binary_sums(ones, m)
    alpha = sums.alpha()
    percent = sums.percent()
    everyone = bool(np.all(m == len(chosen)))
    kappa = fleiss = np.full(len(columns.labels), np.nan)
    table: np.ndarray | None = None
    if len(chosen) == 2:
        a, b = rolled[0], rolled[1]  # unit, column
        both, first, second = (a & b).sum(0), (a & ~b).sum(0), (~a & b).sum(0)
        neither = len(units) - both - first - second
        table = np.stack(
            [np.stack([neither, second], -1), np.stack([first, both], -1)], axis=-2
        )  # column, first coder's value, second's
        kappa = cohen_kappa(table)
    elif everyone:
        fleiss = sums.fleiss(len(chosen))
    rows: list[CodeAgreement] = []
    for j, label in enumerate(columns.labels):
        note = ""
        if np.isnan(alpha[j]):
            note = _no_variation(int(sums.ones[j]), int(sums.values[j]))
        elif len(chosen) > 2 and not everyone:
            note = "Fleiss' kappa needs every coder on every comment"
        rows.append(
            CodeAgreement(
                code=label,
                code_id=columns.code_ids[j],
                rolled_up=columns.rolled[j],
                comments=len(units),
                percent_agreement=_value(percent[j]),
                cohen_kappa=_value(kappa[j]),
                fleiss_kappa=_value(fleiss[j]),
                krippendorff_alpha=_value(alpha[j]),
                note=note,
            )
        )
    rows.append(_overall(columns, sums, table, chosen, everyone, alpha, len(units)))
    return AgreementReport(chosen, question, len(units), tuple(rows))


def _overall(
    columns: _Columns,
    sums: BinarySums,
    table: np.ndarray | None,
    chosen: Sequence[str],
    everyone: bool,
    alpha: np.ndarray,
    units: int,
) -> CodeAgreement:
    """Every comment and (direct) code pooled as one unit each; and the mean of the codes'
    alphas, leaving out codes with no variation."""
    direct = [j for j, r in enumerate(columns.rolled) if not r]
    pooled = sums.pooled(direct)
    kappa = fleiss = None
    if table is not None:
        kappa = _value(cohen_kappa(table[direct].sum(axis=0)))
    elif everyone:
        fleiss = _value(pooled.fleiss(len(chosen)))
    varied = alpha[direct][~np.isnan(alpha[direct])]
    left_out = len(direct) - len(varied)
    note = f"{len(direct)} codes pooled"
    if left_out:
        note += f"; the mean leaves out {left_out} with no variation"
    if len(chosen) > 2 and not everyone:
        note += "; Fleiss' kappa needs every coder on every comment"
    return CodeAgreement(
        code=ALL,
        code_id=None,
        rolled_up=False,
        comments=units,
        percent_agreement=_value(pooled.percent()),
        cohen_kappa=kappa,
        fleiss_kappa=fleiss,
        krippendorff_alpha=_value(pooled.alpha()),
        alpha_mean_over_codes=float(varied.mean()) if len(varied) else None,
        note=note,
    )


def _value(x: object) -> float | None:
    value = float(np.asarray(x))
    return None if np.isnan(value) else value


# -- for other reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementTable:
    """A small table for a report: column names, rows of plain values, and a caption."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    caption: str


def agreement_table(store: Store, question_id: int | None = None) -> AgreementTable | None:
    """Agreement for the HTML report: None unless two or more coders (besides `consensus`)
    coded some comment in common; else one row a code and the ALL row, rounded for reading."""
    coders = [c for c in store.codings.coders() if c != CONSENSUS]
    if len(coders) < 2:
        return None
    try:
        report = agreement(store, coders, question_id=question_id)
    except CoderError:
        return None
    return AgreementTable(
        columns=(
            "code",
            "comments",
            "% agreement",
            "Cohen's kappa",
            "Fleiss' kappa",
            "alpha",
            "note",
        ),
        rows=tuple(
            (
                row.code,
                row.comments,
                _rounded(row.percent_agreement, 1),
                _rounded(row.cohen_kappa, 3),
                _rounded(row.fleiss_kappa, 3),
                _rounded(row.krippendorff_alpha, 3),
                row.note,
            )
            for row in report.rows
        ),
        caption=(
            f"Agreement between {', '.join(report.coders)} on the {report.comments} comments "
            "coded by at least two of them (Krippendorff's alpha, nominal; ALL pools every "
            "comment and code)"
        ),
    )


def _rounded(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)
