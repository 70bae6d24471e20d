"""Suggestion quality on real coded survey data, beside a plain scikit-learn pipeline.

    python benchmarks/bench_suggest_quality.py [--sets nhs-label,anes-party] [--curves]

For each data set (../shared/data, see its README) the training part is imported into a
fresh project as coded and the test part as uncoded; `coder.suggest.train` and
`coder.suggest.suggest` run as a user would run them, and the suggestions stored for the
test comments are scored. The baseline is TF-IDF + one-vs-rest logistic regression with
scikit-learn's defaults, on the same split, in the same run. With the embeddings extra
installed, both feature sets are measured.

--curves adds learning curves: F1 on the test part after 50, 100, 200, 400 and 800 coded
comments, coding them in random order or in the "most useful next" order that
`coder suggest` stores (after a random first 50), re-training at each step; each is the
mean of --seeds runs, as one run varies by a few points with its first 50.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_suggest_data import all_sets, baseline, predictions, project, scores

from coder.errors import CoderError
from coder.store.codings import Change
from coder.suggest import embeddings, suggest, train

STEPS = (50, 100, 200, 400, 800)


def top_one(y: np.ndarray, probability: np.ndarray) -> tuple[float, float]:
    """Accuracy and balanced accuracy of each comment's most probable code (a comment
    with no probability at all counts as wrong), for data with one code per comment."""
    truth = y.argmax(axis=1)
    guess = np.where(probability.max(axis=1) > 0, probability.argmax(axis=1), -1)
    accuracy = float((guess == truth).mean())
    recalls = [float((guess[truth == j] == j).mean()) for j in np.unique(truth)]
    return accuracy, float(np.mean(recalls))


def model_probabilities(store, data) -> np.ndarray:
    """The stored model's probability of every code for each held-out comment, whether or
    not it passed the code's threshold (what a one-code-per-comment classifier reports)."""
    from coder.nlp import analyse
    from coder.suggest.scoring import latest_model

    _, model = latest_model(store)
    paths = {c.id: c.path for c in store.codes.all()}
    columns = [data.codes.index(paths[int(c)]) for c in model.code_ids]
    texts = [data.texts[i] for i in data.test]
    vectors = None
    if model.features.embedding_dim:  # cached in the project by `suggest`
        ids = [store.comments.by_source_id(f"c{i}").id for i in data.test]
        vectors = embeddings.vectors(store, ids, texts)
    out = np.zeros((len(data.test), len(data.codes)))
    encoded = model.features.encode(list(analyse(texts)), vectors)
    out[:, columns] = model.probabilities(encoded.matrix)
    return out


def measure(data, folder: Path, features: str) -> tuple[dict, float, tuple | None]:
    store = project(data, folder, data.train)
    started = time.perf_counter()
    train(store, features=features)
    suggest(store)
    seconds = time.perf_counter() - started
    chosen, probability = predictions(store, data, data.test)
    y = data.y[data.test]
    top = None
    if (data.y.sum(axis=1) == 1).all():
        top = top_one(y, probability) + top_one(y, model_probabilities(store, data))
    store.close()
    return scores(y, chosen), seconds, top


def row(label: str, s: dict, extra: str = "") -> str:
    return f"  {label:<28} macro-F1 {s['macro']:.3f}  micro-F1 {s['micro']:.3f}  samples-F1 {s['samples']:.3f}{extra}"


def quality(data, folder: Path) -> None:
    y = data.y[data.test]
    print(
        f"\n{data.name}: {len(data.train)} coded, {len(data.test)} held out, "
        f"{int((data.y[data.train].sum(axis=0) > 0).sum())} codes"
    )
    started = time.perf_counter()
    plain = scores(y, baseline(data, data.train))
    print(row("plain TF-IDF + OvR LR", plain, f"  ({time.perf_counter() - started:.1f}s)"))
    feature_sets = [embeddings.TFIDF]
    if embeddings.available():
        feature_sets.append(embeddings.TFIDF_EMBEDDINGS)
    for features in feature_sets:
        s, seconds, top = measure(data, folder, features)
        extra = f"  ({seconds:.1f}s)"
        if top:
            extra += (
                f"\n  {'':<28} top suggestion: accuracy {top[0]:.3f}, balanced {top[1]:.3f}; "
                f"most probable code: accuracy {top[2]:.3f}, balanced {top[3]:.3f}"
            )
        print(row(f"coder {features}", s, extra))
        print(f"  {'':<28} macro-F1 {s['macro'] - plain['macro']:+.3f} over the plain pipeline")
    if data.published:
        print(f"  published: {data.published}")


def code(store, data, rows, code_ids: dict[str, int]) -> None:
    """Code these data rows as the data says, as one action of the coder 'bench'."""
    changes = [
        Change("add", store.comments.by_source_id(f"c{i}").id, code_ids[data.codes[j]], "bench")
        for i in rows
        for j in np.flatnonzero(data.y[i])
    ]
    store.codings.record(changes)


def curve(data, folder: Path, order: str, seed: int = 0) -> list[dict]:
    """F1 on the test part at each step, coding in random or most-useful-next order."""
    pool = np.array([i for i in data.train if data.y[i].any()])
    shuffled = np.random.default_rng(seed).permutation(pool).tolist()
    store = project(data, folder, np.array([], dtype=int))
    code_ids = {c.path: c.id for c in store.codes.all()}
    in_pool = {store.comments.by_source_id(f"c{i}").id: i for i in pool}
    done: list[int] = []
    out = []
    for step in STEPS:
        taken = set(done)
        if order == "random" or not done:
            new = [i for i in shuffled if i not in taken][: step - len(done)]
        else:
            new, after = [], -1
            while len(new) < step - len(done):
                following = store.comments.next_uncoded(None, after_rank=after)
                if following is None or following.rank is None or following.rank <= after:
                    break  # the order is used up
                after = following.rank
                if following.comment_id in in_pool:  # held-out comments are never coded
                    new.append(in_pool[following.comment_id])
        code(store, data, new, code_ids)
        done += new
        try:
            train(store, features=embeddings.TFIDF, budget=5)
            suggest(store)
            chosen, _ = predictions(store, data, data.test)
            out.append(scores(data.y[data.test], chosen))
        except CoderError as exc:  # too little coding yet for any code
            print(f"    {order} at {step}: {exc}")
            out.append({"macro": float("nan"), "micro": float("nan")})
    store.close()
    return out


def curves(data, folder: Path, seeds: int) -> None:
    print(
        f"\n{data.name}: learning curve, F1 on the {len(data.test)} held-out comments, "
        f"mean of {seeds} runs (each from its own random first 50)"
    )
    print(f"  {'coded':<30}" + "".join(f"{s:>8}" for s in STEPS))
    for order in ("random", "most useful next"):
        runs = [curve(data, folder, order, seed) for seed in range(seeds)]
        for metric in ("macro", "micro"):
            label = f"{order}, {metric}-F1"
            means = np.nanmean([[v[metric] for v in run] for run in runs], axis=0)
            print(f"  {label:<30}" + "".join(f"{m:8.3f}" for m in means))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="", help="comma-separated subset of names")
    parser.add_argument("--curves", action="store_true", help="also the learning curves")
    parser.add_argument("--only-curves", action="store_true")
    parser.add_argument("--seeds", type=int, default=3, help="runs per learning curve")
    args = parser.parse_args()
    wanted = [w.strip().lower() for w in args.sets.split(",") if w.strip()]
    sets = [d for d in all_sets() if not wanted or d.name.lower().replace(" ", "-") in wanted]
    print(f"features installed: {embeddings.default_features()}")
    with tempfile.TemporaryDirectory() as tmp:
        for data in sets:
            if not args.only_curves:
                quality(data, Path(tmp))
            if args.curves or args.only_curves:
                curves(data, Path(tmp), args.seeds)


if __name__ == "__main__":
    main()
