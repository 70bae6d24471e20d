"""What the model learns from: every coder's coding, disagreements, sub-codes, rare codes."""

from __future__ import annotations

import pytest

from coder.errors import CoderError
from coder.store import create_project
from coder.suggest.targets import training_set


def ids(store):
    codes = {c.path: c.id for c in store.codes.all()}
    comments = {c: store.comments.by_source_id(c).id for c in ("1:q1", "1:q2", "2:q1", "4:q1")}
    return codes, comments


def column(data, path):
    return [c.path for c in data.codes].index(path)


def test_every_coder_counts_and_half_the_coders_of_a_comment_decide(store):
    codes, c = ids(store)
    # 1:q2: alice says Worry, bob says Anxiety, carol says Worry.
    store.codings.apply(c["1:q2"], codes["Feelings > Worry"], "alice")
    store.codings.apply(c["1:q2"], codes["Feelings > Anxiety"], "bob")
    store.codings.apply(c["1:q2"], codes["Feelings > Worry"], "carol")
    # 4:q1: bob and carol disagree one to one: either is enough.
    store.codings.apply(c["4:q1"], codes["Workload"], "bob")
    store.codings.apply(c["4:q1"], codes["Online"], "carol")
    data = training_set(store, min_examples=1)
    assert data.coders == ["alice", "bob", "carol"]
    row = {comment: i for i, comment in enumerate(data.comment_ids)}
    y = data.y
    assert y[row[c["1:q2"]], column(data, "Feelings > Worry")] == 1  # two of three
    # One of three is not enough, so Anxiety has no example at all.
    assert "Feelings > Anxiety" in {s.path for s in data.skipped}
    assert y[row[c["4:q1"]], column(data, "Workload")] == 1
    assert y[row[c["4:q1"]], column(data, "Online")] == 1
    assert data.shared_comments == 2
    assert data.disagreements == 4


def test_a_sub_code_does_not_imply_its_parent_and_segments_count(store):
    codes, c = ids(store)
    store.codings.apply(c["1:q2"], codes["Feelings > Worry"], "alice", start=2, end=7)
    data = training_set(store, min_examples=1)
    row = data.comment_ids.index(c["1:q2"])
    assert data.y[row, column(data, "Feelings > Worry")] == 1
    assert "Feelings" not in [code.path for code in data.codes]  # never applied itself


def test_rare_codes_are_named_with_the_reason(store):
    data = training_set(store, min_examples=1)
    skipped = {s.path: s.reason for s in data.skipped}
    assert skipped["Feelings"] == "needs at least 1 examples (has none)"
    with pytest.raises(CoderError, match="too little coding to train"):
        training_set(store)  # two codings: no code has five examples


def test_a_code_on_every_coded_comment_cannot_be_learnt(store):
    codes, c = ids(store)
    for comment in c.values():
        store.codings.apply(comment, codes["Online"], "alice")
    store.codings.apply(c["2:q1"], codes["Workload"], "alice")
    data = training_set(store, min_examples=2)
    assert [code.path for code in data.codes] == ["Workload"]
    reasons = {s.path: s.reason for s in data.skipped}
    assert "without it" in reasons["Online"]


def test_nothing_coded_is_a_clear_error(tmp_path):
    store = create_project(tmp_path / "empty.db")
    with pytest.raises(CoderError, match="nothing is coded yet"):
        training_set(store)
    store.close()
