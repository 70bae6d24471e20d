"""Learning with little coding: the codebook as a start, and "most useful next" against random.

    python benchmarks/bench_suggest_learning.py [--cold] [--active] [--sets nhs-label,...]
        [--seeds 3] [--quick]

Both run coder's own training and deciding (coder.suggest.training.assemble and fit_model,
the model's decisions and coder.suggest.active's ranking) in memory, without a project file,
so that hundreds of trainings take minutes rather than hours; what `coder train` and
`coder suggest` add around them is reading and writing the project.

--cold: macro-F1 on the held-out part after 0, 25, 50, 100, 200 and 400 coded comments
(drawn at random from the training part; mean of --seeds draws), with the codebook's
definitions (bench_suggest_codebooks: the NHS label sets) and without them.

--active: simulated coding of the training part, 50 comments at a time, retraining after
each batch: in random order, and in the order coder ranks as most useful next (after a
first random 50). Reports the macro-F1 on the held-out part at each step, and how many
coded comments "most useful next" needed to reach random order's macro-F1 at 1,000.
Judge it on --seeds 16 (the README's figures): over 8 runs that count moves by 100 to 200
comments with the seeds.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from bench_suggest_codebooks import definitions
from bench_suggest_data import all_sets, scores

from coder.domain import Code
from coder.nlp import analyse
from coder.suggest.active import STRATEGIES, rank
from coder.suggest.codebook_signal import PseudoExamples, has_definition, pseudo_examples
from coder.suggest.crossval import PLAN
from coder.suggest.targets import TrainingSet, choose_codes
from coder.suggest.training import VOCABULARY_FLOOR, assemble, fit_model

COLD_STEPS = (0, 25, 50, 100, 200, 400)
BATCH = 50
ACTIVE_TO = 1000


def codes_of(data, written: dict) -> list[Code]:
    out = []
    for j, path in enumerate(data.codes):
        description, include, exclude, examples = written.get(path, ("", "", "", ()))
        name = path.rsplit(" > ", 1)[-1]
        out.append(
            Code(j + 1, name, None, description, include, exclude, tuple(examples), path=path)
        )
    return out


class Simulation:
    """One data set, analysed once; trains coder's model on any set of its rows."""

    def __init__(self, data, written: dict | None = None):
        self.data = data
        self.docs = list(analyse(data.texts))
        self.codes = codes_of(data, written or {})
        self.test_docs = [self.docs[i] for i in data.test]

    def fit(self, coded: np.ndarray, *, codebook: bool, plan=PLAN[:1]):
        """coder's model on these rows as coded; None if nothing can be learnt."""
        data = self.data
        y = data.y[coded]
        defined = [codebook and has_definition(c) for c in self.codes]
        kept, measured, _ = choose_codes(self.codes, y.sum(axis=0), len(coded), defined)
        if not kept:
            return None, kept, np.zeros(0)
        codes = [self.codes[j] for j in kept]
        training = TrainingSet(
            [int(i) for i in coded], y[:, kept], codes, [], [], 0, 0, measured=measured
        )
        pseudo = pseudo_examples(codes) if codebook else PseudoExamples.none(len(codes))
        taken = set(coded.tolist())
        filler = []
        if len(coded) < VOCABULARY_FLOOR:  # as `coder train` fills out the vocabulary
            filler = [self.docs[i] for i in range(len(self.docs)) if i not in taken][
                : VOCABULARY_FLOOR - len(coded)
            ]
        prepared = assemble(
            training,
            pseudo,
            [self.docs[i] for i in coded],
            filler,
            list(analyse(pseudo.texts)),
        )
        model, result = fit_model(prepared, plan=plan)
        # each code's cross-validated F1, as `coder suggest` reads it from the model card
        return model, kept, np.nan_to_num(result.best.f1)

    def decide(self, model, kept, rows_docs) -> np.ndarray:
        chosen = np.zeros((len(rows_docs), self.data.y.shape[1]), dtype=bool)
        if model is not None:
            x = model.features.encode(rows_docs).matrix
            chosen[:, kept] = model.decide(model.probabilities(x))
        return chosen

    def macro(self, model, kept) -> float:
        data = self.data
        return scores(data.y[data.test], self.decide(model, kept, self.test_docs))["macro"]


def cold(sim: Simulation, seeds: int) -> None:
    data = sim.data
    pool = np.array([i for i in data.train if data.y[i].any()])
    print(f"\n{data.name}: macro-F1 on {len(data.test)} held-out comments, mean of {seeds} draws")
    print(f"  {'coded':<22}" + "".join(f"{n:>8}" for n in COLD_STEPS))
    for codebook in (True, False):
        means = []
        for n in COLD_STEPS:
            values = []
            for seed in range(seeds if n else 1):
                coded = np.sort(np.random.default_rng(seed).permutation(pool)[:n])
                model, kept = None, []
                if n or codebook:
                    model, kept, _ = sim.fit(coded, codebook=codebook)
                values.append(sim.macro(model, kept))
            means.append(float(np.mean(values)))
        label = "with the codebook" if codebook else "coding only"
        print(f"  {label:<22}" + "".join(f"{m:8.3f}" for m in means), flush=True)


def active(sim: Simulation, seeds: int, strategies: list[str]) -> None:
    data = sim.data
    pool = np.array([i for i in data.train if data.y[i].any()])
    steps = list(range(BATCH, ACTIVE_TO + 1, BATCH))
    print(
        f"\n{data.name}: learning curve, macro-F1 on {len(data.test)} held-out comments, "
        f"batches of {BATCH}, mean of {seeds} runs"
    )
    shown = [s for s in steps if s % 100 == 0]
    print(f"  {'coded':<26}" + "".join(f"{s:>7}" for s in shown))
    curves: dict[str, np.ndarray] = {}
    for strategy in ["random", *strategies]:
        runs = []
        for seed in range(seeds):
            order = np.random.default_rng(seed).permutation(pool)
            coded = order[:BATCH]
            values = []
            for step in steps:
                model, kept, f1 = sim.fit(np.sort(coded), codebook=True)
                values.append(sim.macro(model, kept))
                if step < steps[-1]:
                    batch = next_batch(sim, model, kept, f1, coded, order, strategy, seed)
                    coded = np.concatenate([coded, batch])
            runs.append(values)
        curves[strategy] = np.mean(runs, axis=0)
        print(
            f"  {strategy:<26}"
            + "".join(
                f"{v:7.3f}" for s, v in zip(steps, curves[strategy], strict=True) if s % 100 == 0
            ),
            flush=True,
        )
    goal = curves["random"][-1]
    for strategy in strategies:
        reached = next((s for s, v in zip(steps, curves[strategy], strict=True) if v >= goal), None)
        said = f"{reached}" if reached else f"not within {ACTIVE_TO}"
        print(f"  {strategy}: reaches random order's {goal:.3f} at 1,000 with {said} coded")


def next_batch(sim: Simulation, model, kept, f1, coded, order, strategy: str, seed: int):
    """The next BATCH comments to code: at random, or the model's most useful next (told,
    as `coder suggest` is, whether every coded comment carries one code, and how many
    coded examples each code has)."""
    taken = set(coded.tolist())
    rest = np.array([i for i in order if i not in taken])
    if strategy == "random" or model is None:
        return rest[:BATCH]
    x = model.features.encode([sim.docs[i] for i in rest]).matrix
    ranked = rank(
        rest,
        model.probabilities(x),
        model.threshold,
        f1,
        x,
        seed=seed,
        strategy=strategy,
        floor=bool(model.min_per_comment),
        single=bool((sim.data.y[coded].sum(axis=1) <= 1).all()),
        coded_per_code=sim.data.y[coded][:, kept].sum(axis=0),
    )
    return np.array([c for c, _ in ranked[:BATCH]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="", help="comma-separated subset of names")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--active", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    args = parser.parse_args()
    wanted = [w.strip().lower() for w in args.sets.split(",") if w.strip()]
    for data in all_sets():
        key = data.name.lower().replace(" ", "-")
        if wanted and key not in wanted:
            continue
        started = time.perf_counter()
        written = definitions(data.name)
        sim = Simulation(data, written)
        if args.cold and written:
            cold(sim, args.seeds)
        if args.active:
            active(sim, args.seeds, [s for s in args.strategies.split(",") if s])
        print(f"  ({time.perf_counter() - started:.0f}s)")


if __name__ == "__main__":
    main()
