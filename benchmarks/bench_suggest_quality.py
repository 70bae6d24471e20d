"""Suggestion quality on real coded survey data, beside three baselines, in one run.

    python benchmarks/bench_suggest_quality.py [--sets nhs-label,anes-party] [--seeds 0]

For each data set (../shared/data, see its README) a quarter of the comments is held out,
split so that identical answers never straddle the two parts (an answer given word for
word by many respondents, "Good", "Nothing", would otherwise be learnt and tested on at
once). The rest is imported into a fresh project as coded, the held-out quarter as
uncoded, and `coder train` and `coder suggest` run as commands in a process of their own,
exactly as a user runs them; the suggestions stored for the held-out comments are scored
(every tier: an unsure suggestion is still a suggestion the coder sees).

Baselines, on the same split in the same run:
- careful: word 1-2-gram and character 2-5-gram TF-IDF, class-balanced logistic
  regression per code, probability threshold 0.5 (about 15 lines of scikit-learn);
- plain: word TF-IDF and one-vs-rest logistic regression with scikit-learn's defaults;
- careful + vectors: the careful baseline fed the same sentence vectors as
  `--features tfidf+embeddings` (only with the embeddings extra installed).

Macro-F1 is over the codes present in the held-out part; every code counts the same, so
a model that never suggests a rare code pays for it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_suggest_data import (
    DataSet,
    all_sets,
    baseline,
    careful,
    predictions,
    project,
    scores,
)
from bench_suggest_speed import run

from coder.store import open_project
from coder.suggest import embeddings

NAMES = {
    "nhs-label": "NHS label",
    "nhs-sub": "NHS subcategory",
    "anes-party": "ANES party",
    "anes-candidate": "ANES candidate",
}


def held_out_quarter(data: DataSet, seed: int = 0) -> DataSet:
    """A quarter of the comments held out, identical answers kept on one side."""
    from sklearn.model_selection import GroupShuffleSplit

    groups = [re.sub(r"\s+", " ", t.strip().lower()) for t in data.texts]
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(groups)), groups=groups))
    data.train, data.test = np.sort(train), np.sort(test)
    return data


def coder_run(data: DataSet, folder: Path, features: str) -> tuple[dict, float, float, str]:
    """`coder train` + `coder suggest` on the data set: scores, train and suggest seconds,
    and the tiers' share of the suggestions."""
    store = project(data, folder, data.train)
    path = store.path
    store.close()
    train_s, _ = run("train", str(path), "--features", features, "-q")
    suggest_s, _ = run("suggest", str(path), "-q")
    with open_project(path) as store:
        chosen, _ = predictions(store, data, data.test)
        latest = store.models.latest()
        assert latest is not None
        unsure = sum(1 for m in latest.card.per_code if m.unsure)
        note = f"{unsure} of {len(latest.card.per_code)} codes unsure"
    return scores(data.y[data.test], chosen), train_s, suggest_s, note


def vectors_for(data: DataSet) -> np.ndarray:
    """Every comment's sentence vector, kept in a cache between runs ($CODER_BENCH_CACHE,
    else the temporary folder): the two NHS label sets share their comments, and encoding
    is what costs (benchmarks/bench_embeddings_speed.py)."""
    key = hashlib.sha1("\n".join(data.texts).encode("utf-8")).hexdigest()[:12]
    folder = Path(os.environ.get("CODER_BENCH_CACHE", Path(tempfile.gettempdir()) / "coder-bench"))
    path = folder / f"vectors-{embeddings.MODEL}-{key}.npy"
    if path.exists():
        return np.load(path)
    order = sorted(range(len(data.texts)), key=lambda i: len(data.texts[i]))
    vectors = np.zeros((len(data.texts), embeddings.DIMENSIONS), dtype=np.float32)
    for start in range(0, len(order), embeddings.CHUNK):
        part = order[start : start + embeddings.CHUNK]
        vectors[part] = embeddings.encode([data.texts[i] for i in part])
    folder.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def in_memory(data: DataSet, vectors: np.ndarray | None) -> dict:
    """coder's own training and deciding on the split, without a project file or the
    search (the plan's first settings, as `coder train` fits beyond 4,000 coded comments)."""
    from bench_suggest_learning import codes_of

    from coder.nlp import analyse
    from coder.suggest.codebook_signal import PseudoExamples
    from coder.suggest.crossval import PLAN
    from coder.suggest.targets import TrainingSet, choose_codes
    from coder.suggest.training import assemble, fit_model

    docs = list(analyse(data.texts))
    codes = codes_of(data, {})
    y = data.y[data.train]
    kept, measured, _ = choose_codes(codes, y.sum(axis=0), len(y), [False] * len(codes))
    training = TrainingSet(
        [int(i) for i in data.train],
        y[:, kept],
        [codes[j] for j in kept],
        [],
        [],
        0,
        0,
        measured=measured,
    )
    prepared = assemble(
        training,
        PseudoExamples.none(len(kept)),
        [docs[i] for i in data.train],
        [],
        [],
        None if vectors is None else (vectors[data.train], None, None),
    )
    model, _ = fit_model(prepared, plan=PLAN[:1])
    held_out = None if vectors is None else vectors[data.test]
    x = model.features.encode([docs[i] for i in data.test], held_out).matrix
    chosen = np.zeros((len(data.test), data.y.shape[1]), dtype=bool)
    chosen[:, kept] = model.decide(model.probabilities(x))
    return scores(data.y[data.test], chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sets", default=",".join(NAMES), help="comma-separated: " + ", ".join(NAMES)
    )
    parser.add_argument("--seed", type=int, default=0, help="of the held-out split")
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="coder's training in memory with the plan's first settings, not the commands "
        "(minutes rather than an hour on a shared machine)",
    )
    args = parser.parse_args()
    wanted = {NAMES[s] for s in args.sets.split(",")}
    with_vectors = embeddings.available()
    feature_sets = ["tfidf"] + (["tfidf+embeddings"] if with_vectors else [])
    rows = []
    for data in all_sets():
        if data.name not in wanted:
            continue
        data = held_out_quarter(data, args.seed)
        y = data.y[data.test]
        print(
            f"\n{data.name}: {len(data.train)} coded, {len(data.test)} held out, "
            f"{int((y.sum(axis=0) > 0).sum())} codes in the held-out part",
            flush=True,
        )
        if args.in_memory:
            for features in feature_sets:
                started = time.perf_counter()
                vectors = vectors_for(data) if features != "tfidf" else None
                s = in_memory(data, vectors)
                print(
                    f"  coder ({features:<16}) macro-F1 {s['macro']:.3f}  micro {s['micro']:.3f}  "
                    f"in memory, {time.perf_counter() - started:5.1f}s",
                    flush=True,
                )
                rows.append((data.name, f"coder {features}", s["macro"], 0.0))
        with tempfile.TemporaryDirectory() as tmp:
            for features in [] if args.in_memory else feature_sets:
                s, train_s, suggest_s, note = coder_run(data, Path(tmp), features)
                print(
                    f"  coder ({features:<16}) macro-F1 {s['macro']:.3f}  micro {s['micro']:.3f}  "
                    f"train {train_s:5.1f}s + suggest {suggest_s:5.1f}s  ({note})",
                    flush=True,
                )
                rows.append((data.name, f"coder {features}", s["macro"], train_s + suggest_s))
        started = time.perf_counter()
        s = scores(y, careful(data, data.train, data.test))
        seconds = time.perf_counter() - started
        print(
            f"  careful baseline         macro-F1 {s['macro']:.3f}  micro {s['micro']:.3f}  "
            f"fit + predict {seconds:5.1f}s",
            flush=True,
        )
        rows.append((data.name, "careful", s["macro"], seconds))
        if with_vectors:
            vectors = vectors_for(data)
            s = scores(y, careful(data, data.train, data.test, vectors))
            print(f"  careful + vectors        macro-F1 {s['macro']:.3f}  micro {s['micro']:.3f}")
            rows.append((data.name, "careful + vectors", s["macro"], 0.0))
        s = scores(y, baseline(data, data.train))
        print(f"  plain baseline           macro-F1 {s['macro']:.3f}  micro {s['micro']:.3f}")
        rows.append((data.name, "plain", s["macro"], 0.0))
    print("\nsummary (macro-F1 on the held-out quarter):")
    names = list(dict.fromkeys(r[0] for r in rows))
    systems = list(dict.fromkeys(r[1] for r in rows))
    print(f"{'':22}" + "".join(f"{n:>17}" for n in names))
    for system in systems:
        cells = {r[0]: r[2] for r in rows if r[1] == system}
        print(f"{system:<22}" + "".join(f"{cells.get(n, float('nan')):17.3f}" for n in names))
    if not with_vectors:
        print("(the embeddings extra is not installed: no figures with sentence vectors)")


if __name__ == "__main__":
    main()
