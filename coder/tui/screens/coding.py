"""The coding screen: read a comment, code it from the keyboard, move on."""

from __future__ import annotations

from contextlib import suppress

from textual import on
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from coder.domain import Code, CommentFilter
from coder.errors import CoderError
from coder.search import search_terms
from coder.store import Store
from coder.tui import keys
from coder.tui.listing import Listing, RowSource, WholeCorpus
from coder.tui.screens.coding_actions import CodingActions
from coder.tui.screens.coding_workers import CodingWorkers
from coder.tui.screens.dialogs import describe
from coder.tui.widgets.codebook import CodebookTree, CodeDetail
from coder.tui.widgets.comment_list import Chip, CommentList
from coder.tui.widgets.comment_view import CommentView, ShownComment
from coder.tui.widgets.status_line import Progress, StatusLine

SYNC_COUNT_LIMIT = 50_000  # comments; a bigger project is counted in a worker
POLL_SECONDS = 1.0  # how often to look for another coder's changes to the file
PLACE_SECONDS = 1.0  # how long the cursor rests before the place is remembered


class CodingScreen(CodingActions, CodingWorkers, Screen):
    """Holds the state of a coding session and keeps every widget in step with the store."""

    BINDINGS = keys.CODING

    def __init__(self, store: Store, coder: str):
        super().__init__()
        self.store = store
        self.coder = coder
        self.where = CommentFilter()
        self.requested: CommentFilter | None = None  # a filter still being computed
        self.listing: Listing = WholeCorpus(store)
        self.shown: ShownComment | None = None
        self.codes: dict[int, Code] = {}
        self.code_keys: dict[int, int] = {}  # code id -> number key
        self.counts: dict[int, int] = {}
        self.coded = 0
        self.counted = False  # False until the first count is in
        self.writes = 0  # how many changes this screen made: a count started earlier is stale
        self.total = 0
        self.model_version: int | None = None
        self.after_rank = -1  # where `n` is in the "most useful next" order
        self.training = False
        self.quit_asked = False  # q pressed once while training
        self.busy = ""
        self._data_version = 0
        self._counted_mark = -1  # the coding log's last entry when last counted
        self._place_timer: Timer | None = None

    def compose(self):
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield CommentList(id="comments")
                yield CommentView(id="comment")
            with Vertical(id="right"):
                yield CodebookTree(id="codebook")
                yield CodeDetail(id="code-detail")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    @property
    def comment_list(self) -> CommentList:
        return self.query_one(CommentList)

    @property
    def view(self) -> CommentView:
        return self.query_one(CommentView)

    @property
    def codebook(self) -> CodebookTree:
        return self.query_one(CodebookTree)

    @property
    def current_id(self) -> int | None:
        return self.shown.comment.id if self.shown else None

    def on_mount(self) -> None:
        self._data_version = self.store.db.data_version()
        self.view.border_title = "Comment"
        self.codebook.border_title = "Codebook"
        self.query_one(CodeDetail).border_title = "Definition"
        self._load_codes()
        self._recount()
        place = self._remembered_place()
        self._show_listing(self.listing, place)
        self.comment_list.focus()
        self.set_interval(POLL_SECONDS, self._poll_changes)

    def on_unmount(self) -> None:
        with suppress(Exception):  # closing down: the place is a convenience, never an error
            self.save_place()

    # -- loading from the store ----------------------------------------------------------------

    def _load_codes(self) -> None:
        codes = self.store.codes.all()
        if list(self.codes.values()) == codes:
            return  # unchanged: keep the tree as the coder left it (open and closed codes)
        self.codes = {c.id: c for c in codes}
        top = [c for c in codes if c.parent_id is None]
        self.code_keys = {c.id: n for n, c in enumerate(top[: keys.MAX_CODE_KEYS], 1)}
        self.codebook.set_codes(codes, self.code_keys)
        self.comment_list.set_chips(_chips(codes, self.code_keys))

    def _recount(self, *, if_codings_changed: bool = False) -> None:
        """Count everything again (on opening, after undo, when another coder changed things).

        A big project is counted in a worker, so it opens at once and keys keep answering.
        """
        total = self.store.comments.bounds()[0]
        latest = self.store.models.latest()
        self.model_version = latest.id if latest else None
        mark = self.store.codings.mark()
        if if_codings_changed and (mark, total) == (self._counted_mark, self.total):
            return  # e.g. only a memo or someone's place changed: the counts still hold
        self.total, self._counted_mark = total, mark
        if self.total <= SYNC_COUNT_LIMIT:
            self.counts = self.store.codes.counts()
            self.coded = self.store.comments.coded_count()
            self.counted = True
        else:
            self.count_in_background()

    def load_comment(self, comment_id: int | None) -> None:
        """Show a comment with everything about it, fresh from the store."""
        if comment_id is None:
            self.shown = None
        else:
            try:
                comment = self.store.comments.get(comment_id)
            except KeyError:  # removed since the list was made
                comment = None
            if comment is None:
                self.shown = None
            else:
                respondent = comment.respondent_id
                codings = tuple(self.store.codings.of_comment(comment_id))
                mine = {k.code_id for k in codings if k.coder == self.coder and not k.is_segment}
                self.shown = ShownComment(
                    comment=comment,
                    respondent=self.store.comments.respondent(respondent) if respondent else None,
                    codings=codings,
                    # a suggestion of a code you have already applied asks nothing of you
                    suggestions=tuple(
                        s
                        for s in self.store.suggestions.pending(comment_id)
                        if s.code_id not in mine
                    ),
                    memos=tuple(self.store.memos.on(comment_id=comment_id)),
                    model_version=self.model_version,
                    search_terms=tuple(search_terms(self.where.search or "")),
                    codes=self.codes,
                    coder=self.coder,
                )
        self.view.show(self.shown)
        self._mark_tree()
        self.show_status()

    def _mark_tree(self) -> None:
        shown = self.shown
        mine = {k.code_id for k in shown.codings if k.coder == self.coder} if shown else set()
        others = {k.code_id for k in shown.codings if k.coder != self.coder} if shown else set()
        suggested = {s.code_id: s.probability for s in shown.suggestions} if shown else {}
        self.codebook.set_state(self.counts if self.counted else None, mine, others, suggested)
        self._show_code_detail()

    def _show_code_detail(self) -> None:
        code_id = self.codebook.highlighted_code
        code = self.codes.get(code_id) if code_id is not None else None
        self.query_one(CodeDetail).show(
            code,
            self.counts.get(code_id or -1, 0) if self.counted else None,
            self.code_keys.get(code_id or -1),
        )

    def show_status(self) -> None:
        self.query_one(StatusLine).show(
            Progress(
                coder=self.coder,
                coded=self.coded if self.counted else None,
                total=self.total,
                model_version=self.model_version,
                filter=describe(self.where, self.codes, self.coder),
                shown=len(self.listing),
                busy=self.busy,
            )
        )

    def refresh_all(self) -> None:
        """Re-read everything shown: the file changed under us (another coder, a worker)."""
        self._load_codes()
        self._recount(if_codings_changed=True)
        if isinstance(self.listing, WholeCorpus):
            self.listing.refresh()
        self.comment_list.reload()
        self.load_comment(self.comment_list.current.id if self.comment_list.current else None)

    def _poll_changes(self) -> None:
        version = self.store.db.data_version()
        if version != self._data_version:
            self._data_version = version
            self.refresh_all()

    # -- the list and the place --------------------------------------------------------------

    def _show_listing(self, listing: Listing, keep_comment_id: int | None) -> None:
        self.listing = listing
        position = listing.position_of(keep_comment_id) if keep_comment_id is not None else None
        self.comment_list.empty_message = (
            "No comments match. Press esc to show every comment."
            if not listing.where.is_empty
            else "This project has no comments yet (add some with: coder import)."
        )
        self.comment_list.show(RowSource(self.store, listing, self.coder), position or 0)
        if len(listing) == 0:
            self.load_comment(None)

    @on(CommentList.Highlighted)
    def _highlighted(self, event: CommentList.Highlighted) -> None:
        self.load_comment(event.comment_id)
        if self._place_timer is not None:
            self._place_timer.stop()
        self._place_timer = self.set_timer(PLACE_SECONDS, self.save_place)

    @on(CodebookTree.NodeHighlighted)
    def _code_highlighted(self) -> None:
        self._show_code_detail()

    @on(CommentView.SelectionEnded)
    def _selection_ended(self) -> None:
        self.comment_list.focus()

    def _place_key(self) -> str:
        return f"tui.place:{self.coder}"

    def _remembered_place(self) -> int | None:
        value = self.store.meta.get(self._place_key())
        return int(value) if value and value.isdigit() else None

    def save_place(self) -> None:
        """Remember the current comment, so the next session opens where this one left off."""
        comment_id = self.current_id
        if comment_id is None or str(comment_id) == self.store.meta.get(self._place_key()):
            return
        # If another coder holds the file this moment, the place can wait for the next move.
        with suppress(CoderError):
            self.store.meta.set(self._place_key(), str(comment_id))


def _chips(codes: list[Code], code_keys: dict[int, int]) -> dict[int, Chip]:
    """Short labels for the list: the code's key, "3.2" for a sub-code, else its initials."""
    labels: dict[int, str] = {}
    index: dict[int | None, int] = {}
    for code in codes:
        index[code.parent_id] = index.get(code.parent_id, 0) + 1
        if code.id in code_keys:
            labels[code.id] = str(code_keys[code.id])
        elif code.parent_id in labels:
            labels[code.id] = f"{labels[code.parent_id]}.{index[code.parent_id]}"
        else:
            labels[code.id] = "".join(w[0] for w in code.name.split()[:2]).upper() or "?"
    return {c.id: Chip(labels[c.id], c.color) for c in codes}
