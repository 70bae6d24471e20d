"""The workbench's themes: from a discovered theme to a code to its members coded, by keys."""

from __future__ import annotations

from discover_support import planted_project
from tui_support import pilot_test, screen_text

from coder.discover.run import DiscoverOptions, discover
from coder.domain import Origin
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.themes import ThemeCodeDialog, ThemesScreen

SIZE = (120, 36)


def codings_of(project, comment_ids):
    with open_project(project) as store:
        return {c: store.codings.of_comment(c) for c in comment_ids}


@pilot_test
async def test_a_theme_becomes_a_code_and_its_members_are_coded_one_by_one_or_all_at_once(
    tmp_path,
):
    with planted_project(tmp_path) as store:
        run = discover(store, DiscoverOptions(scope="all", features="tfidf"), "ann")
        theme = run.themes[0]
        members = [c for c, _, _ in store.discovery.members(theme.id)]
        project = store.path
    app = CoderApp(project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        text = screen_text(app)
        assert f"Theme 1 · {theme.size} comments" in text
        assert theme.terms[0] in text and "Typical comments" in text
        await pilot.press("enter")  # its members, as a filtered list
        await app.workers.wait_for_complete()
        await pilot.pause()
        session = app.screen.session
        assert session.where.theme_id == theme.id
        assert len(session.listing) == theme.size
        assert "theme 1:" in screen_text(app)

        await pilot.press("T", "c")
        await pilot.pause()
        assert isinstance(app.screen, ThemeCodeDialog)
        await pilot.press(*"Found", "tab", *"What theme 1 is about", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(project) as store:
            code = next(c for c in store.codes.all() if c.name == "Found")
            assert code.description == "What theme 1 is about"
            assert len(code.examples) == len(theme.quotes)
            assert store.discovery.latest().themes[0].code_id == code.id
        assert session.where.theme_id == theme.id  # still listing its members, to code

        first = session.current_id
        assert first in members
        await pilot.press("1")  # one by one, with the usual keys
        await pilot.pause()
        assert [(k.code_id, k.origin) for k in codings_of(project, [first])[first]] == [
            (code.id, Origin.MANUAL)
        ]

        await pilot.press("T", "A")
        await pilot.pause()
        await pilot.press("y")  # or all at once, after reviewing them
        await pilot.pause()
        after = codings_of(project, members)
        assert all(any(k.code_id == code.id for k in after[c]) for c in members)
        assert {k.origin for c in members if c != first for k in after[c]} == {Origin.DISCOVERED}
        assert any(f"Coded {theme.size - 1} comments of theme 1" in n.message
                   for n in app._notifications)  # fmt: skip

        await pilot.press("u")  # one step takes them all back
        await pilot.pause()
        undone = codings_of(project, members)
        assert all(not undone[c] for c in members if c != first)
        assert undone[first]


@pilot_test
async def test_without_a_discovery_run_the_key_says_how_to_make_one(mini_project):
    app = CoderApp(mini_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert not isinstance(app.screen, ThemesScreen)
        assert any("coder discover" in n.message for n in app._notifications)
