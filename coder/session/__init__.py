"""A coder's session on a project, headless: the workbench shows it, tests drive it."""

from coder.session.listing import FilteredListing, Listing, RowSource, WholeCorpus
from coder.session.session import CodingSession
from coder.session.state import Outcome, Refresh, SessionStatus, ShownComment, describe

__all__ = [
    "CodingSession",
    "FilteredListing",
    "Listing",
    "Outcome",
    "Refresh",
    "RowSource",
    "SessionStatus",
    "ShownComment",
    "WholeCorpus",
    "describe",
]
