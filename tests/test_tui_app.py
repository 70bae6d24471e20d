"""The coding workbench driven by keys, checked against the project file."""

from __future__ import annotations

import re

from store_support import add_model
from tui_support import pilot_test, screen_text

from coder.domain import ImportRow
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.coding import CodingScreen

SIZE = (100, 30)


def codings(path, source_id: str) -> set[tuple[str, str, int | None, int | None, str]]:
    """(code path, coder, start, end, origin) as committed, read over a fresh connection."""
    with open_project(path) as store:
        paths = {c.id: c.path for c in store.codes.all()}
        comment = store.comments.by_source_id(source_id)
        return {
            (paths[k.code_id], k.coder, k.start, k.end, str(k.origin))
            for k in store.codings.of_comment(comment.id)
        }


def whole(*pairs: tuple[str, str], origin: str = "manual"):
    return {(code, coder, None, None, origin) for code, coder in pairs}


async def go_to(pilot, source_id: str) -> None:
    screen: CodingScreen = pilot.app.screen
    comment = screen.store.comments.by_source_id(source_id)
    screen.comment_list.move_to(screen.session.listing.position_of(comment.id), announce=True)
    await pilot.pause()
    assert screen.session.shown.comment.source_id == source_id


@pilot_test
async def test_number_keys_and_space_code_the_comment_and_commit_at_once(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q1")
        await pilot.press("2")  # Feelings, the second top-level code
        assert codings(mini_project, "1:q1") == whole(("Workload", "alice"), ("Feelings", "bob"))
        await pilot.press("2")
        assert codings(mini_project, "1:q1") == whole(("Workload", "alice"))
        await pilot.press("j", "3")  # next comment, Online
        assert codings(mini_project, "1:q2") == whole(("Online", "bob"))
        await pilot.press("right_square_bracket", "right_square_bracket", "space")
        assert codings(mini_project, "1:q2") == whole(
            ("Online", "bob"), ("Feelings > Worry", "bob")
        )
        await pilot.pause()
        shown = screen_text(app)
        assert "Feelings > Worry" in shown and "by you" in shown
        assert re.search(r"bob .* 3/8 coded", shown)  # status line: coder and progress
        await pilot.press("9")  # no ninth code in this codebook: a message, no change
        assert len(codings(mini_project, "1:q2")) == 2


@pilot_test
async def test_undo_and_redo_go_through_the_log_and_survive_a_restart(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q2")
        await pilot.press("1", "j", "3")
        await pilot.press("q")
    assert codings(mini_project, "2:q1") == whole(("Online", "alice"), ("Online", "bob"))
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert codings(mini_project, "2:q1") == whole(("Online", "alice"))
        assert app.screen.session.shown.comment.source_id == "2:q1"  # undo shows what it undid
        await pilot.press("u")
        assert codings(mini_project, "1:q2") == set()
        await pilot.press("ctrl+r")
        assert codings(mini_project, "1:q2") == whole(("Workload", "bob"))
        await pilot.press("u", "u")  # nothing left of bob's to undo: alice's stays
    assert codings(mini_project, "1:q2") == set()
    assert codings(mini_project, "1:q1") == whole(("Workload", "alice"))


@pilot_test
async def test_search_filters_the_list_and_escape_shows_everything(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"worr*", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen: CodingScreen = app.screen
        with open_project(mini_project) as store:
            expected = [
                c.id for c in map(store.comments.get, range(1, 9)) if "worr" in c.text.lower()
            ]
        assert screen.session.listing.ids(0, 100) == expected
        assert screen.session.shown.comment.id == expected[0]
        assert "search “worr*”" in screen_text(app)
        await pilot.press("escape")
        assert len(screen.session.listing) == 8 and screen.session.where.is_empty


@pilot_test
async def test_filter_dialog_chooses_a_code_then_an_attribute(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen: CodingScreen = app.screen
        await pilot.press("f", "down", "down", "down", "enter", "enter")  # Has code … Workload
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(mini_project) as store:
            workload = [c for c in store.codes.all() if c.path == "Workload"][0].id
            expected = [
                i
                for i in range(1, 9)
                if any(k.code_id == workload for k in store.codings.of_comment(i))
            ]
            teachers = [
                i for i in range(1, 9)
                if store.comments.respondent(store.comments.get(i).respondent_id).attributes["role"] == "teacher"
            ]  # fmt: skip
        assert screen.session.listing.ids(0, 100) == expected
        await pilot.press("f", *["down"] * 5, "enter")  # Respondent attribute = value …
        labels = [str(o.prompt) for o in app.screen.query_one("#filter-values").options]
        await pilot.press(*["down"] * labels.index("role = teacher  (2)"), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.session.listing.ids(0, 100) == teachers
        assert "role = teacher" in screen_text(app)


@pilot_test
async def test_uncoded_filter_keeps_a_comment_in_place_once_coded(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen: CodingScreen = app.screen
        await pilot.press("f", "down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = screen.session.listing.ids(0, 100)
        await pilot.press("1")
        assert screen.session.listing.ids(0, 100) == before and screen.comment_list.cursor == 0
        await pilot.press("n")
        assert screen.session.shown.comment.id == before[1]


@pilot_test
async def test_n_walks_uncoded_comments_in_the_models_order(mini_project):
    with open_project(mini_project) as store:
        uncoded = [i for i in range(1, 9) if not store.codings.of_comment(i)]
        version = add_model(store, 2, "t")
        order = uncoded[::-1]
        store.suggestions.replace_priorities(version, [(c, 1.0) for c in order])
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for _ in range(3):
            await pilot.press("n")
            seen.append(app.screen.session.shown.comment.id)
        assert seen == order[:3]


@pilot_test
async def test_memo_is_written_shown_and_marked_in_the_list(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "4:q2")
        await pilot.press("m", *"short", "ctrl+s")
        await pilot.pause()
        with open_project(mini_project) as store:
            memos = store.memos.on(comment_id=store.comments.by_source_id("4:q2").id)
        assert [(m.coder, m.text) for m in memos] == [("bob", "short")]
        text = screen_text(app)
        assert "✎ you: short" in text


@pilot_test
async def test_v_selects_words_and_a_code_key_codes_just_that_segment(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q1")
        text = app.screen.session.shown.comment.text
        await pilot.press("v", "w", "v", "w", "w", "1")  # mark at "caseload", extend to "huge"
        start = text.index("caseload")
        end = text.index("huge") + len("huge")
        assert ("Workload", "bob", start, end, "manual") in codings(mini_project, "1:q1")
        assert not app.screen.view.selecting
        await pilot.press("v", "escape", "2")  # cancelled: the key codes the whole comment
        assert ("Feelings", "bob", None, None, "manual") in codings(mini_project, "1:q1")


@pilot_test
async def test_markup_and_escape_sequences_are_shown_as_text(mini_project):
    nasty = "[bold red]alarm[/] \x1b[2J\x1b[31mred\x1b[0m\rback\x07bell [link=x]y[/link]"
    with open_project(mini_project) as store:
        import_id = store.imports.begin("nasty")
        store.imports.write_chunk(
            import_id, [ImportRow("[b]9:x", "[i]9", "q1", nasty, {"role": "[red]x"})], None
        )
        store.imports.finish(import_id, {})
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=(120, 30)) as pilot:
        await go_to(pilot, "[b]9:x")
        text = screen_text(app)
        assert "[bold red]alarm[/] ␛[2J␛[31mred␛[0m␍back␇bell [link=x]y[/link]" in text
        assert "[b]9:x" in text and "[red]x" in text and "\x1b" not in text
        lines = text.splitlines()
        assert len(lines) == 30 and "bob" in lines[-2]  # the status line is still in its place
        body = app.screen.view.query_one("#comment-body").render()
        assert not [s for s in getattr(body, "spans", []) if s.style]  # nothing styled it


@pilot_test
async def test_place_is_kept_between_sessions(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "j")
        place = app.screen.session.shown.comment.id
        await pilot.press("q")
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE):
        assert app.screen.session.shown.comment.id == place
    app = CoderApp(mini_project, "carol")  # another coder has a place of their own
    async with app.run_test(size=SIZE):
        assert app.screen.session.shown.comment.id == 1


@pilot_test
async def test_two_coders_on_one_file_both_work_and_see_each_other(mini_project):
    alice_app, bob_app = CoderApp(mini_project, "alice"), CoderApp(mini_project, "bob")
    async with alice_app.run_test(size=SIZE) as alice, bob_app.run_test(size=SIZE) as bob:
        await go_to(alice, "4:q1")
        await go_to(bob, "4:q1")
        await alice.press("1")
        await bob.press("3")
        bob_app.screen._poll_changes()  # what the once-a-second check does
        alice_app.screen._poll_changes()
        await bob.pause()
        await alice.pause()
        assert codings(mini_project, "4:q1") == whole(("Workload", "alice"), ("Online", "bob"))
        assert {k.coder for k in bob_app.screen.session.shown.codings} == {"alice", "bob"}
        assert {k.coder for k in alice_app.screen.session.shown.codings} == {"alice", "bob"}
        assert bob_app.screen.session.coded == alice_app.screen.session.coded == 3


@pilot_test
async def test_help_and_keymap_and_theme(mini_project):
    from coder.tui.keys import Settings

    settings = Settings({"coding.next_uncoded": "N", "coding.undo": "u,ctrl+z"}, "light")
    app = CoderApp(mini_project, "bob", settings)
    async with app.run_test(size=(120, 50)) as pilot:
        assert app.theme == "textual-light"
        await pilot.press("N")
        assert app.screen.session.shown.comment.id == 2
        await pilot.press("1", "ctrl+z")
        assert codings(mini_project, "1:q2") == set()
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = screen_text(app)
        assert re.search(r"N\s+Next uncoded", help_text) and re.search(
            r"u, ctrl\+z\s+Undo", help_text
        )
        await pilot.press("escape", "ctrl+t")
        assert app.theme == "textual-dark"


@pilot_test
async def test_chart_key_opens_the_chart_or_says_it_is_missing(mini_project):
    try:
        from coder.tui.screens.chart import ChartScreen
    except ImportError:
        ChartScreen = None  # noqa: N806
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        if ChartScreen is None:
            assert any("charts not available" in n.message for n in app._notifications)
        else:
            assert isinstance(app.screen, ChartScreen)


@pilot_test
async def test_a_big_project_is_counted_in_a_worker_and_kept_exact(mini_project, monkeypatch):
    import coder.session.session as coding_session

    monkeypatch.setattr(coding_session, "SYNC_COUNT_LIMIT", 0)  # count every project as if big
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen: CodingScreen = app.screen
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(mini_project) as store:
            assert (screen.session.counts, screen.session.coded) == (
                store.codes.counts(),
                store.comments.coded_count(),
            )
        await pilot.press("j", "1", "u", "j", "j", "3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(mini_project) as store:
            assert (screen.session.counts, screen.session.coded) == (
                store.codes.counts(),
                store.comments.coded_count(),
            )
            assert store.comments.coded_count() == 3
        assert " 3/8 coded" in screen_text(app)


@pilot_test
async def test_a_code_added_elsewhere_appears_with_the_next_key(mini_project):
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        with open_project(mini_project) as store:
            store.codes.add("Training", description="Courses, CPD and induction.")
        app.screen._poll_changes()
        await pilot.pause()
        assert "4 ■ Training" in screen_text(app)
        await pilot.press("4")
        assert codings(mini_project, "1:q1") == whole(("Workload", "alice"), ("Training", "bob"))


@pilot_test
async def test_after_a_search_the_list_shows_the_row_it_has_selected(demo_project):
    app = CoderApp(demo_project, "bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"snapchat", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("G", "escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen: CodingScreen = app.screen
        current = screen.session.shown.comment.source_id
        assert screen.session.position == screen.comment_list.cursor
        listed = screen_text(app).split("╰")[0]  # the list's box, above the comment
        assert f"{screen.session.position + 1}/628" in listed and current in listed


@pilot_test
async def test_what_startup_made_is_kept_out_of_the_collectors_way_while_coding(mini_project):
    import gc

    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 0  # full collections skip it: no long pause on a key
    assert gc.get_freeze_count() == 0  # and it can all be collected once the screen is gone


@pilot_test
async def test_coding_a_comment_repaints_its_codes_without_laying_out_the_screen(mini_project):
    from textual.widgets import Static

    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "4:q1")  # nobody has coded it
        codes = app.screen.query_one("#comment-codes", Static)
        layouts: list[bool] = []
        update = codes.update
        codes.update = lambda content="", *, layout=True: (  # type: ignore[method-assign]
            layouts.append(layout),
            update(content, layout=layout),
        )[1]
        await pilot.press("1", "3")  # two codes: they fit the room kept for them
        await pilot.pause()
        assert layouts and not any(layouts)
        text = screen_text(app)
        assert "Workload" in text and "Online" in text
        await pilot.press("1")  # and one taken off again
        await pilot.pause()
        assert not any(layouts)
        # more than the room holds: laid out once, and every line shows
        await pilot.press("1", "2", "m", *"a memo", "ctrl+s")
        await pilot.pause()
        assert any(layouts)
        text = screen_text(app)
        for path in ("Workload", "Feelings", "Online", "a memo"):
            assert path in text


@pilot_test
async def test_your_first_code_beside_another_coders_fits_the_room_kept_for_the_grid(mini_project):
    from textual.widgets import Static

    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q1")  # alice's Workload only: bob's first code makes the grid
        codes = app.screen.query_one("#comment-codes", Static)
        layouts: list[bool] = []
        update = codes.update
        codes.update = lambda content="", *, layout=True: (  # type: ignore[method-assign]
            layouts.append(layout),
            update(content, layout=layout),
        )[1]
        await pilot.press("3")
        await pilot.pause()
        assert layouts == [False]
        text = screen_text(app)
        assert "side by side" in text and "Online" in text and "Workload" in text


@pilot_test
async def test_a_code_key_redraws_the_themes_line_and_heading_not_its_sub_codes_or_definition(
    mini_project,
):
    from textual.widgets import Static

    from coder.tui.widgets.codebook import CodebookTree

    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "4:q1")
        screen: CodingScreen = app.screen
        tree = screen.query_one(CodebookTree)
        feelings = next(c.id for c in screen.session.codes.values() if c.path == "Feelings")
        tree.select_code(feelings)
        await pilot.pause()
        body = screen.query_one("#code-detail-text", Static)
        bodies: list[object] = []
        update = body.update
        body.update = lambda content="", *, layout=True: (  # type: ignore[method-assign]
            bodies.append(content),
            update(content, layout=layout),
        )[1]
        drawn: list[int] = []
        render_line = tree.render_line
        tree.render_line = lambda y: (drawn.append(y), render_line(y))[1]  # type: ignore[method-assign]
        await pilot.press("2")  # Feelings, a theme with two sub-codes, on this comment
        await pilot.pause()
        node = tree._code_nodes[feelings]
        assert drawn == [node.line - tree.scroll_offset.y]  # its own line, not Worry's or Anxiety's
        assert bodies == []  # the definition is as it was; the count is in the heading
        assert "Feelings 1 ✓" in str(node.label)
        heading = str(screen.query_one("#code-detail-heading", Static).render())
        assert "1 comment" in heading
