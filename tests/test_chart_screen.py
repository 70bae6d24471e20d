"""The chart screen on its own: theme bars, grouping by attribute, closing."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual_plotext import PlotextPlot

from coder.report.build import theme_shares
from coder.store import open_project
from coder.tui.screens.chart import ChartScreen


class ChartApp(App):
    def __init__(self, store):
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(ChartScreen(self.store))


@pytest.fixture
def demo_store(demo_project):
    store = open_project(demo_project)
    yield store
    store.close()


def test_theme_shares_agree_with_the_report(demo_store):
    from coder.report.build import ReportOptions, build_report

    shares = theme_shares(demo_store)
    freq = build_report(demo_store, ReportOptions()).frequencies.set_index("code")
    top = freq[freq["depth"] == 0].drop(index="(all coded)")
    assert shares.themes == list(top.index)
    assert shares.series["all"] == [round(v, 1) for v in top["comments_pct"]]
    by_role = theme_shares(demo_store, "role")
    assert "teacher" in by_role.series
    assert all(len(v) == len(shares.themes) for v in by_role.series.values())


def test_chart_screen_draws_cycles_groups_and_closes(demo_store):
    asyncio.run(_draws_cycles_groups_and_closes(demo_store))


async def _draws_cycles_groups_and_closes(demo_store):
    app = ChartApp(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        assert list(screen.shares.series) == ["all"]
        assert "Emotional impact" in screen.shares.themes
        assert screen.query_one(PlotextPlot).plt is not None
        await pilot.press("g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.by == demo_store.comments.attribute_names()[0]
        assert len(screen.shares.series) > 1
        title = str(screen.query_one("#chart-title").render())
        assert f"by {screen.by}" in title
        for _ in range(len(screen.groupings) - 1):
            await pilot.press("g")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert screen.by is None
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ChartScreen)


def test_chart_screen_on_an_empty_project(empty_project):
    asyncio.run(_on_an_empty_project(empty_project))


async def _on_an_empty_project(empty_project):
    store = open_project(empty_project)
    try:
        app = ChartApp(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen.shares.themes == []
            await pilot.press("q")
            await pilot.pause()
            assert not isinstance(app.screen, ChartScreen)
    finally:
        store.close()
