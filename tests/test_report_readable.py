"""What a lead reads: q values, cautions and small groups in every format."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import test_report_support as support
from cli_support import run

from coder.report.build import ReportOptions, build_report
from coder.report.crosstab import MIN_GROUP
from coder.report.display import crosstab_view
from coder.store import open_project

rich_template = support.rich_template
rich_project = support.rich_project


@pytest.fixture
def by_role(rich_project):
    with open_project(rich_project) as store:
        return build_report(store, ReportOptions(by="role"))


# -- significance: q, not p; small groups; the caution -----------------------------------------


def test_the_mark_follows_q_not_p(by_role):
    table = by_role.crosstab.set_index("code").drop(index="(all coded)")
    chance = table[(table["p_value"] < 0.05) & (table["q_value"] >= 0.05)]
    assert not chance.empty  # codes a raw p would have starred
    assert (table["significant"] == "yes").equals(table["q_value"] < 0.05)
    view = crosstab_view(by_role, by_role.crosstab)
    for code, mark in zip(table.index, view.marks, strict=True):
        assert (mark == "*") == (table.loc[code, "q_value"] < 0.05), code


def test_groups_too_small_to_compare_are_left_out_of_the_test(by_role):
    table = by_role.crosstab.set_index("code")
    bases = table.loc["(all coded)"]
    small = [g for g in by_role.groups if bases[f"respondents:{g}"] < MIN_GROUP]
    tested = [g for g in by_role.groups if g not in small]
    assert small and len(tested) >= 2
    assert (table["groups_tested"] == len(tested)).all()
    # A code seen only in small groups cannot be significant because of them.
    assert table["note"].drop(index="(all coded)").str.contains("left out of the test").all()


def _q_shown(text: str, table: pd.DataFrame) -> bool:
    return all(f"{q:.3f}" in text for q in table["q_value"].dropna() if q >= 0.001)


def test_q_the_caution_and_the_small_groups_appear_in_every_format(rich_project, tmp_path, capsys):
    table = pd.read_csv(
        io.StringIO(run(capsys, "report", rich_project, "--by", "role", "--format", "csv")[1])
    ).set_index("code")
    assert table["note"].str.contains("read with caution").any()
    outputs = {
        "md": run(capsys, "report", rich_project, "--by", "role", "--format", "md")[1],
    }
    html = tmp_path / "r.html"
    assert run(capsys, "report", rich_project, "--by", "role", "--out", html)[0] == 0
    outputs["html"] = html.read_text(encoding="utf-8")
    for fmt, text in outputs.items():
        assert _q_shown(text, table), fmt
        assert "Benjamini-Hochberg" in text, fmt
        assert "q &lt; 0.05" in text or "q < 0.05" in text, fmt
        assert "† some expected counts below 5: read with caution" in text, fmt
        assert "° fewer than 5 coded respondents" in text, fmt
        assert "n=2°" in text or "n=0°" in text, fmt
    md_header = next(line for line in outputs["md"].splitlines() if "| All n=" in line)
    assert md_header.endswith("| p | q |  |")
