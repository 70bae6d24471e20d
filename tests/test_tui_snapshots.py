"""Snapshots of the workbench's main screens at 80x24 (update with --snapshot-update)."""

from __future__ import annotations

from store_support import add_model

from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.keys import Settings


def test_coding_screen_at_80x24(demo_project, snap_compare):
    assert snap_compare(CoderApp(demo_project, "alice"), press=["j", "j", "j", "j", "4"])


def test_suggestions_and_a_segment_being_selected_in_the_light_theme(demo_project, snap_compare):
    with open_project(demo_project) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        target = store.comments.by_source_id("R002:difficult").id
        version = add_model(store, 211, "test")
        store.suggestions.replace(
            version,
            [
                (
                    target,
                    codes["Confidence and skills > Identifying HSB"],
                    0.81,
                    ["normal", "age"],
                ),
                (target, codes["Digital technology > Online gaming"], 0.34, ["youtube"]),
            ],
        )
    app = CoderApp(demo_project, "alice", Settings({}, "light"))
    assert snap_compare(app, press=["j", "j", "j", "v", "w", "w", "w"])


def test_help_screen(demo_project, snap_compare):
    assert snap_compare(
        CoderApp(demo_project, "alice"), press=["question_mark"], terminal_size=(100, 40)
    )


def test_filter_dialog(demo_project, snap_compare):
    assert snap_compare(
        CoderApp(demo_project, "alice"), press=["f", "down", "down", "down", "enter"]
    )
