"""The comments in view, in order, reachable by position without loading them all."""

from __future__ import annotations

from abc import ABC, abstractmethod
from array import array
from bisect import bisect_left

from coder.domain import CommentFilter, CommentRow
from coder.store.comments import Comments


class Listing(ABC):
    """An ordered list of comment ids the comment list pages through."""

    where: CommentFilter = CommentFilter()

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def ids(self, offset: int, limit: int) -> list[int]:
        """The ids at positions offset .. offset + limit."""

    @abstractmethod
    def position_of(self, comment_id: int) -> int | None:
        """Where a comment stands in the listing, or None if it is not in it."""


class WholeCorpus(Listing):
    """Every comment in document order, read page by page (a million opens at once)."""

    def __init__(self, comments: Comments):
        self.comments = comments
        self.refresh()

    def refresh(self) -> None:
        self.count, self.low, self.high = self.comments.bounds()
        # Ids with no gaps (the usual case) turn a position into an id by arithmetic.
        self.dense = self.count == 0 or self.high - self.low + 1 == self.count

    def __len__(self) -> int:
        return self.count

    def ids(self, offset: int, limit: int) -> list[int]:
        limit = max(0, min(limit, self.count - offset))
        if self.dense:
            return list(range(self.low + offset, self.low + offset + limit))
        return self.comments.ids_at(offset, limit)

    def position_of(self, comment_id: int) -> int | None:
        if not self.low <= comment_id <= self.high:
            return None
        if self.dense:
            return comment_id - self.low
        return self.comments.position(comment_id)


class FilteredListing(Listing):
    """The comments a filter let through when it ran: they stay put while being coded."""

    def __init__(self, where: CommentFilter, ids: array[int]):
        self.where = where
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self, offset: int, limit: int) -> list[int]:
        return list(self._ids[offset : offset + limit])

    def position_of(self, comment_id: int) -> int | None:
        i = bisect_left(self._ids, comment_id)  # ids are in document order
        return i if i < len(self._ids) and self._ids[i] == comment_id else None


class RowSource:
    """What the comment list asks for: rows by position, None where a comment has gone."""

    def __init__(self, comments: Comments, listing: Listing, coder: str | None = None):
        self.comments = comments
        self.listing = listing
        self.coder = coder

    def __len__(self) -> int:
        return len(self.listing)

    def rows(self, offset: int, limit: int) -> list[CommentRow | None]:
        ids = self.listing.ids(offset, limit)
        found = {row.id: row for row in self.comments.rows(ids, self.coder)}
        return [found.get(i) for i in ids]
