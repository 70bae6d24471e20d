"""One coder's session on a project: where they are, what they see, and every verb of coding.

Headless: the workbench maps keys to these verbs and repaints from this state once per
change; tests drive it directly. Every change is committed by the store before a verb
returns, so what the state shows as coded is on disk.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from coder.domain import Change, Code, CommentFilter
from coder.errors import CoderError
from coder.search import fts_query, search_terms
from coder.session.codebook import CodebookVerbs
from coder.session.listing import FilteredListing, Listing, RowSource, WholeCorpus
from coder.session.state import (
    Outcome,
    Refresh,
    SessionStatus,
    ShownComment,
    describe,
    fail,
    warn,
)
from coder.session.themes import ThemeVerbs
from coder.store import Store, open_project
from coder.store.history import RowChange

T = TypeVar("T")

SYNC_COUNT_LIMIT = 50_000  # comments; a bigger project is counted in the background
MAX_CODE_KEYS = 9
_UNDO_WORDS = {"add": "coded", "remove": "uncoded", "reject": "rejected", "unreject": "restored"}


class CodingSession:
    """The state of one coder's work and the verbs that change it."""

    def __init__(self, store: Store, coder: str):
        self.store = store
        self.coder = coder
        self.where = CommentFilter()
        self.requested: CommentFilter | None = None  # a filter still being computed
        self.listing: Listing = WholeCorpus(store.comments)
        self.position = 0
        self.shown: ShownComment | None = None
        self.codes: dict[int, Code] = {}
        self.code_keys: dict[int, int] = {}  # code id -> number key
        self.counts: dict[int, int] = {}
        self.coded = 0
        self.counted = False  # False until the first count is in
        self.writes = 0  # changes made here: a count started before one is stale
        self.total = 0
        self.model_version: int | None = None
        self.show_unsure = True  # suggestions in the unsure tier are shown, after the others
        self.precision: dict[int, float] = {}  # each code's measured precision, latest model
        self._precision_version: int | None = None
        self.after_rank = -1  # where `next` is in the "most useful next" order
        self.training = False
        self.busy = ""
        self.unsaved: list[str] = []  # why each change that could not be written failed
        self.note = ""  # what the last change did, shown in the status line
        self.assigned: tuple[int, int] | None = None  # (coded, assigned) of my sample
        self.codebook = CodebookVerbs(self)
        self.themes = ThemeVerbs(self)
        self._data_version = 0
        self._counted_mark = -1  # the change log's last entry when last counted

    # -- opening and re-reading ------------------------------------------------------------

    def open(self) -> Refresh:
        """Read everything and go to where this coder left off."""
        self._data_version = self.store.db.data_version()
        self.load_codes()
        refresh = Refresh(codes_changed=True, count_needed=self.recount())
        self.show_listing(self.listing, self.remembered_place())
        return refresh

    def load_codes(self, *, force: bool = False) -> bool:
        """Read the codebook; True if it changed since last read.

        Number keys go to the first nine top-level codes, except where the coder pinned a
        code (a sub-code too) to a number.
        """
        codes = self.store.codes.all()
        if list(self.codes.values()) == codes and not force:
            return False
        self.codes = {c.id: c for c in codes}
        top = [c for c in codes if c.parent_id is None]
        keys = {n: c.id for n, c in enumerate(top[:MAX_CODE_KEYS], 1)}
        for number, code_id in self.codebook.pins().items():
            if 1 <= number <= MAX_CODE_KEYS and code_id in self.codes:
                keys = {n: c for n, c in keys.items() if c != code_id}
                keys[number] = code_id
        self.code_keys = {code_id: n for n, code_id in sorted(keys.items())}
        return True

    def recount(self, *, if_codings_changed: bool = False) -> bool:
        """Count codes and coded comments again; True if it must happen in the background."""
        total = self.store.comments.count()
        self.model_version = self.store.models.latest_id()
        self._read_precision()
        mark = self.store.codings.mark()
        self.assigned = self.store.assignments.progress(self.coder)  # a sample may be new
        if if_codings_changed and (mark, total) == (self._counted_mark, self.total):
            return False  # e.g. only a memo or someone's place changed: the counts still hold
        self.total, self._counted_mark = total, mark
        if self.total > SYNC_COUNT_LIMIT:
            return True
        self.counts = self.store.codes.counts()
        self.coded = self.store.comments.coded_count()
        self.counted = True
        return False

    def _read_precision(self) -> None:
        """Each code's cross-validated precision, from the latest model's card (once per
        model version): shown beside an unsure suggestion."""
        if self.model_version == self._precision_version:
            return
        latest = self.store.models.latest() if self.model_version is not None else None
        self.precision = (
            {m.code_id: m.precision for m in latest.card.per_code if m.measured}
            if latest is not None
            else {}
        )
        self._precision_version = self.model_version

    @staticmethod
    def count(path: Path) -> tuple[dict[int, int], int]:
        """Code counts and the coded total, over a connection of its own (for a worker)."""
        with open_project(path) as store:
            return store.codes.counts(), store.comments.coded_count()

    def counts_ready(self, counts: dict[int, int], coded: int, writes: int) -> bool:
        """A background count came in; False if coding went on meanwhile (count again)."""
        if writes != self.writes:
            return False
        self.counts, self.coded, self.counted = counts, coded, True
        return True

    def changed_elsewhere(self) -> bool:
        """Another program (another coder's screen, a worker) committed to the file."""
        version = self.store.db.data_version()
        if version == self._data_version:
            return False
        self._data_version = version
        return True

    def refresh(self) -> Refresh:
        """Re-read everything shown: the file changed under us."""
        codes_changed = self.load_codes()
        count_needed = self.recount(if_codings_changed=True)
        if isinstance(self.listing, WholeCorpus):
            self.listing.refresh()
            self.position = min(self.position, max(0, len(self.listing) - 1))
        self.load(self.current_id)
        return Refresh(codes_changed, count_needed)

    # -- the current comment -----------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self.shown.comment.id if self.shown else None

    def load(self, comment_id: int | None) -> None:
        """Read a comment and everything about it."""
        comment = None
        if comment_id is not None:
            with suppress(KeyError):  # removed since the list was made
                comment = self.store.comments.get(comment_id)
        if comment is None:
            self.shown = None
            return
        respondent = comment.respondent_id
        self.shown = self._with_coding(
            ShownComment(
                comment=comment,
                respondent=self.store.comments.respondent(respondent) if respondent else None,
                search_terms=tuple(search_terms(self.where.search or "")),
                codes=self.codes,
                coder=self.coder,
            )
        )

    def _with_coding(self, shown: ShownComment) -> ShownComment:
        """The comment's codings, suggestions and memos as stored now."""
        comment_id = shown.comment.id
        codings = tuple(self.store.codings.of_comment(comment_id))
        mine = {k.code_id for k in codings if k.coder == self.coder and not k.is_segment}
        # a suggestion of a code you have already applied asks nothing of you
        pending = [s for s in self.store.suggestions.pending(comment_id) if s.code_id not in mine]
        shown_now = [s for s in pending if self.show_unsure or not s.unsure]
        return replace(
            shown,
            codings=codings,
            suggestions=tuple(shown_now),
            memos=tuple(self.store.memos.on(comment_id=comment_id)),
            model_version=self.model_version,
            codes=self.codes,
            unsure_hidden=len(pending) - len(shown_now),
            precision=self.precision,
        )

    def status(self) -> SessionStatus:
        return SessionStatus(
            coder=self.coder,
            coded=self.coded if self.counted else None,
            total=self.total,
            model_version=self.model_version,
            filter=describe(self.where, self.codes, self.coder),
            shown=len(self.listing),
            busy=" · ".join(b for b in (self.busy, self.themes.progress) if b),
            note=self.note,
            assigned=self.assigned,
        )

    def assigned_progress(self) -> tuple[int, int] | None:
        """(comments coded, comments assigned) of the sample assigned to this coder, or None
        when nothing is assigned to them (see `coder sample`)."""
        return self.assigned

    # -- moving ------------------------------------------------------------------------------

    def rows(self) -> RowSource:
        """The list's rows, by position in the current listing."""
        return RowSource(self.store.comments, self.listing, self.coder)

    def move_to(self, position: int) -> bool:
        """Make the comment at this position current; False if it already was."""
        count = len(self.listing)
        position = max(0, min(position, count - 1)) if count else 0
        ids = self.listing.ids(position, 1)
        comment_id = ids[0] if ids else None
        if position == self.position and comment_id == self.current_id:
            return False
        self.position = position
        self.load(comment_id)
        return True

    def move_by(self, delta: int) -> bool:
        return self.move_to(self.position + delta)

    def next_uncoded(self) -> Outcome:
        """The next comment nobody has coded (the most useful one once a model ranked them)."""
        found = self.store.comments.next_uncoded(
            self.current_id, after_rank=self.after_rank, where=self.where
        )
        if found is None:
            return Outcome("Every comment here is coded.")
        if found.rank is not None:
            self.after_rank = found.rank
        position = self.listing.position_of(found.comment_id)
        if position is None:  # the list was made before this comment matched the filter
            return Outcome(refilter=found.comment_id)
        self.move_to(position)
        return Outcome(moved=True)

    def show_listing(self, listing: Listing, keep_comment_id: int | None) -> None:
        self.listing = listing
        position = listing.position_of(keep_comment_id) if keep_comment_id is not None else None
        self.position = -1  # so that the move below always reads the comment
        self.move_to(position or 0)
        if not len(listing):
            self.shown = None

    # -- filters and search ------------------------------------------------------------------

    def request_filter(self, where: CommentFilter) -> Outcome | None:
        """Ask for a filter: None if it must be computed (call `filtered` in a worker, then
        `filter_ready`); an Outcome if it was settled at once (cleared, or a bad search)."""
        if where.search is not None:
            try:
                fts_query(where.search)
            except CoderError as exc:
                return warn(str(exc))
        if where.is_empty:
            self.requested = None
            self.where = where
            self.show_listing(WholeCorpus(self.store.comments), self.current_id)
            return Outcome(moved=True)
        self.requested = where
        self.busy = "filtering…"
        return None

    @staticmethod
    def filtered(path: Path, where: CommentFilter) -> array[int]:
        """The ids a filter lets through, over a connection of its own (for a worker)."""
        with open_project(path) as store:
            return store.comments.filtered_ids(where)

    def filter_ready(self, where: CommentFilter, ids: array[int], keep: int | None) -> bool:
        """A computed filter came in; False if a newer one was asked for meanwhile."""
        if where != self.requested:
            return False
        self.requested = None
        self.where = where
        self.busy = ""
        self.after_rank = -1
        self.show_listing(FilteredListing(where, ids), keep)
        return True

    def filter_failed(self, where: CommentFilter, reason: str) -> Outcome | None:
        if where != self.requested:
            return None
        self.requested = None
        self.busy = ""
        return fail(reason)

    def with_search(self, text: str) -> CommentFilter:
        return replace(self.where, search=text or None)

    # -- coding ------------------------------------------------------------------------------

    def code_on_key(self, number: int) -> int | None:
        return next((c for c, n in self.code_keys.items() if n == number), None)

    def toggle(self, code_id: int) -> Outcome:
        """Code the whole comment, or uncode it; a suggested code is accepted."""
        shown = self.shown
        if shown is None:
            return Outcome()
        comment_id = shown.comment.id
        suggested = any(s.code_id == code_id for s in shown.suggestions)
        if suggested and not shown.mine(code_id):  # coding what the model suggested accepts it
            return self._change(
                lambda: self.store.suggestions.accept_or_apply(comment_id, code_id, self.coder),
                {code_id},
            )[0]
        return self._change(
            lambda: self.store.codings.toggle(comment_id, code_id, self.coder), {code_id}
        )[0]

    def toggle_segment(self, code_id: int, start: int, end: int) -> Outcome:
        """Code a span of the comment, or uncode it if this coder already had."""
        shown = self.shown
        if shown is None:
            return Outcome()
        if start >= end:
            return warn("Select some text first.")
        comment_id = shown.comment.id
        exists = any(
            k.code_id == code_id and k.coder == self.coder and (k.start, k.end) == (start, end)
            for k in shown.codings
        )
        codings = self.store.codings
        if exists:
            return self._change(
                lambda: codings.remove(comment_id, code_id, self.coder, start=start, end=end),
                {code_id},
            )[0]
        return self._change(
            lambda: codings.apply(comment_id, code_id, self.coder, start=start, end=end),
            {code_id},
        )[0]

    def decide(self, accept: bool) -> Outcome:
        """Accept or reject every suggestion on the comment."""
        shown = self.shown
        if shown is None:
            return Outcome()
        if not shown.suggestions:
            return warn("No suggestions on this comment.")
        codes = {s.code_id for s in shown.suggestions}
        verb = self.store.suggestions.accept if accept else self.store.suggestions.reject
        done, count = self._change(lambda: verb(shown.comment.id, self.coder, codes), codes)
        if done.severity == "error" or not count:
            return done
        word = "Accepted" if accept else "Rejected"
        plural = "s" if count != 1 else ""
        return replace(done, message=f"{word} {count} suggestion{plural}.", quiet=True)

    def write_memo(self, text: str) -> Outcome:
        shown = self.shown
        if shown is None:
            return Outcome()
        mine = next((m.text for m in shown.memos if m.coder == self.coder), "")
        if text == mine:
            return Outcome()
        comment_id = shown.comment.id
        return self._change(
            lambda: self.store.memos.write(text, self.coder, comment_id=comment_id), set()
        )[0]

    def my_memo(self) -> str:
        shown = self.shown
        return next((m.text for m in shown.memos if m.coder == self.coder), "") if shown else ""

    def _change(self, write: Callable[[], T], code_ids: set[int]) -> tuple[Outcome, T | None]:
        """Run one write; a busy file or a bad change is a message, and nothing shows as done."""
        self.writes += 1
        before = {k.code_id for k in self.shown.codings} if self.shown else set()
        mine_before = self._mine_any()
        try:
            result = write()
        except CoderError as exc:
            self.unsaved.append(str(exc))
            with suppress(CoderError):  # show what is stored, whatever the write did not do
                self.reread()
            return fail(f"Not saved: {exc}"), None
        self.reread()
        after = {k.code_id for k in self.shown.codings} if self.shown else set()
        self.coded += int(bool(after)) - int(bool(before))
        self._count_assigned(mine_before)
        # Counts are of comments: one moves only when this comment gained or lost the code
        # altogether, which the comment's own codings tell without counting the project.
        for code_id in code_ids:
            if (code_id in after) != (code_id in before):
                self.counts[code_id] = self.counts.get(code_id, 0) + (1 if code_id in after else -1)
        return Outcome(changed=True), result

    def _mine_any(self) -> bool:
        """This coder has coded the current comment (whole or a segment)."""
        return self.shown is not None and any(k.coder == self.coder for k in self.shown.codings)

    def _count_assigned(self, mine_before: bool) -> None:
        """Keep the sample's progress as the current comment gains or loses my coding."""
        mine_after = self._mine_any()
        if self.assigned is None or self.shown is None or mine_after == mine_before:
            return
        if self.store.assignments.has(self.coder, self.shown.comment.id):
            done, total = self.assigned
            self.assigned = (done + (1 if mine_after else -1), total)

    def reread(self) -> None:
        """Read the current comment's coding again (after a change made here)."""
        if self.shown is not None:
            self.shown = self._with_coding(self.shown)

    def toggle_unsure(self) -> Outcome:
        """Show or hide the suggestions in the unsure tier (codes the model is weak on)."""
        self.show_unsure = not self.show_unsure
        self.reread()
        word = "Showing" if self.show_unsure else "Hiding"
        return Outcome(f"{word} unsure suggestions.", timeout=2, redraw=True)

    # -- undo and redo -----------------------------------------------------------------------

    def undo(self) -> Outcome:
        return self._reverse(undo=True)

    def redo(self) -> Outcome:
        return self._reverse(undo=False)

    def _reverse(self, *, undo: bool) -> Outcome:
        self.writes += 1
        verb = self.store.codings.undo if undo else self.store.codings.redo
        try:
            steps = verb(self.coder)
        except CoderError as exc:
            self.unsaved.append(str(exc))
            return fail(f"Not saved: {exc}")
        if not steps:
            return warn(f"Nothing to {'undo' if undo else 'redo'}.", timeout=2)
        codes_changed = any(isinstance(s, RowChange) and s.table == "codes" for s in steps)
        if codes_changed:
            self.load_codes()
        count_needed = self.recount()
        if count_needed:
            self.counted = False
        codings = [s for s in steps if isinstance(s, Change)]
        target = codings[0].comment_id if codings else self.current_id
        position = self.listing.position_of(target) if target is not None else None
        if position is not None and target != self.current_id:
            self.move_to(position)
        else:
            self.reread()
        word = "Undone" if undo else "Redone"
        return Outcome(
            f"{word}: {self._describe(steps)}",
            timeout=3,
            changed=True,
            moved=True,
            count_needed=count_needed,
            codes_changed=codes_changed,
        )

    def _describe(self, steps: list[Change | RowChange]) -> str:
        codebook = [s for s in steps if isinstance(s, RowChange) and s.table == "codes"]
        codings = [s for s in steps if isinstance(s, Change)]
        parts = [describe_row(change) for change in codebook[:2]]
        gone = {c.row_id: (c.before or c.after or {}).get("name", "") for c in codebook}
        for change in codings[: max(0, 3 - len(parts))]:
            code = self.codes.get(change.code_id)
            name = code.path if code else gone.get(change.code_id) or f"code {change.code_id}"
            try:
                source_id = self.store.comments.get(change.comment_id).source_id
            except KeyError:
                source_id = f"comment {change.comment_id}"
            parts.append(f"{source_id} {_UNDO_WORDS[change.action]} {name}")
        rest = len(codebook) + len(codings) - len(parts)
        more = f" and {rest} more change{'s' if rest != 1 else ''}" if rest > 0 else ""
        return "; ".join(parts) + more

    # -- training ----------------------------------------------------------------------------

    def start_training(self) -> Outcome | None:
        """None if training may start (run `train` in a worker); else why not."""
        if self.training:
            return warn("Training is already running.")
        self.training = True
        self.busy = "training…"
        return None

    def training_progress(self, message: str, fraction: float) -> None:
        if self.training:
            self.busy = f"{message} {fraction:.0%}"

    def training_done(self) -> None:
        self.training = False
        self.busy = ""
        self.after_rank = -1

    # -- the place ---------------------------------------------------------------------------

    def _place_key(self) -> str:
        return f"tui.place:{self.coder}"

    def remembered_place(self) -> int | None:
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


def describe_row(change: RowChange) -> str:
    """A change to a code's row, in a few words."""
    before, after = change.before, change.after
    if before is None and after is not None:
        return f"code {after['name']!r} made"
    if after is None and before is not None:
        return f"code {before['name']!r} removed"
    if before is not None and after is not None:
        if before["name"] != after["name"]:
            return f"code {before['name']!r} named {after['name']!r}"
        if before["parent_id"] != after["parent_id"]:
            return f"code {after['name']!r} moved"
        return f"code {after['name']!r} changed"
    return "code changed"
