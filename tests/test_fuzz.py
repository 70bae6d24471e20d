"""Property-based fuzzing: whatever the bytes, arguments or tampering, a clear error or success.

Runs at a small budget in CI. For a longer run:

    CODER_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py -p no:cacheprovider

Every property is the same promise: the command ends with exit 0, or with one line that
starts `error:` (never a traceback, never "unexpected"), and a failed import leaves the
project exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import zipfile

import pytest
from cli_support import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.store import create_project

EXAMPLES = int(os.environ.get("CODER_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CODER_FUZZ_EXAMPLES") is None,  # CI: the same cases each run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that have broken importers before: separators Python treats as line breaks,
# quotes, delimiters, byte-order marks, escapes, NUL.
TRICKY = "\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\ufeff\x1b\r\n\t,;|\"'=+-@ >é€"
cells = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=12)


def one_line_or_success(code: int, err: str) -> None:
    assert code in (0, 1, 2), code
    if code:
        assert err.startswith("error: ") and err.count("\n") == 1, err
        assert not err.startswith("error: unexpected ") and "Traceback" not in err, err


def table(tmp_path):
    """The user tables, to prove a failed import changed nothing."""
    conn = sqlite3.connect(tmp_path / "p.db")
    try:
        return {
            t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()  # noqa: S608
            for t in ("codes", "comments", "respondents", "codings", "coding_log", "questions")
        }
    finally:
        conn.close()


@pytest.fixture
def project(tmp_path_factory):
    """A project with some work in it, made once and copied for every example."""
    base = tmp_path_factory.mktemp("fuzz-base") / "p.db"
    with create_project(base) as store:
        code = store.codes.add("Workload")
        store.codes.add("Worry", parent_id=store.codes.add("Feelings"))
        from coder.domain import ImportRow

        import_id = store.imports.begin("first.csv")
        store.imports.write_chunk(
            import_id, [ImportRow("R1", "R1", "q", "existing answer", {})], None
        )
        store.imports.finish(import_id, {})
        store.codings.apply(1, code, "ann")
    return base


def fresh(project, tmp_path):
    target = tmp_path / "p.db"
    for suffix in ("", "-wal", "-shm"):
        target.with_name(f"p.db{suffix}").unlink(missing_ok=True)
    shutil.copy(project, target)
    return target


@FUZZ
@given(
    header=st.lists(cells, min_size=1, max_size=4),
    rows=st.lists(st.lists(cells, max_size=5), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]),
)
def test_any_csv_imports_or_fails_cleanly(
    capsys, tmp_path, project, header, rows, delimiter, encoding
):
    path = fresh(project, tmp_path)
    before = table(tmp_path)
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    data = "\r\n".join(lines).encode(encoding, errors="replace")
    survey = tmp_path / "survey.csv"
    survey.write_bytes(data)
    text_column = header[0] if header[0].strip() else "x"
    code, _, err = run(
        capsys, "import", path, survey, "--text", text_column, "--codes", header[-1],
        "--create-codes", "--coder", "bob", "-q",
    )  # fmt: skip
    one_line_or_success(code, err)
    if code:
        assert table(tmp_path) == before


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".jsonl", ".xlsx", ".tsv"]))
def test_any_bytes_import_or_fail_cleanly(capsys, tmp_path, project, data, suffix):
    path = fresh(project, tmp_path)
    before = table(tmp_path)
    survey = tmp_path / f"survey{suffix}"
    survey.write_bytes(data)
    code, _, err = run(capsys, "import", path, survey, "--text", "a", "-q")
    one_line_or_success(code, err)
    if code:
        assert table(tmp_path) == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | cells,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cells, inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(
    records=st.lists(
        st.dictionaries(st.sampled_from(["a", "id", "c", "é"]), json_values), max_size=5
    )
)
def test_any_json_lines_import_or_fail_cleanly(capsys, tmp_path, project, records):
    import json

    path = fresh(project, tmp_path)
    before = table(tmp_path)
    survey = tmp_path / "survey.jsonl"
    survey.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    code, _, err = run(capsys, "import", path, survey, "--text", "a", "--id", "id", "-q")
    one_line_or_success(code, err)
    if code:
        assert table(tmp_path) == before


YAML_PIECES = st.sampled_from(
    ["name: ", "codes:", "\n", "  - ", "children:", "color: ", "#zz", "[", "]", "{", "}", '"', "'",
     "&a", "*a", "!!python/object:os.system", "|", ">", "%", "@", "`", ",", "?", "examples: ", "\t"]
)  # fmt: skip


@FUZZ
@given(text=st.lists(YAML_PIECES | cells, max_size=30).map("".join))
def test_any_codebook_yaml_reads_or_fails_cleanly(capsys, tmp_path, project, text):
    path = fresh(project, tmp_path)
    book = tmp_path / "book.yaml"
    book.write_text(text, encoding="utf-8", errors="surrogatepass")
    code, _, err = run(capsys, "codebook", path, "import", book)
    one_line_or_success(code, err)


ARGUMENTS = st.lists(
    st.sampled_from(
        ["import", "report", "export", "status", "codebook", "show", "train", "suggest",
         "evaluate", "--by", "--out", "--format", "--coder", "--question", "--text", "--id",
         "--budget", "--folds", "--delimiter", "--encoding", "--sheet", "--plot", "-q", "-",
         "--consensus", "--include-suggestions", "csv", "html", "xlsx", "md", "role", "x.csv",
         "-1", "0", "1e999", "nan", "\x1b[2J", "", "a" * 300, "--features", "tfidf"]
    ) | cells,
    max_size=6,
)  # fmt: skip


@FUZZ
@given(args=ARGUMENTS)
def test_any_command_line_ends_in_one_line(capsys, tmp_path, project, args, monkeypatch):
    path = fresh(project, tmp_path)
    monkeypatch.chdir(tmp_path)
    argv = [a if a != "P" else str(path) for a in args]
    if len(argv) > 1 and argv[0] in {"report", "export", "status", "codebook", "train"}:
        argv.insert(1, str(path))
    code, _, err = run(capsys, *argv)
    one_line_or_success(code, err)


TAMPERING = st.sampled_from(
    [
        "UPDATE codes SET examples = '[1, 2' WHERE id = 1",
        "UPDATE codes SET color = 'red' WHERE id = 1",
        "UPDATE codes SET parent_id = 3 WHERE id = 2",
        "UPDATE codes SET parent_id = 2 WHERE id = 3",
        "UPDATE codes SET name = '' WHERE id = 1",
        "UPDATE comments SET text = NULL",
        "UPDATE comments SET respondent_id = 999",
        "UPDATE codings SET code_id = 999",
        "INSERT INTO model_versions (training_size, features, metrics, params) VALUES (1, 'x', '[', '{')",
        "INSERT INTO suggestions (comment_id, code_id, probability, model_version, explanation) "
        "VALUES (1, 1, 0.5, 1, 'not json')",
        "PRAGMA user_version = -3",
        "PRAGMA user_version = 1",
        "DELETE FROM sqlite_master WHERE name = 'code_paths'",
        "UPDATE sqlite_master SET sql = 'CREATE VIEW code_paths AS SELECT 1' WHERE name = 'code_paths'",
        "CREATE TRIGGER t AFTER UPDATE ON project BEGIN DELETE FROM codings; END",
        "CREATE VIEW v AS SELECT * FROM codings",
        "DROP INDEX codings_unique",
        "UPDATE project SET value = x'00ff' WHERE key = 'name'",
        "INSERT INTO project (key, value) VALUES ('tui.place:bob', '99999999999999999999')",
    ]
)


@FUZZ
@given(changes=st.lists(TAMPERING, min_size=1, max_size=3, unique=True))
def test_any_tampered_project_opens_or_is_refused_cleanly(capsys, tmp_path, project, changes):
    path = fresh(project, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("PRAGMA foreign_keys = OFF")
    for sql in changes:
        with contextlib.suppress(sqlite3.Error):  # cannot be made on top of the others: fine
            conn.execute(sql)
    conn.commit()
    conn.close()
    mine = tmp_path / "mine.db"
    mine.unlink(missing_ok=True)
    shutil.copy(project, mine)
    for args in (
        ["status", path],
        ["codebook", path, "show"],
        ["report", path],
        ["export", path, tmp_path / "o.csv"],
        ["export", path, tmp_path / "o.qdpx"],
        ["merge", mine, path],  # a colleague's tampered copy, merged into mine
        ["agreement", path],
    ):
        one_line_or_success(*run(capsys, *args)[::2])
    code, _, err = run(capsys, "repair", path)
    one_line_or_success(code, err)
    if code == 0:
        for args in (["status", path], ["codebook", path, "show"], ["report", path]):
            code, _, err = run(capsys, *args)
            assert code == 0, err


@pytest.fixture
def qde(project, tmp_path_factory):
    """The fuzz project exported as REFI-QDA: its project.qde document, as text."""
    out = tmp_path_factory.mktemp("qdpx") / "p.qdpx"
    shutil.copy(project, out.with_suffix(".db"))
    code = main_code("export", out.with_suffix(".db"), out)
    assert code == 0
    with zipfile.ZipFile(out) as z:
        return z.read("project.qde").decode("utf-8")


def main_code(*argv) -> int:
    from coder.cli import main

    try:
        main([str(a) for a in argv])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@FUZZ
@given(
    edits=st.lists(
        st.tuples(
            st.floats(0, 1),
            st.integers(0, 40),
            st.sampled_from(['"', "<", ">", "&", "/", "x", "-1", "99999999", "&lol;", "\x00", "é"])
            | cells,
        ),
        min_size=1,
        max_size=4,
    ),
    into_existing=st.booleans(),
)
def test_any_damaged_qdpx_imports_or_fails_cleanly(
    capsys, tmp_path, project, qde, edits, into_existing
):
    """A project document cut and spliced anywhere: imported, or refused in one line with the
    project as it was."""
    text = qde
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    archive = tmp_path / "damaged.qdpx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("project.qde", text.encode("utf-8", errors="replace"))
    if into_existing:
        path = fresh(project, tmp_path)
        before = table(tmp_path)
    else:
        path = tmp_path / "new.db"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(f"new.db{suffix}").unlink(missing_ok=True)
    code, _, err = run(capsys, "import", path, archive)
    one_line_or_success(code, err)
    if code and into_existing:
        assert table(tmp_path) == before
