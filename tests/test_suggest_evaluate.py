"""coder evaluate's parts: cross-validated metrics and the learning curve."""

from __future__ import annotations

import pytest

from coder.store import open_project
from coder.suggest.evaluation import evaluate, plot_learning_curve


@pytest.fixture(scope="module")
def evaluated(demo_template, tmp_path_factory):
    import shutil

    path = tmp_path_factory.mktemp("evaluate") / "demo.db"
    shutil.copy(demo_template, path)
    with open_project(path) as store:
        return evaluate(store, folds=3, features="tfidf"), store.status()


def test_the_learning_curve_grows_to_the_coding_there_is(evaluated):
    report, status = evaluated
    coded = [p.coded for p in report.curve]
    assert coded == sorted(coded) and len(set(coded)) == len(coded)
    assert coded[-1] == pytest.approx(status.coded * 2 / 3, abs=2)  # a fold's training part
    for point in report.curve:
        assert 0 <= point.macro_f1 <= 1 and 0 <= point.micro_f1 <= 1
    # More coding teaches the model more: the curve's end is well above its start.
    assert report.curve[-1].macro_f1 > report.curve[0].macro_f1 + 0.2
    assert report.verdict


def test_metrics_cover_every_learnable_code_and_nothing_is_stored(evaluated):
    report, status = evaluated
    assert report.training_size == status.coded
    assert status.model_version is None
    paths = {m.path for m in report.per_code}
    assert "Training needs" in paths
    assert not paths & {s.path for s in report.skipped}
    measured = [m for m in report.per_code if m.measured]
    for m in measured:
        assert 0 <= m.f1 <= 1 and m.support >= 5
    assert all(m.unsure for m in report.per_code if not m.measured)
    assert report.macro_f1 == pytest.approx(sum(m.f1 for m in measured) / len(measured))


def test_the_plot_is_a_png(evaluated, tmp_path):
    path = plot_learning_curve(evaluated[0], tmp_path / "curve.png", "demo")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
