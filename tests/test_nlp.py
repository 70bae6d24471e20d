"""The spaCy pipeline: blank English with the lookup lemmatizer, nothing downloaded."""

from __future__ import annotations

from coder.nlp import analyse, is_stop, lemma, pipeline


def test_pipeline_is_blank_english_with_the_lookup_lemmatizer():
    nlp = pipeline()
    assert nlp.lang == "en"
    assert nlp.pipe_names == ["lemmatizer"]
    assert nlp.get_pipe("lemmatizer").mode == "lookup"
    assert pipeline() is nlp  # built once


def test_analyse_gives_lower_case_words_and_lemmas_without_punctuation():
    [tokens] = analyse(["The WAITING lists are long, children were waiting!"])
    assert tokens == [
        ("the", "the"),
        ("waiting", "wait"),
        ("lists", "list"),
        ("are", "be"),
        ("long", "long"),
        ("children", "child"),
        ("were", "be"),
        ("waiting", "wait"),
    ]


def test_analyse_matches_spacys_own_lemmas_and_copes_with_empty_text():
    text = "Caseloads were growing and the children's needs went unmet"
    expected = [(t.lower_, lemma(t.lower_)) for t in pipeline()(text.lower()) if not t.is_punct]
    assert list(analyse([text, "", None, "  \n "])) == [expected, [], [], []]
    assert [t.lemma_ for t in pipeline()("children were waiting")] == ["child", "be", "wait"]


def test_stop_words():
    assert is_stop("the") and is_stop("about")
    assert not is_stop("caseload")
