"""A small survey with three planted themes, for the discovery tests."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from coder.codebook import merge_codebook, read_codebook
from coder.corpus import ImportOptions, import_file
from coder.store import Store, create_project

PLANTED = {
    "parking": (
        ["parking", "car park", "parking fees", "parking spaces"],
        ["was impossible", "costs far too much", "is always full", "needs sorting out"],
    ),
    "waiting": (
        ["waiting list", "waiting times", "long wait", "waiting room delay"],
        ["for my appointment was months", "before seeing the consultant", "for the scan",
         "at the clinic was hours"],
    ),
    "nurses": (
        ["nurses", "nursing staff", "nurses on the ward", "night nurses"],
        ["were kind and caring", "were so kind to my mother", "showed real compassion",
         "were caring and gentle"],
    ),
}  # fmt: skip
NOISE = [
    "no comment",
    "see above",
    "the food was cold",
    "television did not work",
    "lovely view from the window",
]


def planted_rows(per_theme: int = 24, seed: int = 0) -> list[tuple[str, str, str]]:
    """(id, text, planted theme or '') rows, shuffled."""
    rng = random.Random(seed)
    rows = []
    for theme, (subjects, predicates) in PLANTED.items():
        for i in range(per_theme):
            extra = rng.choice(["", " really", " honestly", " again", " this time"])
            text = f"The {rng.choice(subjects)} {rng.choice(predicates)}{extra}."
            rows.append((f"{theme}{i}", text, theme))
    rows += [(f"noise{i}", text, "") for i, text in enumerate(NOISE)]
    rng.shuffle(rows)
    return rows


def planted_project(folder: Path, codebook: Path | None = None) -> Store:
    path = folder / "planted.db"
    source = folder / "planted.csv"
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "answer"])
        writer.writerows((i, text) for i, text, _ in planted_rows())
    store = create_project(path)
    if codebook is not None:
        merge_codebook(store, read_codebook(codebook))
    import_file(store, source, ImportOptions(text=["answer"], id="id"))
    return store


def planted_theme_of(source_id: str) -> str:
    return "".join(ch for ch in source_id if ch.isalpha()).replace("noise", "")
