"""The coding workbench application: opens a project and shows the coding screen."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import BindingType

from coder.domain import CommentFilter
from coder.store import open_project
from coder.tui import keys
from coder.tui.screens.coding import CodingScreen
from coder.tui.screens.help import HelpScreen

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class CoderApp(App[None]):
    """One coder, one project file."""

    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(keys.APP)
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        path: Path | str,
        coder: str,
        settings: keys.Settings | None = None,
        where: CommentFilter | None = None,
    ):
        super().__init__()
        self.where = where  # what the list shows first (all comments when None)
        self.store = open_project(path)
        self.coder = coder
        self.settings = settings or keys.Settings({})
        self.set_keymap(self.settings.keymap)
        self.title = self.store.meta.get("name") or Path(path).stem

        self.coding: CodingScreen | None = None

    @property
    def unsaved(self) -> list[str]:
        """Why each change that could not be written failed (none were shown as saved)."""
        return list(self.coding.session.unsaved) if self.coding else []

    def on_mount(self) -> None:
        self.theme = THEMES[self.settings.theme or "dark"]
        self.coding = CodingScreen(self.store, self.coder, self.where)
        self.push_screen(self.coding)

    def action_help(self) -> None:
        config = self.settings.source or keys.config_path()
        self.push_screen(HelpScreen(self.settings.keymap, str(config)))

    def action_toggle_dark(self) -> None:
        self.theme = THEMES["light"] if self.theme == THEMES["dark"] else THEMES["dark"]

    def on_unmount(self) -> None:
        self.store.close()
