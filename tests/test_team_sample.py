"""Double-coding samples: drawn reproducibly, stratified by question, shown by the filter
"assigned to me", with the session reporting progress on them."""

from __future__ import annotations

import pytest
from cli_support import run

from coder.domain import CommentFilter
from coder.errors import CoderError
from coder.sampling import allocate, assign_sample, draw
from coder.session import CodingSession
from coder.store import open_project


def test_shares_follow_the_sizes_and_add_up():
    assert allocate({"a": 10, "b": 30}, 8) == {"a": 2, "b": 6}
    # 7 * 1/3 = 2.33 each: one more goes to the largest remainder, ties by name
    assert allocate({"a": 1, "b": 1, "c": 1}, 7) == {"a": 3, "b": 2, "c": 2}
    assert allocate({"a": 3, "b": 97}, 10) == {"a": 0, "b": 10}
    assert sum(allocate({"x": 5, "y": 6, "z": 7}, 11).values()) == 11


def test_the_same_seed_draws_the_same_sample_whatever_the_row_order():
    strata = {"q1": [f"r{i}" for i in range(50)], "q2": [f"s{i}" for i in range(30)]}
    first = draw(strata, 16, seed=3)
    shuffled = {k: list(reversed(v)) for k, v in reversed(strata.items())}
    assert draw(shuffled, 16, seed=3) == first
    assert [len(v) for v in first.values()] == [10, 6]
    assert draw(strata, 16, seed=4) != first


def assigned(path, coder):
    with open_project(path) as store:
        return sorted(store.comments.get(i).source_id for i in store.assignments.of(coder))


def test_sample_command_assigns_half_of_each_question(mini_project, capsys):
    code, out, err = run(capsys, "sample", mini_project, "--fraction", "0.5", "--coder", "bob")
    assert code == 0, err
    sample = assigned(mini_project, "bob")
    assert len(sample) == 4
    assert sum(s.endswith(":q1") for s in sample) == 2  # 4 answers to each question
    assert "drew 4 comments with seed 0: 2 from q1, 2 from q2" in out
    assert "assigned 4 comments to bob" in out
    # the same seed for carol: the same comments, so the two can be compared
    run(capsys, "sample", mini_project, "--n", "4", "--coder", "carol")
    assert assigned(mini_project, "carol") == sample
    # again: nothing new
    code, out, _ = run(capsys, "sample", mini_project, "--fraction", "0.5", "--coder", "bob")
    assert code == 0 and "assigned 0 comments to bob (4 of them were assigned already)" in out


def test_sample_of_one_question(mini_project, capsys):
    code, _, err = run(
        capsys, "sample", mini_project, "--n", "3", "--coder", "bob", "--question", "q2"
    )
    assert code == 0, err
    sample = assigned(mini_project, "bob")
    assert len(sample) == 3 and all(s.endswith(":q2") for s in sample)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fraction", "0"], "--fraction must be above 0"),
        (["--fraction", "1.5"], "--fraction must be above 0"),
        (["--n", "9"], "asked for 9 comments but there are only 8"),
        (["--n", "0"], "--n must be at least 1"),
        ([], "give either --fraction or --n"),
        (["--n", "2", "--fraction", "0.5"], "give either --fraction or --n"),
        (["--n", "2", "--question", "q9"], "unknown question 'q9'; known questions: q1, q2"),
    ],
)
def test_bad_samples_are_one_line_and_change_nothing(mini_project, capsys, args, message):
    code, out, err = run(capsys, "sample", mini_project, "--coder", "bob", *args)
    assert code != 0 and err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert assigned(mini_project, "bob") == []


def test_the_filter_and_the_session_follow_the_assignment(mini_project, store):
    result = assign_sample(store, "bob", n=4, seed=1)
    assert result.drawn == 4 and result.added == 4
    expected = store.assignments.of("bob")
    where = CommentFilter(assigned_to="bob")
    assert list(store.comments.filtered_ids(where)) == expected
    assert list(store.comments.filtered_ids(CommentFilter(assigned_to="carol"))) == []

    session = CodingSession(store, "bob")
    session.open()
    assert session.assigned_progress() == (0, 4)
    assert session.request_filter(where) is None  # computed in a worker by the workbench
    assert session.filter_ready(where, CodingSession.filtered(mini_project, where), None)
    assert len(session.listing) == 4 and session.status().filter == "assigned to me"
    assert session.current_id == expected[0]
    workload = next(c.id for c in session.codes.values() if c.path == "Workload")
    session.toggle(workload)
    session.move_by(1)
    session.toggle(workload)
    assert session.assigned_progress() == (2, 4)
    # someone else's coding of an assigned comment is not bob's progress
    store.codings.apply(expected[2], workload, "carol")
    assert session.assigned_progress() == (2, 4)
    session.undo()
    assert session.assigned_progress() == (1, 4)
    # nothing assigned: no progress to show
    assert CodingSession(store, "dave").assigned_progress() is None


def test_an_empty_coder_name_is_refused(store):
    with pytest.raises(CoderError, match="empty"):
        assign_sample(store, " ", n=1)
