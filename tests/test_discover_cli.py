"""`coder discover` and `coder theme-code` as a user runs them."""

from __future__ import annotations

import csv
import io

from cli_support import run
from discover_support import planted_project

from coder.store import open_project


def _project(tmp_path):
    planted_project(tmp_path).close()
    return tmp_path / "planted.db"


def test_discover_prints_themes_and_writes_csv_and_members(tmp_path, capsys):
    db = _project(tmp_path)
    code, out, err = run(capsys, "discover", db, "--scope", "all", "--features", "tfidf")
    assert code == 0, err
    assert "candidate themes in 77 comments (all comments)" in out
    assert "Theme 1:" in out and "fit no theme" in out
    themes, members = tmp_path / "themes.csv", tmp_path / "members.csv"
    code, _, err = run(capsys, "discover", db, "--scope", "all", "--features", "tfidf",
                       "--out", themes, "--members", members)  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(themes.read_text(encoding="utf-8"))))
    assert list(rows[0])[:6] == [
        "theme", "size", "share", "terms", "nearest_code", "nearest_code_share",
    ]  # fmt: skip
    themed = [r for r in rows if r["theme"]]
    unthemed = [r for r in rows if not r["theme"]]
    assert len(unthemed) == 1
    assert sum(int(r["size"]) for r in rows) == 77
    listed = list(csv.DictReader(io.StringIO(members.read_text(encoding="utf-8"))))
    assert list(listed[0])[:3] == ["theme", "comment_id", "typicality"]
    assert len(listed) == 77
    assert sum(1 for r in listed if r["theme"] == "") == int(unthemed[0]["size"])
    assert {r["theme"] for r in listed if r["theme"]} == {r["theme"] for r in themed}
    for fmt in ("md", "html"):
        code, out, err = run(capsys, "discover", db, "--scope", "all", "--features", "tfidf",
                             "--format", fmt, "--out", "-")  # fmt: skip
        assert code == 0, err
        assert ("# Candidate themes" if fmt == "md" else "<!DOCTYPE html>") in out
    with open_project(db) as store:
        assert store.discovery.runs() == 4


def test_bad_input_is_one_line_and_leaves_the_project_alone(tmp_path, capsys):
    db = _project(tmp_path)
    for argv, message in [
        (["--themes", "1"], "between 2 and 60"),
        (["--themes", "many"], "a number or 'auto'"),
        (["--scope", "Nothing here"], "no code 'Nothing here'"),
        (["--question", "nope"], "no question"),
        (["--out", tmp_path], "is a directory"),
        (["--out", db], "project file"),
    ]:
        code, out, err = run(capsys, "discover", db, "--features", "tfidf", *argv)
        assert code != 0
        assert err.startswith("error: ") and message in err and err.count("\n") == 1, err
    with open_project(db) as store:
        assert store.discovery.runs() == 0


def test_comments_without_a_word_are_a_clear_error(tmp_path, capsys):
    source = tmp_path / "marks.csv"
    source.write_text(
        "id,answer\n" + "".join(f"{i},{'!!!' if i % 2 else '?'}\n" for i in range(12))
    )
    db = tmp_path / "marks.db"
    assert run(capsys, "init", db)[0] == 0
    assert run(capsys, "import", db, source, "--text", "answer", "--id", "id")[0] == 0
    code, _, err = run(capsys, "discover", db, "--scope", "all", "--features", "tfidf")
    assert code != 0
    assert err == "error: none of the 12 comments in scope has a word to group them by\n"
    with open_project(db) as store:
        assert store.discovery.runs() == 0


def test_theme_code_makes_a_code_and_codes_the_members(tmp_path, capsys):
    db = _project(tmp_path)
    code, _, err = run(capsys, "theme-code", db, "1", "--name", "X")
    assert code != 0 and "run `coder discover` first" in err
    run(capsys, "discover", db, "--scope", "all", "--features", "tfidf")
    code, out, err = run(capsys, "theme-code", db, "1", "--name", "Parking", "--description",
                         "About parking", "--code-members", "--coder", "ann")  # fmt: skip
    assert code == 0, err
    with open_project(db) as store:
        theme = store.discovery.latest().themes[0]
        assert f"coded {theme.size} comments of its {theme.size}" in out
        made = store.codes.get(theme.code_id)
        assert made.name == "Parking" and made.description == "About parking"
        assert store.codings.undo("ann")
        assert all(not store.codings.of_comment(c) for c, _, _ in store.discovery.members(theme.id))


def test_the_html_page_parses_strictly_and_a_theme_code_can_go_under_a_parent(tmp_path, capsys):
    import html5lib

    db = _project(tmp_path)
    page = tmp_path / "themes.html"
    code, _, err = run(capsys, "discover", db, "--scope", "all", "--features", "tfidf",
                       "--out", page)  # fmt: skip
    assert code == 0, err
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    document = parser.parse(page.read_text(encoding="utf-8"))
    assert parser.errors == []
    assert len(document.findall(".//section")) >= 3
    run(capsys, "codebook", db, "add", "Hospital")
    code, out, err = run(capsys, "theme-code", db, "2", "--name", "Found", "--parent", "hospital")
    assert code == 0, err
    assert "Made 'Hospital > Found' from theme 2" in out
    code, _, err = run(capsys, "theme-code", db, "2", "--name", "X", "--parent", "Nowhere")
    assert code != 0 and "no code 'Nowhere'" in err
