"""The workbench's themes: from a discovered theme to a code to its members coded, by keys."""

from __future__ import annotations

from discover_support import planted_project
from tui_support import pilot_test, screen_text

from coder.discover.run import DiscoverOptions, discover
from coder.domain import Origin
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.themes import DiscoverDialog, ThemeCodeDialog, ThemesScreen

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
async def test_without_a_discovery_run_the_themes_screen_says_how_to_make_one(mini_project):
    app = CoderApp(mini_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        text = screen_text(app)
        assert "No themes yet." in text and "Press d to discover themes" in text


async def wait_for_discovery(app, pilot, seconds: float = 60.0) -> None:
    """Until the background run has finished and its message has been handled."""
    session = app.screen_stack[1].session
    for _ in range(int(seconds / 0.05)):
        if not session.themes.discovering:
            break
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pilot_test
async def test_themes_are_discovered_from_the_workbench_in_the_background(tmp_path):
    with planted_project(tmp_path) as store:
        project = store.path
        total = store.comments.count()
    app = CoderApp(project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        coding = app.screen
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DiscoverDialog)
        text = screen_text(app)
        assert f"uncoded comments: nobody has coded them ({total})" in text
        assert f"all comments ({total})" in text
        await pilot.press("down", "space")  # all comments
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is coding  # back to coding while the themes are found
        session = coding.session
        assert session.themes.discovering
        assert "discovering themes" in screen_text(app)  # the status line says so

        first = session.current_id
        await pilot.press("down")  # the workbench answers meanwhile
        await pilot.pause()
        assert session.current_id != first
        assert session.themes.discovering, "the run ended before the workbench was tried"

        await pilot.press("T", "d")  # a second run is refused while one works
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        assert any("already being discovered" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()

        await wait_for_discovery(app, pilot)
        assert not session.themes.discovering
        assert "discovering" not in screen_text(app)
        assert app.screen is coding  # said, not opened under the coder's fingers
        assert any("T shows them" in n.message for n in app._notifications)
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        with open_project(project) as store:
            run = store.discovery.latest()
            assert run.settings["scope"] == "all" and run.coder == "ann"
            assert run.scope_size == total
            found = {t.terms[0] for t in run.themes}
        text = screen_text(app)
        assert f"in {total} comments (all comments)" in text
        assert "Theme 1 ·" in text
        assert any(term in text for term in found)


@pilot_test
async def test_the_discover_dialog_refuses_a_bad_number_of_themes_and_a_failed_run_is_told(
    mini_project,
):
    app = CoderApp(mini_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        coding = app.screen
        await pilot.press("T", "d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DiscoverDialog)
        dialog.query_one("#discover-themes").value = "lots"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog  # not started
        assert "the number of themes takes a number or 'auto'" in screen_text(app)
        dialog.query_one("#discover-themes").value = "auto"
        await pilot.press("enter")  # 8 comments: too few to group
        await pilot.pause()
        assert app.screen is coding
        await wait_for_discovery(app, pilot)
        assert any(
            "discovering themes needs at least 10" in n.message and n.severity == "error"
            for n in app._notifications
        )
        assert not coding.session.themes.discovering
        assert "discovering" not in screen_text(app)
        with open_project(mini_project) as store:
            assert store.discovery.latest() is None


@pilot_test
async def test_the_filter_dialog_lists_a_themes_members(tmp_path):
    with planted_project(tmp_path) as store:
        run = discover(store, DiscoverOptions(scope="all", features="tfidf"), "ann")
        second = run.themes[1]
        members = {c for c, _, _ in store.discovery.members(second.id)}
        project = store.path
    app = CoderApp(project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert "In discovered theme" in screen_text(app)
        kinds = app.screen.query_one("#filter-kinds")
        kinds.highlighted = next(
            i for i in range(kinds.option_count) if kinds.get_option_at_index(i).id == "theme"
        )
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert f"Theme 1 · {run.themes[0].size} comments" in text
        assert f"Theme 2 · {second.size} comments · {second.terms[0]}" in text
        await pilot.press("down", "enter")  # theme 2
        await app.workers.wait_for_complete()
        await pilot.pause()
        session = app.screen.session
        assert session.where.theme_id == second.id
        assert set(session.listing.ids(0, len(session.listing))) == members
        assert f"theme 2: {second.terms[0]}" in screen_text(app)


@pilot_test
async def test_a_new_run_lets_go_of_a_list_kept_to_the_last_runs_theme(tmp_path):
    with planted_project(tmp_path) as store:
        run = discover(store, DiscoverOptions(scope="all", features="tfidf"), "ann")
        project, total = store.path, store.comments.count()
    app = CoderApp(project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "enter")  # the first theme's members
        await app.workers.wait_for_complete()
        await pilot.pause()
        coding = app.screen
        assert coding.session.where.theme_id == run.themes[0].id
        await pilot.press("T", "d")
        await pilot.pause()
        assert isinstance(app.screen, DiscoverDialog)
        await pilot.press("down", "space", "enter")  # all comments, anew
        await pilot.pause()
        await wait_for_discovery(app, pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert coding.session.where.theme_id is None  # that theme is gone with its run
        assert len(coding.session.listing) == total
        assert any("no longer keeps to" in n.message for n in app._notifications)


@pilot_test
async def test_the_themes_list_shows_a_theme_a_line_and_more_of_its_words_on_a_wide_screen(
    tmp_path,
):
    with planted_project(tmp_path) as store:
        run = discover(store, DiscoverOptions(scope="all", features="tfidf"), "ann")
        project = store.path
    widths = []
    for size in ((80, 24), (200, 50)):
        app = CoderApp(project, "ann")
        async with app.run_test(size=size) as pilot:
            await pilot.press("T")
            await pilot.pause()
            listing = app.screen.query_one("#themes-list")
            assert listing.option_count == len(run.themes)
            # One line per theme, cut short rather than wrapped.
            assert listing.virtual_size.height == len(run.themes)
            widths.append(listing.size.width)
    assert widths[1] > widths[0] + 20
