"""Growing and reorganising the codebook from inside a coding session.

Each verb is one undoable action (the session's `u` takes it back) and reports what it did
in the coder's words; the session's codes, keys and counts follow at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from coder.errors import CoderError
from coder.session.state import Outcome, fail
from coder.store.codebook import Removed
from coder.text import counted

if TYPE_CHECKING:
    from coder.session.session import CodingSession
    from coder.store import Store


def removed_words(removed: Removed) -> str:
    parts = [counted(removed.codings, "coding")]
    if removed.memos:
        parts.append(counted(removed.memos, "memo"))
    if removed.codes > 1:
        parts.append(counted(removed.codes - 1, "sub-code"))
    return ", ".join(parts)


class CodebookVerbs:
    """Create, rename, recolour, move, merge, delete and pin codes while coding."""

    def __init__(self, session: CodingSession):
        self.session = session

    @property
    def store(self) -> Store:
        return self.session.store

    def _do(self, change: Callable[[], str]) -> Outcome:
        session = self.session
        session.writes += 1
        try:
            message = change()
        except CoderError as exc:
            return fail(str(exc))
        session.load_codes()
        count_needed = session.recount()
        if count_needed:
            session.counted = False
        session.reread()
        return Outcome(
            message, changed=True, codes_changed=True, count_needed=count_needed, timeout=4
        )

    def create(
        self,
        name: str,
        *,
        parent_id: int | None = None,
        description: str = "",
        apply: bool = True,
    ) -> Outcome:
        """Make a code (a sub-code under `parent_id`) and code the current comment with it."""
        session = self.session
        comment = session.shown.comment if session.shown and apply else None

        def make() -> str:
            code_id = self.store.codebook.create(
                name,
                session.coder,
                parent_id=parent_id,
                description=description,
                apply_to=comment.id if comment else None,
            )
            path = self.store.codes.get(code_id).path
            return f"Made {path!r}" + (
                f" and coded {comment.source_id} with it." if comment else "."
            )

        return self._do(make)

    def rename(self, code_id: int, name: str) -> Outcome:
        old = self.session.codes[code_id].path if code_id in self.session.codes else "the code"

        def change() -> str:
            if not self.store.codebook.update(code_id, self.session.coder, name=name):
                return "Nothing to change."
            return f"Renamed {old!r} to {self.store.codes.get(code_id).path!r}."

        return self._do(change)

    def recolour(self, code_id: int, color: str | None) -> Outcome:
        def change() -> str:
            self.store.codebook.update(code_id, self.session.coder, color=color)
            return f"Recoloured {self.store.codes.get(code_id).path!r}."

        return self._do(change)

    def define(self, code_id: int, description: str) -> Outcome:
        def change() -> str:
            self.store.codebook.update(code_id, self.session.coder, description=description)
            return f"Defined {self.store.codes.get(code_id).path!r}."

        return self._do(change)

    def move(self, code_id: int, parent_id: int | None) -> Outcome:
        def change() -> str:
            if not self.store.codebook.move(code_id, parent_id, self.session.coder):
                return "It is there already."
            return f"Moved to {self.store.codes.get(code_id).path!r}."

        return self._do(change)

    def merge(self, from_id: int, into_id: int) -> Outcome:
        codes = self.session.codes
        names = (
            (codes[from_id].path, codes[into_id].path)
            if {from_id, into_id} <= set(codes)
            else ("", "")
        )

        def change() -> str:
            done = self.store.codebook.merge(from_id, into_id, self.session.coder)
            return (
                f"Merged {names[0]!r} into {names[1]!r}: "
                f"{counted(done.moved_codings, 'coding')} moved, {done.memos} memo(s) with it."
            )

        return self._do(change)

    def delete(self, code_id: int) -> Outcome:
        name = self.session.codes[code_id].path if code_id in self.session.codes else "the code"

        def change() -> str:
            done = self.store.codebook.delete(code_id, self.session.coder)
            return f"Deleted {name!r} with {removed_words(done)} (u undoes it)."

        return self._do(change)

    def impact(self, code_id: int) -> Removed:
        return self.store.codebook.impact(code_id)

    # -- pinning a code to a number key ------------------------------------------------------

    def _pin_key(self) -> str:
        return f"tui.pins:{self.session.coder}"

    def pins(self) -> dict[int, int]:
        """number key -> code id, as this coder pinned them."""
        try:
            raw = json.loads(self.store.meta.get(self._pin_key()) or "{}")
        except ValueError:
            return {}
        if not isinstance(raw, dict):
            return {}
        return {int(k): int(v) for k, v in raw.items() if str(k).isdigit() and isinstance(v, int)}

    def pin(self, number: int, code_id: int | None) -> Outcome:
        """Put a code (a sub-code too) on a number key, or give the key back (None)."""
        pins = self.pins()
        if code_id is None:
            pins.pop(number, None)
        else:
            pins = {n: c for n, c in pins.items() if c != code_id}
            pins[number] = code_id
        try:
            self.store.meta.set(self._pin_key(), json.dumps({str(k): v for k, v in pins.items()}))
        except CoderError as exc:
            return fail(str(exc))
        self.session.load_codes(force=True)
        path = self.session.codes[code_id].path if code_id in self.session.codes else ""
        message = f"Key {number} now codes {path!r}." if code_id else f"Key {number} unpinned."
        return Outcome(message, codes_changed=True, timeout=3)
