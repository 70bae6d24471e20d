"""Exemplar quotes: the segment when a code was applied to one, agreement first, one per person."""

from __future__ import annotations

from coder.report.build import ReportOptions, build_report
from coder.report.quotes import MAX_CHARS, shorten
from coder.store import open_project


def _quotes(path, per_code=2):
    with open_project(path) as store:
        return build_report(store, ReportOptions(quotes=per_code)).quotes


def test_a_segment_coding_is_quoted_as_its_segment(mini_project):
    with open_project(mini_project) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        comment = store.comments.by_source_id("3:q2")
        start = comment.text.index("feel anxious")
        end = start + len("feel anxious")
        store.codings.apply(comment.id, codes["Feelings > Anxiety"], "alice", start=start, end=end)
        segment = comment.text[start:end]
    quotes = _quotes(mini_project).set_index("code")
    assert quotes.loc["Feelings > Anxiety", "quote"] == segment
    assert quotes.loc["Feelings", "quote"] == segment  # the parent, through its sub-code
    assert quotes.loc["Feelings", "comment_id"] == "3:q2"
    assert "role: teacher" in quotes.loc["Feelings", "attributes"]


def test_comments_more_coders_agreed_on_come_first(mini_project):
    with open_project(mini_project) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        agreed = store.comments.by_source_id("4:q1")
        for coder in ("alice", "bob"):
            store.codings.apply(agreed.id, codes["Workload"], coder)
        # 1:q1 has alice's Workload; bob coded it too, but with something else.
        store.codings.apply(store.comments.by_source_id("1:q1").id, codes["Online"], "bob")
    quotes = _quotes(mini_project)
    workload = quotes[quotes["code"] == "Workload"]
    assert list(workload["comment_id"]) == ["4:q1", "1:q1"]
    assert list(workload["agreement"]) == ["2 of 2 coders", "1 of 2 coders"]
    assert list(workload["rank"]) == [1, 2]


def test_one_quote_per_respondent_per_code(mini_project):
    with open_project(mini_project) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        for source in ("5:q1", "5:q2"):  # the same respondent, twice
            store.codings.apply(store.comments.by_source_id(source).id, codes["Online"], "alice")
    quotes = _quotes(mini_project, per_code=5)
    online = quotes[quotes["code"] == "Online"]
    assert len(online) == 2  # respondents 2 and 5, not three comments
    assert sorted(online["respondent_id"]) == ["2", "5"]


def test_long_quotes_are_cut_at_a_word_and_marked():
    text = "word " * 200
    short = shorten(text)
    assert len(short) <= MAX_CHARS + 2 and short.endswith(" …")
    assert shorten("  a   short\ncomment ") == "a short comment"
