"""Another coder's coding imported onto comments the project already has: added to them,
never a second copy; a known id with another text is named and left alone; all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_support import run

from coder.corpus import importer

ANN = "id,text,codes\n" + "\n".join(
    [
        "1,My caseload is huge.,Workload",
        "2,Snapchat is where it happens.,Online",
        "3,I worry about getting it wrong.,Feelings > Worry",
    ]
)
BOB = "id,text,codes\n" + "\n".join(
    [
        "1,My caseload is huge.,Workload; Feelings",
        "2,Snapchat is where it happens.,Feelings > Anxiety",
        "3,I worry about getting it wrong.,Feelings > Worry",
    ]
)
TABLES = ["comments", "respondents", "respondent_attributes", "codings", "coding_log", "codes"]


def write(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


def dump(project: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(project) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in TABLES}


def codings(project: Path) -> set[tuple[str, str, str, str]]:
    with sqlite3.connect(project) as conn:
        return set(
            conn.execute(
                "SELECT c.source_id, p.path, k.coder, k.origin FROM codings k "
                "JOIN comments c ON c.id = k.comment_id JOIN code_paths p ON p.code_id = k.code_id"
            )
        )


@pytest.fixture
def ann_project(tmp_path, capsys, fixtures):
    project = tmp_path / "p.db"
    run(capsys, "init", project, "--codebook", fixtures / "mini-codebook.yaml")
    code, _, err = run(
        capsys, "import", project, write(tmp_path / "ann.csv", ANN),
        "--id", "id", "--text", "text", "--codes", "codes", "--coder", "ann", "-q",
    )  # fmt: skip
    assert code == 0, err
    return project


def import_bob(capsys, project, path, *extra):
    return run(
        capsys, "import", project, path, "--id", "id", "--text", "text",
        "--codes", "codes", "--coder", "bob", "-q", *extra,
    )  # fmt: skip


def test_a_second_coder_codes_the_same_comments(ann_project, tmp_path, capsys):
    before = dump(ann_project)
    code, out, err = import_bob(capsys, ann_project, write(tmp_path / "bob.csv", BOB))
    assert code == 0, err
    assert "added 0 comments" in out
    assert "found 3 comments already in the project (same id and text)" in out
    assert "imported 4 codings by bob (4 of them added to 3 comments already in the project)" in out
    after = dump(ann_project)
    assert after["comments"] == before["comments"] and after["respondents"] == before["respondents"]
    bobs = {c for c in codings(ann_project) if c[2] == "bob"}
    assert bobs == {
        ("1", "Workload", "bob", "imported"),
        ("1", "Feelings", "bob", "imported"),
        ("2", "Feelings > Anxiety", "bob", "imported"),
        ("3", "Feelings > Worry", "bob", "imported"),
    }
    # ann's coding is untouched
    assert {c for c in codings(ann_project) if c[2] == "ann"} == {
        ("1", "Workload", "ann", "imported"),
        ("2", "Online", "ann", "imported"),
        ("3", "Feelings > Worry", "ann", "imported"),
    }
    # the change log has bob's four, as an import's
    with sqlite3.connect(ann_project) as conn:
        logged = conn.execute(
            "SELECT count(*) FROM coding_log WHERE coder = 'bob' AND import_id IS NOT NULL"
        ).fetchone()[0]
    assert logged == 4
    # again: nothing more
    code, out, _ = import_bob(capsys, ann_project, tmp_path / "bob.csv")
    assert code == 0 and "imported 0 codings by bob" in out
    assert dump(ann_project)["codings"] == after["codings"]
    assert dump(ann_project)["coding_log"] == after["coding_log"]


def test_a_known_id_with_another_text_is_named_and_nothing_of_it_written(
    ann_project, tmp_path, capsys
):
    changed = BOB.replace("I worry about getting it wrong.", "I worry a lot.")
    changed += "\n4,A new answer.,Online"
    code, out, err = import_bob(capsys, ann_project, write(tmp_path / "bob.csv", changed))
    assert code == 0, err
    assert (
        "skipped 1 comments whose id is in the project with a different text; "
        "nothing of them was written: 3"
    ) in out
    assert "added 1 comments" in out and "found 2 comments already in the project" in out
    bobs = {(c[0], c[1]) for c in codings(ann_project) if c[2] == "bob"}
    assert bobs == {
        ("1", "Workload"),
        ("1", "Feelings"),
        ("2", "Feelings > Anxiety"),
        ("4", "Online"),
    }
    with sqlite3.connect(ann_project) as conn:
        texts = dict(conn.execute("SELECT source_id, text FROM comments"))
    assert texts["3"] == "I worry about getting it wrong."


def test_an_id_used_twice_codes_the_known_comment_once(ann_project, tmp_path, capsys):
    twice = BOB + "\n2,Snapchat is where it happens.,Online"
    code, out, err = import_bob(capsys, ann_project, write(tmp_path / "bob.csv", twice))
    assert code == 0, err
    assert "skipped 1 rows whose id was already used in this file (e.g. 2)" in out
    assert ("2", "Online", "bob", "imported") not in codings(ann_project)


def test_a_failed_import_takes_out_the_codings_it_added_to_known_comments(
    ann_project, tmp_path, capsys, monkeypatch
):
    """Chunks of two answers: the first chunk's codings on known comments are committed
    before a malformed row further on fails the import; they go with it."""
    monkeypatch.setattr(importer, "CHUNK_COMMENTS", 2)
    before = dump(ann_project)
    broken = BOB + "\n4,A new answer.,Online\n" + '5,"never closed'
    code, _, err = import_bob(capsys, ann_project, write(tmp_path / "bob.csv", broken))
    assert code == 1 and err.startswith("error: ")
    after = dump(ann_project)
    assert after == before
    with sqlite3.connect(ann_project) as conn:
        status = conn.execute("SELECT status FROM imports ORDER BY id").fetchall()
    assert status == [("done",)]  # the failed import left nothing, not even its record


def test_an_unknown_code_fails_the_import_and_adds_nothing(ann_project, tmp_path, capsys):
    before = dump(ann_project)
    unknown = BOB.replace("Workload; Feelings", "Workload; Nonsense")
    code, _, err = import_bob(capsys, ann_project, write(tmp_path / "bob.csv", unknown))
    assert code == 1 and "unknown codes in the codes column: 'Nonsense' (1 row)" in err
    assert dump(ann_project) == before


def test_nothing_of_a_conflicting_comment_is_written_not_even_an_attribute(
    ann_project, tmp_path, capsys
):
    rows = BOB.replace("I worry about getting it wrong.", "I worry a lot.").splitlines()
    with_role = "\n".join(
        [rows[0] + ",role"] + [f"{row},{role}" for row, role in zip(rows[1:], "abc", strict=True)]
    )
    code, out, err = import_bob(
        capsys, ann_project, write(tmp_path / "bob.csv", with_role), "--attr", "role"
    )
    assert code == 0, err
    with sqlite3.connect(ann_project) as conn:
        roles = dict(
            conn.execute(
                "SELECT r.source_id, a.value FROM respondent_attributes a "
                "JOIN respondents r ON r.id = a.respondent_id WHERE a.name = 'role'"
            )
        )
    assert roles == {"1": "a", "2": "b"}  # respondent 3's only comment conflicted
