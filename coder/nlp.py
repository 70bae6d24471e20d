"""The spaCy pipeline: a blank English tokenizer with the lookup lemmatizer, nothing downloaded."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import spacy
from spacy.attrs import LOWER
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lexeme import Lexeme
from spacy.lookups import Table
from spacy.pipeline import Lemmatizer

# One token as the suggestion model sees it: the word as written (lower case) and its lemma.
Token = tuple[str, str]

_lock = threading.Lock()


class _Lemmas(dict[str, str]):
    """Lemmas by lower-case word, each looked up in spaCy's table once.

    Survey answers arrive in any case ("WAITING LIST"), so the lower-case form is
    looked up; the table's own lookups are slow enough to be worth remembering.
    """

    def __init__(self, table: Table):
        super().__init__()
        self.table = table

    def __missing__(self, word: str) -> str:
        lemma = self.table.get(word, word)
        if not isinstance(lemma, str):  # some tables list several lemmas
            lemma = lemma[0] if lemma else word
        self[word] = lemma = lemma.lower()
        return lemma


@dataclass
class _Built:
    """The pipeline and what is remembered alongside it, made once per process."""

    nlp: Language
    lemmas: _Lemmas
    tokens: dict[int, Token] = field(default_factory=dict)  # lower-case form's hash -> Token


_built: _Built | None = None


def _build() -> _Built:
    global _built
    with _lock:  # the TUI trains in a worker thread while the screen may ask too
        if _built is None:
            nlp = spacy.blank("en")
            nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
            nlp.initialize()
            lemmatizer = nlp.get_pipe("lemmatizer")
            assert isinstance(lemmatizer, Lemmatizer)
            _built = _Built(nlp, _Lemmas(lemmatizer.lookups.get_table("lemma_lookup")))
    return _built


def pipeline() -> Language:
    """Blank English plus the lookup lemmatizer (tables from spacy-lookups-data), built once."""
    return _build().nlp


def is_stop(word: str) -> bool:
    """Whether a lower-case word is on spaCy's English stop list ("the", "about", "'ve")."""
    return word in STOP_WORDS


def lemma(word: str) -> str:
    """The lemma of one lower-case word."""
    return _build().lemmas[word]


def analyse(texts: Iterable[str]) -> Iterator[list[Token]]:
    """Yield each text's words as (word, lemma), lower case, without spaces or punctuation.

    Tokens come from spaCy's tokenizer and lemmas from its lookup lemmatizer's table,
    applied to the lower-case word: what `nlp(text)` gives, without building a Python
    object per token (the bulk of the time on a million comments).
    """
    built = _build()
    tokenizer, vocab, tokens = built.nlp.tokenizer, built.nlp.vocab, built.tokens
    for text in texts:
        out = []
        for key in tokenizer(text or "").to_array(LOWER).tolist():
            token = tokens.get(key)
            if token is None:
                token = _token(vocab[key], built.lemmas)
                if len(tokens) < 1_000_000:  # bounded: a million comments bring typos
                    tokens[key] = token
            if token is not _SKIP:
                out.append(token)
        yield out


_SKIP = ("", "")


def _token(lexeme: Lexeme, lemmas: _Lemmas) -> Token:
    if lexeme.is_punct or lexeme.is_space:
        return _SKIP
    return (lexeme.lower_, lemmas[lexeme.lower_])
