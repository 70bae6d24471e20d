"""Every key binding of the workbench, with ids, and the config file that remaps them."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

from coder.errors import CoderError
from coder.session.session import MAX_CODE_KEYS

# The app's own keys; `?` and `q` belong to the coding screen, so that the footer shows
# them first and last (the footer lists keys in the order they are declared).
APP: list[Binding] = [
    Binding("ctrl+t", "app.toggle_dark", "Light/dark", id="app.theme", show=False),
]

CODE_KEYS = [
    Binding(
        str(n),
        f"toggle_key({n})",
        f"Toggle code {n}" if n > 1 else "Code",
        id=f"coding.code_{n}",
        show=n == 1,
        key_display="1-9" if n == 1 else None,
    )
    for n in range(1, MAX_CODE_KEYS + 1)
]

# In footer order: what a coder needs most comes first, so it shows at 80 columns.
CODING: list[Binding] = [
    Binding("question_mark", "app.help", "Help", id="app.help", key_display="?"),
    *CODE_KEYS,
    Binding("p,ctrl+p", "palette", "Find code", id="coding.palette"),
    Binding("plus", "new_code", "New code", id="coding.new_code", key_display="+"),
    Binding("n", "next_uncoded", "Next uncoded", id="coding.next_uncoded"),
    Binding("a", "accept", "Accept", id="coding.accept"),
    Binding("x", "reject", "Reject", id="coding.reject"),
    Binding("s", "toggle_unsure", "Show or hide unsure suggestions",
            id="coding.toggle_unsure", show=False),
    Binding("u", "undo", "Undo", id="coding.undo"),
    Binding("slash", "search", "Search", id="coding.search", key_display="/"),
    Binding("f", "filter", "Filter", id="coding.filter"),
    Binding("escape", "clear_filter", "Clear filter", id="coding.clear_filter"),
    Binding("q", "quit", "Quit", id="app.quit"),
    Binding("m", "memo", "Memo", id="coding.memo"),
    Binding("v", "select", "Segment", id="coding.select"),
    Binding("t", "train", "Train", id="coding.train"),
    Binding("space", "toggle_highlighted", "Code in tree", id="coding.toggle_highlighted"),
    Binding("e", "code_menu", "Edit code", id="coding.code_menu"),
    Binding("ctrl+r", "redo", "Redo", id="coding.redo"),
    Binding("down,j", "move(1)", "Next comment", id="coding.next", show=False),
    Binding("up,k", "move(-1)", "Previous comment", id="coding.previous", show=False),
    Binding("pagedown", "page(1)", "Page down", id="coding.page_down", show=False),
    Binding("pageup", "page(-1)", "Page up", id="coding.page_up", show=False),
    Binding("J,shift+down", "scroll_comment(1)", "Scroll comment down", id="coding.scroll_down",
            show=False),
    Binding("K,shift+up", "scroll_comment(-1)", "Scroll comment up", id="coding.scroll_up",
            show=False),
    Binding("home,g", "jump('first')", "First comment", id="coding.first", show=False),
    Binding("end,G", "jump('last')", "Last comment", id="coding.last", show=False),
    Binding("right_square_bracket", "code_cursor(1)", "Next code in tree", id="coding.code_down",
            show=False, key_display="]"),
    Binding("left_square_bracket", "code_cursor(-1)", "Previous code in tree", id="coding.code_up",
            show=False, key_display="["),
    Binding("c", "chart", "Chart", id="coding.chart", show=False),
    Binding("T", "themes", "Themes", id="coding.themes", show=False),
]  # fmt: skip

SELECTION: list[Binding] = [
    Binding("right,l", "caret('char', 1)", "Extend right", id="select.right"),
    Binding("left,h", "caret('char', -1)", "Extend left", id="select.left"),
    Binding("ctrl+right,w", "caret('word', 1)", "Next word", id="select.word_right"),
    Binding("ctrl+left,b", "caret('word', -1)", "Previous word", id="select.word_left"),
    Binding("down", "caret('line', 1)", "Line down", id="select.line_down", show=False),
    Binding("up", "caret('line', -1)", "Line up", id="select.line_up", show=False),
    Binding("home,0", "caret('edge', -1)", "To start", id="select.start", show=False),
    Binding("end,dollar_sign", "caret('edge', 1)", "To end", id="select.end", show=False),
    Binding("v", "anchor", "Start selection here", id="select.anchor"),
    Binding("escape", "cancel_selection", "Cancel", id="select.cancel"),
]

ALL = [*APP, *CODING, *SELECTION]
BY_ID = {b.id: b for b in ALL if b.id}
KNOWN_IDS = set(BY_ID)

# For the help screen: (heading, binding ids), in the order a newcomer needs them.
HELP_GROUPS: list[tuple[str, list[str]]] = [
    ("Coding", ["coding.code_1", "coding.toggle_highlighted", "coding.palette", "coding.undo",
                "coding.redo", "coding.memo"]),
    ("The codebook", ["coding.new_code", "coding.code_menu"]),
    ("Moving between comments", ["coding.next", "coding.previous", "coding.next_uncoded",
                                 "coding.page_down", "coding.page_up", "coding.first",
                                 "coding.last", "coding.scroll_down", "coding.scroll_up"]),
    ("Codebook tree (tab to focus it, arrows move)", ["coding.code_down", "coding.code_up"]),
    ("Suggestions", ["coding.accept", "coding.reject", "coding.toggle_unsure", "coding.train"]),
    ("Finding", ["coding.search", "coding.filter", "coding.clear_filter"]),
    ("Coding a segment", ["coding.select", *(b.id for b in SELECTION if b.id)]),
    ("Discovered themes (coder discover)", ["coding.themes"]),
    ("Everything else", ["coding.chart", "app.theme", "app.help", "app.quit"]),
]  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """What a user set in their config file."""

    keymap: dict[str, str]
    theme: str | None = None  # "dark" or "light"
    source: Path | None = None


def config_path() -> Path:
    """$CODER_CONFIG, else $XDG_CONFIG_HOME/coder/keys.toml, else ~/.config/coder/keys.toml."""
    if os.environ.get("CODER_CONFIG"):
        return Path(os.environ["CODER_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "coder" / "keys.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Read the keys config; a missing file means the defaults, a broken one is an error."""
    path = path or config_path()
    if not path.exists():
        return Settings({})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CoderError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CoderError(f"cannot read {path}: {exc}") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise CoderError(f'{path}: [keys] must be a table of binding id = "key,key"')
    keymap: dict[str, str] = {}
    for binding_id, value in keys.items():
        if binding_id not in KNOWN_IDS:
            raise CoderError(
                f"{path}: unknown key binding {binding_id!r} "
                f"(press ? in the workbench to see every id)"
            )
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str) or not value.strip() or " " in value.strip():
            raise CoderError(f'{path}: {binding_id} must be keys like "n" or "ctrl+n,down"')
        keymap[binding_id] = ",".join(k.strip() for k in value.split(","))
    theme = data.get("theme")
    if theme is not None and theme not in {"dark", "light"}:
        raise CoderError(f'{path}: theme must be "dark" or "light", not {theme!r}')
    _check_clashes(path, keymap)
    return Settings(keymap, theme, path)


def _check_clashes(path: Path, keymap: dict[str, str]) -> None:
    """Two actions on one key in the same place would silently lose one of them."""
    for group in (APP + CODING, SELECTION):
        taken: dict[str, str] = {}
        for binding in group:
            for key in keymap.get(binding.id or "", binding.key).split(","):
                if key in taken and taken[key] != binding.id:
                    raise CoderError(
                        f"{path}: key {key!r} is given to both {taken[key]} and {binding.id}"
                    )
                taken[key] = binding.id or ""


DISPLAY = {
    "question_mark": "?",
    "slash": "/",
    "space": "space",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "dollar_sign": "$",
    "plus": "+",
    "escape": "esc",
}


def display(key: str) -> str:
    """A key as a person types it: `?` for question_mark."""
    return DISPLAY.get(key, key)


def key_name(binding_id: str, keymap: dict[str, str]) -> str:
    """The key a hint on screen should name for a binding, once the keymap is applied."""
    return display(keys_for(BY_ID[binding_id], keymap)[0])


def keymap_of(app: object) -> dict[str, str]:
    """The keymap the running workbench was given (none: the defaults)."""
    settings = getattr(app, "settings", None)
    return settings.keymap if isinstance(settings, Settings) else {}


def keys_for(binding: Binding, keymap: dict[str, str]) -> list[str]:
    """The keys that trigger a binding once the user's keymap is applied."""
    return keymap.get(binding.id or "", binding.key).split(",")
