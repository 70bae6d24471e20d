"""`coder report` in every format: the contract columns, self-contained HTML, clean errors."""

from __future__ import annotations

import hashlib
import io
import re

import pandas as pd
import pytest
import test_report_support as support
from cli_support import run
from test_report_support import HTML_TEXT, Raw, expected_frequencies

rich_template = support.rich_template
rich_project = support.rich_project


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_on_stdout_has_the_contract_columns_and_exact_figures(rich_project, capsys):
    code, out, _ = run(capsys, "report", rich_project, "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[:5]) == [
        "code",
        "comments",
        "comments_pct",
        "respondents",
        "respondents_pct",
    ]
    raw = Raw(rich_project)
    expected = expected_frequencies(raw, raw.counted())
    table = table.set_index("code")
    for path, row in expected.iterrows():
        assert table.loc[path, "comments"] == row["comments"]
        assert table.loc[path, "respondents"] == row["respondents"]
        assert table.loc[path, "comments_pct"] == pytest.approx(row["comments_pct"], abs=0.005)
        assert table.loc[path, "respondents_pct"] == pytest.approx(
            row["respondents_pct"], abs=0.005
        )
    assert table.loc["(all coded)", "comments"] == len(raw.counted())


def test_csv_by_attribute_adds_group_columns_and_the_test(rich_project, capsys):
    code, out, _ = run(capsys, "report", rich_project, "--by", "role", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out)).set_index("code")
    for column in ["comments:teacher", "comments_pct:teacher", "respondents:(missing)", "p_value"]:
        assert column in table.columns
    assert (table["comments:magistrate"] == 0).all()
    assert table["comments_pct:magistrate"].isna().all()  # blank, not "nan" or an error
    assert set(table["significant"].dropna()) <= {"yes"}


def test_out_csv_writes_cooccurrence_and_quotes_beside_it(rich_project, tmp_path, capsys):
    out = tmp_path / "freq.csv"
    code, _, err = run(
        capsys, "report", rich_project, "--out", out, "--quotes", "2", "--cooccurrence"
    )
    assert code == 0
    pairs = pd.read_csv(tmp_path / "freq.cooccurrence.csv")
    assert list(pairs.columns[:4]) == ["code_a", "code_b", "comments", "jaccard"]
    quotes = pd.read_csv(tmp_path / "freq.quotes.csv")
    assert (quotes.groupby("code").size() <= 2).all()
    assert "wrote" in err


def test_quotes_are_of_comments_counted_for_their_code(rich_project, tmp_path, capsys):
    out = tmp_path / "q.csv"
    assert run(capsys, "report", rich_project, "--out", out, "--quotes", "3")[0] == 0
    quotes = pd.read_csv(tmp_path / "q.quotes.csv", keep_default_na=False)
    raw = Raw(rich_project)
    counted = raw.counted()
    by_source = dict(zip(raw.comments["source_id"], raw.comments["comment_id"], strict=True))
    text = dict(zip(raw.comments["source_id"], raw.comments["text"], strict=True))
    assert len(quotes) > 20
    for q in quotes.itertuples():
        assert q.code in counted[by_source[q.comment_id]]
        fragment = q.quote.removeprefix("'").removesuffix(" …")[:30]
        assert fragment in " ".join(text[q.comment_id].split())
    assert not quotes.duplicated(["code", "respondent_id"]).any()
    assert quotes["attributes"].str.contains("role: ").any()
    # Where a code was applied to a segment only, the quote is that segment.
    worry = quotes[quotes["code"] == "Emotional impact > Worry"]
    assert not worry.empty


def test_markdown_has_tables_and_the_definitions(rich_project, capsys):
    code, out, _ = run(capsys, "report", rich_project, "--format", "md", "--by", "area")
    assert code == 0
    assert "| Code | Comments | % comments | Respondents | % respondents |" in out
    assert "## By area" in out
    assert "## Notes" in out and "at least one counted coding" in out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == rows[0].count(" | ") for line in rows[:26])


def test_html_is_one_self_contained_file_with_charts_and_escaped_text(
    rich_project, tmp_path, capsys
):
    out = tmp_path / "report.html"
    code, _, _ = run(capsys, "report", rich_project, "--by", "role", "--quotes", "40", "--out", out)
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 2  # themes, and themes by role
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"\b(src|href)\s*=\s*\"(?!#)", html)  # in-document links only
    assert "<script" not in html and "@import" not in html
    assert not re.search(r"url\((?!#)", html)
    assert "&lt;script&gt;alert(" in html  # a respondent's text, escaped
    assert HTML_TEXT not in html
    for section in ["Theme frequencies", "By role", "Themes that occur together", "Quotes"]:
        assert section in html


def test_xlsx_has_one_sheet_per_table(rich_project, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    assert run(capsys, "report", rich_project, "--by", "area", "--out", out)[0] == 0
    book = load_workbook(out)
    assert book.sheetnames == [
        "Frequencies",
        "By area",
        "Co-occurrence",
        "Co-occurrence matrix",
        "Quotes",
        "Notes",
    ]
    header = [c.value for c in book["Frequencies"][1]]
    assert header[:5] == ["code", "comments", "comments_pct", "respondents", "respondents_pct"]
    frequencies = pd.read_excel(out, sheet_name="Frequencies").set_index("code")
    raw = Raw(rich_project)
    expected = expected_frequencies(raw, raw.counted())
    assert (frequencies.loc[expected.index, "comments"] == expected["comments"]).all()


def test_table_format_prints_the_bases_and_notes(rich_project, capsys):
    code, out, _ = run(capsys, "report", rich_project, "--coder", "bea")
    assert code == 0
    assert "Theme frequencies" in out and "(all coded)" in out
    assert "codings by bea" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "rol"], "unknown attribute 'rol'; known attributes: area, role, years_in_post"),
        (["--question", "nope"], "unknown question 'nope'; known questions: difficult"),
        (["--coder", "zed"], "unknown coder 'zed'; coders in this project: bea, carl, reference"),
        (["--coder", "bea", "--consensus"], "either --coder or --consensus"),
        (["--format", "xlsx"], "needs a file"),
        (["--format", "csv", "--quotes", "2"], "holds one table"),
        (["--out", "x.pdf"], "cannot tell the format"),
    ],
)
def test_bad_input_is_one_line_and_leaves_the_project_as_it_was(
    rich_project, capsys, args, message
):
    before = digest(rich_project)
    code, out, err = run(capsys, "report", rich_project, *args)
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert digest(rich_project) == before


def test_a_report_over_thousands_of_codes_is_refused_quickly_with_the_limit_named(
    tmp_path, capsys, monkeypatch
):
    from cli_support import run

    from coder.store import create_project

    path = tmp_path / "many.db"
    with create_project(path) as store, store.db.transaction():
        for n in range(120):
            store.codes.add(f"code {n}")
    monkeypatch.setenv("CODER_MAX_CODES", "100")
    for args in (["--out", tmp_path / "r.html"], ["--out", tmp_path / "r.xlsx"]):
        code, _, err = run(capsys, "report", path, *args)
        assert code == 1 and "CODER_MAX_CODES" in err and "120" in err
    assert run(capsys, "report", path, "--format", "csv")[0] == 0  # a plain table has no limit
    monkeypatch.setenv("CODER_MAX_CODES", "200")
    assert run(capsys, "report", path, "--out", tmp_path / "r.html")[0] == 0
