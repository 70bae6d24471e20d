"""coder train, coder suggest and coder evaluate as a user runs them."""

from __future__ import annotations

import csv
import pickle

import pytest
from cli_support import run

from coder.store import open_project
from coder.suggest import embeddings


def test_train_prints_per_code_metrics_and_names_the_codes_it_cannot_learn(capsys, demo_project):
    code, out, err = run(
        capsys, "train", demo_project, "--budget", "0", "--features", "tfidf", "-q"
    )
    assert code == 0, err
    assert "model v1: learnt from 205 coded comments by reference" in out
    assert "at least half of a comment's coders" in out
    assert "a sub-code does not imply its parent" in out
    header = next(line for line in out.splitlines() if line.startswith("code "))
    assert header.split() == ["code", "precision", "recall", "F1", "support", "threshold"]
    assert "Complex needs > Abuse history" in out
    assert "Complex needs: needs at least 5 examples (has 2)" in out
    with open_project(demo_project) as store:
        assert store.models.latest().id == 1


def test_suggest_writes_the_csv_the_issue_asks_for(capsys, demo_project, tmp_path):
    run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf", "-q")
    out_file = tmp_path / "suggestions.csv"
    code, out, err = run(capsys, "suggest", demo_project, "--out", out_file, "-q")
    assert code == 0, err
    with out_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:4] == ["comment_id", "code", "probability", "text"]
    with open_project(demo_project) as store:
        paths = {c.path for c in store.codes.all()}
        for row in rows[:50]:
            comment = store.comments.by_source_id(row["comment_id"])
            assert comment is not None and comment.text == row["text"]
            assert not store.codings.of_comment(comment.id)
            assert row["code"] in paths
            assert 0 < float(row["probability"]) <= 1
        pending = store.status().pending_suggestions
    assert any(" > " in row["code"] for row in rows)  # sub-codes by their path
    assert len(rows) == pending
    assert f"wrote {len(rows)} suggestions" in out
    assert "ranked 423 comments" in out


def test_evaluate_prints_metrics_and_saves_a_learning_curve(capsys, demo_project, tmp_path):
    plot = tmp_path / "curve.png"
    code, out, err = run(
        capsys,
        "evaluate",
        demo_project,
        "--plot",
        plot,
        "--folds",
        "3",
        "--features",
        "tfidf",
        "-q",
    )
    assert code == 0, err
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert "learning curve" in out and "3-fold cross-validation" in out
    assert "precision" in out and "Complex needs > Abuse history" in out
    with open_project(demo_project) as store:
        assert store.models.latest() is None  # evaluating trains nothing for keeps


def test_too_little_coding_is_one_line_and_changes_nothing(capsys, mini_project):
    code, out, err = run(capsys, "train", mini_project, "-q")
    assert code == 1
    assert err.startswith("error: too little coding to train") and err.count("\n") == 1
    with open_project(mini_project) as store:
        assert store.models.latest() is None


def test_suggest_before_training_says_what_to_do(capsys, mini_project):
    code, _, err = run(capsys, "suggest", mini_project)
    assert code == 1
    assert "error: no model yet: train one first with coder train" in err


def test_a_project_carrying_a_pickle_payload_cannot_run_it(capsys, demo_project, tmp_path):
    target = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(target), "w"))

    run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf", "-q")
    with open_project(demo_project) as store:
        store.db.conn.execute("UPDATE model_versions SET model = ?", (pickle.dumps(Payload()),))
    code, _, err = run(capsys, "suggest", demo_project)
    assert code == 1
    assert err.startswith("error: the stored model cannot be read")
    assert not target.exists()


@pytest.mark.skipif(embeddings.available(), reason="the embeddings extra is installed")
def test_asking_for_embeddings_without_the_extra_says_how_to_get_them(capsys, demo_project):
    code, _, err = run(capsys, "train", demo_project, "--features", "tfidf+embeddings")
    assert code == 1
    assert "pip install 'coder[embeddings]'" in err


def test_an_output_folder_that_does_not_exist_fails_before_any_work(capsys, demo_project, tmp_path):
    run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf", "-q")
    code, _, err = run(capsys, "suggest", demo_project, "--out", tmp_path / "nowhere" / "s.csv")
    assert code == 1 and "does not exist" in err
    with open_project(demo_project) as store:
        assert store.status().pending_suggestions == 0


def test_codes_the_model_gets_mostly_wrong_are_named_and_not_suggested(capsys, demo_project):
    from coder.suggest.scoring import RELIABLE_F1

    code, out, err = run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf")
    assert code == 0, err
    with open_project(demo_project) as store:
        metrics = store.models.latest().card.per_code
    weak = {m.path: m.f1 for m in metrics if m.f1 < RELIABLE_F1}
    strong = {m.path for m in metrics if m.f1 >= RELIABLE_F1}
    assert weak, "the demo has a code the model cannot yet learn well"
    held = out.split("held back", 1)[1]
    for path, f1 in weak.items():
        assert f"  {path}: F1 {f1:.2f}" in held
    assert run(capsys, "suggest", demo_project)[0] == 0
    with open_project(demo_project) as store:
        paths = {c.id: c.path for c in store.codes.all()}
        suggested = {
            paths[s.code_id]
            for comment in range(1, store.comments.count() + 1)
            for s in store.suggestions.pending(comment)
        }
    assert suggested and not suggested & set(weak) and suggested <= strong
