"""The codebook from the workbench's keys: make a code, find one, change one, undo it all."""

from __future__ import annotations

from tui_support import pilot_test, screen_text

from coder.domain import Code
from coder.session.palette import rank
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.codes import CodePalette, KeyPrompt

SIZE = (100, 30)


def paths(project) -> list[str]:
    with open_project(project) as store:
        return [c.path for c in store.codes.all()]


def coded(project, source_id: str, coder: str) -> set[str]:
    with open_project(project) as store:
        names = {c.id: c.path for c in store.codes.all()}
        comment = store.comments.by_source_id(source_id)
        return {names[k.code_id] for k in store.codings.of_comment(comment.id) if k.coder == coder}


@pilot_test
async def test_from_an_empty_codebook_to_a_coded_comment_by_keys_alone(empty_project, fixtures):
    from coder.corpus import ImportOptions, import_file

    with open_project(empty_project) as store:
        import_file(store, fixtures / "mini-survey.csv", ImportOptions(text=["q1"], id="id"))
    app = CoderApp(empty_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        assert "Press + to make one" in screen_text(app)
        await pilot.press("1")
        assert any("Press + to make a code" in n.message for n in app._notifications)
        await pilot.press("plus", *"Workload", "tab", *"Too much work", "enter")
        await pilot.pause()
        assert paths(empty_project) == ["Workload"]
        assert coded(empty_project, "1", "ann") == {"Workload"}
        await pilot.press("j", "plus", *"Worry", "tab", "tab", "space", "enter")  # a sub-code
        await pilot.pause()
        assert paths(empty_project) == ["Workload", "Workload > Worry"]
        assert coded(empty_project, "2", "ann") == {"Workload > Worry"}
        await pilot.press("u")
        await pilot.pause()
        assert paths(empty_project) == ["Workload"] and coded(empty_project, "2", "ann") == set()


@pilot_test
async def test_the_palette_finds_a_sub_code_by_a_few_letters_and_codes_with_it(mini_project):
    app = CoderApp(mini_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        assert isinstance(app.screen, CodePalette)
        await pilot.press(*"feanx", "enter")
        await pilot.pause()
        assert coded(mini_project, "1:q1", "ann") == {"Feelings > Anxiety"}


@pilot_test
async def test_the_code_menu_renames_pins_and_deletes_with_undo(mini_project):
    app = CoderApp(mini_project, "ann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket", "right_square_bracket")  # Feelings > Worry
        assert app.screen.codebook.highlighted_code is not None
        await pilot.press("e", "enter", *"ctrl+u".split(), *"Fear", "enter")  # Rename …
        await pilot.pause()
        assert "Feelings > Fear" in paths(mini_project)
        await pilot.press("e", "down", "down", "down", "down", "down", "enter")  # Pin …
        assert isinstance(app.screen, KeyPrompt)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("2")
        assert coded(mini_project, "1:q1", "ann") == {"Feelings > Fear"}
        await pilot.press("e", "end", "enter", "y")  # Delete …, confirmed
        await pilot.pause()
        assert "Feelings > Fear" not in paths(mini_project)
        assert coded(mini_project, "1:q1", "ann") == set()
        await pilot.press("u")
        await pilot.pause()
        assert "Feelings > Fear" in paths(mini_project)
        assert coded(mini_project, "1:q1", "ann") == {"Feelings > Fear"}


def test_ranking_a_thousand_codes_puts_the_intended_one_first():
    codes = [
        Code(
            i,
            f"Theme {i // 40} code {i % 40}",
            i // 40 + 10_000,
            path=f"Theme {i // 40} > code {i % 40}",
        )
        for i in range(1000)
    ]
    codes.append(Code(5000, "Worry", None, path="Emotional impact > Worry"))
    assert rank(codes, "emwor")[0].code.id == 5000
    assert rank(codes, "t24c31")[0].code.path == "Theme 24 > code 31"
    suggested = rank(codes, "", suggested={777: 0.9}, used={5000: 50})
    assert [m.code.id for m in suggested[:2]] == [777, 5000]
    assert rank(codes, "zzz") == []
