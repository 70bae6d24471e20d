"""Real coded survey data for the suggestion benchmarks, loaded into coder projects.

The data sets are those described in ../shared/data/README.md:
- NHS patient feedback (The-Strategy-Unit/pxtextmining, MIT): 10,302 comments with text,
  one of 9 categories and one of 44 sub-categories each;
- ANES 2008 open-ended coding (Krosnick, Berent, Lupia; ICPSR 25383; cleaned by
  mxli417/co_benchmark, MIT): party and candidate likes/dislikes, about 2.3 codes each.
"""

from __future__ import annotations

import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("CODER_DATA") or ROOT.parent / "shared" / "data")  # ../shared/data

from coder.codebook import Codebook, CodeSpec, merge_codebook  # noqa: E402
from coder.corpus import ImportOptions, import_file  # noqa: E402
from coder.store import Store, create_project  # noqa: E402


@dataclass
class DataSet:
    name: str
    texts: list[str]
    y: np.ndarray  # (comments, codes) of 0/1
    codes: list[str]  # code paths, "Parent > Child" for sub-codes
    train: np.ndarray
    test: np.ndarray
    published: str = ""


def _clean(name: str) -> str:
    return str(name).replace(">", "-").replace(";", ",").strip()


def nhs(level: str = "label") -> DataSet:
    """One category per comment; level "label" (9) or "subcategory" (44, under their label)."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(DATA / "nhs-patient-feedback" / "text_data.csv")
    df = df[df.feedback.fillna("").str.strip() != ""].reset_index(drop=True)
    if level == "label":
        names = [_clean(v) for v in df.label]
    else:
        names = [
            _clean(a) if _clean(a) == _clean(b) else f"{_clean(a)} > {_clean(b)}"
            for a, b in zip(df.label, df.subcategory, strict=True)
        ]
    codes = sorted(set(names))
    index = {c: j for j, c in enumerate(codes)}
    y = np.zeros((len(df), len(codes)), dtype=np.int8)
    y[np.arange(len(df)), [index[n] for n in names]] = 1
    # The published figures used about 6,900 comments to train and 3,400 to test.
    train, test = train_test_split(
        np.arange(len(df)), test_size=1 / 3, random_state=0, stratify=names
    )
    published = (
        "pxtextmining phase 1 (TF-IDF + linear model): accuracy 0.70, balanced accuracy 0.58"
        if level == "label"
        else ""
    )
    return DataSet(
        f"NHS {level}", df.feedback.astype(str).tolist(), y, codes, train, test, published
    )


def anes(which: str) -> DataSet:
    """party_likes_dislikes or candidate_likes_dislikes; several codes per answer."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(DATA / "anes2008-open-ended" / f"{which}.csv")
    df = df[df.verbatim.fillna("").str.strip() != ""].reset_index(drop=True)
    codes = [str(c) for c in df.columns[2:]]
    y = df[df.columns[2:]].to_numpy().astype(np.int8)
    train, test = train_test_split(np.arange(len(df)), test_size=0.1, random_state=0)
    return DataSet(
        f"ANES {which.split('_')[0]}",
        df.verbatim.astype(str).tolist(),
        y,
        codes,
        train,
        test,
        "Card & Smith 2015 (90/10 split): sample-based F1 0.71",
    )


def all_sets() -> list[DataSet]:
    return [
        nhs("label"),
        nhs("subcategory"),
        anes("party_likes_dislikes"),
        anes("candidate_likes_dislikes"),
    ]


def codebook(codes: list[str]) -> Codebook:
    tops: dict[str, CodeSpec] = {}
    for path in codes:
        parent, _, child = path.partition(" > ")
        spec = tops.setdefault(parent, CodeSpec(parent))
        if child:
            spec.children.append(CodeSpec(child))
    return Codebook("benchmark", codes=list(tops.values()))


def project(data: DataSet, folder: Path, coded: np.ndarray) -> Store:
    """A project holding every comment, with the `coded` ones coded as the data says."""
    path = folder / f"{data.name.replace(' ', '-')}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    source = folder / f"{path.stem}.csv"
    marked = set(coded.tolist())
    with source.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "codes"])
        for i, text in enumerate(data.texts):
            names = "; ".join(data.codes[j] for j in np.flatnonzero(data.y[i]))
            writer.writerow([f"c{i}", text, names if i in marked else ""])
    store = create_project(path)
    merge_codebook(store, codebook(data.codes))
    import_file(
        store, source, ImportOptions(text=["text"], id="id", codes=["codes"], coder="bench")
    )
    return store


def predictions(store: Store, data: DataSet, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The latest model's pending suggestions for these data rows: (chosen, probability)."""
    paths = {c.id: c.path for c in store.codes.all()}
    column = {c: j for j, c in enumerate(data.codes)}
    row_of = {store.comments.by_source_id(f"c{i}").id: r for r, i in enumerate(rows)}
    chosen = np.zeros((len(rows), len(data.codes)), dtype=bool)
    probability = np.zeros(chosen.shape)
    frame = store.reports.suggestions()
    for comment_id, code_id, p in frame.itertuples(index=False):
        if comment_id in row_of:
            r, j = row_of[comment_id], column[paths[code_id]]
            chosen[r, j] = True
            probability[r, j] = p
    return chosen, probability


def scores(y: np.ndarray, chosen: np.ndarray) -> dict[str, float]:
    """Macro-F1 over the codes present in the test part, micro-F1 and sample-based F1."""
    from sklearn.metrics import f1_score

    present = y.sum(axis=0) > 0
    y, chosen = y[:, present], chosen[:, present].astype(int)
    return {
        "macro": f1_score(y, chosen, average="macro", zero_division=0),
        "micro": f1_score(y, chosen, average="micro", zero_division=0),
        "samples": f1_score(y, chosen, average="samples", zero_division=0),
    }


def baseline(data: DataSet, train: np.ndarray) -> np.ndarray:
    """The plain scikit-learn pipeline: TF-IDF + one-vs-rest logistic regression, defaults."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    seen = data.y[train].sum(axis=0) > 0
    vectorizer = TfidfVectorizer()
    x = vectorizer.fit_transform([data.texts[i] for i in train])
    model = OneVsRestClassifier(LogisticRegression(max_iter=1000)).fit(x, data.y[train][:, seen])
    chosen = np.zeros((len(data.test), data.y.shape[1]), dtype=bool)
    chosen[:, seen] = model.predict(vectorizer.transform([data.texts[i] for i in data.test])) > 0
    return chosen
