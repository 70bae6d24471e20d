"""Coding as a team in the workbench and where the agreed coding counts: the sample a coder
is assigned, coders side by side, settling as coder `consensus`, and the report, training
and HTML report that prefer it."""

from __future__ import annotations

import csv
import io

from cli_support import run
from team_support import code_all, project_with_comments
from tui_support import pilot_test, screen_text

from coder.domain import CommentFilter
from coder.report.build import ReportOptions, build_report
from coder.report.data import Selection
from coder.report.html import html_report
from coder.sampling import assign_sample
from coder.store import open_project
from coder.suggest.targets import training_set
from coder.tui.app import CoderApp
from coder.tui.screens.coding import CodingScreen

SIZE = (110, 34)


def disagreeing(path):
    """c1: ann and bob differ; c2: they agree; c3: only ann; c4: they differ, settled."""
    store = project_with_comments(path, 6)
    code_all(
        store,
        {
            "ann": {"c1": ["Workload"], "c2": ["Online"], "c3": ["Workload"], "c4": ["Online"]},
            "bob": {"c1": ["Online"], "c2": ["Online"], "c4": ["Workload"]},
            "consensus": {"c4": ["Workload", "Online"]},
        },
    )
    return store


def ids(store, *sources: str) -> list[int]:
    return [store.comments.by_source_id(s).id for s in sources]


def test_the_agreed_coding_settles_rather_than_takes_part(tmp_path):
    store = disagreeing(tmp_path / "t.db")
    c1, c4 = ids(store, "c1", "c4")
    # consensus differs from ann on c4, but it settles the disagreement, not joins it
    assert list(store.comments.filtered_ids(CommentFilter(disagreement=True))) == [c1, c4]
    unsettled = CommentFilter(disagreement=True, unsettled=True)
    assert list(store.comments.filtered_ids(unsettled)) == [c1]
    store.close()


def test_report_and_training_prefer_the_agreed_coding(tmp_path):
    store = disagreeing(tmp_path / "t.db")
    report = build_report(store, ReportOptions(selection=Selection(consensus=True)))
    counts = dict(zip(report.frequencies["code"], report.frequencies["comments"], strict=True))
    # Workload: c3 (ann alone) and c4 (settled); Online: c2 (both) and c4 (settled);
    # c1 counts for neither, its coders disagree and nobody settled it
    assert counts["Workload"] == 2 and counts["Online"] == 2
    data = training_set(store, min_examples=1)
    assert data.settled == 1
    row = data.comment_ids.index(ids(store, "c4")[0])
    learnt = {code.path for code, y in zip(data.codes, data.y[row], strict=True) if y}
    assert learnt == {"Workload", "Online"}
    store.close()


def test_report_consensus_on_the_command_line(tmp_path, capsys):
    disagreeing(tmp_path / "t.db").close()
    code, out, err = run(
        capsys, "report", tmp_path / "t.db", "--consensus", "--format", "csv", "--out", "-"
    )
    assert code == 0, err
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out)) if r.get("code")}
    assert rows["Workload"]["comments"] == "2" and rows["Online"]["comments"] == "2"


def test_html_report_shows_agreement_only_with_two_coders(tmp_path):
    store = disagreeing(tmp_path / "t.db")
    html = html_report(build_report(store, ReportOptions(agreement=True)))
    assert "<h2>Agreement between coders</h2>" in html
    assert "Agreement between ann, bob on the 3 comments" in html  # c1, c2, c4
    assert "consensus," not in html.split("<h2>Agreement between coders</h2>")[1]
    store.close()
    alone = project_with_comments(tmp_path / "one.db", 3)
    code_all(alone, {"ann": {"c1": ["Workload"]}})
    assert "Agreement between" not in html_report(
        build_report(alone, ReportOptions(agreement=True))
    )
    alone.close()


@pilot_test
async def test_coders_side_by_side_and_settling_as_consensus(tmp_path):
    disagreeing(tmp_path / "t.db").close()
    where = CommentFilter(disagreement=True, unsettled=True)
    app = CoderApp(tmp_path / "t.db", "consensus", where=where)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen: CodingScreen = app.screen
        assert screen.session.shown.comment.source_id == "c1"
        assert len(screen.session.listing) == 1
        text = screen_text(app)
        assert "Coded by 2 coders, side by side" in text
        lines = [line for line in text.splitlines() if "Workload" in line and "≠" in line]
        assert lines, text  # ann has Workload, bob has not
        assert "coders disagree · not settled" in text
        await pilot.press("1")  # the lead settles c1 as Workload
        await pilot.pause()
        assert "Coded by 3 coders" in screen_text(app)
    with open_project(tmp_path / "t.db") as store:
        c1 = ids(store, "c1")[0]
        settled = {(k.coder, k.code_id) for k in store.codings.of_comment(c1)}
        assert ("consensus", store.codes.all()[0].id) in settled
        unsettled = list(store.comments.filtered_ids(where))
        assert unsettled == []


@pilot_test
async def test_the_sample_assigned_to_me_and_its_progress(tmp_path):
    store = project_with_comments(tmp_path / "s.db", 8)
    assign_sample(store, "bob", n=3, seed=4)
    assigned = store.assignments.of("bob")
    store.close()
    app = CoderApp(tmp_path / "s.db", "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen: CodingScreen = app.screen
        assert "sample 0/3" in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        kinds = [o.id for o in app.screen.query_one("#filter-kinds").options]
        await pilot.press(*["down"] * kinds.index("assigned"), "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.session.listing.ids(0, 100) == assigned
        await pilot.press("1")
        await pilot.pause()
        text = screen_text(app)
        assert "sample 1/3" in text and "assigned to me" in text
    # nothing assigned: the filter says so rather than show an empty list
    app = CoderApp(tmp_path / "s.db", "carol")
    async with app.run_test(size=SIZE) as pilot:
        assert "sample" not in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        kinds = [o.id for o in app.screen.query_one("#filter-kinds").options]
        await pilot.press(*["down"] * kinds.index("assigned"), "enter")
        await pilot.pause()
        assert app.screen.query_one("#filter-kinds")  # still in the dialog
        assert len(app.screen.app.screen_stack) == 3
