"""Growing and reorganising the codebook while coding: every change one undoable action."""

from __future__ import annotations

import sqlite3

import pytest
from store_support import add_model

from coder.errors import CoderError
from coder.session import CodingSession
from coder.store import open_project


def state(path) -> dict[str, list[tuple]]:
    """Codes, codings, memos and suggestions as committed, read over a fresh connection."""
    conn = sqlite3.connect(path)
    try:
        return {
            "codes": conn.execute(
                "SELECT id, parent_id, name, description, color FROM codes ORDER BY id"
            ).fetchall(),
            "codings": conn.execute(
                'SELECT comment_id, code_id, coder, origin, start, "end" FROM codings ORDER BY 1, 2, 3'
            ).fetchall(),
            "memos": conn.execute(
                "SELECT comment_id, code_id, coder, text FROM memos ORDER BY 1"
            ).fetchall(),
            "suggestions": conn.execute(
                "SELECT comment_id, code_id, status FROM suggestions ORDER BY 1, 2"
            ).fetchall(),
        }
    finally:
        conn.close()


def ids(store) -> dict[str, int]:
    return {c.path: c.id for c in store.codes.all()}


def test_a_code_made_from_a_comment_codes_it_and_one_undo_takes_both_back(store, mini_project):
    before = state(mini_project)
    code = store.codebook.create("Training", "ann", description="Courses and CPD", apply_to=3)
    after = state(mini_project)
    assert (code, None, "Training", "Courses and CPD", None) in after["codes"]
    assert (3, code, "ann", "manual", None, None) in after["codings"]
    assert len(store.codings.undo("ann")) == 2
    assert state(mini_project) == before
    store.codings.redo("ann")
    assert state(mini_project) == after  # the same code, with the same id, back again


def test_rename_recolour_define_and_move_each_undo(store, mini_project):
    k = ids(store)
    before = state(mini_project)
    assert store.codebook.update(k["Online"], "ann", name="Digital", color="#112233")
    assert not store.codebook.update(k["Online"], "ann", name="Digital")  # nothing to change
    store.codebook.move(k["Feelings > Worry"], k["Workload"], "ann")
    assert "Workload > Worry" in ids(store)
    with pytest.raises(CoderError, match="under itself"):
        store.codebook.move(k["Feelings"], k["Feelings > Anxiety"], "ann")
    with pytest.raises(CoderError, match="already exists"):
        store.codebook.update(k["Workload"], "ann", name="feelings")
    with pytest.raises(CoderError, match="#rrggbb"):
        store.codebook.update(k["Workload"], "ann", color="red")
    store.codings.undo("ann")
    assert "Feelings > Worry" in ids(store)
    store.codings.undo("ann")
    assert state(mini_project) == before


def test_merge_moves_everyones_codings_memos_and_sub_codes_and_undoes_whole(store, mini_project):
    k = ids(store)
    c1, c2, c3 = 1, 3, 5
    store.codings.apply(c1, k["Feelings > Worry"], "ann")
    store.codings.apply(c2, k["Feelings > Worry"], "bob", start=0, end=5)
    store.codings.apply(c2, k["Feelings > Anxiety"], "bob", start=0, end=5)  # bob has both
    store.codings.apply(c3, k["Feelings > Anxiety"], "cat")
    store.memos.write("worry vs anxiety?", "ann", code_id=k["Feelings > Worry"])
    before = state(mini_project)
    done = store.codebook.merge(k["Feelings > Worry"], k["Feelings > Anxiety"], "lead")
    assert (done.codes, done.codings, done.memos, done.moved_codings) == (1, 2, 1, 1)
    after = state(mini_project)
    anxiety = k["Feelings > Anxiety"]
    assert {(c, coder) for c, code, coder, *_ in after["codings"] if code == anxiety} == {
        (c1, "ann"),
        (c2, "bob"),
        (c3, "cat"),
    }
    assert all(code != k["Feelings > Worry"] for _, code, *_ in after["codings"])
    assert after["memos"] == [(None, anxiety, "ann", "worry vs anxiety?")]
    undone = store.codings.undo("bob")  # bob's own last action, never the lead's merge
    assert [(u.action, u.code_id) for u in undone] == [("remove", anxiety)]
    assert "Feelings > Worry" not in ids(store)
    store.codings.redo("bob")
    assert state(mini_project) == after
    store.codings.undo("lead")
    assert state(mini_project) == before
    store.codings.redo("lead")
    assert state(mini_project) == after


def test_delete_counts_what_it_removes_and_undo_puts_every_row_back(store, mini_project):
    k = ids(store)
    store.codings.apply(2, k["Feelings"], "ann")
    store.codings.apply(3, k["Feelings > Worry"], "bob")
    store.memos.write("a memo on the theme", "ann", code_id=k["Feelings"])
    version = add_model(store)
    store.suggestions.replace(version, [(4, k["Feelings > Anxiety"], 0.7, ["anxious"])])
    store.suggestions.reject(4, "bob")
    before = state(mini_project)
    impact = store.codebook.impact(k["Feelings"])
    assert (impact.codes, impact.codings, impact.memos, impact.suggestions) == (3, 2, 1, 1)
    done = store.codebook.delete(k["Feelings"], "ann")
    assert (done.codes, done.codings, done.memos, done.suggestions) == (3, 2, 1, 1)
    assert "Feelings" not in ids(store) and len(state(mini_project)["codings"]) == 2
    store.codings.undo("ann")
    assert state(mini_project) == before  # the rejection comes back too: never suggested again
    assert (4, k["Feelings > Anxiety"]) in store.suggestions.rejected()


def test_the_session_grows_the_codebook_and_pins_keys(store, mini_project):
    session = CodingSession(store, "ann")
    session.open()
    outcome = session.codebook.create("Training", description="Courses")
    assert outcome.codes_changed and outcome.changed and "coded 1:q1" in outcome.message
    training = ids(store)["Training"]
    assert session.code_keys[training] == 4 and session.shown.mine(training)
    worry = ids(store)["Feelings > Worry"]
    assert "Key 2" in session.codebook.pin(2, worry).message
    assert session.code_on_key(2) == worry and session.code_on_key(4) == training
    session.toggle(session.code_on_key(2))
    assert session.shown.mine(worry)
    again = CodingSession(open_project(mini_project), "ann")
    again.open()
    assert again.code_on_key(2) == worry  # pins are kept per coder
    other = CodingSession(open_project(mini_project), "bob")
    other.open()
    assert other.code_on_key(2) == ids(store)["Feelings"]
    undone = session.undo()
    assert undone.changed and not session.shown.mine(worry)
    undone = session.undo()
    assert undone.codes_changed and "Training" not in {c.path for c in session.codes.values()}
    assert "'Training' removed" in undone.message and "1:q1 uncoded Training" in undone.message


def test_merging_and_deleting_from_the_session_say_what_they_touch(store):
    session = CodingSession(store, "ann")
    session.open()
    k = ids(store)
    session.toggle(k["Feelings"])
    outcome = session.codebook.delete(k["Feelings"])
    assert "1 coding" in outcome.message and "2 sub-codes" in outcome.message
    assert not session.shown.codings or all(
        c.code_id != k["Feelings"] for c in session.shown.codings
    )
    assert session.undo().codes_changed
    outcome = session.codebook.merge(k["Online"], k["Workload"])
    assert "Merged 'Online' into 'Workload'" in outcome.message and outcome.codes_changed
    assert session.codebook.merge(k["Workload"], k["Workload"]).severity == "error"
