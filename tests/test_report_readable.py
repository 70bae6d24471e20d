"""What a lead reads: cross-tabs that fit the terminal, q values and cautions in every format."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
import test_report_support as support
from cli_support import run

from coder.report.build import ReportOptions, build_report
from coder.report.crosstab import MIN_GROUP
from coder.report.display import crosstab_view
from coder.report.terminal import plan, terminal
from coder.store import open_project

rich_template = support.rich_template
rich_project = support.rich_project


@pytest.fixture
def by_role(rich_project):
    with open_project(rich_project) as store:
        return build_report(store, ReportOptions(by="role"))


def _printed(report, width: int, wide: bool = False) -> str:
    buffer = io.StringIO()
    terminal(report, file=buffer, width=width, wide=wide)
    return buffer.getvalue()


@pytest.mark.parametrize("width", [60, 80, 100, 120, 140, 165, 200])
def test_the_cross_tab_fits_the_terminal_and_drops_no_column(by_role, width):
    text = _printed(by_role, width)
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    table = by_role.crosstab.set_index("code").drop(index="(all coded)")
    # Every group's column is there once, in order, and All's: their n= headers show it.
    view = crosstab_view(by_role, by_role.crosstab)
    headers = "\n".join(line for line in lines if line.startswith("┃"))
    sizes = re.findall(r"\bn=\d+°?", headers)
    sizes.remove(view.overall.size)
    assert sizes == [g.size for g in view.groups]
    layout = plan(view, width)
    names = [layout.short.get(g, g) for g in by_role.groups]
    for name in names:  # whole, or wrapped at words
        assert all(word in text for word in name.split()), name
    if layout.short:
        legend = next(line for line in lines if line.startswith("Groups: "))
        for group, short in layout.short.items():
            if short != group:
                assert f"{short} = {group.split()[0]}" in text.replace("\n", " "), legend
    # The test columns too: one significance mark per significant code, on its row.
    marks = sum(1 for line in lines if re.search(r"│ \* │$|┃ \* ┃$", line.rstrip()))
    assert marks == (table["significant"] == "yes").sum()
    header_q = [line for line in lines if re.search(r"┃\s+p\s+┃\s+q\s+┃", line)]
    assert len(header_q) == 1
    # The code column is repeated in every part.
    crosstab = text[text.index("By role:") :].splitlines()
    parts = sum(1 for line in crosstab if line.startswith("┃ Code"))
    assert parts == len(layout.parts)
    assert "\n".join(crosstab).count("Identifying") == parts


def test_a_terminal_too_narrow_for_any_layout_still_shows_every_group(by_role):
    text = _printed(by_role, 40)
    headers = "\n".join(line for line in text.splitlines() if line.startswith("┃"))
    view = crosstab_view(by_role, by_role.crosstab)
    assert all(g.size in headers for g in view.groups) and "q" in headers


def test_wide_prints_one_table_with_every_group_on_one_header_line(by_role):
    text = _printed(by_role, 80, wide=True)
    assert "part 1 of" not in text
    header = next(line for line in text.splitlines() if "CAMHS clinician" in line)
    positions = [header.index(g) for g in by_role.groups]
    assert positions == sorted(positions)
    assert header.index("All") > positions[-1] and len(header) > 80


def test_wide_from_the_command_line(rich_project, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, narrow, _ = run(capsys, "report", rich_project, "--by", "role")
    assert code == 0 and max(len(line) for line in narrow.splitlines()) <= 80
    code, wide, _ = run(capsys, "report", rich_project, "--by", "role", "--wide")
    assert code == 0 and "part 1 of" not in wide
    assert any("youth worker" in line and "CAMHS clinician" in line for line in wide.splitlines())


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
        "table": run(capsys, "report", rich_project, "--by", "role", "--wide")[1],
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
    assert '<th class="n small">magistrate' in outputs["html"]  # greyed
    assert re.search(r'<td class="n small">0 \(', outputs["html"])
    md_header = next(line for line in outputs["md"].splitlines() if "| All n=" in line)
    assert md_header.endswith("| p | q |  |")
