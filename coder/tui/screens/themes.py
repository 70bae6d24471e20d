"""The latest discovery run's candidate themes: read one, list its members, make it a code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from coder.discover.options import DiscoverOptions, parse_themes
from coder.discover.views import RunView, ThemeView
from coder.errors import CoderError
from coder.tui.text import literal

QUOTE_CHARS = 300


@dataclass(frozen=True)
class ThemeAction:
    """What the coder chose to do with a theme."""

    kind: str  # "members", "code" or "code_all"
    theme: ThemeView


@dataclass(frozen=True)
class DiscoverChoices:
    """What the discover dialog offers, read from the project by the coding screen."""

    uncoded: int | None  # comments nobody has coded (None: still being counted)
    total: int
    questions: tuple[str, ...] = ()
    last: DiscoverOptions | None = None  # the latest run's settings, to start from
    running: str = ""  # how far a discovery run working now has got ("" if none is)


LINE_TERMS = 6  # a theme's terms in the list, as many as its width shows; all on the right


def theme_line(theme: ThemeView) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f"{theme.number:>2}", style="bold")
    out.append("✓ " if theme.code else "  ", style="bold")  # made into a code
    out.append(f"{theme.size:>5,} {theme.share:>4.0%} ")
    out.append_text(literal(", ".join(theme.terms[:LINE_TERMS]), one_line=True))
    return out


def theme_detail(theme: ThemeView) -> Text:
    out = Text()
    out.append(f"Theme {theme.number}", style="bold")
    out.append(f" · {theme.size:,} comments ({theme.share:.0%}) · ")
    out.append_text(literal(theme.verdict, "italic", one_line=True))
    if theme.nearest_code:
        out.append(f" ({theme.nearest_code_share:.0%} carry ")
        out.append_text(literal(theme.nearest_code, one_line=True))
        out.append(")")
    out.append("\n\n")
    for i, term in enumerate(theme.terms):
        out.append(", " if i else "")
        out.append_text(literal(term, "bold underline" if term in theme.codebook_terms else "bold"))
    if theme.codebook_terms:
        out.append("\n(underlined: words the codebook's code names use)", style="dim")
    out.append("\n\nTypical comments\n", style="bold")
    for source, text in theme.quotes:
        quote = " ".join(text.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[:QUOTE_CHARS] + "…"
        out.append("• ")
        out.append_text(literal(quote))
        out.append_text(literal(f"  ({source})", "dim", one_line=True))
        out.append("\n")
    if theme.code:
        out.append("\n✓ Made into the code ")
        out.append_text(literal(theme.code, "bold", one_line=True))
        out.append(": A codes every member with it.")
    return out


class ThemesScreen(ModalScreen[ThemeAction | DiscoverOptions | None]):
    """The themes on the left, the highlighted one's words and quotes on the right; `d`
    asks for a new discovery run, which the coding screen runs in the background."""

    DEFAULT_CSS = """
    ThemesScreen #themes-dialog {
        width: 95%;
        height: 90%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ThemesScreen #themes-summary {
        color: $text-muted;
        height: auto;
        max-height: 4;
    }
    ThemesScreen #themes-list {
        width: 35%;
        min-width: 40;
        max-width: 72;
        height: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ThemesScreen #theme-scroll {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    ThemesScreen .hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "members", "Members", id="themes.members", priority=True),
        Binding("c", "make_code", "Make a code", id="themes.make_code"),
        Binding("A", "code_all", "Code all members", id="themes.code_all"),
        Binding("d", "discover", "Discover themes", id="themes.discover"),
        Binding("escape,q", "close", "Close", id="themes.close", priority=True),
    ]

    def __init__(self, run: RunView | None, choices: DiscoverChoices, highlight: int | None = None):
        super().__init__()
        self.run = run
        self.themes = run.themes if run is not None else ()
        self.choices = choices
        self.highlight = highlight

    def compose(self) -> ComposeResult:
        with Vertical(id="themes-dialog"):
            yield Static(self._summary(), id="themes-summary")
            with Horizontal():
                yield OptionList(
                    *(Option(theme_line(t), id=str(t.number)) for t in self.themes),
                    id="themes-list",
                )
                with VerticalScroll(id="theme-scroll"):
                    yield Static(id="theme-detail")
            yield Static(
                "↑↓ choose · enter: its comments · c: make a code of it · "
                "A: code all its members with that code · d: discover themes anew · esc: close",
                classes="hint",
            )

    def _summary(self) -> Text:
        out = literal(self.run.counts) if self.run is not None else Text("No themes yet.")
        if self.choices.running:
            out.append(f"\nDiscovering themes in the background: {self.choices.running}")
        return out

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.themes:
            index = next((i for i, t in enumerate(self.themes) if t.number == self.highlight), 0)
            options.highlighted = index
            self._show(index)
        elif self.run is not None:
            self.query_one("#theme-detail", Static).update(
                "No themes: every comment in scope was left unthemed. "
                "d discovers themes anew, in other comments or in more of them."
            )
        else:
            self.query_one("#theme-detail", Static).update(
                "Discovering themes groups the comments into candidate themes to read, name "
                "and turn into codes: each with its words, its typical comments and the "
                "existing code it overlaps most.\n\n"
                "Press d to discover themes (it runs in the background, the status line says "
                "how far, and you can go on coding meanwhile)."
            )

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        detail = theme_detail(self.themes[index])
        if self.run is not None:
            detail.append_text(literal(f"\n\n{self.run.how}.", "dim"))
        self.query_one("#theme-detail", Static).update(detail)
        self.query_one("#theme-scroll", VerticalScroll).scroll_home(animate=False)

    @property
    def current(self) -> ThemeView | None:
        index = self.query_one(OptionList).highlighted
        return self.themes[index] if index is not None and self.themes else None

    def _choose(self, kind: str) -> None:
        if self.current is not None:
            self.dismiss(ThemeAction(kind, self.current))

    def action_members(self) -> None:
        self._choose("members")

    def action_make_code(self) -> None:
        self._choose("code")

    def action_code_all(self) -> None:
        if self.current is not None and not self.current.code:
            self.notify("Make a code of this theme first (c).", severity="warning")
            return
        self._choose("code_all")

    def action_discover(self) -> None:
        if self.choices.running:
            self.notify(
                f"Themes are already being discovered ({self.choices.running}).",
                severity="warning",
            )
            return

        def asked(options: DiscoverOptions | None) -> None:
            if options is not None:
                self.dismiss(options)

        self.app.push_screen(DiscoverDialog(self.choices), asked)

    def action_close(self) -> None:
        self.dismiss(None)


class DiscoverDialog(ModalScreen[DiscoverOptions | None]):
    """Which comments to group into themes, and into how many: a new discovery run."""

    DEFAULT_CSS = """
    DiscoverDialog RadioSet {
        width: 100%;
        height: auto;
    }
    DiscoverDialog #discover-themes {
        width: 100%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "start", "Start", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, choices: DiscoverChoices):
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        c = self.choices
        last = c.last or DiscoverOptions()
        scope = last.scope if last.scope in {"uncoded", "all"} else "uncoded"
        if c.uncoded == 0:
            scope = "all"  # nothing left uncoded: only all the comments make sense
        uncoded = f" ({c.uncoded:,})" if c.uncoded is not None else ""
        with Vertical(classes="dialog", id="discover-dialog"):
            yield Label("Discover themes in …")
            with RadioSet(id="discover-scope"):
                yield RadioButton(
                    f"uncoded comments: nobody has coded them{uncoded}",
                    value=scope == "uncoded",
                    id="scope-uncoded",
                )
                yield RadioButton(
                    f"all comments ({c.total:,})", value=scope == "all", id="scope-all"
                )
            if len(c.questions) > 1:
                with RadioSet(id="discover-question"):
                    yield RadioButton("every question", value=last.question is None, id="q")
                    for i, name in enumerate(c.questions):
                        yield RadioButton(
                            literal(f"answers to {name}", one_line=True),
                            value=last.question == name,
                            id=f"q{i}",
                        )
            yield Label("How many themes: auto (chosen, up to 60) or a number from 2 to 60")
            yield Input(
                "auto" if last.themes is None else str(last.themes),
                placeholder="auto",
                id="discover-themes",
            )
            yield Static(
                "enter starts it in the background (go on coding meanwhile) · "
                "tab moves · esc cancels",
                classes="hint",
                id="discover-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#discover-scope", RadioSet).focus()

    def action_start(self) -> None:
        hint = self.query_one("#discover-hint", Static)
        scope_set = self.query_one("#discover-scope", RadioSet)
        pressed = scope_set.pressed_button
        scope = "all" if pressed is not None and pressed.id == "scope-all" else "uncoded"
        if scope == "uncoded" and self.choices.uncoded == 0:
            hint.update("every comment has been coded: choose all comments")
            scope_set.focus()
            return
        question = None
        if len(self.choices.questions) > 1:
            chosen = self.query_one("#discover-question", RadioSet).pressed_button
            if chosen is not None and chosen.id and chosen.id != "q":
                question = self.choices.questions[int(chosen.id[1:])]
        box = self.query_one("#discover-themes", Input)
        try:
            themes = parse_themes(box.value or "auto")
        except CoderError as exc:
            hint.update(literal(str(exc).replace("--themes", "the number of themes")))
            box.focus()
            return
        seed = self.choices.last.seed if self.choices.last is not None else 0
        features = self.choices.last.features if self.choices.last is not None else None
        self.dismiss(DiscoverOptions(scope, question, themes, features, seed))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class ThemeCode:
    name: str
    description: str
    examples: bool  # the theme's typical quotes become the code's examples


class ThemeCodeDialog(ModalScreen[ThemeCode | None]):
    """Name the code a theme becomes and say what it means; its quotes are offered as
    the code's examples."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, theme: ThemeView):
        super().__init__()
        self.theme = theme

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="theme-code-dialog"):
            yield Label(
                Text.assemble(
                    f"A code from theme {self.theme.number} (",
                    literal(", ".join(self.theme.terms[:4]), one_line=True),
                    ")",
                )
            )
            yield Input(placeholder="name", id="theme-code-name")
            yield Input(placeholder="what it means (optional)", id="theme-code-description")
            yield Checkbox(
                f"its {len(self.theme.quotes)} typical comments as the code's examples",
                True,
                id="theme-code-examples",
            )
            yield Static(
                "enter saves, then its comments are listed to code · tab moves · esc cancels",
                classes="hint",
                id="theme-code-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#theme-code-name", Input).focus()

    def action_save(self) -> None:
        name = self.query_one("#theme-code-name", Input).value.strip()
        if not name:
            self.query_one("#theme-code-hint", Static).update("a code needs a name")
            self.query_one("#theme-code-name", Input).focus()
            return
        self.dismiss(
            ThemeCode(
                name,
                self.query_one("#theme-code-description", Input).value.strip(),
                self.query_one("#theme-code-examples", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
