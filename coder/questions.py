"""A question named on the command line, found among the project's questions."""

from __future__ import annotations

from coder.errors import CoderError
from coder.store import Store


def resolve_question(store: Store, name: str | None) -> int | None:
    """The id of the question called `name` (case forgiven where unambiguous); None for None."""
    if name is None:
        return None
    questions = store.comments.questions()
    for q in questions:
        if q.name == name:
            return q.id
    folded = [q for q in questions if q.name.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0].id
    known = ", ".join(q.name for q in questions) or "none"
    raise CoderError(f"unknown question {name!r}; known questions: {known}")
