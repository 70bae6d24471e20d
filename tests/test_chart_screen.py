"""The chart screen on its own: theme bars, grouping by attribute, closing."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from tui_support import screen_text

from coder.report.build import theme_shares
from coder.store import open_project
from coder.tui.screens.chart import ChartScreen, bar_lines


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
        assert "Emotional impact" in screen_text(app)
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


def bar_length(line: str) -> float:
    """Cells of bar on a chart line: full blocks, and the eighths of the last one."""
    eighths = " ▏▎▍▌▋▊▉"
    full = line.count("█")
    part = next((eighths.index(ch) for ch in line if ch in eighths[1:]), 0)
    return full + part / 8


@pytest.mark.parametrize("width", [40, 66, 160])
def test_every_bar_is_as_long_as_its_own_share_at_any_width(demo_store, width):
    shares = theme_shares(demo_store)
    lines = bar_lines(shares, width).plain.splitlines()
    values = shares.series["all"]
    longest = max(values)
    cells = max(bar_length(line) for line in lines)
    for theme, value in zip(shares.themes, values, strict=True):
        line = next(line for line in lines if line.startswith(theme[:20]))
        assert abs(bar_length(line) - cells * value / longest) <= 0.5, (theme, line)
        assert line.rstrip().endswith(f"{value:.1f}%")


def test_groups_each_get_a_line_under_their_theme(demo_store):
    shares = theme_shares(demo_store, "area")
    text = bar_lines(shares, 70).plain
    lines = text.splitlines()
    first = lines.index(shares.themes[0])
    groups = list(shares.series)
    assert [line.split()[0] for line in lines[first + 1 : first + 1 + len(groups)]] == groups
    for g, group in enumerate(groups):
        assert lines[first + 1 + g].rstrip().endswith(f"{shares.series[group][0]:.1f}%")


def test_the_chart_at_80_by_24_shows_each_themes_own_bar(demo_store):
    asyncio.run(_at_80_by_24(demo_store))


async def _at_80_by_24(demo_store):
    app = ChartApp(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(app)
        shares = app.screen.shares
        for theme, value in zip(shares.themes, shares.series["all"], strict=True):
            if theme[:18] in shown:
                row = next(line for line in shown.splitlines() if theme[:18] in line)
                assert f"{value:.1f}%" in row, (theme, row)
