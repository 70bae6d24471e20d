"""The project file: schema and migrations, safety settings, codings, undo/redo, memos."""

from __future__ import annotations

import sqlite3

import pytest
from store_support import add_model

from coder.domain import Origin
from coder.errors import CoderError
from coder.store import create_project, open_project
from coder.store.db import APPLICATION_ID, connect, open_connection
from coder.store.integrity import UnsafeProject
from coder.store.schema import MIGRATIONS, SCHEMA_VERSION, migrate


def test_new_project_has_current_schema_and_settings(tmp_path):
    path = tmp_path / "p.db"
    store = create_project(path)
    assert store.db.schema_version == SCHEMA_VERSION
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    for name in [
        "codes",
        "questions",
        "respondents",
        "respondent_attributes",
        "comments",
        "codings",
        "coding_log",
        "memos",
        "suggestions",
        "model_versions",
        "comments_fts",
        "code_frequencies",
        "comments_with_codes",
    ]:
        assert name in tables
    store.close()


@pytest.mark.parametrize("start", range(len(MIGRATIONS) + 1))
def test_every_historical_schema_migrates_forward(tmp_path, start):
    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    assert migrate(conn, target=start) == start
    conn.close()
    store = open_project(path)
    assert store.db.schema_version == SCHEMA_VERSION
    store.codes.add("Works")
    assert [c.name for c in store.codes.all()] == ["Works"]
    store.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    create_project(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(CoderError, match="newer coder"):
        open_project(path)


def test_refuses_to_overwrite_and_to_open_strangers(tmp_path):
    path = tmp_path / "p.db"
    create_project(path).close()
    with pytest.raises(CoderError, match="already exists"):
        create_project(path)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(CoderError, match="not a coder project"):
        open_project(other)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00\xffnot sqlite at all" * 100)
    with pytest.raises(CoderError, match="not a coder project"):
        open_project(junk)
    with pytest.raises(CoderError, match="no project file"):
        open_project(tmp_path / "missing.db")


def test_schema_in_a_received_file_cannot_run_functions(tmp_path):
    """A view calling an application function must not run it when the file is opened."""
    path = tmp_path / "p.db"
    create_project(path).close()
    calls = []
    conn = sqlite3.connect(path)
    conn.create_function("evil", 0, lambda: calls.append(1) or 1)
    conn.execute("CREATE VIEW sneaky AS SELECT evil() AS x")
    conn.commit()
    conn.close()
    with pytest.raises(UnsafeProject, match="sneaky"):  # first line of defence: refused
        open_project(path)
    # Second line, should the check ever miss one: the connection itself will not run it.
    conn = open_connection(path, check=False)
    conn.create_function("evil", 0, lambda: calls.append(1) or 1)
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        conn.execute("SELECT * FROM sneaky").fetchall()
    assert calls == []
    conn.close()


def test_code_tree_paths_and_uniqueness(store):
    paths = [c.path for c in store.codes.all()]
    assert paths == ["Workload", "Feelings", "Feelings > Worry", "Feelings > Anxiety", "Online"]
    feelings = next(c for c in store.codes.all() if c.name == "Feelings")
    with pytest.raises(CoderError, match="already exists"):
        store.codes.add("worry", parent_id=feelings.id)
    # The same name under another parent is fine.
    store.codes.add("Worry")
    assert "Worry" in [c.path for c in store.codes.all()]


def test_toggle_apply_remove_and_log(store):
    comment = store.comments.by_source_id("3:q2")
    worry = next(c for c in store.codes.all() if c.name == "Worry")
    assert store.codings.toggle(comment.id, worry.id, "bob") is True
    assert [(k.code_id, k.coder) for k in store.codings.of_comment(comment.id)] == [
        (worry.id, "bob")
    ]
    assert store.codings.apply(comment.id, worry.id, "bob") is False  # already there
    assert store.codings.toggle(comment.id, worry.id, "bob") is False
    assert store.codings.of_comment(comment.id) == []
    history = store.codings.history(comment.id)
    assert [(h.action, h.coder) for h in history] == [("add", "bob"), ("remove", "bob")]


def test_segment_codings_are_separate_from_whole_comment(store):
    comment = store.comments.by_source_id("1:q1")
    worry = next(c for c in store.codes.all() if c.name == "Worry")
    store.codings.apply(comment.id, worry.id, "bob", start=3, end=11)
    store.codings.apply(comment.id, worry.id, "bob")
    spans = {
        (k.start, k.end) for k in store.codings.of_comment(comment.id) if k.code_id == worry.id
    }
    assert spans == {(None, None), (3, 11)}
    for start, end in [(5, 2), (0, 10_000), (-1, 3)]:
        with pytest.raises(CoderError, match="span"):
            store.codings.apply(comment.id, worry.id, "bob", start=start, end=end)


def test_undo_redo_survive_a_restart(mini_project):
    store = open_project(mini_project)
    c1 = store.comments.by_source_id("4:q1").id
    c2 = store.comments.by_source_id("5:q1").id
    codes = {c.path: c.id for c in store.codes.all()}
    store.codings.toggle(c1, codes["Workload"], "bob")
    store.codings.toggle(c2, codes["Online"], "bob")
    store.codings.toggle(c1, codes["Workload"], "carol")  # someone else's work is not undone
    store.close()

    store = open_project(mini_project)
    undone = store.codings.undo("bob")
    assert [(u.action, u.comment_id) for u in undone] == [("remove", c2)]
    assert store.codings.of_comment(c2) == []
    store.close()

    store = open_project(mini_project)
    assert [u.comment_id for u in store.codings.undo("bob")] == [c1]
    assert [k.coder for k in store.codings.of_comment(c1)] == ["carol"]
    assert store.codings.undo("bob") == []  # alice's earlier work is hers, not bob's
    store.codings.redo("bob")
    assert sorted(k.coder for k in store.codings.of_comment(c1)) == ["bob", "carol"]
    store.close()

    store = open_project(mini_project)
    store.codings.redo("bob")
    assert [k.code_id for k in store.codings.of_comment(c2)] == [codes["Online"]]
    assert store.codings.redo("bob") == []
    # A new action clears the redo stack.
    store.codings.undo("bob")
    store.codings.toggle(c1, codes["Online"], "bob")
    assert store.codings.redo("bob") == []
    store.close()


def test_scoring_again_with_the_same_model_drops_what_it_no_longer_suggests(store):
    comment = store.comments.by_source_id("5:q2").id
    codes = {c.path: c.id for c in store.codes.all()}
    version = add_model(store, 2, "tfidf")
    worry, online = codes["Feelings > Worry"], codes["Online"]
    store.suggestions.replace(version, [(comment, worry, 0.9, []), (comment, online, 0.6, [])])
    store.suggestions.reject(comment, "bob", [online])
    store.suggestions.replace(version, [(comment, worry, 0.8, [])], scored=[comment])
    assert [(s.code_id, s.probability) for s in store.suggestions.pending(comment)] == [
        (worry, 0.8)
    ]
    store.suggestions.replace(version, [], scored=[comment])  # no longer suggested at all
    assert store.suggestions.pending(comment) == []
    # what a person decided is history, kept
    assert (
        store.db.scalar(
            "SELECT status FROM suggestions WHERE comment_id = ? AND code_id = ?", (comment, online)
        )
        == "rejected"
    )


def test_accepting_and_rejecting_suggestions_is_undoable(store):
    comment = store.comments.by_source_id("5:q2").id
    codes = {c.path: c.id for c in store.codes.all()}
    version = add_model(store, 2, "tfidf")
    store.suggestions.replace(
        version,
        [
            (comment, codes["Feelings > Worry"], 0.9, ["worry"]),
            (comment, codes["Online"], 0.6, ["phones"]),
        ],
    )
    assert [s.probability for s in store.suggestions.pending(comment)] == [0.9, 0.6]
    assert store.suggestions.accept(comment, "bob", [codes["Feelings > Worry"]]) == 1
    (coding,) = store.codings.of_comment(comment)
    assert coding.origin == Origin.SUGGESTION
    assert store.suggestions.reject(comment, "bob") == 1
    assert store.suggestions.pending(comment) == []
    store.codings.undo("bob")  # the rejection
    assert [s.code_id for s in store.suggestions.pending(comment)] == [codes["Online"]]
    store.codings.undo("bob")  # the acceptance
    assert store.codings.of_comment(comment) == []
    assert len(store.suggestions.pending(comment)) == 2


def test_memos_on_comment_code_and_project(store):
    comment = store.comments.by_source_id("1:q1").id
    memo = store.memos.write("check with the team", "bob", comment_id=comment)
    assert [m.text for m in store.memos.on(comment_id=comment)] == ["check with the team"]
    assert store.memos.write("revised", "bob", comment_id=comment) == memo
    assert [m.text for m in store.memos.on(comment_id=comment)] == ["revised"]
    store.memos.write("project note", "bob")
    assert [m.text for m in store.memos.on()] == ["project note"]
    store.memos.write("  ", "bob", comment_id=comment)
    assert store.memos.on(comment_id=comment) == []


def test_views_readable_in_any_sqlite_tool(mini_project):
    conn = sqlite3.connect(mini_project)
    freq = dict((r[0], r[1]) for r in conn.execute("SELECT code, comments FROM code_frequencies"))
    assert freq["Workload"] == 1 and freq["Online"] == 1 and freq["Feelings > Worry"] == 0
    rows = conn.execute(
        "SELECT comment_id, respondent_id, question, codes FROM comments_with_codes "
        "WHERE codes IS NOT NULL ORDER BY comment_id"
    ).fetchall()
    assert rows == [("1:q1", "1", "q1", "Workload"), ("2:q1", "2", "q1", "Online")]


def test_full_text_search_table_follows_imports(store):
    hits = store.db.conn.execute(
        "SELECT rowid FROM comments_fts WHERE comments_fts MATCH 'worry'"
    ).fetchall()
    texts = [store.comments.get(r[0]).text for r in hits]
    assert len(texts) == 2 and all("worry" in t.lower() for t in texts)


def test_status_counts(store):
    st = store.status()
    assert (st.comments, st.coded, st.uncoded, st.codes, st.coders) == (8, 2, 6, 5, ("alice",))
    assert st.respondents == 5 and st.questions == 2 and st.model_version is None


def test_the_most_codes_any_comment_carries(store):
    assert store.codings.most_codes_on_a_comment() == 1  # alice: one code each on two
    codes = {c.path: c.id for c in store.codes.all()}
    first = store.comments.by_source_id("1:q1").id
    store.codings.apply(first, codes["Online"], "bob")
    assert store.codings.most_codes_on_a_comment() == 2
    store.codings.apply(first, codes["Online"], "alice")  # the same code again: still two
    assert store.codings.most_codes_on_a_comment() == 2
