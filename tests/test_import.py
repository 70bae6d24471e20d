"""Importing survey exports: encodings, delimiters, formats, codes columns and bad input."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
import pytest

from coder.corpus import ImportOptions, import_file, importer
from coder.errors import CoderError
from coder.store import open_project

ROWS = [
    ("1", "social worker", "A", "Caseloads are too high, café culture aside", "Workload"),
    ("2", "teacher", "B", "Snapchat and “online” games", "online"),
    ("3", "teacher", "A", "   ", ""),
    ("4", "foster carer", "C", "I worry at night; naïve of me?", "Feelings > Worry; Workload"),
]
HEADER = ("id", "role", "area", "answer", "codes")
USER_TABLES = [
    "codes",
    "questions",
    "respondents",
    "respondent_attributes",
    "comments",
    "codings",
    "coding_log",
    "imports",
    "memos",
]


def write_csv(path, rows=ROWS, header=HEADER, delimiter=",", encoding="utf-8", newline="\r\n"):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def snapshot(path) -> dict:
    """Everything a user could see in the project, to prove a failed import changed nothing."""
    conn = sqlite3.connect(path)
    out = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in USER_TABLES}
    out["fts"] = conn.execute(
        "SELECT rowid FROM comments_fts WHERE comments_fts MATCH 'worry OR caseload' ORDER BY 1"
    ).fetchall()
    conn.close()
    return out


def run(project, path, **kw):
    kw.setdefault("text", ["answer"])
    kw.setdefault("id", "id")
    store = open_project(project)
    try:
        return import_file(store, path, ImportOptions(**kw))
    finally:
        store.close()


def texts(project) -> dict[str, str]:
    conn = sqlite3.connect(project)
    return dict(conn.execute("SELECT source_id, text FROM comments"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_encodings(mini_project, tmp_path, encoding):
    path = write_csv(tmp_path / "s.csv", encoding=encoding)
    summary = run(mini_project, path)
    assert summary.comments_added == 3
    got = texts(mini_project)
    assert got["1"] == "Caseloads are too high, café culture aside"
    assert got["2"] == "Snapchat and “online” games"
    assert got["4"].startswith("I worry at night; naïve")


def test_excel_unicode_text_is_utf16_tab_delimited(mini_project, tmp_path):
    """Excel's "Unicode Text" export: UTF-16 LE with BOM, tabs."""
    path = write_csv(tmp_path / "s.txt", delimiter="\t", encoding="utf-16")
    assert run(mini_project, path).delimiter == "\t"
    assert texts(mini_project)["2"] == "Snapchat and “online” games"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_any_delimiter_is_detected(mini_project, tmp_path, delimiter):
    path = write_csv(tmp_path / "s.csv", delimiter=delimiter)
    summary = run(mini_project, path, attrs=["role"])
    assert summary.delimiter == delimiter and summary.comments_added == 3


def test_attributes_questions_and_ids(mini_project, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("rid,role,q_a,q_b\nx1,nurse,first answer,second\nx2,teacher,,only b\n")
    summary = run(mini_project, path, text=["q_a", "q_b"], id="rid", attrs=["role"])
    assert summary.comments_added == 3 and summary.empty_skipped == 1
    got = texts(mini_project)
    assert got["x1:q_a"] == "first answer" and got["x2:q_b"] == "only b"
    store = open_project(mini_project)
    c = store.comments.by_source_id("x1:q_b")
    assert c.question == "q_b"
    assert store.comments.respondent(c.respondent_id).attributes == {"role": "nurse"}
    store.close()


def test_row_number_is_the_id_without_id_column(empty_project, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("answer\nfirst\n\nsecond\n")
    summary = run(empty_project, path, id=None)
    assert summary.comments_added == 2
    assert set(texts(empty_project)) == {"1", "2"}


def test_codes_column_matches_paths_names_and_case(mini_project, tmp_path):
    path = write_csv(tmp_path / "s.csv")
    summary = run(mini_project, path, codes=["codes"], coder="lead")
    assert summary.codings == 4
    conn = sqlite3.connect(mini_project)
    rows = conn.execute(
        "SELECT c.source_id, p.path, k.coder, k.origin FROM codings k "
        "JOIN comments c ON c.id = k.comment_id JOIN code_paths p ON p.code_id = k.code_id "
        "WHERE k.coder = 'lead' ORDER BY 1, 2"
    ).fetchall()
    assert rows == [
        ("1", "Workload", "lead", "imported"),
        ("2", "Online", "lead", "imported"),
        ("4", "Feelings > Worry", "lead", "imported"),
        ("4", "Workload", "lead", "imported"),
    ]


def test_unknown_codes_are_named_and_nothing_is_written(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 1)  # the unknown code sits in a later chunk
    rows = [*ROWS, ("5", "nurse", "D", "text", "Budgets; Workload"), ("6", "x", "E", "t", "Nope")]
    path = write_csv(tmp_path / "s.csv", rows=rows)
    before = snapshot(mini_project)
    with pytest.raises(CoderError, match=r"unknown codes.*'Budgets'.*'Nope'.*--create-codes"):
        run(mini_project, path, codes=["codes"], coder="lead")
    assert snapshot(mini_project) == before


def test_create_codes_adds_missing_ones(mini_project, tmp_path):
    rows = [("5", "nurse", "D", "text", "Budgets > Cuts; workload")]
    path = write_csv(tmp_path / "s.csv", rows=rows)
    summary = run(mini_project, path, codes=["codes"], coder="lead", create_codes=True)
    assert summary.codes_created == ["Budgets", "Budgets > Cuts"]
    store = open_project(mini_project)
    assert "Budgets > Cuts" in [c.path for c in store.codes.all()]
    store.close()


def test_reimport_adds_nothing(mini_project, tmp_path):
    path = write_csv(tmp_path / "s.csv")
    run(mini_project, path, codes=["codes"], coder="lead")
    after_first = snapshot(mini_project)
    second = run(mini_project, path, codes=["codes"], coder="lead")
    assert second.comments_added == 0 and second.already_present == 3 and second.codings == 0
    later = snapshot(mini_project)
    assert {t: v for t, v in later.items() if t != "imports"} == {
        t: v for t, v in after_first.items() if t != "imports"
    }


def test_duplicate_ids_are_reported(empty_project, tmp_path):
    rows = [("1", "a", "A", "first", ""), ("1", "b", "B", "again", ""), ("2", "c", "C", "x", "")]
    summary = run(empty_project, write_csv(tmp_path / "s.csv", rows=rows))
    assert summary.comments_added == 2 and summary.duplicate_ids == 1
    assert summary.duplicate_examples == ["1"]
    assert texts(empty_project)["1"] == "first"


def test_qualtrics_extra_header_rows_are_skipped(empty_project, tmp_path):
    path = tmp_path / "qualtrics.csv"
    path.write_text(
        "ResponseId,Q1,Q2_TEXT\n"
        '"Response ID","How are you?","What would help?"\n'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1""}","{""ImportId"":""QID2_TEXT""}"\n'
        "R_1,fine,more time\nR_2,tired,\n"
    )
    summary = run(empty_project, path, text=["Q1", "Q2_TEXT"], id="ResponseId")
    assert summary.qualtrics and summary.comments_added == 3
    assert texts(empty_project)["R_1:Q2_TEXT"] == "more time"


def test_xlsx(empty_project, tmp_path):
    path = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "years", "answer"])
    sheet.append([101, 3, "from excel"])
    sheet.append([102, 12.0, None])
    sheet.append([103, 7, "another"])
    book.save(path)
    summary = run(empty_project, path, attrs=["years"])
    assert summary.comments_added == 2 and summary.empty_skipped == 1
    store = open_project(empty_project)
    c = store.comments.by_source_id("101")
    assert c.text == "from excel" and store.comments.respondent(c.respondent_id).attributes == {
        "years": "3"
    }
    store.close()


def test_jsonl(empty_project, tmp_path):
    path = tmp_path / "s.jsonl"
    lines = [{"id": 1, "answer": "one", "role": "nurse"}, {"id": 2, "answer": "two"}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n")
    summary = run(empty_project, path, attrs=["role"])
    assert summary.comments_added == 2
    path.write_text('{"id": 3, "answer": "ok"}\n{"id": 4, "answer": \n')
    before = snapshot(empty_project)
    with pytest.raises(CoderError, match="line 2: not valid JSON"):
        run(empty_project, path)
    assert snapshot(empty_project) == before


BAD_INPUTS = {
    "unterminated quote": ('id,answer\n1,"fine"\n2,"cut off here\n', "cut short"),
    "too few fields": ("id,role,answer\n1,a,fine\n2,b\n", "2 fields where the header has 3"),
    "short first row": ("id,role,answer\n1,a\n2,b,fine\n3,c,x\n", "line 2: 2 fields"),
    "wrong delimiter": ("id;answer\n1;fine\n2;also\n", None),
    "missing column": ("id,reply\n1,fine\n", "no column 'answer'.*reply"),
    "empty file": ("", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_csv_gives_clear_error_and_changes_nothing(mini_project, tmp_path, case, monkeypatch):
    monkeypatch.setattr(
        importer, "CHUNK_COMMENTS", 1
    )  # earlier rows are committed before the error
    content, pattern = BAD_INPUTS[case]
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = snapshot(mini_project)
    if case == "wrong delimiter":
        with pytest.raises(CoderError, match="no column 'answer'"):
            run(mini_project, path, delimiter=",")
    else:
        with pytest.raises(CoderError, match=pattern):
            run(mini_project, path)
    assert snapshot(mini_project) == before


def test_binary_garbage(mini_project, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 50)
    before = snapshot(mini_project)
    with pytest.raises(CoderError, match="not a text file"):
        run(mini_project, path)
    zipped = tmp_path / "fake.xlsx"
    zipped.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CoderError, match="not a readable Excel"):
        run(mini_project, zipped)
    assert snapshot(mini_project) == before


def test_failure_in_a_late_chunk_takes_out_the_early_ones(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    rows = [(str(i), "r", "A", f"answer {i}") for i in range(1, 9)]
    content = "id,role,area,answer\n" + "".join(",".join(r) + "\n" for r in rows)
    path = tmp_path / "late.csv"
    path.write_text(content + '9,r,A,"never closed\n')
    before = snapshot(mini_project)
    with pytest.raises(CoderError, match="line"):
        run(mini_project, path)
    assert snapshot(mini_project) == before


def test_codes_columns_must_pair_with_text_columns(mini_project, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,a,b,c\n1,x,y,Workload\n")
    with pytest.raises(CoderError, match="one --codes column per --text column"):
        run(mini_project, path, text=["a", "b"], codes=["c"])


def test_progress_is_reported(empty_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 10)
    path = tmp_path / "big.csv"
    path.write_text("id,answer\n" + "".join(f"{i},answer number {i}\n" for i in range(100)))
    seen = []
    store = open_project(empty_project)
    import_file(
        store,
        path,
        ImportOptions(text=["answer"], id="id"),
        progress=lambda done, total: seen.append((done, total)),
    )
    store.close()
    assert len(seen) >= 5 and seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_interrupted_import_is_taken_out(mini_project, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    path = tmp_path / "s.csv"
    path.write_text("id,answer\n" + "".join(f"{i},answer {i}\n" for i in range(10)))
    before = snapshot(mini_project)
    calls = []

    def interrupt(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    store = open_project(mini_project)
    with pytest.raises(KeyboardInterrupt):
        import_file(store, path, ImportOptions(text=["answer"], id="id"), progress=interrupt)
    store.close()
    assert snapshot(mini_project) == before
