"""Turning a candidate theme into a code: its quotes as the code's examples, and its members
coded with it in one undoable step when the researcher has reviewed them."""

from __future__ import annotations

from dataclasses import dataclass

from coder.domain import Change, Origin
from coder.errors import CoderError
from coder.store import Store
from coder.text import counted, shown

EXAMPLE_CHARS = 300


@dataclass(frozen=True)
class MadeCode:
    code_id: int
    path: str
    coded: int  # members coded with it now
    message: str


def theme_by_number(store: Store, number: int) -> int:
    """The id of theme `number` of the latest run."""
    run = store.discovery.latest()
    if run is None:
        raise CoderError("no themes yet: run `coder discover` first")
    for theme in run.themes:
        if theme.number == number:
            return theme.id
    raise CoderError(f"no theme {number}: the latest run has themes 1 to {len(run.themes)}")


def examples_of(store: Store, theme_id: int) -> list[str]:
    theme = store.discovery.theme(theme_id)
    return [" ".join(t.split())[:EXAMPLE_CHARS] for t in store.comments.texts(list(theme.quotes))]


def code_from_theme(
    store: Store,
    number: int,
    name: str,
    coder: str,
    *,
    description: str = "",
    parent: str | None = None,
    code_members: bool = False,
    examples: list[str] | None = None,
) -> MadeCode:
    """Make a code from theme `number` (examples: its quotes, unless given)."""
    theme_id = theme_by_number(store, number)
    theme = store.discovery.theme(theme_id)
    parent_id = None
    if parent is not None:
        wanted = parent.strip().casefold()
        found = [c for c in store.codes.all() if c.path.casefold() == wanted]
        if not found:
            raise CoderError(f"no code {parent!r} to put the new code under")
        parent_id = found[0].id
    with store.db.transaction():
        code_id = store.codebook.create(
            name,
            coder,
            parent_id=parent_id,
            description=description,
            examples=examples_of(store, theme_id) if examples is None else examples,
        )
        store.discovery.set_code(theme.id, code_id)
    path = store.codes.get(code_id).path
    coded = code_theme_members(store, theme_id, code_id, coder) if code_members else 0
    message = (
        f"Made '{shown(path)}' from theme {number} with {counted(len(theme.quotes), 'example')}"
    )
    if code_members:
        message += f", and coded {counted(coded, 'comment')} of its {theme.size:,} with it"
    return MadeCode(code_id, path, coded, message + ".")


def code_theme_members(store: Store, theme_id: int, code_id: int, coder: str) -> int:
    """Code every member of the theme with the code, as one undoable action (origin
    `discovered`); members this coder already coded with it are left as they are."""
    store.codes.get(code_id)  # a clear error if it is gone
    members = [comment_id for comment_id, _, _ in store.discovery.members(theme_id)]
    return store.codings.record(
        [Change("add", c, code_id, coder, Origin.DISCOVERED) for c in members]
    )
