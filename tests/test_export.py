"""`coder export`: one row a comment, the contract columns, segments, formula-safe cells."""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import pytest
import test_report_support as support
from cli_support import run
from test_report_support import FORMULA_TEXT, Raw

rich_template = support.rich_template
rich_project = support.rich_project

FIRST = ["comment_id", "respondent_id", "question", "text", "codes"]


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_csv_has_one_row_a_comment_and_the_contract_columns(rich_project, tmp_path, capsys):
    out = tmp_path / "data.csv"
    code, stdout, _ = run(capsys, "export", rich_project, out)
    assert code == 0 and "data.segments.csv" in stdout
    table = read_csv(out)
    raw = Raw(rich_project)
    assert list(table.columns[:5]) == FIRST
    assert list(table.columns[5:9]) == ["area", "role", "years_in_post", "coders"]
    paths = list(table.columns[9:])
    assert set(paths) == set(raw.path.values())
    assert len(table) == len(raw.comments)
    assert table["comment_id"].is_unique

    counted = raw.counted()
    by_source = dict(zip(raw.comments["source_id"], raw.comments["comment_id"], strict=True))
    direct = raw.codings.assign(path=raw.codings["code_id"].map(raw.path))
    for row in table.itertuples(index=False):
        comment = by_source[row.comment_id.removeprefix("'")]
        mine = direct[direct["comment_id"] == comment]
        assert set(filter(None, row.codes.split("; "))) == set(mine["path"])
        assert set(filter(None, row.coders.split("; "))) == set(mine["coder"])
        flags = dict(zip(paths, row[9:], strict=True))
        assert {p for p, v in flags.items() if v == "1"} == counted.get(comment, set())
        assert set(flags.values()) <= {"0", "1"}


def test_code_columns_sum_to_the_report_counts(rich_project, tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert run(capsys, "export", rich_project, out, "--question", "impact")[0] == 0
    _, report, _ = run(capsys, "report", rich_project, "--question", "impact", "--format", "csv")
    counts = pd.read_csv(io.StringIO(report)).set_index("code")["comments"]
    table = pd.read_csv(out)
    assert set(table["question"]) == {"impact"}
    for path in counts.index.drop("(all coded)"):
        assert table[path].sum() == counts[path]


def test_attributes_and_missing_values(rich_project, tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert run(capsys, "export", rich_project, out)[0] == 0
    table = read_csv(out).set_index("comment_id")
    assert table.loc["R900:difficult", "role"] == "magistrate"
    assert table.loc["R900:difficult", "area"] == ""
    assert table.loc["R001:difficult", "role"] == "social worker"


def test_segments_file_has_the_spans_and_their_text(rich_project, tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert run(capsys, "export", rich_project, out)[0] == 0
    segments = pd.read_csv(tmp_path / "data.segments.csv", keep_default_na=False)
    raw = Raw(rich_project)
    assert len(segments) == raw.codings["start"].notna().sum()
    assert list(segments.columns) == [
        "comment_id",
        "respondent_id",
        "question",
        "code",
        "coder",
        "origin",
        "start",
        "end",
        "segment",
    ]
    text = dict(zip(raw.comments["source_id"], raw.comments["text"], strict=True))
    for s in segments.itertuples():
        assert s.segment == text[s.comment_id][s.start : s.end]


def test_csv_cells_never_become_formulas(rich_project, tmp_path, capsys):
    out = tmp_path / "data.csv"
    assert run(capsys, "export", rich_project, out)[0] == 0
    table = read_csv(out).set_index("comment_id")
    assert table.loc["R901:difficult", "text"] == "'" + FORMULA_TEXT
    assert table.loc["R902:impact", "text"] == "'-5 staff and rising"
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for cell in table.to_numpy().ravel() if cell
    )


def test_xlsx_stores_formula_like_text_as_text(rich_project, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "data.xlsx"
    assert run(capsys, "export", rich_project, out)[0] == 0
    book = load_workbook(out)
    assert book.sheetnames[:2] == ["Comments", "Segments"]
    sheet = book["Comments"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == FIRST
    cells = [row[3] for row in sheet.iter_rows(min_row=2) if row[0].value == "R901:difficult"]
    assert cells[0].value == FORMULA_TEXT  # the text itself, unchanged ...
    assert cells[0].data_type == "s"  # ... and stored as text, not as a formula
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    frame = pd.read_excel(out, sheet_name="Comments")
    raw = Raw(rich_project)
    assert len(frame) == len(raw.comments)


def test_jsonl_round_trips_through_pandas(rich_project, tmp_path, capsys):
    out = tmp_path / "data.jsonl"
    assert run(capsys, "export", rich_project, out)[0] == 0
    table = pd.read_json(out, lines=True, dtype=False)
    assert list(table.columns[:5]) == FIRST
    raw = Raw(rich_project)
    assert len(table) == len(raw.comments)
    row = table.set_index("comment_id").loc["R901:difficult"]
    assert row["text"] == FORMULA_TEXT  # not a spreadsheet format: written as it is
    assert (tmp_path / "data.segments.jsonl").exists()


def test_suggestions_only_when_asked(rich_project, tmp_path, capsys):
    plain, asked = tmp_path / "plain.csv", tmp_path / "asked.csv"
    assert run(capsys, "export", rich_project, plain)[0] == 0
    assert run(capsys, "export", rich_project, asked, "--include-suggestions")[0] == 0
    plain_t, asked_t = read_csv(plain), read_csv(asked)
    assert "suggestions" not in plain_t.columns
    raw = Raw(rich_project)
    suggested = asked_t[asked_t["suggestions"] != ""]
    assert len(suggested) == raw.suggestions["comment_id"].nunique()
    assert suggested["suggestions"].str.contains(r"\(0\.\d\d\)").all()
    assert "Digital technology > Social media (0.80)" in set(suggested["suggestions"])
    row = asked_t.set_index("comment_id").loc[suggested["comment_id"].iloc[0]]
    assert row["codes"]  # suggested codes are counted when asked


def test_export_by_coder_keeps_only_their_codings(rich_project, tmp_path, capsys):
    out = tmp_path / "bea.csv"
    assert run(capsys, "export", rich_project, out, "--coder", "bea")[0] == 0
    table = read_csv(out)
    assert set(filter(None, table["coders"])) == {"bea"}


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("data.pdf", [], "choose a .csv, .xlsx or .jsonl file"),
        ("data.csv", ["--coder", "zed"], "unknown coder 'zed'"),
        ("data.csv", ["--question", "zzz"], "unknown question 'zzz'"),
        ("missing/data.csv", [], "does not exist"),
    ],
)
def test_bad_export_is_one_line_and_writes_nothing(
    rich_project, tmp_path, capsys, name, args, message
):
    before = hashlib.sha256(rich_project.read_bytes()).hexdigest()
    existing = set(tmp_path.iterdir())
    code, _, err = run(capsys, "export", rich_project, tmp_path / name, *args)
    assert code == 1 and err.startswith("error: ") and message in err
    assert err.count("\n") == 1
    assert set(tmp_path.iterdir()) == existing
    assert hashlib.sha256(rich_project.read_bytes()).hexdigest() == before


def test_xlsx_holds_control_characters_as_their_pictures(tmp_path, capsys):
    from openpyxl import load_workbook

    from coder.domain import ImportRow
    from coder.store import create_project

    project = tmp_path / "p.db"
    with create_project(project) as store:
        import_id = store.imports.begin("pasted.csv")
        text = "pasted from Word\x0bsecond line\x00end"
        store.imports.write_chunk(import_id, [ImportRow("1", "1", "q", text, {})], None)
    for out in (tmp_path / "data.xlsx", tmp_path / "report.xlsx"):
        command = "export" if out.stem == "data" else "report"
        args = [project, out] if command == "export" else [project, "--out", out]
        code, _, err = run(capsys, command, *args)
        assert code == 0 and err.count("Traceback") == 0, err
    sheet = load_workbook(tmp_path / "data.xlsx")["Comments"]
    assert sheet.cell(2, 4).value == "pasted from Word␋second line␀end"


def test_csv_opens_in_excel_with_accents_intact(tmp_path, capsys):
    from coder.domain import ImportRow
    from coder.store import create_project

    project = tmp_path / "p.db"
    text = "Le café était fermé; naïve Zoë, 50 € — “quoted”"
    with create_project(project) as store:
        import_id = store.imports.begin("accents.csv")
        store.imports.write_chunk(
            import_id, [ImportRow("R1", "R1", "q", text, {"région": "Île-de-France"})], None
        )
        store.imports.finish(import_id, {})
    excel, plain = tmp_path / "excel.csv", tmp_path / "plain.csv"
    assert run(capsys, "export", project, excel)[0] == 0
    assert run(capsys, "export", project, plain, "--no-bom")[0] == 0
    data = excel.read_bytes()
    # A UTF-8 byte order mark first: what makes Excel on Windows read UTF-8, not cp1252.
    assert data.startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "excel.segments.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert data[3:] == plain.read_bytes() and not plain.read_bytes().startswith(b"\xef")
    decoded = data.decode("utf-8-sig")
    assert text in decoded and "Île-de-France" in decoded
    # The columns are exactly what they were, for every reader that knows the mark.
    header = decoded.splitlines()[0].split(",")
    assert header[:6] == [*FIRST, "région"]
    assert list(pd.read_csv(excel).columns[:5]) == FIRST
