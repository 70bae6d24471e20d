"""Training and suggesting on a project: versions, metrics, suggestions, explanations, order."""

from __future__ import annotations

import csv
import shutil
import threading
from collections import Counter

import numpy as np
import pytest

from coder.codebook import Codebook, CodeSpec, merge_codebook
from coder.corpus import ImportOptions, import_file
from coder.errors import CoderError
from coder.store import create_project, open_project
from coder.suggest import suggest, train
from coder.suggest.model import Model


@pytest.fixture(scope="module")
def trained(demo_template, tmp_path_factory):
    """The demo, trained and suggested once; tests that change it take their own copy."""
    path = tmp_path_factory.mktemp("trained") / "demo.db"
    shutil.copy(demo_template, path)
    with open_project(path) as store:
        report = train(store, features="tfidf", budget=0)
        suggested = suggest(store)
    return path, report, suggested


def pending(store):
    return store.db.conn.execute(
        "SELECT comment_id, code_id, probability, model_version, explanation FROM suggestions "
        "WHERE status = 'pending'"
    ).fetchall()


def uncoded(store):
    return {c for c, _ in store.comments.uncoded(limit=10**6)}


def test_training_stores_a_version_with_cross_validated_metrics(trained):
    path, report, _ = trained
    with open_project(path) as store:
        latest = store.models.latest()
        counts = store.codes.counts()
        coded = store.status().coded
    assert report.version == latest.id
    assert latest.card == report.card  # what was stored reads back the same
    assert report.training_size == latest.training_size == coded
    assert report.coders == ["reference"]
    for m in report.per_code:
        assert 0 <= m.precision <= 1 and 0 <= m.recall <= 1 and 0 <= m.f1 <= 1
        assert m.support == counts.get(m.code_id, 0)
        assert latest.card.metrics_for(m.code_id).f1 == pytest.approx(m.f1)
    measured = [m for m in report.per_code if m.measured]
    assert all(m.support >= 5 for m in measured)
    assert report.macro_f1 == pytest.approx(np.mean([m.f1 for m in measured]))
    assert report.macro_f1 > 0.3  # a model that learnt nothing scores near zero
    # Too few examples to measure, but defined in the codebook: learnt, and unsure.
    rare = next(m for m in report.per_code if m.path == "Complex needs")
    assert (rare.support, rare.measured, rare.tier) == (2, False, "unsure")
    assert latest.card.codebook_examples > 0
    assert not {m.path for m in report.per_code} & {s.path for s in report.skipped}


def test_training_twice_gives_the_same_model(demo_project):
    with open_project(demo_project) as store:
        first = train(store, features="tfidf", budget=0)
        a = Model.from_bytes(store.models.blob(first.version))
        second = train(store, features="tfidf", budget=0)
        b = Model.from_bytes(store.models.blob(second.version))
        assert store.models.blob(first.version) is None  # only the latest keeps its arrays
    assert second.version == first.version + 1
    assert np.array_equal(a.coef, b.coef)
    assert np.array_equal(a.threshold, b.threshold)
    assert [m.f1 for m in first.per_code] == [m.f1 for m in second.per_code]


def test_a_quick_retrain_reuses_the_last_searchs_settings_until_the_coding_grows(demo_project):
    with open_project(demo_project) as store:
        full = train(store, features="tfidf", budget=0)
        comment_id, _ = store.comments.uncoded(limit=1)[0]
        code = store.codes.all()[-1]
        store.codings.apply(comment_id, code.id, "bob")
        quick = train(store, features="tfidf", quick=True)
    assert quick.card.config == full.card.config
    assert quick.card.settings_from == full.version
    assert (
        quick.card.search_note() == f"settings reused from model v{full.version} (a quick retrain)"
    )
    assert quick.training_size == full.training_size + 1  # the new coding is learnt from
    assert len(quick.card.tried) == 1


def test_suggestions_are_for_uncoded_comments_above_each_threshold(trained):
    path, report, suggested = trained
    thresholds = {m.code_id: m.threshold for m in report.per_code}
    with open_project(path) as store:
        rows = pending(store)
        left = uncoded(store)
        texts = dict(store.db.conn.execute("SELECT id, text FROM comments").fetchall())
    assert suggested.suggestions == len(rows) > 0
    assert suggested.scored == len(left)
    assert {r[0] for r in rows} <= left
    per_comment = Counter(r[0] for r in rows)
    for comment_id, code_id, probability, version, explanation in rows:
        assert version == report.version
        if probability < thresholds[code_id]:
            # The floor: a comment none of whose codes passed gets its likeliest alone.
            assert report.card.min_per_comment == 1 and per_comment[comment_id] == 1
        for phrase in __import__("json").loads(explanation):
            for word in phrase.split():
                assert word in texts[comment_id].lower()
    explained = [r for r in rows if r[4] != "[]"]
    assert len(explained) > 0.9 * len(rows)


def test_every_uncoded_comment_is_ranked_and_next_follows_the_order(trained):
    path, report, suggested = trained
    with open_project(path) as store:
        ranked = store.db.conn.execute(
            "SELECT comment_id, rank, model_version FROM priorities ORDER BY rank"
        ).fetchall()
        left = uncoded(store)
        following = store.comments.next_uncoded(None)
    assert [r[1] for r in ranked] == list(range(len(left)))
    assert {r[0] for r in ranked} == left
    assert {r[2] for r in ranked} == {report.version}
    assert suggested.prioritised == len(left)
    assert following.comment_id == ranked[0][0]


def test_a_rejected_suggestion_is_not_made_again(demo_project):
    with open_project(demo_project) as store:
        train(store, features="tfidf", budget=0)
        suggest(store)
        rows = pending(store)
        rejected_comment, rejected_code = rows[0][0], rows[0][1]
        accepted_comment = next(r[0] for r in rows if r[0] != rejected_comment)
        store.suggestions.reject(rejected_comment, "ann", [rejected_code])
        store.suggestions.accept(accepted_comment, "ann")
        report = suggest(store)
        again = pending(store)
        left = uncoded(store)
        statuses = store.db.conn.execute(
            "SELECT status, count(*) FROM suggestions GROUP BY status"
        ).fetchall()
    assert (rejected_comment, rejected_code) not in {(r[0], r[1]) for r in again}
    assert accepted_comment not in left  # coded now, so not scored
    assert report.scored == len(left)
    assert dict(statuses)["rejected"] == 1 and dict(statuses)["accepted"] >= 1


def test_retraining_replaces_the_old_versions_pending_suggestions(demo_project):
    with open_project(demo_project) as store:
        first = train(store, features="tfidf", budget=0)
        suggest(store)
        comment = pending(store)[0][0]
        store.suggestions.accept(comment, "ann")  # a decided one is history and stays
        second = train(store, features="tfidf", budget=0)
        suggest(store)
        versions = store.db.conn.execute(
            "SELECT model_version, status, count(*) FROM suggestions GROUP BY 1, 2"
        ).fetchall()
    by = {(v, s): n for v, s, n in versions}
    assert (first.version, "pending") not in by
    assert by[(first.version, "accepted")] >= 1
    assert by[(second.version, "pending")] > 0


def test_suggest_without_a_model_is_a_clear_error(store):
    with pytest.raises(CoderError, match="no model yet"):
        suggest(store)


def test_a_code_deleted_after_training_is_not_suggested(demo_project):
    with open_project(demo_project) as store:
        report = train(store, features="tfidf", budget=0)
        gone = max(report.per_code, key=lambda m: m.support).code_id
        store.codes.delete(gone)
        suggested = suggest(store)
        codes = {r[1] for r in pending(store)}
    assert suggested.suggestions > 0
    assert gone not in codes


def synthetic_project(path, uncoded_texts):
    """Transport comments mention a bus, staffing ones the nurses; a fixed mix of both."""
    places = ["clinic", "ward", "hospital", "surgery", "centre", "unit"]
    rows = []
    for i in range(36):
        place = places[i % len(places)]
        kind = i % 3
        if kind == 0:
            text, codes = f"The bus to the {place} never came on time", "Transport"
        elif kind == 1:
            text, codes = f"Not enough nurses on the {place} at night", "Staffing"
        else:
            text, codes = f"Lovely {place}, kind people, clean rooms", "Praise"
        rows.append((f"c{i}", text, codes))
    rows += [(f"u{i}", text, "") for i, text in enumerate(uncoded_texts)]
    source = path.with_suffix(".csv")
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "codes"])
        writer.writerows(rows)
    store = create_project(path)
    merge_codebook(
        store, Codebook("t", codes=[CodeSpec(n) for n in ("Transport", "Staffing", "Praise")])
    )
    import_file(store, source, ImportOptions(text=["text"], id="id", codes=["codes"], coder="ann"))
    return store


def test_explanations_point_at_the_words_that_decided(tmp_path):
    store = synthetic_project(
        tmp_path / "t.db",
        [
            "The bus home never came on time, I waited an hour",
            "Not enough nurses at night, they were rushed off their feet",
        ],
    )
    report = train(store, features="tfidf", budget=0)
    assert {m.path for m in report.per_code} == {"Transport", "Staffing", "Praise"}
    suggest(store)
    codes = {c.id: c.path for c in store.codes.all()}
    bus = store.suggestions.pending(store.comments.by_source_id("u0").id)
    nurses = store.suggestions.pending(store.comments.by_source_id("u1").id)
    store.close()
    assert codes[bus[0].code_id] == "Transport"
    assert "bus" in " ".join(bus[0].explanation).split()
    assert codes[nurses[0].code_id] == "Staffing"
    assert "nurses" in " ".join(nurses[0].explanation).split()


def test_train_and_suggest_run_in_a_worker_thread_with_progress(demo_project):
    seen: list[tuple[str, float]] = []
    errors: list[BaseException] = []

    def work():
        try:
            with open_project(demo_project) as store:
                train(
                    store,
                    features="tfidf",
                    budget=0,
                    progress=lambda m, f: seen.append(("train", f)),
                )
                suggest(store, progress=lambda m, f: seen.append(("suggest", f)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=120)
    assert not errors
    for phase in ("train", "suggest"):
        fractions = [f for p, f in seen if p == phase]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert all(0 <= f <= 1 for f in fractions)
    with open_project(demo_project) as store:
        assert store.status().pending_suggestions > 0


def test_progress_may_stop_training_and_nothing_is_stored(demo_project):
    class Stop(Exception):
        pass

    def progress(message, fraction):
        if message.startswith("cross-validating"):
            raise Stop

    with open_project(demo_project) as store:
        with pytest.raises(Stop):
            train(store, features="tfidf", progress=progress)
        assert store.models.latest() is None
