"""The `?` screen: every key, as currently mapped, and where to remap them."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from coder.tui import keys

ID_WIDTH = max(len(i) for i in keys.KNOWN_IDS)


def key_text(binding_id: str, keymap: dict[str, str]) -> str:
    if binding_id == "coding.code_1":
        code_keys = [keys.keys_for(b, keymap) for b in keys.CODE_KEYS]
        if [k[0] for k in code_keys] == [str(n) for n in range(1, 10)]:
            return "1 … 9"
        return " ".join(keys.display(k[0]) for k in code_keys)
    return ", ".join(keys.display(k) for k in keys.keys_for(keys.BY_ID[binding_id], keymap))


def help_table(keymap: dict[str, str], config: str) -> Group:
    parts: list = []
    for heading, ids in keys.HELP_GROUPS:
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True, width=12)
        table.add_column(ratio=1)
        table.add_column(style="dim", no_wrap=True, width=ID_WIDTH)
        for binding_id in ids:
            binding: Binding = keys.BY_ID[binding_id]
            description = (
                "Toggle the code with that key (on the selection, if any)"
                if binding_id == "coding.code_1"
                else binding.description
            )
            table.add_row(key_text(binding_id, keymap), description, binding_id)
        parts += [Text(heading, style="bold underline"), table, Text()]
    parts += [
        Text("In the comment list", style="bold underline"),
        Text(
            "● you have coded it   ○ only other coders have   ◇ suggestions wait for you   "
            "✎ a memo\nOn the right of a row, its codes by key: 3 is the third code, 3.2 its "
            "second sub-code.\n"
        ),
    ]
    parts.append(
        Text(
            f"Remap keys in {config} (or the file $CODER_CONFIG names), e.g.\n"
            'theme = "light"\n[keys]\n"coding.next_uncoded" = "n,ctrl+n"',
            style="dim",
        )
    )
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", priority=True)]

    def __init__(self, keymap: dict[str, str], config: str):
        super().__init__()
        self.keymap = keymap
        self.config = config

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Text("Keys  (esc closes)", style="bold"))
            yield Static(help_table(self.keymap, self.config))

    def action_close(self) -> None:
        self.dismiss(None)
