"""Cross-tabs of codes by a respondent attribute, with a test of whether a code's share differs.

Columns, after the frequency columns (code, comments, comments_pct, respondents,
respondents_pct, depth, theme), for each group G in order:

comments:G, comments_pct:G        comments in G counted for the code, % of G's coded comments
respondents:G, respondents_pct:G  respondents in G with the code, % of G's coded respondents

then test ("chi-square", "Fisher" or blank), statistic (Pearson chi-square, no continuity
correction), dof, p_value, q_value (Benjamini-Hochberg over the codes tested), significant
("yes" where q < 0.05), note, and groups_tested (how many groups the test compared). A group
is an attribute value, or a bin of a numeric or date attribute; respondents lacking the
attribute form "(missing)".

The test is of respondents, not comments, because one respondent's comments are not
independent: for each code, respondents with the code against coded respondents without it,
across groups. A group with fewer than MIN_GROUP coded respondents keeps its columns but is
left out of the test: every expected count in it is below 5 whatever the code, so it can
only make the chi-square approximation wrong. With two groups and an expected count below 5
the test is Fisher's exact test; otherwise Pearson's chi-square, noted when some expected
count is below 5. A code is significant when its q value, not its raw p, is below ALPHA:
with many codes tested at once, some p < 0.05 arise by chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coder.report.data import ALL_CODED, NO_RESPONDENT, ReportData, unique_pairs
from coder.report.frequencies import code_positions, frequencies, pct

ALPHA = 0.05
MIN_GROUP = 5  # coded respondents a group needs to take part in the test
CAUTION = "some expected counts below 5: read with caution"
TEST_COLUMNS = [
    "test",
    "statistic",
    "dof",
    "p_value",
    "q_value",
    "significant",
    "note",
    "groups_tested",
]


def group_columns(group: str) -> list[str]:
    return [
        f"comments:{group}",
        f"comments_pct:{group}",
        f"respondents:{group}",
        f"respondents_pct:{group}",
    ]


def test_presence(with_code: np.ndarray, base: np.ndarray) -> dict:
    """Test one code: respondents with it (per group) against the group's coded respondents.

    Groups with fewer than MIN_GROUP coded respondents are left out. The chi-square is
    computed here with scipy.special, as scipy.stats.chi2_contingency computes it:
    importing scipy.stats takes longer than the whole test of every code.
    """
    from scipy import special

    keep = base >= MIN_GROUP
    x, n = with_code[keep], base[keep]
    empty = {
        "test": "",
        "statistic": np.nan,
        "dof": np.nan,
        "p_value": np.nan,
        "note": "",
        "groups_tested": int(keep.sum()),
    }
    if len(n) < 2:
        return {
            **empty,
            "note": f"fewer than two groups with {MIN_GROUP} or more coded respondents",
        }
    if x.sum() == 0:
        return {**empty, "note": "no respondent in the tested groups has this code"}
    if x.sum() == n.sum():
        return {**empty, "note": "every coded respondent in the tested groups has this code"}
    table = np.vstack([x, n - x]).astype(float)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    small = bool((expected < 5).any())
    if len(n) == 2 and small:
        from scipy import stats  # only here: an exact test of a 2x2 table

        result = stats.fisher_exact(table.astype(np.int64))
        return {**empty, "test": "Fisher", "p_value": float(result.pvalue)}
    chi2 = float(((table - expected) ** 2 / expected).sum())
    dof = len(n) - 1
    return {
        **empty,
        "test": "chi-square",
        "statistic": chi2,
        "dof": dof,
        "p_value": float(special.chdtrc(dof, chi2)),
        "note": CAUTION if small else "",
    }


def adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg q values of the p values that exist (NaN stays NaN): the p of
    rank i of m, times m / i, made monotone from the largest down, at most 1."""
    q = np.full(len(p), np.nan)
    has_p = np.flatnonzero(~np.isnan(p))
    if len(has_p):
        order = np.argsort(p[has_p], kind="stable")
        m = len(order)
        scaled = p[has_p][order] * m / np.arange(1, m + 1)
        q[has_p[order]] = np.clip(np.minimum.accumulate(scaled[::-1])[::-1], 0, 1)
    return q


def crosstab(
    data: ReportData,
    group_at: np.ndarray,
    groups: list[str],
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Frequencies overall and per group, and the test, one row per code, then the bases.

    group_at holds each coded comment's group (its position in groups), row for row with
    data.base; table is the frequencies, when they have been computed already.
    """
    table = frequencies(data) if table is None else table
    ids = [c.id for c in data.codes]
    n_groups = len(groups)
    base_comment = data.base["comment_id"].to_numpy(dtype=np.int64)
    base_people = data.base["respondent_id"].to_numpy(dtype=np.int64)
    group_of = np.full(int(base_comment.max(initial=0)) + 1, -1, dtype=np.int64)
    group_of[base_comment] = group_at
    at = code_positions(data.presence, ids)
    comment = data.presence["comment_id"].to_numpy(dtype=np.int64)
    people = data.presence["respondent_id"].to_numpy(dtype=np.int64)
    group = group_of[comment]
    cells = len(ids) * n_groups
    c = np.bincount(at * n_groups + group, minlength=cells).reshape(len(ids), n_groups)
    has = people != NO_RESPONDENT
    # A respondent's group is the same for all their comments: count each person once.
    who, which = unique_pairs(people[has], at[has] * n_groups + group[has])
    r = np.bincount(which, minlength=cells).reshape(len(ids), n_groups)
    n_comments = np.bincount(group_at, minlength=n_groups)
    known = base_people != NO_RESPONDENT
    person, person_group = unique_pairs(base_people[known], group_at[known])
    n_people = np.bincount(person_group, minlength=n_groups)
    columns: dict[str, np.ndarray] = {}
    for j, g in enumerate(groups):
        name_c, name_cp, name_r, name_rp = group_columns(g)
        columns[name_c] = np.append(c[:, j], n_comments[j])
        columns[name_cp] = np.append(pct(c[:, j], n_comments[j]), pct(n_comments[j], n_comments[j]))
        columns[name_r] = np.append(r[:, j], n_people[j])
        columns[name_rp] = np.append(pct(r[:, j], n_people[j]), pct(n_people[j], n_people[j]))
    tests = [test_presence(r[i], n_people) for i in range(len(ids))]
    tests.append(
        {
            "test": "",
            "statistic": np.nan,
            "dof": np.nan,
            "p_value": np.nan,
            "note": "",
            "groups_tested": int((n_people >= MIN_GROUP).sum()),
        }
    )
    tested = pd.DataFrame(tests)
    q = adjust(tested["p_value"].to_numpy(dtype=float))
    tested["q_value"] = q
    tested["significant"] = np.where(~np.isnan(q) & (q < ALPHA), "yes", "")
    small = [g for g, n in zip(groups, n_people, strict=True) if n < MIN_GROUP]
    if small:
        left_out = f"left out of the test, under {MIN_GROUP} coded respondents: " + ", ".join(small)
        tested["note"] = [f"{note}; {left_out}" if note else left_out for note in tested["note"]]
    out = pd.concat([table.reset_index(drop=True), pd.DataFrame(columns), tested], axis=1)
    out.loc[out["code"] == ALL_CODED, "note"] = "bases: coded comments and respondents"
    return out[[*table.columns, *columns, *TEST_COLUMNS]]


def small_groups(table: pd.DataFrame, groups: list[str]) -> list[str]:
    """The groups of a cross-tab too small to take part in its test."""
    bases = table.loc[table["code"] == ALL_CODED].iloc[0]
    return [g for g in groups if bases[f"respondents:{g}"] < MIN_GROUP]
