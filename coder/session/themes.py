"""Candidate themes in the workbench: a theme's members as a filtered list, a code made from
the theme, and all its members coded with that code in one undoable step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.discover.codes import code_from_theme, code_theme_members, theme_by_number
from coder.discover.options import DiscoverOptions
from coder.discover.views import RunView, ThemeView, view
from coder.domain import CommentFilter
from coder.errors import CoderError
from coder.session.state import Outcome, fail, warn
from coder.text import counted, shown

if TYPE_CHECKING:
    from coder.session.session import CodingSession


class ThemeVerbs:
    """What the coder does with the latest discovery run's themes."""

    def __init__(self, session: CodingSession):
        self.session = session
        self.discovering = False  # a discovery run is working in the background
        self.progress = ""  # how far it has got, for the status line

    # -- a discovery run, in the background -------------------------------------------------

    def start_discovery(self) -> Outcome | None:
        """None if a discovery run may start (run it in a worker); else why not."""
        if self.discovering:
            return warn("Themes are already being discovered; the status line says how far.")
        self.discovering = True
        self.progress = "discovering themes…"
        return None

    def discovery_progress(self, message: str, fraction: float) -> None:
        if self.discovering:
            self.progress = f"themes: {message} {fraction:.0%}"

    def discovery_done(self) -> None:
        self.discovering = False
        self.progress = ""

    def scope_sizes(self) -> tuple[int | None, int]:
        """(uncoded comments, all comments): what each scope would group; None while a big
        project's coded comments are still being counted."""
        session = self.session
        return (session.total - session.coded if session.counted else None), session.total

    def last_options(self) -> DiscoverOptions | None:
        """The latest run's settings, to start the next from; None before any run."""
        run = self.session.store.discovery.latest()
        if run is None:
            return None
        s = run.settings
        themes, seed = s.get("themes"), s.get("seed")
        return DiscoverOptions(
            scope=str(s.get("scope") or "uncoded"),
            question=str(s["question"]) if s.get("question") is not None else None,
            themes=themes if isinstance(themes, int) else None,
            features=str(s["features"]) if s.get("features") else None,
            seed=seed if isinstance(seed, int) else 0,
        )

    def latest(self) -> RunView | None:
        """The latest run's themes as people read them; None before any run."""
        run = self.session.store.discovery.latest()
        return view(self.session.store, run) if run is not None else None

    def members(self, theme: ThemeView) -> CommentFilter:
        """The filter that lists the theme's members."""
        theme_id = theme_by_number(self.session.store, theme.number)
        label = f"theme {theme.number}: {', '.join(theme.terms[:3])}"
        return CommentFilter(theme_id=theme_id, theme_label=label)

    def filters(self) -> list[tuple[str, CommentFilter]]:
        """Each theme of the latest run as (what the filter dialog shows, its filter)."""
        run = self.session.store.discovery.latest()
        if run is None:
            return []
        out = []
        for theme in run.themes:
            label = f"theme {theme.number}: {', '.join(theme.terms[:3])}"
            shown_as = f"Theme {theme.number} · {counted(theme.size, 'comment')} · " + ", ".join(
                theme.terms[:4]
            )
            out.append((shown_as, CommentFilter(theme_id=theme.id, theme_label=label)))
        return out

    def make_code(
        self, number: int, name: str, description: str = "", *, examples: bool = True
    ) -> Outcome:
        """Make a code from the theme, its quotes as the code's examples unless not wanted."""
        session = self.session

        def make() -> str:
            made = code_from_theme(
                session.store,
                number,
                name,
                session.coder,
                description=description,
                examples=None if examples else [],
            )
            return made.message

        return session.codebook._do(make)

    def code_all(self, number: int) -> Outcome:
        """Code every member of the theme with the code made from it: one undoable step."""
        session = self.session
        store = session.store
        try:
            theme_id = theme_by_number(store, number)
            theme = store.discovery.theme(theme_id)
        except CoderError as exc:
            return fail(str(exc))
        if theme.code_id is None:
            return fail(f"Theme {number} has no code yet: press c to make one from it first.")
        path = store.codes.get(theme.code_id).path
        session.writes += 1
        try:
            coded = code_theme_members(store, theme_id, theme.code_id, session.coder)
        except CoderError as exc:
            return fail(str(exc))
        count_needed = session.recount()
        if count_needed:
            session.counted = False
        session.reread()
        return Outcome(
            f"Coded {counted(coded, 'comment')} of theme {number} with {shown(path)}"
            + (" (the others had it already)" if coded < theme.size else "")
            + "; u undoes it.",
            changed=True,
            count_needed=count_needed,
            timeout=5,
        )
