"""The agreed coding: where coder `consensus` coded a comment, only that coding counts."""

from __future__ import annotations

import numpy as np
from team_support import code_all, project_with_comments

from coder.consensus import consensus_comments, consensus_mask, prefer_consensus

ROWS = [
    (1, 10, "ann"),
    (1, 11, "bob"),
    (1, 10, "consensus"),
    (2, 10, "ann"),
    (2, 12, "bob"),
    (3, 11, "consensus"),
]


def test_consensus_replaces_the_coders_where_it_coded():
    assert prefer_consensus(ROWS) == [
        (1, 10, "consensus"),
        (2, 10, "ann"),
        (2, 12, "bob"),
        (3, 11, "consensus"),
    ]
    assert consensus_comments(ROWS) == {1, 3}


def test_without_consensus_everything_counts():
    rows = [r for r in ROWS if r[2] != "consensus"]
    assert prefer_consensus(rows) == rows


def test_the_mask_is_the_same_rule_over_columns():
    comment_ids = np.array([r[0] for r in ROWS])
    coders = np.array([r[2] for r in ROWS], dtype=object)
    mask = consensus_mask(comment_ids, coders)
    assert [r for r, keep in zip(ROWS, mask, strict=True) if keep] == prefer_consensus(ROWS)
    assert consensus_mask(np.array([], dtype=np.int64), np.array([], dtype=object)).shape == (0,)
    # coders as the reports read them: numbers, here 2 standing for consensus
    numbers = np.array([{"ann": 0, "bob": 1, "consensus": 2}[r[2]] for r in ROWS])
    assert list(consensus_mask(comment_ids, numbers, 2)) == list(mask)


def test_on_a_project_as_training_and_the_report_read_it(tmp_path):
    store = project_with_comments(tmp_path / "c.db", 4)
    code_all(
        store,
        {
            "ann": {"c1": ["Workload"], "c2": ["Online"], "c3": ["Workload"]},
            "bob": {"c1": ["Online"], "c2": ["Online", "Workload"]},
            "consensus": {"c1": ["Workload", "Feelings"]},
        },
    )
    paths = {c.id: c.path for c in store.codes.all()}
    source = {i: store.comments.get(i).source_id for i in range(1, 5)}
    # training reads (comment_id, code_id, coder) rows
    kept = {(source[c], paths[k], who) for c, k, who in prefer_consensus(store.codings.human())}
    assert kept == {
        ("c1", "Workload", "consensus"),
        ("c1", "Feelings", "consensus"),
        ("c2", "Online", "ann"),
        ("c2", "Online", "bob"),
        ("c2", "Workload", "bob"),
        ("c3", "Workload", "ann"),
    }
    # the report reads a data frame with comment_id and coder columns
    frame = store.reports.codings()
    chosen = frame.loc[consensus_mask(frame["comment_id"].to_numpy(), frame["coder"].to_numpy())]
    assert {
        (source[c], paths[k], who)
        for c, k, who in chosen[["comment_id", "code_id", "coder"]].itertuples(index=False)
    } == kept
    store.close()
