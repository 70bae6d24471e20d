"""The store reads behind the coding screen: by position, filtered, searched, next uncoded."""

from __future__ import annotations

import re

import pytest
from store_support import add_model

from coder.domain import CommentFilter, ImportRow, Origin
from coder.errors import CoderError
from coder.search import fts_query, search_terms
from coder.session.listing import FilteredListing, RowSource, WholeCorpus


def ids_where(store, predicate) -> list[int]:
    """The expected answer, worked out the slow way in Python."""
    rows = store.db.conn.execute("SELECT id FROM comments ORDER BY id").fetchall()
    return [r[0] for r in rows if predicate(store.comments.get(r[0]))]


def codes(store) -> dict[str, int]:
    return {c.path: c.id for c in store.codes.all()}


def test_each_filter_matches_a_plain_python_reading(store):
    k = codes(store)
    bob_target = store.comments.by_source_id("4:q1").id
    store.codings.apply(bob_target, k["Feelings > Worry"], "bob")
    coded = lambda c: bool(store.codings.of_comment(c.id))  # noqa: E731
    checks = {
        CommentFilter(uncoded=True): lambda c: not coded(c),
        CommentFilter(not_coded_by="bob"): lambda c: all(
            x.coder != "bob" for x in store.codings.of_comment(c.id)
        ),
        CommentFilter(code_id=k["Feelings"]): lambda c: any(
            x.code_id in {k["Feelings"], k["Feelings > Worry"], k["Feelings > Anxiety"]}
            for x in store.codings.of_comment(c.id)
        ),
        CommentFilter(code_id=k["Workload"]): lambda c: any(
            x.code_id == k["Workload"] for x in store.codings.of_comment(c.id)
        ),
        CommentFilter(coder="alice"): lambda c: any(
            x.coder == "alice" for x in store.codings.of_comment(c.id)
        ),
        CommentFilter(attribute=("role", "teacher")): lambda c: (
            store.comments.respondent(c.respondent_id).attributes.get("role") == "teacher"
        ),
        CommentFilter(question="q2"): lambda c: c.question == "q2",
        CommentFilter(search="worry"): lambda c: "worry" in c.text.lower(),
        CommentFilter(uncoded=True, question="q1"): lambda c: not coded(c) and c.question == "q1",
    }
    for where, predicate in checks.items():
        expected = ids_where(store, predicate)
        assert list(store.comments.filtered_ids(where)) == expected, where
        assert expected or where.code_id == k["Feelings"], f"{where} should match something"


def test_disagreement_is_comments_whose_coders_chose_different_codes(store):
    k = codes(store)
    same = store.comments.by_source_id("1:q1").id  # alice: Workload
    store.codings.apply(same, k["Workload"], "bob")
    differ = store.comments.by_source_id("2:q1").id  # alice: Online
    store.codings.apply(differ, k["Online"], "bob")
    store.codings.apply(differ, k["Feelings"], "bob")
    alone = store.comments.by_source_id("4:q1").id
    store.codings.apply(alone, k["Workload"], "bob")
    assert list(store.comments.filtered_ids(CommentFilter(disagreement=True))) == [differ]


def test_suggested_filter_sees_only_the_latest_models_pending_suggestions(store):
    k = codes(store)
    a, b, c = (store.comments.by_source_id(s).id for s in ("1:q2", "3:q2", "5:q2"))
    old = add_model(store, 2, "t")
    store.suggestions.replace(old, [(c, k["Online"], 0.9, [])])
    new = add_model(store, 2, "t")
    store.suggestions.replace(
        new, [(a, k["Feelings > Worry"], 0.8, []), (b, k["Workload"], 0.6, [])]
    )
    assert list(store.comments.filtered_ids(CommentFilter(suggested=True))) == [a, b]
    by_theme = CommentFilter(suggested=True, suggested_code_id=k["Feelings"])
    assert list(store.comments.filtered_ids(by_theme)) == [a]
    store.suggestions.reject(a, "bob")
    assert list(store.comments.filtered_ids(CommentFilter(suggested=True))) == [b]


@pytest.mark.parametrize(
    "typed",
    ['"unbalanced', "AND OR NOT", "*", "col:thing", '"', "a^b", "NEAR(x y)", "worry -", "(("],
)
def test_any_search_text_is_safe(store, typed):
    try:
        query = fts_query(typed)
    except CoderError:
        return  # nothing searchable in it: refused with a message, not a crash
    assert query
    store.comments.filtered_ids(CommentFilter(search=typed))  # must not raise


def test_search_understands_phrases_prefixes_and_or(store):
    text = {cid: store.comments.get(cid).text.lower() for cid in ids_where(store, lambda c: True)}

    def found(typed):
        return set(store.comments.filtered_ids(CommentFilter(search=typed)))

    assert found("worr*") == {i for i, t in text.items() if re.search(r"\bworr", t)}
    assert found('"waiting list"') == {i for i, t in text.items() if "waiting list" in t}
    assert found("phones OR snapchat") == {
        i for i, t in text.items() if "phones" in t or "snapchat" in t
    }
    assert found("worry constantly") == {
        i for i, t in text.items() if "worry" in t and "constantly" in t
    }
    with pytest.raises(CoderError):
        fts_query("  ** ")
    assert search_terms('"waiting list" worr* OR x') == [
        ("waiting list", False),
        ("worr", True),
        ("x", False),
    ]


def test_next_uncoded_in_document_order_wraps_and_skips_the_current(store):
    uncoded = ids_where(store, lambda c: not store.codings.of_comment(c.id))
    first = store.comments.next_uncoded(None)
    assert first.comment_id == uncoded[0] and first.rank is None
    assert store.comments.next_uncoded(uncoded[0]).comment_id == uncoded[1]
    assert store.comments.next_uncoded(uncoded[-1]).comment_id == uncoded[0]  # wraps round
    q2 = CommentFilter(question="q2")
    in_q2 = [i for i in uncoded if store.comments.get(i).question == "q2"]
    assert store.comments.next_uncoded(None, where=q2).comment_id == in_q2[0]


def test_next_uncoded_follows_the_models_order_once_it_exists(store):
    k = codes(store)
    uncoded = ids_where(store, lambda c: not store.codings.of_comment(c.id))
    version = add_model(store, 2, "t")
    ranked = list(reversed(uncoded))
    store.suggestions.replace_priorities(
        version, [(cid, 1.0 / (n + 1)) for n, cid in enumerate(ranked)]
    )
    assert store.suggestions.has_priorities()
    step = store.comments.next_uncoded(None)
    assert (step.comment_id, step.rank) == (ranked[0], 0)
    step = store.comments.next_uncoded(step.comment_id, after_rank=step.rank)
    assert step.comment_id == ranked[1]
    store.codings.apply(ranked[2], k["Workload"], "bob")  # coded since the ranking: skipped
    step = store.comments.next_uncoded(step.comment_id, after_rank=step.rank)
    assert step.comment_id == ranked[3]


def test_rows_carry_codes_pending_suggestions_and_memos(store):
    k = codes(store)
    a = store.comments.by_source_id("1:q1").id
    b = store.comments.by_source_id("1:q2").id
    store.codings.apply(a, k["Online"], "bob")
    store.memos.write("check this", "bob", comment_id=b)
    version = add_model(store, 2, "t")
    store.suggestions.replace(version, [(b, k["Feelings > Worry"], 0.7, ["worry"])])
    rows = store.comments.rows([b, 99999, a], "bob")
    assert [r.id for r in rows] == [b, a]
    assert [r.mine for r in rows] == [False, True]
    assert [r.mine for r in store.comments.rows([a, b], "carol")] == [False, False]
    assert rows[0].pending == 1 and rows[0].has_memo and rows[0].code_ids == ()
    assert rows[1].code_ids == (k["Workload"], k["Online"]) and not rows[1].has_memo
    assert rows[1].source_id == "1:q1" and rows[1].preview.startswith("My caseload")


def test_whole_corpus_listing_pages_through_gaps_in_the_ids(store):
    def add(source: str) -> int:
        import_id = store.imports.begin(source)
        store.imports.write_chunk(import_id, [ImportRow(f"{source}:{i}", source, "q9", f"text {i}", {})
                                      for i in range(3)], None)  # fmt: skip
        store.imports.finish(import_id, {})
        return import_id

    add("x")
    middle = add("y")
    add("z")
    store.imports.undo(middle)  # leaves a hole in the ids
    all_ids = [r[0] for r in store.db.conn.execute("SELECT id FROM comments ORDER BY id")]
    listing = WholeCorpus(store.comments)
    assert not listing.dense and len(listing) == len(all_ids)
    assert listing.ids(0, 1000) == all_ids
    assert listing.ids(len(all_ids) - 2, 10) == all_ids[-2:]
    assert [listing.position_of(i) for i in all_ids] == list(range(len(all_ids)))
    rows = RowSource(store.comments, listing).rows(len(all_ids) - 3, 3)
    assert [r.source_id for r in rows] == ["z:0", "z:1", "z:2"]


def test_filtered_listing_keeps_its_comments_while_they_are_coded(store):
    from array import array

    where = CommentFilter(uncoded=True)
    listing = FilteredListing(where, store.comments.filtered_ids(where))
    before = listing.ids(0, 100)
    store.codings.apply(before[0], codes(store)["Workload"], "bob", origin=Origin.MANUAL)
    assert listing.ids(0, 100) == before
    assert listing.position_of(before[2]) == 2 and listing.position_of(10**9) is None
    assert FilteredListing(where, array("q")).position_of(1) is None


def test_code_counts_of_matches_the_full_count(store):
    k = codes(store)
    store.codings.apply(store.comments.by_source_id("4:q1").id, k["Workload"], "bob")
    assert store.codes.counts_of(k.values()) == {
        c: store.codes.counts().get(c, 0) for c in k.values()
    }
    assert store.comments.coded_count() == len(
        ids_where(store, lambda c: bool(store.codings.of_comment(c.id)))
    )


def test_a_numeric_attribute_is_offered_in_the_reports_bins(demo_project):
    from coder.session.groups import groups
    from coder.store import open_project

    with open_project(demo_project) as store:
        offered = [
            g for g in groups(store.comments.attribute_values()) if g.name == "years_in_post"
        ]
        roles = [g for g in groups(store.comments.attribute_values()) if g.name == "role"]
        assert [g.label for g in offered] == [
            "years_in_post 0 to 4",
            "years_in_post 5 to 8",
            "years_in_post 9 to 14",
            "years_in_post 15 to 33",
        ]
        assert sum(g.respondents for g in offered) == 220
        assert all(len(g.values) == 1 for g in roles)  # text keeps a group per value
        years = {
            r: int(v)
            for r, v in store.db.execute(
                "SELECT respondent_id, value FROM respondent_attributes WHERE name = 'years_in_post'"
            )
        }
        for group in offered:
            ids = store.comments.filtered_ids(
                CommentFilter(attribute_in=(group.name, group.values))
            )
            low, high = (int(x) for x in group.label.split()[-3::2])
            expected = [
                c
                for c in store.comments.filtered_ids(CommentFilter())
                if low <= years.get(store.comments.get(c).respondent_id, -1) <= high
            ]
            assert list(ids) == expected
