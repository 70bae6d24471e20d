"""Inter-coder agreement: the published examples, figures worked out by hand, the
krippendorff package and scikit-learn as oracles, and the command's formats and errors."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from cli_support import run
from sklearn.metrics import cohen_kappa_score
from team_support import code_all, project_with_comments

from coder.agreement import agreement, agreement_table
from coder.errors import CoderError
from coder.reliability import (
    binary_sums,
    cohen_kappa,
    counts_from_ratings,
    fleiss_kappa,
    nominal_alpha,
    pairwise_agreement,
)

REFERENCE = json.loads(
    (Path(__file__).parent / "fixtures" / "agreement-reference.json").read_text(encoding="utf-8")
)


# -- the coefficients on published examples -------------------------------------------------


def test_krippendorff_2011_nominal_alpha():
    case = REFERENCE["krippendorff_2011"]
    alpha = float(nominal_alpha(counts_from_ratings(case["ratings"])))
    assert alpha == pytest.approx(113 / 152, abs=1e-12)
    assert round(alpha, 3) == case["published"]


def test_wikipedia_nominal_alpha_with_missing_values():
    case = REFERENCE["wikipedia_alpha"]
    assert float(nominal_alpha(counts_from_ratings(case["ratings"]))) == pytest.approx(
        case["nominal_alpha"], abs=1e-6
    )


def test_cohen_kappa_on_the_published_table():
    case = REFERENCE["cohen_2x2"]
    assert float(cohen_kappa(np.array(case["table"]))) == pytest.approx(8 / 23, abs=1e-12)


def test_fleiss_kappa_on_the_published_table():
    case = REFERENCE["wikipedia_fleiss"]
    assert float(fleiss_kappa(np.array(case["counts"]))) == pytest.approx(case["kappa"], abs=5e-4)


def test_alpha_and_kappa_agree_with_the_oracles_on_random_data():
    rng = np.random.default_rng(5)
    for _ in range(20):
        ratings = rng.integers(0, 3, size=(4, 30)).astype(float)
        ratings[rng.random(ratings.shape) < 0.25] = np.nan
        expected = krippendorff.alpha(reliability_data=ratings, level_of_measurement="nominal")
        ours = float(nominal_alpha(counts_from_ratings(ratings.tolist())))
        assert ours == pytest.approx(expected, abs=1e-12)
        a, b = rng.integers(0, 2, 40), rng.integers(0, 2, 40)
        table = np.array([[np.sum((a == i) & (b == j)) for j in (0, 1)] for i in (0, 1)])
        assert float(cohen_kappa(table)) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_no_variation_is_not_a_number_never_one():
    same = np.array([[2, 0], [2, 0], [2, 0]])  # every coder said "absent" everywhere
    assert math.isnan(float(nominal_alpha(same)))
    assert math.isnan(float(fleiss_kappa(same)))
    assert math.isnan(float(cohen_kappa(np.array([[3, 0], [0, 0]]))))
    assert float(pairwise_agreement(same)) == 1.0


# -- agreement on a project, worked out by hand ------------------------------------------------

# c1..c4 coded by both ann and bob; c5 by ann alone (not compared); c6 by nobody.
TWO = {
    "ann": {
        "c1": ["Workload", "Feelings > Worry"],
        "c2": ["Workload"],
        "c3": ["Feelings > Anxiety"],
        "c4": ["Online"],
        "c5": ["Workload"],
    },
    "bob": {
        "c1": ["Workload", "Feelings > Anxiety"],
        "c2": ["Online"],
        "c3": ["Feelings > Anxiety"],
        "c4": ["Online"],
    },
}


@pytest.fixture
def two_coders(tmp_path):
    store = project_with_comments(tmp_path / "two.db", 6)
    code_all(store, TWO)
    yield store
    store.close()


def by_code(report):
    return {row.code: row for row in report.rows}


def test_two_coders_by_hand(two_coders):
    report = agreement(two_coders)
    assert report.coders == ("ann", "bob") and report.comments == 4
    rows = by_code(report)
    assert list(rows) == [
        "Workload",
        "Feelings",
        "Feelings (with sub-codes)",
        "Feelings > Worry",
        "Feelings > Anxiety",
        "Online",
        "ALL",
    ]
    # Workload: ann 1 1 0 0, bob 1 0 0 0: agree on 3 of 4; pe = .5*.25 + .5*.75 = .5
    work = rows["Workload"]
    assert work.comments == 4 and work.percent_agreement == 75.0
    assert work.cohen_kappa == pytest.approx(0.5)
    # n = 8 values, three 1s: alpha = 1 - 7 * (8 - 6) / (64 - 9 - 25) = 16/30
    assert work.krippendorff_alpha == pytest.approx(16 / 30)
    assert work.fleiss_kappa is None and not work.rolled_up
    # Worry: ann 1 0 0 0, bob never: kappa 0, alpha 1 - 7 * 2 / 14 = 0
    assert rows["Feelings > Worry"].cohen_kappa == pytest.approx(0.0)
    assert rows["Feelings > Worry"].krippendorff_alpha == pytest.approx(0.0)
    # Feelings itself was never applied: no variation, not 1.0
    feelings = rows["Feelings"]
    assert feelings.krippendorff_alpha is None and feelings.cohen_kappa is None
    assert feelings.percent_agreement == 100.0
    assert feelings.note == "no variation: no coder applied it"
    # rolled up, Worry and Anxiety are both Feelings: ann 1 0 1 0, bob 1 0 1 0
    rolled = rows["Feelings (with sub-codes)"]
    assert rolled.rolled_up and rolled.code_id == feelings.code_id
    assert (rolled.percent_agreement, rolled.cohen_kappa, rolled.krippendorff_alpha) == (
        100.0,
        pytest.approx(1.0),
        pytest.approx(1.0),
    )
    # ALL: 5 direct codes x 4 comments = 20 units; 16 agree; pooled table 3 2 / 2 13
    overall = rows["ALL"]
    assert overall.comments == 4 and overall.percent_agreement == pytest.approx(80.0)
    assert overall.cohen_kappa == pytest.approx(7 / 15)
    # n = 40 values, ten 1s; o_11 = 6, o_00 = 26: alpha = 1 - 39 * 8 / (1600 - 100 - 900)
    assert overall.krippendorff_alpha == pytest.approx(0.48)
    # mean over the four codes with variation: (16/30 + 0 + 16/30 + 16/30) / 4
    assert overall.alpha_mean_over_codes == pytest.approx(0.4)
    assert "leaves out 1 with no variation" in overall.note


def test_each_code_equals_the_krippendorff_package(two_coders):
    report = agreement(two_coders)
    paths = {c.id: c.path for c in two_coders.codes.all()}
    units = ["c1", "c2", "c3", "c4"]
    for row in report.rows[:-1]:
        if row.rolled_up or row.krippendorff_alpha is None:
            continue
        path = paths[row.code_id]
        data = [[float(path in TWO[coder][u]) for u in units] for coder in ("ann", "bob")]
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert row.krippendorff_alpha == pytest.approx(expected, abs=1e-12), path
        assert row.cohen_kappa == pytest.approx(cohen_kappa_score(*data), abs=1e-12), path


def random_coding(rng, coders, comments, paths, skip=0.0):
    coding = {}
    for coder in coders:
        mine = {}
        for i in range(1, comments + 1):
            if rng.random() < skip:
                continue
            chosen = [p for p in paths if rng.random() < 0.35] or [paths[rng.integers(len(paths))]]
            mine[f"c{i}"] = chosen
        coding[coder] = mine
    return coding


PATHS = ["Workload", "Feelings", "Feelings > Worry", "Feelings > Anxiety", "Online"]


def reliability(coding, coders, comments, test):
    """coder x comment values (1, 0, or NaN where the coder did not code the comment)."""
    return [
        [
            float(test(coding[c][f"c{i}"])) if f"c{i}" in coding[c] else np.nan
            for i in range(1, comments + 1)
        ]
        for c in coders
    ]


def pairable(data):
    """Only the comments at least two coders coded (the units agreement is measured on)."""
    data = np.array(data)
    return data[:, (~np.isnan(data)).sum(axis=0) >= 2]


def test_three_coders_with_missing_values_equal_the_package(tmp_path):
    rng = np.random.default_rng(11)
    coders = ["ann", "bob", "cat"]
    coding = random_coding(rng, coders, 60, PATHS, skip=0.3)
    store = project_with_comments(tmp_path / "three.db", 60)
    code_all(store, coding)
    report = agreement(store)
    rows = by_code(report)
    data = pairable(reliability(coding, coders, 60, lambda ps: True))
    assert report.comments == data.shape[1]
    for path in PATHS:
        values = pairable(reliability(coding, coders, 60, lambda ps, p=path: p in ps))
        expected = krippendorff.alpha(reliability_data=values, level_of_measurement="nominal")
        assert rows[path].krippendorff_alpha == pytest.approx(expected, abs=1e-12), path
        assert rows[path].fleiss_kappa is None and rows[path].cohen_kappa is None
        assert "every coder on every comment" in rows[path].note
    # ALL pools every comment and code as a unit: the codes' matrices side by side
    pooled = np.concatenate(
        [pairable(reliability(coding, coders, 60, lambda ps, p=path: p in ps)) for path in PATHS],
        axis=1,
    )
    expected = krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal")
    assert rows["ALL"].krippendorff_alpha == pytest.approx(expected, abs=1e-12)
    rolled = pairable(
        reliability(coding, coders, 60, lambda ps: any(p.startswith("Feelings") for p in ps))
    )
    expected = krippendorff.alpha(reliability_data=rolled, level_of_measurement="nominal")
    assert rows["Feelings (with sub-codes)"].krippendorff_alpha == pytest.approx(expected)
    store.close()


def test_three_coders_on_every_comment_get_fleiss_kappa(tmp_path):
    rng = np.random.default_rng(3)
    coders = ["ann", "bob", "cat"]
    coding = random_coding(rng, coders, 40, PATHS)
    store = project_with_comments(tmp_path / "fleiss.db", 40)
    code_all(store, coding)
    rows = by_code(agreement(store))
    for path in PATHS:
        values = np.array(reliability(coding, coders, 40, lambda ps, p=path: p in ps))
        ones = values.sum(axis=0)
        counts = np.stack([3 - ones, ones], axis=-1)
        # Fleiss by hand: P_i = (n0^2 + n1^2 - 3) / 6, p_j = share of all ratings
        p_i = ((counts**2).sum(axis=1) - 3) / 6
        share = counts.sum(axis=0) / (40 * 3)
        expected = (p_i.mean() - (share**2).sum()) / (1 - (share**2).sum())
        assert rows[path].fleiss_kappa == pytest.approx(expected), path
        assert rows[path].percent_agreement == pytest.approx(100 * p_i.mean())
    store.close()


def test_choosing_coders_a_code_and_a_question(tmp_path):
    store = project_with_comments(tmp_path / "q.db", 4, questions=("q1", "q2"))
    code_all(
        store,
        {
            "ann": {"c1:q1": ["Workload"], "c2:q1": ["Online"], "c1:q2": ["Workload"]},
            "bob": {"c1:q1": ["Workload"], "c2:q1": ["Workload"], "c1:q2": ["Online"]},
            "consensus": {"c1:q1": ["Workload"], "c2:q1": ["Online"]},
        },
    )
    report = agreement(store)
    assert report.coders == ("ann", "bob") and report.comments == 3  # consensus left out
    q1 = next(q.id for q in store.comments.questions() if q.name == "q1")
    only = agreement(store, code="workload", question_id=q1)
    assert [r.code for r in only.rows] == ["Workload", "ALL"] and only.comments == 2
    assert only.rows[0].percent_agreement == 50.0
    feelings = agreement(store, code="Feelings")
    assert [r.code for r in feelings.rows][:2] == ["Feelings", "Feelings (with sub-codes)"]
    with_consensus = agreement(store, ["ann", "consensus"])
    assert with_consensus.comments == 2
    with pytest.raises(CoderError, match="unknown coder 'zed'; coders in this project: ann"):
        agreement(store, ["ann", "zed"])
    with pytest.raises(CoderError, match="at least two coders"):
        agreement(store, ["ann"])
    with pytest.raises(CoderError, match="unknown code 'Nothing'"):
        agreement(store, code="Nothing")
    store.close()


def test_the_report_table_only_when_two_coders_share_comments(two_coders, tmp_path):
    table = agreement_table(two_coders)
    assert table is not None and table.rows[-1][0] == "ALL"
    assert table.rows[0][:2] == ("Workload", 4) and "ann, bob" in table.caption
    alone = project_with_comments(tmp_path / "alone.db", 3)
    code_all(alone, {"ann": {"c1": ["Workload"]}})
    assert agreement_table(alone) is None
    code_all(alone, {"bob": {"c2": ["Workload"]}})  # two coders, nothing in common
    assert agreement_table(alone) is None
    alone.close()


# -- the command ---------------------------------------------------------------------------------


def test_csv_columns_and_the_all_row(two_coders, capsys):
    path = two_coders.path
    code, out, err = run(capsys, "agreement", path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:5] == [
        "code",
        "comments",
        "percent_agreement",
        "cohen_kappa",
        "krippendorff_alpha",
    ]
    assert rows[-1][0] == "ALL" and rows[-1][1] == "4" and float(rows[-1][2]) == 80.0
    work = next(r for r in rows if r[0] == "Workload")
    assert float(work[2]) == 75.0 and float(work[3]) == 0.5
    feelings = next(r for r in rows if r[0] == "Feelings")
    assert feelings[4] == "" and "no variation" in feelings[-1]


def test_table_markdown_and_out(two_coders, capsys, tmp_path):
    path = two_coders.path
    code, out, err = run(capsys, "agreement", path)
    assert code == 0, err
    assert "Workload" in out and "ALL" in out and "0.533" in out and "no variation" in out
    assert "ann, bob" in out
    code, out, err = run(capsys, "agreement", path, "--format", "md", "--coders", "ann,bob")
    assert code == 0 and out.startswith("| code |") and "| ALL |" in out
    target = tmp_path / "agree.csv"
    code, out, err = run(capsys, "agreement", path, "--out", target)
    assert code == 0 and target.read_text(encoding="utf-8").startswith("code,comments,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coders", "ann"], "agreement needs at least two coders"),
        (["--coders", "ann,zed"], "unknown coder 'zed'"),
        (["--code", "Nope"], "unknown code 'Nope'"),
        (["--question", "q7"], "unknown question 'q7'"),
        (["--coders", "ann,bob", "--question", "q1", "--code", "Online", "--format", "xlsx"], ""),
    ],
)
def test_bad_requests_are_one_line(two_coders, capsys, args, message):
    code, out, err = run(capsys, "agreement", two_coders.path, *args)
    assert code != 0 and err.startswith("error: ") and message in err
    assert err.count("\n") == 1


def test_no_shared_comments_is_an_error_that_says_what_to_do(tmp_path, capsys):
    store = project_with_comments(tmp_path / "apart.db", 3)
    code_all(store, {"ann": {"c1": ["Workload"]}, "bob": {"c2": ["Online"]}})
    store.close()
    code, _, err = run(capsys, "agreement", tmp_path / "apart.db")
    assert code == 1 and "no comment is coded by at least two of ann, bob" in err
    assert "coder sample" in err


def test_the_sums_for_present_absent_data_give_the_general_coefficients():
    rng = np.random.default_rng(8)
    m = rng.integers(2, 6, size=50)
    ones = np.stack([rng.integers(0, m + 1) for _ in range(7)])  # 7 codes x 50 units
    counts = np.stack([m[None, :] - ones, ones], axis=-1)
    sums = binary_sums(ones, m)
    np.testing.assert_allclose(sums.alpha(), nominal_alpha(counts))
    np.testing.assert_allclose(sums.percent(), 100 * pairwise_agreement(counts))
    pooled = sums.pooled(list(range(7)))
    assert float(pooled.alpha()) == pytest.approx(float(nominal_alpha(counts.reshape(-1, 2))))
    four = np.full(50, 4)
    ones4 = np.minimum(ones, 4)
    counts4 = np.stack([four[None, :] - ones4, ones4], axis=-1)
    np.testing.assert_allclose(binary_sums(ones4, four).fleiss(4), fleiss_kappa(counts4))
