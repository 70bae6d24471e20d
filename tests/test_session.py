"""The coding session without a screen: every verb, checked against the project file."""

from __future__ import annotations

import pytest
from store_support import add_model

from coder.domain import CommentFilter, Origin
from coder.session import CodingSession
from coder.store import open_project


@pytest.fixture
def session(store):
    s = CodingSession(store, "bob")
    s.open()
    return s


def stored(path, source_id: str, coder: str = "bob") -> set[tuple[str, int | None, str]]:
    """(code path, start, origin) of a coder's codings as committed, over a fresh connection."""
    with open_project(path) as other:
        paths = {c.id: c.path for c in other.codes.all()}
        comment = other.comments.by_source_id(source_id)
        return {
            (paths[k.code_id], k.start, str(k.origin))
            for k in other.codings.of_comment(comment.id)
            if k.coder == coder
        }


def go(session, source_id: str) -> None:
    comment = session.store.comments.by_source_id(source_id)
    assert session.move_to(session.listing.position_of(comment.id)) or (
        session.current_id == comment.id
    )
    assert session.shown.comment.source_id == source_id


def code(session, path: str) -> int:
    return next(c.id for c in session.codes.values() if c.path == path)


def test_opening_reads_codes_keys_counts_and_the_first_comment(session, store):
    assert [session.codes[c].path for c in session.code_keys] == ["Workload", "Feelings", "Online"]
    assert session.counts == store.codes.counts() and session.coded == 2
    assert session.shown.comment.source_id == "1:q1"
    status = session.status()
    assert (status.coder, status.coded, status.total, status.filter) == ("bob", 2, 8, "")


def test_toggle_commits_before_it_returns_and_counts_follow(session, mini_project):
    feelings = code(session, "Feelings")
    outcome = session.toggle(feelings)
    assert outcome.changed and outcome.severity == "information"
    assert stored(mini_project, "1:q1") == {("Feelings", None, "manual")}
    assert session.shown.mine(feelings) and session.counts[feelings] == 1
    session.move_by(1)  # 1:q2, uncoded
    session.toggle(feelings)
    assert session.coded == 3
    session.toggle(feelings)
    assert stored(mini_project, "1:q2") == set() and session.coded == 2
    assert session.code_on_key(2) == feelings and session.code_on_key(9) is None


def test_segments_are_coded_and_uncoded_by_span(session, mini_project):
    worry = code(session, "Feelings > Worry")
    assert session.toggle_segment(worry, 3, 3).severity == "warning"  # nothing selected
    session.toggle_segment(worry, 3, 11)
    assert stored(mini_project, "1:q1") == {("Feelings > Worry", 3, "manual")}
    session.toggle_segment(worry, 3, 11)
    assert stored(mini_project, "1:q1") == set()


def test_undo_and_redo_move_to_the_comment_they_change(session, mini_project):
    online = code(session, "Online")
    go(session, "4:q2")
    session.toggle(online)
    session.move_to(0)
    outcome = session.undo()
    assert outcome.changed and "4:q2 uncoded Online" in outcome.message
    assert session.shown.comment.source_id == "4:q2" and stored(mini_project, "4:q2") == set()
    assert "coded Online" in session.redo().message
    assert stored(mini_project, "4:q2") == {("Online", None, "manual")}
    session.undo()
    assert session.undo().message == "Nothing to undo."


def test_suggestions_are_accepted_rejected_and_a_code_key_takes_one(session, store, mini_project):
    version = add_model(store)
    comment = store.comments.by_source_id("5:q2").id
    worry, online = code(session, "Feelings > Worry"), code(session, "Online")
    store.suggestions.replace(
        version, [(comment, worry, 0.8, ["worry"]), (comment, online, 0.6, [])]
    )
    session.refresh()
    assert session.decide(True).message == "No suggestions on this comment."
    go(session, "5:q2")
    assert {s.code_id for s in session.shown.suggestions} == {worry, online}
    session.toggle(online)  # coding a suggested code accepts that suggestion only
    assert stored(mini_project, "5:q2") == {("Online", None, str(Origin.SUGGESTION))}
    assert [s.code_id for s in session.shown.suggestions] == [worry]
    assert session.decide(False).message == "Rejected 1 suggestion."
    assert session.shown.suggestions == ()
    assert (comment, worry) in store.suggestions.rejected()


def test_next_uncoded_walks_the_models_order_and_asks_to_refilter(session, store):
    uncoded = [c for c in range(1, 9) if not store.codings.of_comment(c)]
    version = add_model(store)
    store.suggestions.replace_priorities(version, [(c, 1.0) for c in reversed(uncoded)])
    session.refresh()
    seen = []
    for _ in uncoded:
        assert session.next_uncoded().moved
        seen.append(session.current_id)
    assert seen == list(reversed(uncoded))


def test_next_uncoded_asks_to_filter_again_for_a_comment_the_list_does_not_hold(session, store):
    from coder.domain import ImportRow

    q1 = CommentFilter(question="q1")
    session.request_filter(q1)
    session.filter_ready(q1, session.filtered(store.path, q1), None)
    with open_project(store.path) as other:  # a colleague imports another answer meanwhile
        import_id = other.imports.begin("late.csv")
        other.imports.write_chunk(
            import_id, [ImportRow("9:q1", "9", "q1", "Late answer.", {})], None
        )
    walked = []
    while (outcome := session.next_uncoded()).moved:
        walked.append(session.shown.comment.source_id)
    assert walked == ["4:q1", "5:q1"]
    late = store.comments.by_source_id("9:q1").id
    assert outcome.refilter == late


def test_filters_run_apart_and_only_the_latest_request_counts(session, store):
    uncoded = CommentFilter(uncoded=True)
    assert session.request_filter(uncoded) is None and session.busy == "filtering…"
    ids = session.filtered(store.path, uncoded)
    assert not session.filter_ready(CommentFilter(coder="alice"), ids, None)  # not asked for
    assert session.filter_ready(uncoded, ids, None)
    assert list(session.listing.ids(0, 100)) == list(ids) and session.busy == ""
    assert session.status().filter == "uncoded" and session.status().shown == len(ids)
    assert session.request_filter(session.with_search("   ")).severity == "warning"
    assert session.request_filter(CommentFilter()).moved
    assert len(session.listing) == 8


def test_a_filtered_comment_stays_in_the_list_once_coded(session, store, mini_project):
    uncoded = CommentFilter(uncoded=True)
    session.request_filter(uncoded)
    session.filter_ready(uncoded, session.filtered(store.path, uncoded), None)
    before = len(session.listing)
    session.toggle(code(session, "Workload"))
    assert len(session.listing) == before
    assert session.shown.codings  # still shown, now coded


def test_memos_are_written_and_read_back(session, store):
    assert session.write_memo("").changed is False  # no memo, nothing to write
    session.write_memo("ask the team about this one")
    assert session.my_memo() == "ask the team about this one"
    assert [m.text for m in store.memos.on(comment_id=session.current_id)] == [session.my_memo()]
    session.write_memo("")
    assert store.memos.on(comment_id=session.current_id) == []


def test_a_write_that_fails_is_an_error_and_nothing_is_shown_as_done(session, store, monkeypatch):
    from coder.errors import CoderError

    def locked(*args, **kwargs):
        raise CoderError("the project is locked by another program; try again in a moment")

    monkeypatch.setattr(store.codings, "toggle", locked)
    outcome = session.toggle(code(session, "Feelings"))
    assert outcome.severity == "error" and "locked" in outcome.message
    assert not session.shown.mine(code(session, "Feelings")) and session.coded == 2


def test_the_place_is_remembered_per_coder(session, store, mini_project):
    go(session, "4:q1")
    session.save_place()
    again = CodingSession(open_project(mini_project), "bob")
    again.open()
    assert again.shown.comment.source_id == "4:q1"
    other = CodingSession(open_project(mini_project), "carol")
    other.open()
    assert other.shown.comment.source_id == "1:q1"


def test_another_coders_change_is_seen_on_refresh(session, mini_project):
    with open_project(mini_project) as other:
        other.codings.apply(1, code(session, "Online"), "carol")
        other.codes.add("Training")
    assert session.changed_elsewhere()
    refresh = session.refresh()
    assert refresh.codes_changed and "Training" in {c.path for c in session.codes.values()}
    assert {k.coder for k in session.shown.codings} == {"alice", "carol"}
    assert session.counts == {code(session, "Workload"): 1, code(session, "Online"): 2}
    assert not session.changed_elsewhere()


def test_training_is_one_at_a_time(session):
    assert session.start_training() is None and session.training
    assert session.start_training().severity == "warning"
    session.training_progress("fitting", 0.4)
    assert session.status().busy == "fitting 40%"
    session.training_done()
    assert not session.training and session.status().busy == ""


class FullDisk:
    """A connection whose writes of codings fail as SQLite's do when the disk is full."""

    def __init__(self, conn):
        self.conn = conn

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def execute(self, sql, *args):
        if "INTO codings" in sql:
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)


def test_a_full_disk_is_an_error_and_the_coding_shown_is_what_is_stored(
    session, store, mini_project
):
    store.db.conn = FullDisk(store.db.conn)
    feelings = code(session, "Feelings")
    outcome = session.toggle(feelings)
    assert outcome.severity == "error" and "full" in outcome.message
    assert not session.shown.mine(feelings) and stored(mini_project, "1:q1") == set()
    assert session.unsaved and "full" in session.unsaved[0]
    assert session.undo().severity in {"warning", "error"}  # nothing was done, nothing undone


def test_a_code_key_codes_even_when_a_newer_model_withdrew_the_suggestion(session, store):
    online = code(session, "Online")
    comment = store.comments.by_source_id("4:q2").id
    store.suggestions.replace(add_model(store), [(comment, online, 0.7, [])])
    session.refresh()
    go(session, "4:q2")
    assert [s.code_id for s in session.shown.suggestions] == [online]
    with open_project(store.path) as trainer:  # a model published meanwhile, without it
        trainer.suggestions.replace(add_model(trainer), [], scored=[comment])
    assert session.toggle(online).changed
    assert session.shown.mine(online)


def test_moving_in_an_empty_project_changes_nothing(empty_project):
    from coder.store import open_project as open_

    with open_(empty_project) as store:
        session = CodingSession(store, "kim")
        session.open()
        assert session.shown is None
        assert not session.move_to(0) and not session.move_by(1) and not session.move_by(-1)
