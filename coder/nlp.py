"""The spaCy pipeline: a blank English tokenizer with the lookup lemmatizer, nothing downloaded."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

import spacy
from spacy.attrs import LOWER
from spacy.lang.en.stop_words import STOP_WORDS

# One token as the suggestion model sees it: the word as written (lower case) and its lemma.
Token = tuple[str, str]

_lock = threading.Lock()
_built: dict[str, object] = {}


class _Lemmas(dict):
    """Lemmas by lower-case word, each looked up in spaCy's table once.

    Survey answers arrive in any case ("WAITING LIST"), so the lower-case form is
    looked up; the table's own lookups are slow enough to be worth remembering.
    """

    def __init__(self, table):
        super().__init__()
        self.table = table

    def __missing__(self, word: str) -> str:
        lemma = self.table.get(word, word)
        if not isinstance(lemma, str):  # some tables list several lemmas
            lemma = lemma[0] if lemma else word
        self[word] = lemma = lemma.lower()
        return lemma


def pipeline() -> spacy.language.Language:
    """Blank English plus the lookup lemmatizer (tables from spacy-lookups-data), built once."""
    with _lock:  # the TUI trains in a worker thread while the screen may ask too
        if "nlp" not in _built:
            nlp = spacy.blank("en")
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            _built["lemmas"] = _Lemmas(nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup"))
            _built["tokens"] = {}  # lower-case form's hash -> Token
            _built["nlp"] = nlp
    return _built["nlp"]


def is_stop(word: str) -> bool:
    """Whether a lower-case word is on spaCy's English stop list ("the", "about", "'ve")."""
    return word in STOP_WORDS


def lemma(word: str) -> str:
    """The lemma of one lower-case word."""
    pipeline()
    return _built["lemmas"][word]


def analyse(texts: Iterable[str], batch_size: int = 1000) -> Iterator[list[Token]]:
    """Yield each text's words as (word, lemma), lower case, without spaces or punctuation.

    Tokens come from spaCy's tokenizer and lemmas from its lookup lemmatizer's table,
    applied to the lower-case word: what `nlp(text)` gives, without building a Python
    object per token (the bulk of the time on a million comments).
    """
    nlp = pipeline()
    tokens = _built["tokens"]
    for doc in nlp.tokenizer.pipe((t or "" for t in texts), batch_size=batch_size):
        out = []
        for key in doc.to_array(LOWER).tolist():
            token = tokens.get(key)
            if token is None:
                token = _token(nlp.vocab[key])
                if len(tokens) < 1_000_000:  # bounded: a million comments bring typos
                    tokens[key] = token
            if token is not _SKIP:
                out.append(token)
        yield out


_SKIP = ("", "")


def _token(lexeme) -> Token:
    if lexeme.is_punct or lexeme.is_space:
        return _SKIP
    return (lexeme.lower_, _built["lemmas"][lexeme.lower_])
