"""Numeric and date attributes grouped into bins for cross-tabs and charts, the edges shown."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import test_report_support as support
from cli_support import run
from test_report_support import Raw

from coder.errors import CoderError
from coder.report.bins import BinSpec, bin_values
from coder.report.build import ReportOptions, build_report, theme_shares
from coder.store import open_project

rich_template = support.rich_template
rich_project = support.rich_project


def _years(raw: Raw) -> dict[int, int]:
    """respondent -> years in post, for those who gave it."""
    rows = raw.attributes[raw.attributes["name"] == "years_in_post"]
    return {int(r): int(v) for r, v in zip(rows["respondent_id"], rows["value"], strict=True)}


def _report(path, **options):
    with open_project(path) as store:
        return build_report(store, ReportOptions(by="years_in_post", **options))


def test_a_numeric_attribute_is_binned_into_quartiles_by_default(rich_project):
    report = _report(rich_project)
    years = _years(Raw(rich_project))
    bins = [g for g in report.groups if g != "(missing)"]
    assert len(bins) == 4 and len(set(years.values())) > 10
    # The bins cover every value, in order, without a gap: "0 to 4", "5 to 8", ...
    bounds = [tuple(int(x) for x in b.split(" to ")) for b in bins]
    assert bounds[0][0] == min(years.values()) and bounds[-1][1] == max(years.values())
    assert all(a[1] + 1 == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    # Quartiles of respondents: no bin holds fewer than a sixth or more than a third of them.
    held = [sum(lo <= v <= hi for v in years.values()) for lo, hi in bounds]
    assert sum(held) == len(years)
    assert all(len(years) / 6 <= h <= len(years) / 3 for h in held), held
    assert "quartiles" in report.binning and "edges" in report.binning


def test_binned_counts_match_an_independent_count(rich_project):
    raw = Raw(rich_project)
    report = _report(rich_project, bins=BinSpec.parse("2,5,10"))
    assert report.groups[:4] == ["0 to 1", "2 to 4", "5 to 9", "10 to 33"]
    years = _years(raw)

    def bin_of(respondent: int) -> str:
        if respondent not in years:
            return "(missing)"
        v = years[respondent]
        return "0 to 1" if v < 2 else "2 to 4" if v < 5 else "5 to 9" if v < 10 else "10 to 33"

    counted = raw.counted()
    respondent = raw.respondent_of()
    table = report.crosstab.set_index("code")
    for path in ["Emotional impact", "Training needs", "Digital technology > Social media"]:
        for group in report.groups:
            people = {
                respondent[c]
                for c, codes in counted.items()
                if path in codes and bin_of(respondent[c]) == group
            }
            assert table.loc[path, f"respondents:{group}"] == len(people), (path, group)
    everyone = {respondent[c] for c in counted}
    for group in report.groups:
        base = sum(1 for r in everyone if bin_of(r) == group)
        assert table.loc["(all coded)", f"respondents:{group}"] == base


def test_bins_none_keeps_every_value_and_text_is_never_binned(rich_project):
    assert len(_report(rich_project, bins=BinSpec.parse("none")).groups) > 10
    with open_project(rich_project) as store:
        assert "teacher" in build_report(store, ReportOptions(by="role")).groups


def test_the_csv_and_the_chart_use_the_bins(rich_project, capsys, tmp_path):
    code, out, _ = run(capsys, "report", rich_project, "--by", "years_in_post", "--format", "csv")
    assert code == 0
    columns = pd.read_csv(io.StringIO(out)).columns
    bins = [c.split(":", 1)[1] for c in columns if c.startswith("respondents:")]
    assert len(bins) <= 5 and all(" to " in b or b == "(missing)" for b in bins)
    with open_project(rich_project) as store:
        shares = theme_shares(store, "years_in_post")
    assert set(shares.series) <= set(bins) and len(shares.series) >= 4
    html = tmp_path / "r.html"
    assert run(capsys, "report", rich_project, "--by", "years_in_post", "--out", html)[0] == 0
    text = html.read_text(encoding="utf-8")
    assert "years_in_post in bins: quartiles" in text and "edges" in text
    assert all(b in text for b in bins)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "role", "--bins", "3,4"], "--bins needs an attribute of numbers or dates"),
        (["--by", "years_in_post", "--bins", "3,x"], "'x' is not a number"),
        (["--by", "years_in_post", "--bins", "3,,4"], "give edges separated by commas"),
        (["--bins", "3"], "add --by ATTR"),
    ],
)
def test_bad_bins_are_one_clear_line(rich_project, capsys, args, message):
    code, _, err = run(capsys, "report", rich_project, *args)
    assert code == 1 and message in err and err.count("\n") == 1


def test_quantile_edges_never_split_equal_values():
    values = pd.Series([str(v) for v in [0] * 40 + list(range(1, 61))])
    binned = bin_values(values, BinSpec(), "age")
    assert binned is not None
    assert binned.labels[0] == "0"  # the forty zeros together, alone
    held = pd.Series(binned.of_value).reindex(values).value_counts()
    assert held[binned.labels[0]] == 40 and held.sum() == 100


def test_few_numbers_stay_as_they_are_and_own_edges_label_decimals():
    assert bin_values(pd.Series(["1", "2", "3", "4", "5"] * 4), BinSpec(), "scale") is None
    values = pd.Series([f"{x / 10:.1f}" for x in range(0, 100, 3)])
    binned = bin_values(values, BinSpec.parse("2.5,5"), "score")
    assert binned is not None
    assert binned.labels == ["under 2.5", "2.5 to under 5", "5 or more"]
    assert binned.of_value["2.4"] == "under 2.5" and binned.of_value["2.7"] == "2.5 to under 5"


def test_dates_are_binned_by_day():
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    binned = bin_values(pd.Series(days.strftime("%Y-%m-%d")), BinSpec(), "answered")
    assert binned is not None and len(binned.labels) == 4
    assert binned.labels[0].startswith("2024-01-01 to ")
    assert binned.labels[-1].endswith(" to 2024-04-29")
    own = bin_values(pd.Series(days.strftime("%Y-%m-%d")), BinSpec.parse("2024-03-01"), "answered")
    assert own is not None and own.labels == [
        "2024-01-01 to 2024-02-29",
        "2024-03-01 to 2024-04-29",
    ]
    with pytest.raises(CoderError, match="not a date"):
        bin_values(pd.Series(days.strftime("%Y-%m-%d")), BinSpec.parse("March"), "answered")


def test_every_value_lands_in_exactly_one_bin():
    rng = np.random.default_rng(3)
    values = pd.Series([str(v) for v in rng.integers(0, 40, 500)])
    binned = bin_values(values, BinSpec(), "years")
    assert binned is not None
    assert set(binned.of_value.values()) == set(binned.labels)
    for raw, label in binned.of_value.items():
        lo, hi = (int(x) for x in label.split(" to "))
        assert lo <= int(raw) <= hi
