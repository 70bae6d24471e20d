"""Merging copies coded apart: both ways give the same project, again adds nothing, every
conflict is named, a coder's own work is never overwritten, and it is all or nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from cli_support import run
from team_support import code_all, project_with_comments

from coder import merge as merging
from coder.domain import Code
from coder.merge import match_codes, merge_copies, open_copies
from coder.store import open_project


def content(path: Path) -> dict[str, set]:
    """A project's work, in terms that do not depend on its row ids."""
    with sqlite3.connect(path) as conn:
        return {
            "codings": set(
                conn.execute(
                    'SELECT c.source_id, p.path, k.coder, k.start, k."end", k.origin '
                    "FROM codings k JOIN comments c ON c.id = k.comment_id "
                    "JOIN code_paths p ON p.code_id = k.code_id"
                )
            ),
            "memos": set(
                conn.execute(
                    "SELECT c.source_id, p.path, m.coder, m.text FROM memos m "
                    "LEFT JOIN comments c ON c.id = m.comment_id "
                    "LEFT JOIN code_paths p ON p.code_id = m.code_id"
                )
            ),
            "codes": set(conn.execute("SELECT path FROM code_paths")),
            "assignments": set(
                conn.execute(
                    "SELECT c.source_id, a.coder FROM assignments a "
                    "JOIN comments c ON c.id = a.comment_id"
                )
            ),
            "comments": set(conn.execute("SELECT source_id, text FROM comments")),
        }


def dump(path: Path) -> dict[str, list[tuple]]:
    tables = ["codes", "codings", "coding_log", "memos", "assignments", "comments"]
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def copy(path: Path, to: Path) -> Path:
    shutil.copy(path, to)
    return to


@pytest.fixture
def copies(made, tmp_path):
    """Fresh copies of a.db and b.db for each test."""
    return tuple(copy(path, tmp_path / path.name) for path in made)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A base project, coded a little by ann, copied to a.db (ann's) and b.db (bob's),
    then coded apart."""
    tmp_path = tmp_path_factory.mktemp("copies")
    base = tmp_path / "base.db"
    store = project_with_comments(base, 6)
    code_all(store, {"ann": {"c1": ["Workload"], "c5": ["Online"]}})
    store.db.checkpoint()
    store.close()
    a, b = copy(base, tmp_path / "a.db"), copy(base, tmp_path / "b.db")
    with open_project(a) as ann:
        code_all(ann, {"ann": {"c2": ["Feelings > Worry"], "c3": ["Online"]}})
        c2 = ann.comments.by_source_id("c2").id
        worry = next(c.id for c in ann.codes.all() if c.path == "Feelings > Worry")
        ann.codings.apply(c2, worry, "ann", start=0, end=7)  # a segment
        staffing = ann.codebook.create("Staffing", "ann")
        ann.codings.apply(ann.comments.by_source_id("c4").id, staffing, "ann")
        ann.memos.write("ask the lead", "ann", comment_id=c2)
        ann.memos.write("ann's project note", "ann")
        ann.assignments.add("ann", [c2])
    with open_project(b) as bob:
        code_all(bob, {"bob": {"c1": ["Online"], "c2": ["Feelings > Worry"], "c6": ["Workload"]}})
        feelings = next(c.id for c in bob.codes.all() if c.path == "Feelings")
        training = bob.codebook.create("Training", "bob", parent_id=feelings)
        bob.codings.apply(bob.comments.by_source_id("c1").id, training, "bob")
        bob.memos.write("unclear", "bob", comment_id=bob.comments.by_source_id("c6").id)
        bob.assignments.add("bob", [bob.comments.by_source_id("c1").id])
    for path in (a, b):
        with open_project(path) as store:
            store.db.checkpoint()  # each file whole, to be copied
    return a, b


def merged(project: Path, *others: Path):
    copies = open_copies(project, list(others))
    try:
        with open_project(project) as store:
            return merge_copies(store, copies)
    finally:
        for c in copies:
            c.close()


def test_merged_both_ways_the_result_is_the_same(copies, tmp_path):
    a, b = copies
    ab = copy(a, tmp_path / "ab.db")
    ba = copy(b, tmp_path / "ba.db")
    [into_a] = merged(ab, b)
    [into_b] = merged(ba, a)
    assert content(ab) == content(ba)
    result = content(ab)
    assert ("c2", "Feelings > Worry", "ann", 0, 7, "manual") in result["codings"]
    assert ("c1", "Feelings > Training", "bob", None, None, "manual") in result["codings"]
    assert ("c4", "Staffing", "ann", None, None, "manual") in result["codings"]
    assert {("c2", None, "ann", "ask the lead"), ("c6", None, "bob", "unclear")} <= result["memos"]
    assert (None, None, "ann", "ann's project note") in result["memos"]
    assert result["assignments"] == {("c2", "ann"), ("c1", "bob")}
    assert into_a.codings == 4 and into_a.coders == ["bob"] and into_a.new_coders == ["bob"]
    assert into_a.codes_added == ["Feelings > Training"] and into_a.memos == 1
    assert into_a.assignments == 1
    assert into_b.codings == 4 and into_b.segments == 1 and into_b.codes_added == ["Staffing"]
    # each side names the code only the other had before
    assert into_a.conflicts.named["codes not in that copy"] == ["Staffing"]
    # nothing either coder had was changed
    for side in (a, b):
        assert content(side)["codings"] <= result["codings"]


def test_merging_again_adds_nothing(copies, capsys):
    a, b = copies
    merged(a, b)
    before = dump(a)
    [again] = merged(a, b)
    assert not again.anything and dump(a) == before
    code, out, err = run(capsys, "merge", a, b)
    assert code == 0, err
    assert "b.db: nothing new (everything in it is here already)" in out
    assert dump(a) == before


def test_the_command_says_what_it_brought_in(copies, capsys):
    a, b = copies
    code, out, err = run(capsys, "merge", a, b)
    assert code == 0, err
    assert "b.db: merged 4 codings by bob, 1 memos, 1 assignments" in out
    assert "new coders: bob" in out and "new codes: Feelings > Training" in out
    assert "conflict: codes not in that copy (1): Staffing" in out


def test_conflicts_are_named_and_their_work_left_out(copies):
    a, b = copies
    with open_project(b) as bob:
        bob.memos.write(
            "bob thinks otherwise", "ann", comment_id=bob.comments.by_source_id("c2").id
        )
    with sqlite3.connect(b) as conn:  # another text for c6, and a comment a never had
        conn.execute("UPDATE comments SET text = 'edited in b' WHERE source_id = 'c6'")
        conn.execute("INSERT INTO comments (source_id, text) VALUES ('c99', 'only in b')")
        c99 = conn.execute("SELECT id FROM comments WHERE source_id = 'c99'").fetchone()[0]
        conn.execute(
            "INSERT INTO codings (comment_id, code_id, coder) VALUES (?, 1, 'bob')", (c99,)
        )
    [summary] = merged(a, b)
    lines = summary.conflicts.lines()
    assert "comments with another text there (their work left out) (1): c6" in lines
    assert "comments not in this project (their work left out) (1): c99" in lines
    assert "memos that differ there (this copy's kept) (1): ann on c2" in lines
    result = content(a)
    assert not any(row[0] == "c6" and row[2] == "bob" for row in result["codings"])
    assert ("c6", None, "bob", "unclear") not in result["memos"]
    assert ("c2", None, "ann", "ask the lead") in result["memos"]
    assert ("c6", "comment 6 to q1") in result["comments"]


def test_a_coding_removed_here_stays_removed_and_one_removed_there_stays_here(copies):
    a, b = copies
    with open_project(a) as ann:  # ann takes back her base coding of c5
        online = next(c.id for c in ann.codes.all() if c.path == "Online")
        ann.codings.remove(ann.comments.by_source_id("c5").id, online, "ann")
    [into_a] = merged(a, b)
    assert ("c5", "Online", "ann", None, None, "manual") not in content(a)["codings"]
    assert into_a.conflicts.named["codings removed here, kept removed (by ann)"] == ["c5 Online"]
    b_before = content(b)["codings"]
    [into_b] = merged(b, a)
    assert ("c5", "Online", "ann", None, None, "manual") in content(b)["codings"]
    assert into_b.conflicts.named["codings removed there, kept here (by ann)"] == ["c5 Online"]
    assert b_before <= content(b)["codings"]


def test_merged_codings_are_not_undone_by_a_coder_here(copies):
    a, b = copies
    merged(a, b)
    with open_project(a) as store:
        store.codings.undo("bob")  # bob's work came from the merge, not from a key here
        assert ("c1", "Online", "bob", None, None, "manual") in content(a)["codings"]


def test_all_or_nothing_over_several_copies(copies, tmp_path, monkeypatch):
    a, b = copies
    c = copy(b, tmp_path / "c.db")
    before = dump(a)
    real = merging.merge_one
    calls = []

    def fail_on_second(store, other):
        calls.append(other.path)
        if len(calls) == 2:
            raise OSError("disk is full")
        return real(store, other)

    monkeypatch.setattr(merging, "merge_one", fail_on_second)
    with pytest.raises(OSError):
        merged(a, b, c)
    assert dump(a) == before


@pytest.mark.parametrize("case", ["itself", "missing", "twice", "tampered"])
def test_bad_copies_are_one_line_and_change_nothing(copies, capsys, tmp_path, case):
    a, b = copies
    before = dump(a)
    if case == "itself":
        others, message = [a], "is the project itself"
    elif case == "missing":
        others, message = [tmp_path / "nope.db"], "no project file at"
    elif case == "twice":
        others, message = [b, b], "is named twice"
    else:
        with sqlite3.connect(b) as conn:
            conn.execute("CREATE TRIGGER t AFTER INSERT ON memos BEGIN DELETE FROM memos; END")
        others, message = [b], "triggers coder did not create"
    code, out, err = run(capsys, "merge", a, *others)
    assert code == 1 and err.startswith("error: ") and message in err
    assert err.count("\n") == 1
    assert dump(a) == before


def test_codes_match_by_stable_id_before_path():
    ours = [Code(1, "Workload", path="Workload"), Code(2, "Online", path="Online")]
    theirs = [
        Code(7, "Work load", path="Work load"),  # renamed there, same stable id
        Code(8, "ONLINE", path="ONLINE"),  # no stable id: by path, case aside
        Code(9, "New", path="New"),
    ]
    matched = match_codes(ours, {1: "g-1"}, theirs, {7: "g-1"})
    assert matched == {7: 1, 8: 2, 9: None}


def test_a_code_brought_in_keeps_its_stable_id(copies):
    a, b = copies
    with open_project(b) as bob:
        training = next(c.id for c in bob.codes.all() if c.path.endswith("Training"))
        guid = bob.codes.stable_ids()[training]
    merged(a, b)
    with open_project(a) as ann:
        brought = next(c.id for c in ann.codes.all() if c.path == "Feelings > Training")
        assert ann.codes.stable_ids()[brought] == guid
        before = len(ann.codes.all())
    with open_project(b) as bob:  # renamed in bob's copy: still the same code at the next merge
        bob.codebook.update(training, "bob", name="Training needs")
    merged(a, b)
    with open_project(a) as ann:
        assert len(ann.codes.all()) == before
