"""Every figure of a report, recomputed independently from the raw codings, must match."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import test_report_support as support
from scipy import stats
from test_report_support import Raw, expected_frequencies

from coder.report.bins import BinSpec
from coder.report.build import ReportOptions, build_report
from coder.report.data import ALL_CODED, Selection
from coder.store import open_project

rich_template = support.rich_template
rich_project = support.rich_project

SELECTIONS = [
    {},
    {"coder": "bea"},
    {"coder": "reference"},
    {"consensus": True},
    {"suggestions": True},
    {"question": "difficult"},
    {"question": "impact", "consensus": True, "suggestions": True},
]


def _selection(spec: dict) -> Selection:
    return Selection(
        question=spec.get("question"),
        coder=spec.get("coder"),
        consensus=spec.get("consensus", False),
        include_suggestions=spec.get("suggestions", False),
    )


def _report(path, spec, **options):
    with open_project(path) as store:
        return build_report(store, ReportOptions(selection=_selection(spec), **options))


def _close(a, b) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("spec", SELECTIONS, ids=lambda s: "-".join(map(str, s.items())) or "all")
def test_frequencies_match_an_independent_count(rich_project, spec):
    raw = Raw(rich_project)
    counted = raw.counted(**spec)
    expected = expected_frequencies(raw, counted)
    table = _report(rich_project, spec).frequencies.set_index("code")
    assert list(table.index[:-1]) == sorted(expected.index, key=list(table.index).index)
    assert set(table.index[:-1]) == set(expected.index)
    for path, row in expected.iterrows():
        for column in ["comments", "comments_pct", "respondents", "respondents_pct"]:
            assert _close(float(table.loc[path, column]), float(row[column])), (path, column)
    respondent = raw.respondent_of()
    assert table.loc[ALL_CODED, "comments"] == len(counted)
    assert table.loc[ALL_CODED, "respondents"] == len({respondent[c] for c in counted})


def test_roll_up_counts_a_comment_once_for_its_parent(rich_project):
    raw = Raw(rich_project)
    table = _report(rich_project, {}).frequencies.set_index("code")
    counted = raw.counted()
    # A comment with the parent, Worry and Anxiety together counts once for the parent ...
    both = [
        c
        for c, codes in counted.items()
        if {"Emotional impact > Worry", "Emotional impact > Anxiety"} <= codes
    ]
    assert both
    children = (
        table.loc["Emotional impact > Worry", "comments"]
        + table.loc["Emotional impact > Anxiety", "comments"]
    )
    # ... so the parent is fewer than its sub-codes' sum plus its own direct codings.
    direct = raw.codings.merge(raw.codes, left_on="code_id", right_on="id")
    own = direct[direct["name"] == "Emotional impact"]["comment_id"].nunique()
    assert table.loc["Emotional impact", "comments"] < children + own
    assert table.loc["Emotional impact", "comments"] >= max(children - len(both), own)


def test_consensus_and_single_coder_differ_as_defined(rich_project):
    default = _report(rich_project, {}).frequencies.set_index("code")
    consensus = _report(rich_project, {"consensus": True}).frequencies.set_index("code")
    # The same comments are coded, but consensus counts fewer codes on them.
    assert consensus.loc[ALL_CODED, "comments"] == default.loc[ALL_CODED, "comments"]
    assert (consensus["comments"] <= default["comments"]).all()
    assert (consensus["comments"] < default["comments"]).any()
    # Disagreeing on the sub-code still agrees on the theme.
    assert (
        consensus.loc["Emotional impact", "comments"]
        > consensus.loc["Emotional impact > Anxiety", "comments"]
    )


def _expected_crosstab(raw: Raw, counted, attribute: str):
    respondent = raw.respondent_of()
    group = raw.group_of(attribute)
    values = sorted(v for v in set(group.values()) if v != "(missing)")
    groups = values + (["(missing)"] if "(missing)" in group.values() else [])
    base_comments = {g: 0 for g in groups}
    base_people = {g: set() for g in groups}
    for c in counted:
        g = group[respondent[c]]
        base_comments[g] += 1
        base_people[g].add(respondent[c])
    out = {}
    for path in raw.path.values():
        comments = [c for c, codes in counted.items() if path in codes]
        row = {}
        for g in groups:
            mine = [c for c in comments if group[respondent[c]] == g]
            people = {respondent[c] for c in mine}
            row[g] = (len(mine), len(people), base_comments[g], len(base_people[g]))
        out[path] = row
    return groups, out


def _expected_p(row: dict) -> float:
    x = np.array([v[1] for v in row.values()])
    n = np.array([v[3] for v in row.values()])
    x, n = x[n >= 5], n[n >= 5]  # groups under 5 coded respondents are left out
    if len(n) < 2 or x.sum() in (0, n.sum()):
        return float("nan")
    table = np.vstack([x, n - x])
    expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
    if len(n) == 2 and (expected < 5).any():
        return stats.fisher_exact(table)[1]
    return stats.chi2_contingency(table, correction=False)[1]


def _benjamini_hochberg(p: dict[str, float]) -> dict[str, float]:
    """q values by the textbook procedure: q(i) = min over j >= i of p(j) * m / j."""
    tested = sorted((v, k) for k, v in p.items() if not math.isnan(v))
    m = len(tested)
    q = {k: float("nan") for k in p}
    running = 1.0
    for rank in range(m, 0, -1):
        value, key = tested[rank - 1]
        running = min(running, value * m / rank)
        q[key] = running
    return q


@pytest.mark.parametrize("attribute", ["role", "area"])
@pytest.mark.parametrize("spec", [{}, {"consensus": True}, {"question": "support"}], ids=str)
def test_crosstab_matches_an_independent_count(rich_project, attribute, spec):
    raw = Raw(rich_project)
    groups, expected = _expected_crosstab(raw, raw.counted(**spec), attribute)
    report = _report(rich_project, spec, by=attribute)
    assert report.groups == groups
    table = report.crosstab.set_index("code")
    for path, row in expected.items():
        for g, (comments, people, base_c, base_p) in row.items():
            assert table.loc[path, f"comments:{g}"] == comments, (path, g)
            assert table.loc[path, f"respondents:{g}"] == people, (path, g)
            assert _close(
                float(table.loc[path, f"comments_pct:{g}"]),
                100 * comments / base_c if base_c else float("nan"),
            )
            assert _close(
                float(table.loc[path, f"respondents_pct:{g}"]),
                100 * people / base_p if base_p else float("nan"),
            )
            assert table.loc[ALL_CODED, f"comments:{g}"] == base_c
            assert table.loc[ALL_CODED, f"respondents:{g}"] == base_p
        p = _expected_p(row)
        assert _close(float(table.loc[path, "p_value"]), p), path
    q = _benjamini_hochberg({path: _expected_p(row) for path, row in expected.items()})
    for path, value in q.items():
        assert _close(float(table.loc[path, "q_value"]), value), path
        assert (table.loc[path, "significant"] == "yes") == (not math.isnan(value) and value < 0.05)
    assert not table.drop(index=ALL_CODED)[[f"comments:{g}" for g in groups]].isna().any().any()


def test_a_group_with_no_coded_members_is_shown_empty_not_nan_nonsense(rich_project):
    table = _report(rich_project, {}, by="role").crosstab.set_index("code")
    assert (table["comments:magistrate"] == 0).all()
    assert table["comments_pct:magistrate"].isna().all()
    assert table["p_value"].drop(index=ALL_CODED).notna().any()
    assert "(missing)" in _report(rich_project, {}, by="role").groups


def test_numeric_groups_are_in_numeric_order(rich_project):
    groups = _report(rich_project, {}, by="years_in_post", bins=BinSpec(off=True)).groups
    numbers = [float(g) for g in groups if g != "(missing)"]
    assert numbers == sorted(numbers) and len(numbers) > 10
    assert groups[-1] == "(missing)"


def test_cooccurrence_matches_an_independent_count(rich_project):
    raw = Raw(rich_project)
    counted = raw.counted()
    report = _report(rich_project, {}, cooccurrence=True)
    pairs = report.cooccurrence
    assert not pairs.empty
    for row in pairs.itertuples():
        both = sum(1 for codes in counted.values() if {row.code_a, row.code_b} <= codes)
        either = sum(1 for codes in counted.values() if {row.code_a, row.code_b} & codes)
        assert row.comments == both
        assert row.jaccard == pytest.approx(both / either)
        assert not row.code_b.startswith(row.code_a + " > ")
    listed = {(r.code_a, r.code_b) for r in pairs.itertuples()}
    paths = list(report.matrix.index)
    for i, a in enumerate(paths):
        for b in paths[i + 1 :]:
            if b.startswith(a + " > ") or a.startswith(b + " > "):
                continue
            shared = sum(1 for codes in counted.values() if {a, b} <= codes)
            assert ((a, b) in listed) == (shared > 0)
            assert report.matrix.loc[a, b] == shared


def test_test_presence_uses_fisher_for_two_small_groups_and_handles_degenerate_codes():
    from coder.report.crosstab import test_presence

    small = test_presence(np.array([1, 4]), np.array([6, 5]))
    assert small["test"] == "Fisher"
    assert small["p_value"] == pytest.approx(stats.fisher_exact([[1, 4], [5, 1]])[1])
    big = test_presence(np.array([30, 60]), np.array([100, 100]))
    assert big["test"] == "chi-square"
    assert big["p_value"] == pytest.approx(
        stats.chi2_contingency([[30, 60], [70, 40]], correction=False)[1]
    )
    assert math.isnan(test_presence(np.array([0, 0]), np.array([5, 5]))["p_value"])
    assert math.isnan(test_presence(np.array([5, 5]), np.array([5, 5]))["p_value"])
    assert math.isnan(test_presence(np.array([3, 0]), np.array([5, 0]))["p_value"])
    assert "fewer than two groups" in test_presence(np.array([3, 0]), np.array([5, 0]))["note"]


def test_an_empty_project_reports_zeros_without_errors(empty_project):
    with open_project(empty_project) as store:
        report = build_report(store, ReportOptions(cooccurrence=True, quotes=2))
    assert list(report.frequencies["code"]) == [ALL_CODED]
    assert report.frequencies["comments"].tolist() == [0]
    assert report.cooccurrence.empty and report.quotes.empty
    assert isinstance(report.frequencies["comments_pct"].iloc[0], float)
    assert pd.isna(report.frequencies["comments_pct"].iloc[0])


@pytest.mark.parametrize("spec", SELECTIONS, ids=lambda s: "-".join(map(str, s.items())) or "all")
def test_the_coders_named_are_those_whose_codings_count(rich_project, spec):
    raw = Raw(rich_project)
    codings = raw.codings.merge(raw.comments[["comment_id", "question"]], on="comment_id")
    if spec.get("question"):
        codings = codings[codings["question"] == spec["question"]]
    if spec.get("coder"):
        codings = codings[codings["coder"] == spec["coder"]]
    assert _report(rich_project, spec).coders == sorted(set(codings["coder"]))
