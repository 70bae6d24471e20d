"""Input files made to break or exhaust an importer: one clear line each, the project unchanged."""

from __future__ import annotations

import re
import zipfile

import pytest
from cli_support import run
from openpyxl import Workbook

from coder.store import open_project


def status(project) -> tuple[int, int]:
    with open_project(project) as store:
        st = store.status()
        return st.comments, st.respondents


def xlsx(path, rows: list[list[object]]):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def rewrite_sheet(source, target, change) -> None:
    """A copy of a workbook with its first sheet's XML changed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename.endswith("sheet1.xml"):
                data = change(data)
            new.writestr(item.filename, data)


def test_a_cell_that_would_unpack_past_the_limit_is_refused_first(
    capsys, empty_project, tmp_path, monkeypatch
):
    small = xlsx(tmp_path / "small.xlsx", [["id", "answer"], ["1", "SMALL"]])
    path = tmp_path / "bomb.xlsx"
    rewrite_sheet(small, path, lambda data: data.replace(b"SMALL", b"x" * 400_000))
    assert path.stat().st_size < 20_000  # the whole point: small file, big cell
    monkeypatch.setenv("CODER_MAX_XLSX_PART_BYTES", "100000")
    code, _, err = run(capsys, "import", empty_project, path, "--text", "answer", "-q")
    assert code == 1 and "CODER_MAX_XLSX_PART_BYTES" in err and err.count("\n") == 1
    assert status(empty_project) == (0, 0)


def test_a_sheet_with_more_rows_than_allowed_is_refused_even_if_it_says_fewer(
    capsys, empty_project, tmp_path, monkeypatch
):
    path = xlsx(
        tmp_path / "long.xlsx", [["id", "answer"], *[[str(i), f"a{i}"] for i in range(300)]]
    )
    monkeypatch.setenv("CODER_MAX_ROWS", "100")
    code, _, err = run(capsys, "import", empty_project, path, "--text", "answer", "-q")
    assert code == 1 and "CODER_MAX_ROWS" in err
    # The same sheet claiming only two rows in its dimension is caught while it is read.
    lying = tmp_path / "lying.xlsx"
    rewrite_sheet(
        path, lying, lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', d)
    )
    code, _, err = run(capsys, "import", empty_project, lying, "--text", "answer", "-q")
    assert code == 1 and "CODER_MAX_ROWS" in err
    assert status(empty_project) == (0, 0)


def test_a_damaged_spreadsheet_is_one_line(capsys, empty_project, tmp_path):
    good = xlsx(tmp_path / "good.xlsx", [["id", "answer"], ["1", "fine"]])
    broken = tmp_path / "broken.xlsx"
    rewrite_sheet(good, broken, lambda data: data[: len(data) // 2])  # XML cut off half-way
    code, _, err = run(capsys, "import", empty_project, broken, "--text", "answer", "-q")
    assert code == 1 and err.startswith("error: ") and "unexpected" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"])
def test_line_separators_inside_a_quoted_answer_stay_in_it(
    capsys, empty_project, tmp_path, separator
):
    path = tmp_path / "s.csv"
    path.write_text(
        f'id;answer\n1;"first{separator}second; still the first answer"\n2;"two"\n',
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "import", empty_project, path, "--id", "id", "--text", "answer", "-q"
    )
    assert code == 0, err
    assert "';'-delimited" in out and status(empty_project) == (2, 2)
    with open_project(empty_project) as store:
        assert (
            store.comments.by_source_id("1").text
            == f"first{separator}second; still the first answer"
        )


@pytest.mark.parametrize(
    "args, content, message",
    [
        (["--delimiter", "ab"], "id,a\n1,x\n", "one character"),
        (["--delimiter", '"'], "id,a\n1,x\n", "one character"),
        (["--encoding", "rot13"], "id,a\n1,x\n", "not a text encoding"),
        (["--encoding", "klingon"], "id,a\n1,x\n", "unknown encoding"),
    ],
)
def test_bad_options_are_one_line(capsys, empty_project, tmp_path, args, content, message):
    path = tmp_path / "s.csv"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "import", empty_project, path, "--text", "a", *args)
    assert code == 1 and message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "line, message",
    [('{"a": ' + "1" * 5000 + "}", "cannot read its JSON"), ("[" * 100_000 + "]" * 100_000, "")],
)
def test_json_lines_that_break_parsers_are_one_line(capsys, empty_project, tmp_path, line, message):
    path = tmp_path / "s.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    code, _, err = run(capsys, "import", empty_project, path, "--text", "a")
    assert code == 1 and message in err and err.count("\n") == 1
    assert not err.startswith("error: unexpected")


def test_code_paths_with_a_stray_separator_are_created_as_meant(capsys, empty_project, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,a,codes\n1,x,A >\n2,y,> B\n3,z,C > > D\n", encoding="utf-8")
    code, out, err = run(capsys, "import", empty_project, path, "--id", "id", "--text", "a",
                         "--codes", "codes", "--create-codes", "--coder", "x", "-q")  # fmt: skip
    assert code == 0, err
    assert "created 4 codes: A, B, C, C > D" in out
    with open_project(empty_project) as store:
        assert [c.path for c in store.codes.all()] == ["A", "B", "C", "C > D"]


def test_rows_past_what_a_sheet_declares_are_read_not_dropped(capsys, empty_project, tmp_path):
    path = xlsx(tmp_path / "long.xlsx", [["id", "answer"], *[[str(i), f"a{i}"] for i in range(50)]])
    lying = tmp_path / "lying.xlsx"
    rewrite_sheet(
        path, lying, lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', d)
    )
    code, _, err = run(
        capsys, "import", empty_project, lying, "--id", "id", "--text", "answer", "-q"
    )
    assert code == 0, err
    assert status(empty_project) == (50, 50)
