"""Messages that workers post back to the coding screen."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from textual.message import Message

from coder.domain import CommentFilter


@dataclass
class TrainingProgress(Message):
    """Training or suggesting moved on; bursts collapse into the latest one."""

    message: str
    fraction: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, TrainingProgress)


@dataclass
class TrainingFinished(Message):
    version: int
    summary: str


@dataclass
class TrainingFailed(Message):
    reason: str


@dataclass
class ListingReady(Message):
    """The comments a filter lets through, computed away from the screen."""

    where: CommentFilter
    ids: array
    keep_comment_id: int | None


@dataclass
class ListingFailed(Message):
    where: CommentFilter
    reason: str


@dataclass
class CountsReady(Message):
    """Code counts and the coded total of a big project, counted away from the screen."""

    counts: dict[int, int]
    coded: int
    writes: int  # the screen's change counter when counting began


@dataclass
class DiscoveryProgress(Message):
    """A discovery run moved on; bursts collapse into the latest one."""

    message: str
    fraction: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DiscoveryProgress)


@dataclass
class DiscoveryFinished(Message):
    summary: str  # how many themes in how many comments


@dataclass
class DiscoveryFailed(Message):
    reason: str
