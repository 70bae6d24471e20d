"""The coding screen's slow work, done in workers: filters, training, counting a big project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.worker import get_current_worker

from coder.domain import CommentFilter
from coder.errors import CoderError
from coder.search import fts_query
from coder.store import open_project
from coder.tui.listing import FilteredListing, WholeCorpus
from coder.tui.messages import (
    CountsReady,
    ListingFailed,
    ListingReady,
    TrainingFailed,
    TrainingFinished,
    TrainingProgress,
)

if TYPE_CHECKING:
    from coder.tui.screens.coding import CodingScreen

    _Base = CodingScreen
else:
    _Base = object


class CodingWorkers(_Base):
    """Each worker opens its own connection and posts its result back as a message.

    (Handlers are found by name, `on_<message>`: `@on` is not seen in a mixin.)
    """

    # -- filters and search, computed in a worker ---------------------------------------------

    def set_filter(self, where: CommentFilter, keep_comment_id: int | None = None) -> None:
        """Show the comments `where` lets through, with the cursor on `keep_comment_id`
        (default: the current comment) if it is among them."""
        keep = keep_comment_id if keep_comment_id is not None else self.current_id
        if where.search is not None:
            try:
                fts_query(where.search)
            except CoderError as exc:
                self.notify(str(exc), severity="warning", markup=False)
                return
        if where.is_empty:
            self.requested = None
            self.where = where
            self._show_listing(WholeCorpus(self.store), keep)
            self.show_status()
            return
        self.requested = where
        self.busy = "filtering…"
        self.show_status()
        self._compute_listing(where, keep)

    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def _compute_listing(self, where: CommentFilter, keep_comment_id: int | None) -> None:
        try:
            with open_project(self.store.path) as store:
                ids = store.comments.filtered_ids(where)
        except CoderError as exc:
            self.post_message(ListingFailed(where, str(exc)))
        except Exception as exc:  # noqa: BLE001 - shown to the user, the screen carries on
            self.post_message(ListingFailed(where, f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(ListingReady(where, ids, keep_comment_id))

    def on_listing_ready(self, message: ListingReady) -> None:
        if message.where != self.requested:
            return  # a newer filter was asked for meanwhile
        self.requested = None
        self.where = message.where
        self.busy = ""
        self.after_rank = -1
        self._show_listing(FilteredListing(message.where, message.ids), message.keep_comment_id)
        self.show_status()

    def on_listing_failed(self, message: ListingFailed) -> None:
        if message.where == self.requested:
            self.requested = None
            self.busy = ""
            self.show_status()
            self.notify(message.reason, severity="error", markup=False)

    # -- training, in a worker ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def _train(self) -> None:
        worker = get_current_worker()

        def progress(message: str, fraction: float) -> None:
            if worker.is_cancelled:  # the app is closing: stop at the next step
                raise _Stopped
            self.post_message(TrainingProgress(message, fraction))

        try:
            from coder.suggest import suggest, train
        except ImportError:
            self.post_message(TrainingFailed("the suggestion model is not available"))
            return
        try:
            with open_project(self.store.path) as store:
                trained = train(store, progress=progress)
                suggested = suggest(store, progress=progress)
        except _Stopped:
            return  # whatever training had not committed is rolled back with it
        except CoderError as exc:
            self.post_message(TrainingFailed(str(exc)))
        except Exception as exc:  # noqa: BLE001 - a failed training must not close the screen
            self.post_message(TrainingFailed(f"training failed: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(TrainingFinished(trained.version, _summary(trained, suggested)))

    def on_training_progress(self, message: TrainingProgress) -> None:
        if self.training:
            self.busy = f"{message.message} {message.fraction:.0%}"
            self.show_status()

    def on_training_finished(self, message: TrainingFinished) -> None:
        self.training = False
        self.busy = ""
        self.after_rank = -1
        self._data_version = self.store.db.data_version()
        self.refresh_all()
        self.notify(message.summary, markup=False)

    def on_training_failed(self, message: TrainingFailed) -> None:
        self.training = False
        self.busy = ""
        self.show_status()
        self.notify(message.reason, severity="error", markup=False, timeout=8)

    # -- counting a big project ---------------------------------------------------------------

    def count_in_background(self) -> None:
        self._count(self.writes)

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _count(self, writes: int) -> None:
        try:
            with open_project(self.store.path) as store:
                self.post_message(
                    CountsReady(store.codes.counts(), store.comments.coded_count(), writes)
                )
        except Exception:  # noqa: BLE001 - e.g. the file is busy: the next change counts again
            pass

    def on_counts_ready(self, message: CountsReady) -> None:
        if message.writes != self.writes:  # coding went on while counting: count again
            self.count_in_background()
            return
        self.counts, self.coded, self.counted = message.counts, message.coded, True
        self._mark_tree()
        self.show_status()


class _Stopped(Exception):
    """Raised inside training when the worker is cancelled."""


def _summary(trained, suggested) -> str:
    """What training did, in a sentence; reports lacking a figure just leave it out."""
    text = f"Model v{trained.version}"
    size = getattr(trained, "training_size", None)
    if size is not None:
        text += f" learnt from {size:,} coded comments"
    f1 = getattr(trained, "macro_f1", None)
    if f1 is not None:
        text += f" (macro F1 {f1:.2f})"
    count = getattr(suggested, "suggestions", None)
    where = getattr(suggested, "comments_with_suggestions", None)
    if count is not None and where is not None:
        text += f"; {count:,} suggestions on {where:,} comments"
    skipped = getattr(trained, "skipped", None)
    if skipped:
        text += f"; {len(skipped)} codes have too few examples to learn yet"
    return text + "."
