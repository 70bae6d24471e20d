"""Typed dialogs of the coding screen: write a memo, search the text, choose a filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from coder.domain import Code, CommentFilter
from coder.session.groups import Group, groups
from coder.tui.text import literal


class MemoDialog(ModalScreen[str | None]):
    """Write or change your memo on a comment; an empty memo is deleted."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, about: str, text: str = ""):
        super().__init__()
        self.about = about
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="memo-dialog"):
            yield Label(Text.assemble("Memo on ", literal(self.about, one_line=True)))
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            yield Static("ctrl+s saves · esc cancels · an empty memo is deleted", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SearchDialog(ModalScreen[str | None]):
    """Full-text search; an empty search shows every comment again."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, text: str = ""):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search-dialog"):
            yield Label("Search the comments")
            yield Input(self.text, placeholder='words  "a phrase"  prefix*  this OR that')
            yield Static("enter searches · an empty search clears it · esc cancels", classes="hint")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class FilterChoices:
    """What the filter dialog offers, read from the project by the screen."""

    me: str
    codes: list[Code] = field(default_factory=list)
    coders: list[str] = field(default_factory=list)
    # (name, value, respondents); read only if asked for, as it is slow on a big project
    attributes: Callable[[], list[tuple[str, str, int]]] = list
    questions: list[str] = field(default_factory=list)
    assigned: bool = False  # a sample is assigned to me
    # the latest discovery run's themes: (what the list shows, the filter of its members)
    themes: list[tuple[str, CommentFilter]] = field(default_factory=list)


KINDS = [
    ("all", "All comments"),
    ("uncoded", "Uncoded (nobody has coded them)"),
    ("not_mine", "Not yet coded by me"),
    ("code", "Has code …"),
    ("suggested", "Has a pending suggestion of …"),
    ("attribute", "Respondent attribute = value …"),
    ("coder", "Coded by …"),
    ("disagreement", "Coders disagree"),
    ("unsettled", "Coders disagree, not yet settled by consensus"),
    ("assigned", "Assigned to me (coder sample)"),
    ("question", "Answers to question …"),
    ("theme", "In discovered theme …"),
]


THEME_CHARS = 62  # a theme's line in the filter dialog: one line at 80 columns


def _one_line(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label_of(kind: str) -> str:
    return next(label for k, label in KINDS if k == kind)


class FilterDialog(ModalScreen[CommentFilter | None]):
    """Choose which comments the list shows (the search, if any, still applies)."""

    BINDINGS = [Binding("escape", "back", "Back", priority=True)]

    def __init__(self, choices: FilterChoices):
        super().__init__()
        self.choices = choices
        self.kind = ""
        self.attributes: list[Group] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="filter-dialog"):
            yield Label("Show comments that are …", id="filter-title")
            yield OptionList(
                *(Option(Text(label), id=kind) for kind, label in KINDS), id="filter-kinds"
            )
            yield OptionList(id="filter-values")
            yield Static("enter chooses · esc goes back", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#filter-values").display = False
        self.query_one("#filter-kinds").focus()

    @on(OptionList.OptionSelected, "#filter-kinds")
    def kind_chosen(self, event: OptionList.OptionSelected) -> None:
        self.kind = event.option.id or ""
        simple = {
            "all": CommentFilter(),
            "uncoded": CommentFilter(uncoded=True),
            "not_mine": CommentFilter(not_coded_by=self.choices.me),
            "disagreement": CommentFilter(disagreement=True),
            "unsettled": CommentFilter(disagreement=True, unsettled=True),
            "assigned": CommentFilter(assigned_to=self.choices.me),
        }
        if self.kind == "theme" and not self.choices.themes:
            self.notify(
                "No themes yet: T opens the themes, where d discovers them.", severity="warning"
            )
            return
        if self.kind == "assigned" and not self.choices.assigned:
            self.notify(
                "Nothing is assigned to you: a lead assigns a sample with coder sample.",
                severity="warning",
            )
            return
        if self.kind in simple:
            self.dismiss(simple[self.kind])
            return
        values = self._values(self.kind)
        if not values:
            self.notify("Nothing to choose from yet.", severity="warning")
            return
        box = self.query_one("#filter-values", OptionList)
        box.clear_options()
        box.add_options(values)
        box.highlighted = 0
        box.display = True
        box.focus()
        # The values take the kinds' place: at 24 lines there is no room for both.
        self.query_one("#filter-kinds").display = False
        self.query_one("#filter-title", Label).update(Text(label_of(self.kind), style="bold"))

    def _values(self, kind: str) -> list[Option]:
        c = self.choices
        if kind in {"code", "suggested"}:
            options = [
                Option(literal(code.path, one_line=True), id=f"{code.id}") for code in c.codes
            ]
            if kind == "suggested":
                options.insert(0, Option(Text("any code", style="italic"), id="any"))
            return options
        if kind == "attribute":
            if self.attributes is None:
                self.attributes = groups(c.attributes())
            return [
                Option(literal(f"{g.label}  ({g.respondents})", one_line=True), id=str(i))
                for i, g in enumerate(self.attributes)
            ]
        if kind == "coder":
            return [
                Option(literal(name, one_line=True), id=str(i)) for i, name in enumerate(c.coders)
            ]
        if kind == "theme":
            return [
                Option(literal(_one_line(label, THEME_CHARS), one_line=True), id=str(i))
                for i, (label, _) in enumerate(c.themes)
            ]
        if kind == "question":
            return [
                Option(literal(name, one_line=True), id=str(i))
                for i, name in enumerate(c.questions)
            ]
        return []

    @on(OptionList.OptionSelected, "#filter-values")
    def value_chosen(self, event: OptionList.OptionSelected) -> None:
        value = event.option.id or ""
        c = self.choices
        if self.kind == "code":
            self.dismiss(CommentFilter(code_id=int(value)))
        elif self.kind == "theme":
            self.dismiss(c.themes[int(value)][1])
        elif self.kind == "suggested":
            code_id = None if value == "any" else int(value)
            self.dismiss(CommentFilter(suggested=True, suggested_code_id=code_id))
        elif self.kind == "attribute":
            group = (self.attributes or [])[int(value)]
            if len(group.values) == 1:
                self.dismiss(CommentFilter(attribute=(group.name, group.values[0])))
            else:
                where = CommentFilter(attribute_in=(group.name, group.values))
                self.dismiss(replace(where, attribute_label=group.label))
        elif self.kind == "coder":
            self.dismiss(CommentFilter(coder=c.coders[int(value)]))
        elif self.kind == "question":
            self.dismiss(CommentFilter(question=c.questions[int(value)]))

    def action_back(self) -> None:
        box = self.query_one("#filter-values", OptionList)
        if box.display:
            box.display = False
            kinds = self.query_one("#filter-kinds")
            kinds.display = True
            kinds.focus()
            self.query_one("#filter-title", Label).update("Show comments that are …")
        else:
            self.dismiss(None)
