"""The coding screen: keys mapped to the coding session's verbs, and its state painted once."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from coder.discover.options import DiscoverOptions
from coder.domain import Code, CommentFilter
from coder.errors import CoderError
from coder.session import CodingSession, Outcome, Refresh
from coder.session.codebook import removed_words
from coder.store import Store, open_project
from coder.tui import keys
from coder.tui.child import follow
from coder.tui.messages import (
    CountsReady,
    DiscoveryFailed,
    DiscoveryFinished,
    DiscoveryProgress,
    ListingFailed,
    ListingReady,
    TrainingFailed,
    TrainingFinished,
    TrainingProgress,
)
from coder.tui.screens.codes import (
    CodeMenu,
    CodePalette,
    Confirm,
    KeyPrompt,
    NewCode,
    NewCodeDialog,
    TextPrompt,
)
from coder.tui.screens.dialogs import FilterChoices, FilterDialog, MemoDialog, SearchDialog
from coder.tui.widgets.codebook import CodebookTree, CodeDetail
from coder.tui.widgets.comment_list import Chip, CommentList
from coder.tui.widgets.comment_view import CommentView
from coder.tui.widgets.key_hints import KeyHints
from coder.tui.widgets.status_line import StatusLine

POLL_SECONDS = 1.0  # how often to look for another coder's changes to the file
PLACE_SECONDS = 1.0  # how long the cursor rests before the place is remembered
QUIT_AGAIN_SECONDS = 5


def settle_memory() -> None:
    """Once the screen is up, move everything made so far out of the garbage collector's
    sight: its full collections then scan only what coding makes, which keeps a key press
    from waiting on one (up to 100 ms at a million comments before, about 15 after)."""
    gc.freeze()


class CodingScreen(Screen[None]):
    """Shows a CodingSession; every key calls one of its verbs, then the screen repaints."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.CODING)

    def __init__(self, store: Store, coder: str, where: CommentFilter | None = None):
        super().__init__()
        self.store = store
        self.first_filter = where
        self.session = CodingSession(store, coder)
        self.quit_asked = False  # q pressed once while training
        self._place_timer: Timer | None = None
        self._painted: int | None = None  # the comment last shown
        self._trainer: subprocess.Popen[str] | None = None
        self._discoverer: subprocess.Popen[str] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield CommentList(id="comments")
                yield CommentView(id="comment")
            with Vertical(id="right"):
                yield CodebookTree(id="codebook")
                yield CodeDetail(id="code-detail")
        yield StatusLine(id="status")
        yield KeyHints(id="keys")

    @property
    def comment_list(self) -> CommentList:
        return self.query_one(CommentList)

    @property
    def view(self) -> CommentView:
        return self.query_one(CommentView)

    @property
    def codebook(self) -> CodebookTree:
        return self.query_one(CodebookTree)

    def on_mount(self) -> None:
        self.view.border_title = "Comment"
        self.codebook.border_title = "Codebook"
        self.query_one(CodeDetail).border_title = "Definition"
        self._refreshed(self.session.open())
        self._show_list()
        self.comment_list.focus()
        self.set_interval(POLL_SECONDS, self._poll_changes)
        if self.first_filter is not None and not self.first_filter.is_empty:
            self._filter(self.first_filter)
        self.call_after_refresh(settle_memory)

    def on_unmount(self) -> None:
        gc.unfreeze()  # collectable again once the screen is gone (tests open many)
        self._stop_trainer()
        self._stop_discoverer()
        with suppress(Exception):  # closing down: the place is a convenience, never an error
            self.session.save_place()

    # -- painting the session ----------------------------------------------------------------

    def _refreshed(self, refresh: Refresh) -> None:
        if refresh.codes_changed:
            codes = list(self.session.codes.values())
            self.codebook.set_codes(codes, self.session.code_keys)
            self.comment_list.set_chips(_chips(codes, self.session.code_keys))
            self.query_one(CodeDetail).empty = (
                f"No codes yet. Press {self._key('coding.new_code')} to make one from the "
                "comment you are on."
                if not codes
                else "No code highlighted."
            )
        if refresh.count_needed:
            self.session.counted = False
            self._count(self.session.writes)

    def _show_list(self) -> None:
        """A new listing: the list shows it, with its cursor on the session's comment."""
        session = self.session
        self.comment_list.empty_message = (
            f"No comments match. Press {self._key('coding.clear_filter')} to show every comment."
            if not session.listing.where.is_empty
            else "This project has no comments yet (add some with: coder import)."
        )
        self.comment_list.show(session.rows(), session.position)
        self.repaint()

    def repaint(self, *, rows: bool = False, row: bool = False) -> None:
        """Show the session's state: the comment, the list's cursor, the tree, the status.

        `rows`: the list's rows may all have changed; `row`: only the current one's.
        """
        session = self.session
        if rows:
            self.comment_list.reload()
        elif row:
            self.comment_list.reload_row(session.position)
        self.comment_list.move_to(session.position)
        if session.current_id != self._painted:
            self._painted = session.current_id
            session.note = ""  # it was about the comment left behind
            self._rest_here()
        self.view.show(session.shown)
        self._mark_tree()
        self.show_status()

    def _mark_tree(self) -> None:
        shown, me = self.session.shown, self.session.coder
        mine = {k.code_id for k in shown.codings if k.coder == me} if shown else set()
        others = {k.code_id for k in shown.codings if k.coder != me} if shown else set()
        suggested = {s.code_id: s.probability for s in shown.suggestions} if shown else {}
        counts = self.session.counts if self.session.counted else None
        self.codebook.set_state(counts, mine, others, suggested)
        self._show_code_detail()

    def _show_code_detail(self) -> None:
        session = self.session
        code_id = self.codebook.highlighted_code
        code = session.codes.get(code_id) if code_id is not None else None
        self.query_one(CodeDetail).show(
            code,
            session.counts.get(code_id or -1, 0) if session.counted else None,
            session.code_keys.get(code_id or -1),
        )

    def _key(self, binding_id: str) -> str:
        """The key a hint names for a binding, as the coder has mapped it."""
        return keys.key_name(binding_id, keys.keymap_of(self.app))

    def show_status(self) -> None:
        self.query_one(StatusLine).show(self.session.status())

    def _do(self, verb: Callable[..., Outcome | None], *args: Any, **kwargs: Any) -> None:
        """Run a verb and show what it did; a damaged project file never closes the screen."""
        try:
            outcome = verb(*args, **kwargs)
        except CoderError as exc:
            outcome = Outcome(str(exc), "error")
        except Exception as exc:  # noqa: BLE001 - shown, and the coder carries on
            outcome = Outcome(f"Something went wrong: {type(exc).__name__}: {exc}", "error")
        self._tell(outcome)

    def _tell(self, outcome: Outcome | None) -> None:
        """Say what a verb did and show what it changed."""
        if outcome is None:
            return
        if outcome.refilter is not None:
            self._filter(self.session.where, outcome.refilter)
            return
        if outcome.count_needed or outcome.codes_changed:
            self._refreshed(
                Refresh(codes_changed=outcome.codes_changed, count_needed=outcome.count_needed)
            )
        if outcome.changed or outcome.moved:
            # A change to this comment alone (a code key, accept, a memo) redraws its row.
            only_here = outcome.changed and not (outcome.moved or outcome.codes_changed)
            self.repaint(rows=outcome.changed and not only_here, row=only_here)
        elif outcome.redraw:
            self.repaint()
        self.session.note = outcome.message if outcome.quiet else ""
        if outcome.quiet:
            self.show_status()
        elif outcome.message:
            self.notify(
                outcome.message,
                severity=outcome.severity,  # type: ignore[arg-type]
                timeout=outcome.timeout,
                markup=False,
            )

    def _poll_changes(self) -> None:
        if self.session.changed_elsewhere():
            self._refreshed(self.session.refresh())
            self.repaint(rows=True)

    # -- the list and the place --------------------------------------------------------------

    @on(CommentList.Highlighted)
    def _highlighted(self, event: CommentList.Highlighted) -> None:
        if self.session.move_to(event.position):  # a click on a row
            self.repaint()

    def _rest_here(self) -> None:
        """Remember the place once the cursor has rested on a comment for a moment."""
        if self._place_timer is not None:
            self._place_timer.stop()
        self._place_timer = self.set_timer(PLACE_SECONDS, self.session.save_place)

    @on(CodebookTree.NodeHighlighted)
    def _code_highlighted(self) -> None:
        self._show_code_detail()

    @on(CommentView.SelectionEnded)
    def _selection_ended(self) -> None:
        self.comment_list.focus()

    # -- moving ------------------------------------------------------------------------------

    def _move(self, moved: bool) -> None:
        if moved:
            self.repaint()

    def action_move(self, delta: int) -> None:
        self._move(self.session.move_by(delta))

    def action_page(self, pages: int) -> None:
        self._move(self.session.move_by(pages * self.comment_list.page_size))

    def action_jump(self, where: str) -> None:
        self._move(self.session.move_to(0 if where == "first" else len(self.session.listing) - 1))

    def action_scroll_comment(self, lines: int) -> None:
        self.view.scroll_relative(y=lines * 3, animate=False)

    def action_code_cursor(self, delta: int) -> None:
        self.codebook.move_highlight(delta)

    def action_next_uncoded(self) -> None:
        self._do(self.session.next_uncoded)

    # -- coding ------------------------------------------------------------------------------

    def action_toggle_key(self, number: int) -> None:
        code_id = self.session.code_on_key(number)
        if code_id is None:
            self.notify(
                f"No code on key {number}. Press {self._key('coding.new_code')} to make a code "
                f"from this comment, {self._key('coding.palette')} to find one by name, or "
                f"{self._key('coding.code_menu')} on a code to put it on a key.",
                severity="warning",
            )
            return
        self._toggle(code_id)

    def action_toggle_highlighted(self) -> None:
        code_id = self.codebook.highlighted_code
        if code_id is None:
            self.notify(
                f"The codebook is empty: press {self._key('coding.new_code')} to make a code.",
                severity="warning",
            )
            return
        self._toggle(code_id)

    # -- the codebook, while coding ------------------------------------------------------------

    def action_new_code(self) -> None:
        session = self.session
        shown = session.shown
        highlighted = self.codebook.highlighted_code
        parent = session.codes.get(highlighted) if highlighted is not None else None

        def made(new: NewCode | None) -> None:
            if new is not None:
                self._do(
                    session.codebook.create,
                    new.name,
                    parent_id=new.under,
                    description=new.description,
                    apply=shown is not None,
                )

        self.app.push_screen(
            NewCodeDialog(shown.comment.source_id if shown else None, parent), made
        )

    def action_palette(self) -> None:
        session = self.session
        shown = session.shown
        suggested = {s.code_id: s.probability for s in shown.suggestions} if shown else {}

        def chosen(code_id: int | str | None) -> None:
            if isinstance(code_id, int):
                self._toggle(code_id)

        title = "Code this comment with …" if shown else "Find a code …"
        palette = CodePalette(
            list(session.codes.values()), title, used=session.counts, suggested=suggested
        )
        self.app.push_screen(palette, chosen)

    def action_code_menu(self) -> None:
        code_id = self.codebook.highlighted_code
        code = self.session.codes.get(code_id) if code_id is not None else None
        if code is None:
            self.notify(
                "Highlight a code in the codebook first ([ and ] move).", severity="warning"
            )
            return
        self.app.push_screen(CodeMenu(code), lambda action: self._code_action(code, action))

    def _code_action(self, code: Code, action: str | None) -> None:
        verbs = self.session.codebook
        codes = list(self.session.codes.values())
        below = {code.id, *_subtree(self.session.codes, code.id)}

        def text(verb: Callable[[int, str], Outcome]) -> Callable[[str | None], None]:
            return lambda value: None if value is None else self._do(verb, code.id, value)

        if action == "rename":
            self.app.push_screen(
                TextPrompt(f"New name for {code.path}", code.name), text(verbs.rename)
            )
        elif action == "define":
            prompt = TextPrompt(f"What {code.path} means", code.description)
            self.app.push_screen(prompt, text(verbs.define))
        elif action == "color":
            prompt = TextPrompt(f"Colour of {code.path}", code.color or "", color=True)
            self.app.push_screen(
                prompt,
                lambda value: (
                    None if value is None else self._do(verbs.recolour, code.id, value or None)
                ),
            )
        elif action == "move":
            palette = CodePalette(
                codes,
                f"Move {code.path} under …",
                extra=[("top", "(the top level)")],
                exclude=below,
            )
            self.app.push_screen(
                palette,
                lambda to: (
                    None
                    if to is None
                    else self._do(verbs.move, code.id, None if to == "top" else int(to))
                ),
            )
        elif action == "merge":
            palette = CodePalette(codes, f"Merge {code.path} into …", exclude=below)
            self.app.push_screen(
                palette,
                lambda into: (
                    self._do(verbs.merge, code.id, into) if isinstance(into, int) else None
                ),
            )
        elif action == "pin":
            current = self.session.code_keys.get(code.id)

            def pinned(number: int | None) -> None:
                if number == 0 and current is not None:
                    self._do(verbs.pin, current, None)
                elif number:
                    self._do(verbs.pin, number, code.id)

            self.app.push_screen(KeyPrompt(code), pinned)
        elif action == "delete":
            impact = verbs.impact(code.id)
            question = f"Delete {code.path} with {removed_words(impact)}?"
            self.app.push_screen(
                Confirm(question), lambda yes: self._do(verbs.delete, code.id) if yes else None
            )

    def _toggle(self, code_id: int) -> None:
        if self.view.selecting:
            start, end = self.view.selection_span()
            self._do(self._segment, code_id, start, end)
            return
        self._do(self.session.toggle, code_id)

    def _segment(self, code_id: int, start: int, end: int) -> Outcome:
        outcome = self.session.toggle_segment(code_id, start, end)
        if outcome.changed:
            self.view.end_selection()
        return outcome

    def action_accept(self) -> None:
        self._do(self.session.decide, True)

    def action_reject(self) -> None:
        self._do(self.session.decide, False)

    def action_toggle_unsure(self) -> None:
        self._do(self.session.toggle_unsure)

    def action_undo(self) -> None:
        self._do(self.session.undo)

    def action_redo(self) -> None:
        self._do(self.session.redo)

    def action_memo(self) -> None:
        shown = self.session.shown
        if shown is None:
            return

        def written(text: str | None) -> None:
            if text is not None and self.session.current_id == shown.comment.id:
                self._do(self.session.write_memo, text)

        self.app.push_screen(MemoDialog(shown.comment.source_id, self.session.my_memo()), written)

    def action_select(self) -> None:
        if not self.view.begin_selection():
            self.notify("There is no text to select.", severity="warning")

    # -- filters and search, computed in a worker ---------------------------------------------

    def action_search(self) -> None:
        def searched(text: str | None) -> None:
            if text is not None:
                self._filter(self.session.with_search(text))

        self.app.push_screen(SearchDialog(self.session.where.search or ""), searched)

    def action_filter(self) -> None:
        session = self.session
        choices = FilterChoices(
            me=session.coder,
            codes=list(session.codes.values()),
            coders=self.store.codings.coders(),
            attributes=self.store.comments.attribute_values,
            questions=[q.name for q in self.store.comments.questions()],
            assigned=session.assigned is not None,
            themes=session.themes.filters(),
        )

        def chosen(where: CommentFilter | None) -> None:
            if where is not None:
                self._filter(replace(where, search=session.where.search))

        self.app.push_screen(FilterDialog(choices), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # otherwise escape is free for whatever else wants it
            return not self.session.where.is_empty or self.session.requested is not None
        return True

    def action_clear_filter(self) -> None:
        self._filter(CommentFilter())

    def _filter(self, where: CommentFilter, keep: int | None = None) -> None:
        keep = keep if keep is not None else self.session.current_id
        outcome = self.session.request_filter(where)
        if outcome is None:
            self.show_status()
            self._compute_listing(where, keep)
            return
        if outcome.moved:
            self._show_list()
        self._tell(replace(outcome, moved=False))

    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def _compute_listing(self, where: CommentFilter, keep: int | None) -> None:
        try:
            ids = CodingSession.filtered(self.store.path, where)
        except CoderError as exc:
            self.post_message(ListingFailed(where, str(exc)))
        except Exception as exc:  # noqa: BLE001 - shown to the user, the screen carries on
            self.post_message(ListingFailed(where, f"{type(exc).__name__}: {exc}"))
        else:
            self.post_message(ListingReady(where, ids, keep))

    @on(ListingReady)
    def _listing_ready(self, message: ListingReady) -> None:
        if self.session.filter_ready(message.where, message.ids, message.keep_comment_id):
            self._show_list()

    @on(ListingFailed)
    def _listing_failed(self, message: ListingFailed) -> None:
        outcome = self.session.filter_failed(message.where, message.reason)
        self.show_status()
        self._tell(outcome)

    # -- training, in a worker ----------------------------------------------------------------

    def action_train(self) -> None:
        refused = self.session.start_training()
        self.show_status()
        if refused is None:
            self._train()
        self._tell(refused)

    # Tests of the screen's own behaviour swap in a fake training run in a thread here;
    # the workbench trains in a process of its own (coder.suggest.background).
    train_in_process = False
    training_budget: float | None = None  # seconds for the search; None: training's default

    @work(thread=True, exclusive=True, group="train", exit_on_error=False)
    def _train(self) -> None:
        if self.train_in_process:
            self._train_here()
            return
        command = [sys.executable, "-m", "coder.suggest.background", str(self.store.path)]
        if self.training_budget is not None:
            command += ["--budget", str(self.training_budget)]
        ended = follow(
            command,
            get_current_worker(),
            started=lambda child: setattr(self, "_trainer", child),
            stop=self._stop_trainer,
            progress=lambda message, fraction: self.post_message(
                TrainingProgress(message, fraction)
            ),
            what="the training",
        )
        if ended.done is not None:
            self.post_message(
                TrainingFinished(int(ended.done["version"]), str(ended.done["summary"]))
            )
        elif ended.failed is not None:
            self.post_message(TrainingFailed(ended.failed))
        # neither: the app is closing; whatever training had not committed is gone with it

    def _stop_trainer(self) -> None:
        child, self._trainer = self._trainer, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()

    def _train_here(self) -> None:
        worker = get_current_worker()

        def progress(message: str, fraction: float) -> None:
            if worker.is_cancelled:  # the app is closing: stop at the next step
                raise _Stopped
            self.post_message(TrainingProgress(message, fraction))

        from coder.suggest import suggest, train
        from coder.suggest.background import summary

        try:
            with open_project(self.store.path) as store:
                # A retrain while coding reuses the last full search's settings (until the
                # coding has grown a quarter) and the comments already analysed.
                trained = train(store, progress=progress, quick=True)
                suggested = suggest(store, progress=progress)
        except _Stopped:
            return  # whatever training had not committed is rolled back with it
        except CoderError as exc:
            self.post_message(TrainingFailed(str(exc)))
        except Exception as exc:  # noqa: BLE001 - a failed training must not close the screen
            self.post_message(TrainingFailed(f"training failed: {type(exc).__name__}: {exc}"))
        else:
            version = trained.version
            self.post_message(TrainingFinished(version, summary(version, trained, suggested)))

    @on(TrainingProgress)
    def _training_progress(self, message: TrainingProgress) -> None:
        self.session.training_progress(message.message, message.fraction)
        self.show_status()

    @on(TrainingFinished)
    def _training_finished(self, message: TrainingFinished) -> None:
        self.session.training_done()
        self.session.changed_elsewhere()  # the worker's writes are read below
        self._refreshed(self.session.refresh())
        self.repaint(rows=True)
        self.notify(message.summary, markup=False)

    @on(TrainingFailed)
    def _training_failed(self, message: TrainingFailed) -> None:
        self.session.training_done()
        self.show_status()
        self.notify(message.reason, severity="error", markup=False, timeout=8)

    # -- counting a big project ---------------------------------------------------------------

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def _count(self, writes: int) -> None:
        try:
            counts, coded = CodingSession.count(self.store.path)
        except Exception:  # noqa: BLE001 - e.g. the file is busy: the next change counts again
            return
        self.post_message(CountsReady(counts, coded, writes))

    @on(CountsReady)
    def _counts_ready(self, message: CountsReady) -> None:
        if not self.session.counts_ready(message.counts, message.coded, message.writes):
            self._count(self.session.writes)  # coding went on while counting: count again
            return
        self._mark_tree()
        self.show_status()

    # -- the rest ---------------------------------------------------------------------------

    def action_quit(self) -> None:
        """Quit; while the model trains, only when asked twice (the training is then lost)."""
        if self.session.training and not self.quit_asked:
            self.quit_asked = True
            self.set_timer(QUIT_AGAIN_SECONDS, lambda: setattr(self, "quit_asked", False))
            self.notify(
                f"The model is still training. Press {self._key('app.quit')} again to stop it "
                "and quit; your coding is saved either way.",
                severity="warning",
                timeout=QUIT_AGAIN_SECONDS,
            )
            return
        self._stop_trainer()
        self._stop_discoverer()
        self.app.exit()

    def action_themes(self, highlight: int | None = None) -> None:
        """The latest discovery run's candidate themes; from there, `d` discovers anew."""
        from coder.tui.screens.themes import (
            DiscoverChoices,
            ThemeAction,
            ThemeCodeDialog,
            ThemesScreen,
        )

        session = self.session
        try:
            run = session.themes.latest()
            uncoded, total = session.themes.scope_sizes()
            choices = DiscoverChoices(
                uncoded,
                total,
                tuple(q.name for q in self.store.comments.questions()),
                session.themes.last_options(),
                session.themes.progress if session.themes.discovering else "",
            )
        except CoderError as exc:
            self.notify(str(exc), severity="error")
            return

        def chosen(action: ThemeAction | DiscoverOptions | None) -> None:
            if action is None:
                return
            if isinstance(action, DiscoverOptions):
                self._start_discovery(action)
                return
            theme = action.theme
            if action.kind == "members":
                self._filter(session.themes.members(theme))
            elif action.kind == "code":

                def named(new: Any) -> None:
                    if new is None:
                        return
                    self._do(
                        session.themes.make_code,
                        theme.number,
                        new.name,
                        new.description,
                        examples=new.examples,
                    )
                    self._filter(session.themes.members(theme))

                self.app.push_screen(ThemeCodeDialog(theme), named)
            elif action.kind == "code_all":

                def confirmed(yes: bool | None) -> None:
                    if yes:
                        self._do(session.themes.code_all, theme.number)

                self.app.push_screen(
                    Confirm(
                        f"Code all {theme.size:,} comments of theme {theme.number} with "
                        f"{theme.code}?"
                    ),
                    confirmed,
                )

        self.app.push_screen(ThemesScreen(run, choices, highlight), chosen)

    # -- discovering themes, in a process of its own ---------------------------------------

    def _start_discovery(self, options: DiscoverOptions) -> None:
        refused = self.session.themes.start_discovery()
        self.show_status()
        if refused is None:
            self._discover(options)
        self._tell(refused)

    @work(thread=True, exclusive=True, group="discover", exit_on_error=False)
    def _discover(self, options: DiscoverOptions) -> None:
        from coder.discover.background import command

        ended = follow(
            command(str(self.store.path), self.session.coder, options),
            get_current_worker(),
            started=lambda child: setattr(self, "_discoverer", child),
            stop=self._stop_discoverer,
            progress=lambda message, fraction: self.post_message(
                DiscoveryProgress(message, fraction)
            ),
            what="discovering themes",
        )
        if ended.done is not None:
            self.post_message(DiscoveryFinished(str(ended.done.get("summary", ""))))
        elif ended.failed is not None:
            self.post_message(DiscoveryFailed(ended.failed))
        # neither: the app is closing; the run had not been stored, or is whole

    def _stop_discoverer(self) -> None:
        child, self._discoverer = self._discoverer, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()

    @on(DiscoveryProgress)
    def _discovery_progress(self, message: DiscoveryProgress) -> None:
        self.session.themes.discovery_progress(message.message, message.fraction)
        self.show_status()

    @on(DiscoveryFinished)
    def _discovery_finished(self, message: DiscoveryFinished) -> None:
        self.session.themes.discovery_done()
        self.session.changed_elsewhere()  # the run was stored by the other process
        self.show_status()
        # Said, not opened: the coder is coding meanwhile, and a screen opening under their
        # fingers would take the next key.
        note = f"{message.summary} {self._key('coding.themes')} shows them."
        where = self.session.where
        if where.theme_id is not None:  # the theme listed belonged to the run replaced
            note += f" The list no longer keeps to the earlier run's {where.theme_label}."
            self._filter(replace(where, theme_id=None, theme_label=""))
        self.notify(note, markup=False, timeout=8)

    @on(DiscoveryFailed)
    def _discovery_failed(self, message: DiscoveryFailed) -> None:
        self.session.themes.discovery_done()
        self.show_status()
        self.notify(message.reason, severity="error", markup=False, timeout=8)

    def action_chart(self) -> None:
        try:
            from coder.tui.screens.chart import ChartScreen
        except ImportError:
            self.notify("charts not available", severity="warning")
            return
        self.app.push_screen(ChartScreen(self.store))


class _Stopped(Exception):
    """Raised inside training when the worker is cancelled."""


def _subtree(codes: dict[int, Code], code_id: int) -> set[int]:
    """Every code beneath this one."""
    below: set[int] = set()
    frontier = {code_id}
    while frontier:
        frontier = {c.id for c in codes.values() if c.parent_id in frontier} - below
        below |= frontier
    return below


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
