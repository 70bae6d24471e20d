"""Dialogs for the codebook: find a code by a few letters, make one, change one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coder.domain import Code
from coder.session.palette import rank
from coder.tui import keys
from coder.tui.text import literal

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
PALETTE_LINES = 16  # matches shown at once (the height of the list in app.tcss)


class CodePalette(ModalScreen[int | str | None]):
    """Type a few letters of a code's path; enter chooses the highlighted code.

    Codes the model suggests for this comment and codes used most come first. `extra`
    offers choices that are not codes (such as "the top level"), returned by their id.
    The matches are one piece of text, redrawn per letter: a list widget of a few dozen
    entries rebuilt on every key press cost ten times as much.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("down,ctrl+n", "cursor(1)", "Down", show=False, priority=True),
        Binding("up,ctrl+p", "cursor(-1)", "Up", show=False, priority=True),
    ]

    def __init__(
        self,
        codes: list[Code],
        title: str,
        *,
        used: dict[int, int] | None = None,
        suggested: dict[int, float] | None = None,
        extra: list[tuple[str, str]] | None = None,
        exclude: set[int] | None = None,
    ):
        super().__init__()
        self.codes = [c for c in codes if c.id not in (exclude or set())]
        self.title_text = title
        self.used = used or {}
        self.suggested = suggested or {}
        self.extra = extra or []
        self.choices: list[tuple[str, Text]] = []  # (what choosing it returns, its line)
        self.cursor = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="palette-dialog"):
            yield Label(self.title_text)
            yield Input(placeholder="a few letters of the code, e.g. emwor", id="palette-input")
            yield Static(id="palette-options")
            yield Static("enter chooses · ↑↓ move · esc cancels", classes="hint")

    def on_mount(self) -> None:
        self.show("")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self.show(event.value)

    def show(self, query: str) -> None:
        choices: list[tuple[str, Text]] = []
        if not query.strip():
            choices += [(key, Text(label, style="italic")) for key, label in self.extra]
        for match in rank(
            self.codes, query, used=self.used, suggested=self.suggested, limit=PALETTE_LINES
        ):
            label = literal(match.code.path, one_line=True)
            for position in match.positions:
                label.stylize("bold underline", position, position + 1)
            if match.code.id in self.suggested:
                label.append(f"  ◇{self.suggested[match.code.id]:.0%}", style="italic")
            choices.append((str(match.code.id), label))
        self.choices = choices
        self.cursor = 0
        self.draw()

    def draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.choices:
            text.append("no code has those letters in that order", style="italic")
        for i, (_, label) in enumerate(self.choices):
            if i:
                text.append("\n")
            line = label.copy()
            if i == self.cursor:
                line.stylize("reverse")
                line = Text("▸ ") + line
            else:
                line = Text("  ") + line
            text.append_text(line)
        # Its height is fixed: no need to lay the screen out again for each letter.
        self.query_one("#palette-options", Static).update(text, layout=False)

    def action_cursor(self, delta: int) -> None:
        if self.choices:
            self.cursor = max(0, min(len(self.choices) - 1, self.cursor + delta))
            self.draw()

    @on(Input.Submitted)
    def submitted(self) -> None:
        if self.choices:
            key = self.choices[self.cursor][0]
            self.dismiss(int(key) if key.isdigit() else key)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class NewCode:
    name: str
    description: str
    under: int | None  # the parent, for a sub-code


class NewCodeDialog(ModalScreen[NewCode | None]):
    """Name a new code (and say what it means); it codes the comment at once."""

    BINDINGS = [
        Binding("enter", "save", "Save", priority=True),  # from any field, the box too
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, comment: str | None, parent: Code | None):
        super().__init__()
        self.comment = comment
        self.parent_code = parent

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="new-code-dialog"):
            about = f" and code {self.comment} with it" if self.comment else ""
            yield Label(Text(f"A new code{about}"))
            yield Input(placeholder="name", id="code-name")
            yield Input(placeholder="what it means (optional)", id="code-description")
            if self.parent_code is not None:
                yield Checkbox(
                    Text.assemble("a sub-code of ", literal(self.parent_code.path, one_line=True)),
                    False,
                    id="code-under",
                )
            yield Static(
                "enter saves · tab moves · esc cancels", classes="hint", id="new-code-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#code-name", Input).focus()

    def action_save(self) -> None:
        name = self.query_one("#code-name", Input).value.strip()
        if not name:
            self.query_one("#new-code-hint", Static).update("a code needs a name")
            self.query_one("#code-name", Input).focus()
            return
        under = None
        if self.parent_code is not None and self.query_one("#code-under", Checkbox).value:
            under = self.parent_code.id
        description = self.query_one("#code-description", Input).value.strip()
        self.dismiss(NewCode(name, description, under))

    def action_cancel(self) -> None:
        self.dismiss(None)


CODE_ACTIONS = [
    ("rename", "Rename …"),
    ("define", "Say what it means …"),
    ("color", "Colour …"),
    ("move", "Move under another code …"),
    ("merge", "Merge into another code …"),
    ("pin", "Put on a number key …"),
    ("delete", "Delete …"),
]


class CodeMenu(ModalScreen[str | None]):
    """What to do with the highlighted code."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, code: Code):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="code-menu"):
            yield Label(Text.assemble("Code ", literal(self.code.path, "bold", one_line=True)))
            yield OptionList(*(Option(label, id=key) for key, label in CODE_ACTIONS))
            yield Static("enter chooses · u undoes any of these · esc cancels", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """One line of text: a new name, a definition, a colour."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]

    def __init__(self, question: str, value: str = "", *, color: bool = False):
        super().__init__()
        self.question = question
        self.value = value
        self.color = color

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="text-prompt"):
            yield Label(Text(self.question))
            yield Input(self.value, placeholder="#rrggbb" if self.color else "")
            hint = "#rrggbb, or empty for none · " if self.color else ""
            yield Static(f"{hint}enter saves · esc cancels", classes="hint", id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.color and value and not COLOR.match(value):
            self.query_one("#prompt-hint", Static).update("a colour is # and six hex digits")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Confirm(ModalScreen[bool]):
    """Yes or no, for a change that removes things (it can still be undone)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", priority=True),
        Binding("n,escape", "answer(False)", "No", priority=True),
    ]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(Text(self.question))
            undo = keys.key_name("coding.undo", keys.keymap_of(self.app))
            yield Static(f"y yes · n no ({undo} undoes it afterwards too)", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class KeyPrompt(ModalScreen[int | None]):
    """Press the number key (1-9) the code should go on; 0 gives the key back."""

    BINDINGS = [
        *(Binding(str(n), f"choose({n})", str(n), show=False, priority=True) for n in range(10)),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, code: Code):
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="key-prompt"):
            yield Label(Text.assemble("Put ", literal(self.code.path, one_line=True), " on key …"))
            yield Static("1-9 chooses the key · 0 unpins it · esc cancels", classes="hint")

    def action_choose(self, number: int) -> None:
        self.dismiss(number)

    def action_cancel(self) -> None:
        self.dismiss(None)
