"""What a researcher types into search: the terms to highlight and a safe full-text query."""

from __future__ import annotations

import re

from coder.errors import CoderError

_TERM = re.compile(r'"([^"]*)"|(\S+)')


def search_terms(text: str) -> list[tuple[str, bool]]:
    """The words and phrases of a search as typed: (text, is_prefix) pairs."""
    terms = []
    for phrase, word in _TERM.findall(text):
        if phrase:
            terms.append((phrase, False))
        elif word.upper() in {"OR", "AND", "NOT"}:
            continue
        else:
            prefix = word.endswith("*")
            word = word.rstrip("*").strip("\"'()^:")
            if word:
                terms.append((word, prefix))
    return [t for t in terms if re.search(r"\w", t[0])]


def fts_query(text: str) -> str:
    """Turn what a researcher typed into a safe FTS5 query.

    Words must all occur (in any order); "quoted words" must occur together; a trailing *
    matches the start of a word; OR between two terms takes either. Nothing typed can
    reach FTS5's own syntax, so no search can fail with a syntax error.
    """
    parts: list[str] = []
    pending_or = False
    for phrase, word in _TERM.findall(text):
        if word.upper() == "OR" and parts:
            pending_or = True
            continue
        terms = search_terms(f'"{phrase}"' if phrase else word)
        if not terms:
            continue
        term, prefix = terms[0]
        quoted = '"' + term.replace('"', '""') + '"' + ("*" if prefix else "")
        if pending_or:
            parts[-1] = f"({parts[-1]} OR {quoted})"
            pending_or = False
        else:
            parts.append(quoted)
    if not parts:
        raise CoderError(f"nothing to search for in {text!r}: type a word")
    return " AND ".join(parts)
