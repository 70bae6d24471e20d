"""What the keys of the coding screen do: every change is committed before it is shown."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from coder.domain import Change, CommentFilter
from coder.errors import CoderError
from coder.tui.screens.dialogs import FilterChoices, FilterDialog, MemoDialog, SearchDialog

QUIT_AGAIN_SECONDS = 5

if TYPE_CHECKING:
    from coder.tui.screens.coding import CodingScreen

    _Base = CodingScreen
else:
    _Base = object


class CodingActions(_Base):
    """Key actions of CodingScreen, kept apart so each module stays readable."""

    # -- moving ------------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self.comment_list.move_by(delta)

    def action_page(self, pages: int) -> None:
        self.comment_list.page_by(pages)

    def action_jump(self, where: str) -> None:
        self.comment_list.move_to(0 if where == "first" else self.comment_list.count - 1)

    def action_scroll_comment(self, lines: int) -> None:
        self.view.scroll_relative(y=lines * 3, animate=False)

    def action_code_cursor(self, delta: int) -> None:
        self.codebook.move_highlight(delta)

    def action_next_uncoded(self) -> None:
        found = self.store.comments.next_uncoded(
            self.current_id, after_rank=self.after_rank, where=self.where
        )
        if found is None:
            self.notify("Every comment here is coded.", title="Nothing left")
            return
        if found.rank is not None:
            self.after_rank = found.rank
        position = self.listing.position_of(found.comment_id)
        if position is None:  # the list was made before this comment matched the filter
            self.set_filter(self.where, found.comment_id)
            return
        self.comment_list.move_to(position)

    # -- coding ------------------------------------------------------------------------------

    def action_toggle_key(self, number: int) -> None:
        code_id = next((c for c, n in self.code_keys.items() if n == number), None)
        if code_id is None:
            self.notify(f"No code on key {number}.", severity="warning")
            return
        self._toggle(code_id)

    def action_toggle_highlighted(self) -> None:
        code_id = self.codebook.highlighted_code
        if code_id is None:
            self.notify("The codebook is empty.", severity="warning")
            return
        self._toggle(code_id)

    def _toggle(self, code_id: int) -> None:
        shown = self.shown
        if shown is None:
            return
        comment_id = shown.comment.id
        if self.view.selecting:
            self._code_segment(code_id)
            return
        mine = any(k.code_id == code_id and k.coder == self.coder and not k.is_segment
                   for k in shown.codings)  # fmt: skip
        suggested = any(s.code_id == code_id for s in shown.suggestions)
        if suggested and not mine:  # coding what the model suggested is accepting it
            self._write(lambda: self.store.suggestions.accept(comment_id, self.coder, [code_id]))
        else:
            self._write(lambda: self.store.codings.toggle(comment_id, code_id, self.coder))
        self._after_change({code_id})

    def _code_segment(self, code_id: int) -> None:
        assert self.shown is not None
        comment_id = self.shown.comment.id
        start, end = self.view.selection_span()
        if start >= end:
            self.notify("Select some text first.", severity="warning")
            return
        exists = any(k.code_id == code_id and k.coder == self.coder and (k.start, k.end) == (start, end)
                     for k in self.shown.codings)  # fmt: skip
        if exists:
            self._write(lambda: self.store.codings.remove(comment_id, code_id, self.coder,
                                                       start=start, end=end))  # fmt: skip
        else:
            self._write(lambda: self.store.codings.apply(comment_id, code_id, self.coder,
                                                      start=start, end=end))  # fmt: skip
        self.view.end_selection()
        self._after_change({code_id})

    def _write(self, change) -> object:
        """Run one write; a busy file or a bad change is a message, never a lost screen."""
        self.writes += 1
        try:
            return change()
        except CoderError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return None

    def _after_change(self, code_ids: set[int]) -> None:
        """Show the current comment as stored now, and the counts it changed."""
        was_coded = bool(self.shown and self.shown.codings)
        self.load_comment(self.current_id)
        is_coded = bool(self.shown and self.shown.codings)
        self.coded += int(is_coded) - int(was_coded)
        self.counts.update(self.store.codes.counts_of(code_ids))
        self._mark_tree()
        self.comment_list.reload()
        self.show_status()

    # -- suggestions -------------------------------------------------------------------------

    def action_accept(self) -> None:
        self._decide(accept=True)

    def action_reject(self) -> None:
        self._decide(accept=False)

    def _decide(self, *, accept: bool) -> None:
        shown = self.shown
        if shown is None:
            return
        if not shown.suggestions:
            self.notify("No suggestions on this comment.", severity="warning")
            return
        codes = {s.code_id for s in shown.suggestions}
        decide = self.store.suggestions.accept if accept else self.store.suggestions.reject
        count = self._write(lambda: decide(shown.comment.id, self.coder, codes))
        if count:
            verb = "Accepted" if accept else "Rejected"
            self.notify(f"{verb} {count} suggestion{'s' if count != 1 else ''}.", timeout=2)
        self._after_change(codes)

    # -- undo and redo -----------------------------------------------------------------------

    def action_undo(self) -> None:
        self._reverse(undo=True)

    def action_redo(self) -> None:
        self._reverse(undo=False)

    def _reverse(self, *, undo: bool) -> None:
        changes: list[Change] | None = self._write(
            lambda: (self.store.codings.undo if undo else self.store.codings.redo)(self.coder)
        )  # type: ignore[assignment]
        if not changes:
            self.notify(f"Nothing to {'undo' if undo else 'redo'}.", severity="warning", timeout=2)
            return
        self._recount()
        self.comment_list.reload()
        target = changes[0].comment_id
        position = self.listing.position_of(target)
        if position is not None and target != self.current_id:
            self.comment_list.move_to(position)
        else:
            self.load_comment(self.current_id)
        self.notify(
            f"{'Undone' if undo else 'Redone'}: {self._describe(changes)}", markup=False, timeout=3
        )

    def _describe(self, changes: list[Change]) -> str:
        words = {"add": "coded", "remove": "uncoded", "reject": "rejected", "unreject": "restored"}
        parts = []
        for change in changes[:3]:
            code = self.codes.get(change.code_id)
            comment = self.store.comments.get(change.comment_id)
            name = code.path if code else f"code {change.code_id}"
            parts.append(f"{comment.source_id} {words[change.action]} {name}")
        more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
        return "; ".join(parts) + more

    # -- dialogs ----------------------------------------------------------------------------

    def action_search(self) -> None:
        def searched(text: str | None) -> None:
            if text is not None:
                self.set_filter(replace(self.where, search=text or None))

        self.app.push_screen(SearchDialog(self.where.search or ""), searched)

    def action_filter(self) -> None:
        choices = FilterChoices(
            me=self.coder,
            codes=list(self.codes.values()),
            coders=self.store.codings.coders(),
            attributes=self.store.comments.attribute_values,
            questions=[q.name for q in self.store.comments.questions()],
        )

        def chosen(where: CommentFilter | None) -> None:
            if where is not None:
                self.set_filter(replace(where, search=self.where.search))

        self.app.push_screen(FilterDialog(choices), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":  # otherwise escape is free for whatever else wants it
            return not self.where.is_empty or self.requested is not None
        return True

    def action_clear_filter(self) -> None:
        self.set_filter(CommentFilter())

    def action_memo(self) -> None:
        shown = self.shown
        if shown is None:
            return
        mine = next((m.text for m in shown.memos if m.coder == self.coder), "")

        def written(text: str | None) -> None:
            if text is not None and text != mine:
                self._write(lambda: self.store.memos.write(text, self.coder,
                                                          comment_id=shown.comment.id))  # fmt: skip
                self.load_comment(shown.comment.id)
                self.comment_list.reload()

        self.app.push_screen(MemoDialog(shown.comment.source_id, mine), written)

    def action_select(self) -> None:
        if not self.view.begin_selection():
            self.notify("There is no text to select.", severity="warning")

    def action_train(self) -> None:
        if self.training:
            self.notify("Training is already running.", severity="warning")
            return
        self.training = True
        self.busy = "training…"
        self.show_status()
        self._train()

    def action_quit(self) -> None:
        """Quit; while the model trains, only when asked twice (the training is then lost)."""
        if self.training and not self.quit_asked:
            self.quit_asked = True
            self.set_timer(QUIT_AGAIN_SECONDS, lambda: setattr(self, "quit_asked", False))
            self.notify(
                "The model is still training. Press q again to stop it and quit; "
                "your coding is saved either way.",
                severity="warning",
                timeout=QUIT_AGAIN_SECONDS,
            )
            return
        self.app.exit()

    def action_chart(self) -> None:
        try:
            from coder.tui.screens.chart import ChartScreen
        except ImportError:
            self.notify("charts not available", severity="warning")
            return
        self.app.push_screen(ChartScreen(self.store))
