"""Suggestions in the workbench: shown apart from codings, accepted, rejected, undone, retrained."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from store_support import add_model
from tui_support import pilot_test, screen_text

import coder.suggest
from coder.errors import CoderError
from coder.model_card import CodeMetrics, FitConfig, ModelCard, Tier
from coder.store import open_project
from coder.tui.app import CoderApp
from coder.tui.screens.coding import CodingScreen

SIZE = (110, 30)


def suggest_for(path, rows: list[tuple[str, str, float, list[str]]]) -> int:
    """Store suggestions (comment id, code path, probability, words) as a new model version."""
    with open_project(path) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        version = add_model(store, 2, "test")
        store.suggestions.replace(
            version,
            [(store.comments.by_source_id(s).id, codes[c], p, w) for s, c, p, w in rows],
        )
        return version


def state(path, source_id: str) -> tuple[set, dict]:
    """(codings as (code, coder, origin), suggestion statuses by code) as committed."""
    with open_project(path) as store:
        paths = {c.id: c.path for c in store.codes.all()}
        cid = store.comments.by_source_id(source_id).id
        codings = {
            (paths[k.code_id], k.coder, str(k.origin)) for k in store.codings.of_comment(cid)
        }
        rows = store.db.conn.execute(
            "SELECT code_id, status FROM suggestions WHERE comment_id = ?", (cid,)
        ).fetchall()
        return codings, {paths[c]: s for c, s in rows}


async def go_to(pilot, source_id: str) -> None:
    screen: CodingScreen = pilot.app.screen
    comment = screen.store.comments.by_source_id(source_id)
    screen.comment_list.move_to(screen.session.listing.position_of(comment.id), announce=True)
    await pilot.pause()


@pilot_test
async def test_accept_reject_and_undo_suggestions_by_key(mini_project):
    version = suggest_for(
        mini_project,
        [
            ("1:q2", "Feelings > Worry", 0.83, ["worry", "wrong"]),
            ("1:q2", "Workload", 0.41, ["getting"]),
            ("3:q2", "Feelings > Anxiety", 0.77, ["anxious"]),
        ],
    )
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q2")
        text = screen_text(app)
        assert f"Suggested by model v{version}, not yet coded" in text
        assert "◇ Feelings > Worry  83%  because of: worry, wrong" in text
        assert "Not coded yet." in text and "◇83%" in text  # tree mark beside the code
        assert state(mini_project, "1:q2")[0] == set()  # a suggestion is not a coding
        await pilot.press("a")
        assert state(mini_project, "1:q2") == (
            {("Feelings > Worry", "bob", "suggestion"), ("Workload", "bob", "suggestion")},
            {"Feelings > Worry": "accepted", "Workload": "accepted"},
        )
        assert "(accepted suggestion)" in screen_text(app)
        await pilot.press("u")
        assert state(mini_project, "1:q2") == (
            set(),
            {"Feelings > Worry": "pending", "Workload": "pending"},
        )
        await go_to(pilot, "3:q2")
        await pilot.press("x")
        assert state(mini_project, "3:q2") == (set(), {"Feelings > Anxiety": "rejected"})
        assert "Suggested" not in screen_text(app)
        await pilot.press("x")  # nothing left to reject: a message, nothing written
        assert state(mini_project, "3:q2") == (set(), {"Feelings > Anxiety": "rejected"})


@pilot_test
async def test_coding_a_suggested_code_by_key_records_it_as_accepted(mini_project):
    suggest_for(mini_project, [("4:q1", "Workload", 0.9, ["waiting", "list"]),
                               ("4:q1", "Online", 0.2, [])])  # fmt: skip
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "4:q1")
        await pilot.press("1")
        assert state(mini_project, "4:q1") == (
            {("Workload", "bob", "suggestion")},
            {"Workload": "accepted", "Online": "pending"},
        )
        await pilot.press("2")  # not suggested: an ordinary coding
        assert ("Feelings", "bob", "manual") in state(mini_project, "4:q1")[0]


@pilot_test
async def test_list_marks_comments_with_pending_suggestions(mini_project):
    suggest_for(mini_project, [("4:q2", "Workload", 0.6, [])])
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        lines = screen_text(app).splitlines()
        assert any("◇ 4:q2" in line for line in lines)
        assert not any("◇ 4:q1" in line for line in lines)
        await pilot.press("f", *["down"] * 4, "enter", "enter")  # suggestions of any code
        await app.workers.wait_for_complete()
        await pilot.pause()
        with open_project(mini_project) as store:
            assert app.screen.session.listing.ids(0, 10) == [store.comments.by_source_id("4:q2").id]


@pilot_test
async def test_t_trains_in_a_worker_while_keys_keep_answering(mini_project, monkeypatch):
    release = threading.Event()
    calls = []

    def fake_train(store, *, features=None, progress=None, quick=False):
        calls.append(threading.current_thread() is threading.main_thread())
        progress("training", 0.5)
        assert release.wait(10)
        version = add_model(store, 2, "fake")
        return SimpleNamespace(version=version)

    def fake_suggest(store, *, progress=None):
        version = store.models.latest().id
        target = store.comments.by_source_id("5:q1").id
        online = next(c.id for c in store.codes.all() if c.path == "Online")
        store.suggestions.replace(version, [(target, online, 0.9, ["phones", "apps"])])
        progress("suggesting", 1.0)
        return SimpleNamespace(version=version)

    monkeypatch.setattr(coder.suggest, "train", fake_train, raising=False)
    monkeypatch.setattr(coder.suggest, "suggest", fake_suggest, raising=False)
    monkeypatch.setattr(CodingScreen, "train_in_process", True)
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        screen: CodingScreen = app.screen
        await pilot.press("t")
        for _ in range(50):
            await pilot.pause(0.02)
            if "training 50%" in screen_text(app):
                break
        assert "training 50%" in screen_text(app)
        await pilot.press("j", "1")  # keys answer, and write, while the model trains
        assert screen.session.shown.comment.source_id == "1:q2" and screen.session.shown.codings
        await pilot.press("t")  # a second `t` does not start a second training
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == [False]
        assert "model v1" in screen_text(app) and not screen.session.training
        await go_to(pilot, "5:q1")
        assert [s.probability for s in screen.session.shown.suggestions] == [0.9]


@pilot_test
async def test_a_failed_training_is_a_message_and_the_screen_carries_on(mini_project, monkeypatch):
    def refuse(store, *, features=None, progress=None, quick=False):
        raise CoderError("too little coding to train on: code at least 10 comments")

    monkeypatch.setattr(coder.suggest, "train", refuse, raising=False)
    monkeypatch.setattr(coder.suggest, "suggest", refuse, raising=False)
    monkeypatch.setattr(CodingScreen, "train_in_process", True)
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "too little coding to train on: code at least 10 comments" in messages
        assert not app.screen.session.training
        await pilot.press("1")
        assert app.screen.session.shown.codings


@pilot_test
async def test_t_trains_the_real_model_on_the_demo(demo_project, monkeypatch):
    # The real model, in its own process as the workbench runs it, with no time for a
    # hyper-parameter search (only its first candidate).
    monkeypatch.setattr(CodingScreen, "training_budget", 0.0)
    app = CoderApp(demo_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        started = time.perf_counter()
        await pilot.press("t")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert time.perf_counter() - started < 120
        with open_project(demo_project) as store:
            latest = store.models.latest()
            assert latest is not None
            assert store.status().pending_suggestions > 0
        assert f"model v{latest.id}" in screen_text(app)
        summary = [n.message for n in app._notifications if n.message.startswith("Model v")]
        assert summary and f"learnt from {latest.training_size:,} coded comments" in summary[0]
        await pilot.press("f", *["down"] * 4, "enter", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen: CodingScreen = app.screen
        assert screen.session.shown is not None and screen.session.shown.suggestions
        await pilot.press("a")
        codings, _ = state(demo_project, screen.session.shown.comment.source_id)
        assert {origin for _, coder_, origin in codings if coder_ == "bob"} == {"suggestion"}


@pilot_test
async def test_a_suggestion_of_a_code_already_applied_asks_nothing(mini_project):
    with open_project(mini_project) as store:
        workload = next(c.id for c in store.codes.all() if c.path == "Workload")
        store.codings.apply(store.comments.by_source_id("4:q1").id, workload, "bob")
    suggest_for(mini_project, [("4:q1", "Workload", 0.9, []), ("4:q1", "Online", 0.3, [])])
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "4:q1")
        assert [s.probability for s in app.screen.session.shown.suggestions] == [0.3]
        await pilot.press("x")
        assert state(mini_project, "4:q1")[1] == {"Workload": "pending", "Online": "rejected"}


@pilot_test
async def test_q_while_training_asks_again_then_stops_the_training(mini_project, monkeypatch):
    stopped = threading.Event()

    def slow_train(store, *, features=None, progress=None, quick=False):
        try:
            for _ in range(2000):
                progress("training", 0.1)
                time.sleep(0.005)
        except BaseException:
            stopped.set()
            raise
        raise AssertionError("training was never stopped")

    monkeypatch.setattr(coder.suggest, "train", slow_train, raising=False)
    monkeypatch.setattr(CodingScreen, "train_in_process", True)
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t", "q")
        assert app.is_running and app.screen.session.training
        assert any("Press q again" in n.message for n in app._notifications)
        await pilot.press("q")
    assert stopped.wait(5), "the training went on after the app closed"


@pilot_test
async def test_quitting_while_the_training_process_runs_stops_it(demo_project):
    app = CoderApp(demo_project, "bob")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        for _ in range(200):  # until the training process is up and reporting
            await pilot.pause(0.05)
            if app.screen._trainer is not None and "%" in app.screen.session.busy:
                break
        child = app.screen._trainer
        assert child is not None and child.poll() is None
        await pilot.press("q", "q")
    assert child.wait(10) is not None  # gone with the screen, not left training on its own
    with open_project(demo_project) as store:
        assert store.models.latest() is None  # nothing half-trained was kept


@pilot_test
async def test_unsure_suggestions_come_last_with_their_precision_and_s_hides_them(mini_project):
    with open_project(mini_project) as store:
        codes = {c.path: c.id for c in store.codes.all()}
        weak = CodeMetrics(codes["Online"], "Online", 0.25, 0.2, 0.22, 6, 0.5, Tier.UNSURE)
        card = ModelCard("tfidf", 20, FitConfig(), 5, 0, (weak,))
        version = store.models.add(card, None)
        comment = store.comments.by_source_id("1:q2").id
        store.suggestions.replace(
            version,
            [
                (comment, codes["Online"], 0.9, ["online"]),
                (comment, codes["Workload"], 0.6, ["getting"]),
                (comment, codes["Feelings"], 0.4, []),
            ],
            unsure={codes["Online"], codes["Feelings"]},
        )
    app = CoderApp(mini_project, "bob")
    async with app.run_test(size=(120, 40)) as pilot:
        await go_to(pilot, "1:q2")
        text = screen_text(app)
        # The confident one first, though less probable; then the unsure ones, headed.
        assert text.index("◇ Workload  60%") < text.index("Unsure (") < text.index("◇ Online")
        assert "◇ Online  90%  unsure: right 25% of the time so far" in text
        assert "◇ Feelings  40%  unsure: not measured yet" in text
        await pilot.press("s")
        text = screen_text(app)
        assert "◇ Workload  60%" in text
        assert "◇ Online" not in text and "◇ Feelings" not in text
        assert "2 unsure suggestions hidden (s shows them)" in text
        await pilot.press("a")  # accepts what is shown: the confident one only
        assert state(mini_project, "1:q2") == (
            {("Workload", "bob", "suggestion")},
            {"Online": "pending", "Workload": "accepted", "Feelings": "pending"},
        )
        await pilot.press("s")
        assert "◇ Online  90%  unsure" in screen_text(app)


@pilot_test
async def test_hints_on_screen_name_the_keys_as_the_coder_mapped_them(mini_project):
    from coder.tui.keys import Settings

    suggest_for(mini_project, [("1:q2", "Feelings > Worry", 0.83, ["worry"])])
    remapped = Settings({"coding.accept": "A", "coding.reject": "X", "coding.undo": "ctrl+z"})
    app = CoderApp(mini_project, "bob", settings=remapped)
    async with app.run_test(size=SIZE) as pilot:
        await go_to(pilot, "1:q2")
        text = screen_text(app)
        assert "(A accepts all, X rejects" in text
        assert "a accepts all" not in text
        await pilot.press("A")  # and the key named is the key that works
        await pilot.pause()
        assert state(mini_project, "1:q2")[0] == {("Feelings > Worry", "bob", "suggestion")}
