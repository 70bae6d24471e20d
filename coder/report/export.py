"""The coded data set for pandas, R or SPSS: one row a comment, segments beside it.

Columns of FILE (csv, xlsx sheet "Comments", or jsonl), in this order:

comment_id, respondent_id, question, text
codes        the comment's codes, "; "-separated, "Parent > Child" for a sub-code, as coded
             (a sub-code is not repeated as its parent here)
<attribute>  one column per respondent attribute, sorted by name
coders       the coders who coded the comment, "; "-separated
<code path>  one 0/1 column per code, in codebook order; a parent's column is 1 when the
             comment has the parent or any of its sub-codes, so each column's sum is the
             code's count in `coder report` (with the same --coder and --question)
suggestions  only with include_suggestions: the latest model's pending suggestions,
             "Code (0.87)"; they are then also in `codes` and the 0/1 columns

Segments (sheet "Segments", or FILE.segments.csv / FILE.segments.jsonl): comment_id,
respondent_id, question, code, coder, origin, start, end (character offsets, end
exclusive) and segment (the coded text). Every comment is exported, coded or not.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coder.errors import CoderError
from coder.report.data import ancestors_table, resolve_question, roll_up

if TYPE_CHECKING:
    from coder.store import Store

FIRST_COLUMNS = ["comment_id", "respondent_id", "question", "text", "codes"]
SEGMENT_COLUMNS = [
    "comment_id",
    "respondent_id",
    "question",
    "code",
    "coder",
    "origin",
    "start",
    "end",
    "segment",
]
BOM = "\ufeff"
EXPORT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _unique(name: str, taken: set[str], kind: str) -> str:
    out = name if name not in taken else f"{name} ({kind})"
    n = 2
    while out in taken:
        out = f"{name} ({kind} {n})"
        n += 1
    taken.add(out)
    return out


def _joined(frame: pd.DataFrame, key: str, value: str, order: dict[str, int]) -> pd.Series:
    """'a; b' per key, values in the given order, each once."""
    if frame.empty:
        return pd.Series(dtype=object)
    frame = frame.drop_duplicates([key, value])
    frame = frame.assign(_o=frame[value].map(order)).sort_values([key, "_o"], kind="stable")
    return frame.groupby(key, sort=False)[value].agg("; ".join)


def export_frames(
    store: Store,
    *,
    coder: str | None = None,
    question: str | None = None,
    include_suggestions: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(comments, segments) ready to write."""
    question_id = resolve_question(store, question)
    if coder is not None and coder not in store.codings.coders():
        known = ", ".join(store.codings.coders()) or "none yet"
        raise CoderError(f"unknown coder {coder!r}; coders in this project: {known}")
    codes = store.codes.all()
    path = {c.id: c.path for c in codes}
    order = {c.path: i for i, c in enumerate(codes)}
    comments = store.reports.comments(question_id=question_id, with_text=True)
    codings = store.reports.codings(question_id=question_id)
    codings = codings[codings["code_id"].isin(path)]
    if coder is not None:
        codings = codings[codings["coder"] == coder]
    counted = codings[["comment_id", "code_id"]]
    suggested = pd.DataFrame(columns=["comment_id", "code_id", "probability"])
    if include_suggestions:
        suggested = store.reports.suggestions(question_id=question_id)
        suggested = suggested[suggested["code_id"].isin(path)]
        counted = pd.concat([counted, suggested[["comment_id", "code_id"]]], ignore_index=True)

    out = pd.DataFrame(
        {
            "comment_id": comments["source_id"],
            "respondent_id": comments["respondent"],
            "question": comments["question"],
            "text": comments["text"],
        }
    )
    ids = comments["comment_id"]
    direct = counted.assign(code=counted["code_id"].map(path))
    joined = ids.map(_joined(direct, "comment_id", "code", order))
    out["codes"] = joined.astype(object).fillna("").to_numpy()
    taken = set(FIRST_COLUMNS)

    attributes = store.reports.attributes()
    if not attributes.empty:
        wide = attributes.pivot(index="respondent_id", columns="name", values="value")
        for name in sorted(wide.columns):
            column = _unique(str(name), taken, "attribute")
            out[column] = comments["respondent_id"].map(wide[name]).to_numpy()
    coder_order = {name: i for i, name in enumerate(sorted(codings["coder"].unique()))}
    coders = _joined(codings, "comment_id", "coder", coder_order)
    out[_unique("coders", taken, "column")] = ids.map(coders).astype(object).fillna("").to_numpy()

    rolled = roll_up(counted.drop_duplicates(), ancestors_table(codes))
    row = pd.Index(ids).get_indexer(pd.Index(rolled["comment_id"]))
    col = pd.Index([c.id for c in codes]).get_indexer(pd.Index(rolled["code_id"]))
    ok = (row >= 0) & (col >= 0)
    flags = np.zeros((len(out), len(codes)), dtype=np.int8)
    flags[row[ok], col[ok]] = 1
    code_columns = [_unique(c.path, taken, "code") for c in codes]
    out = pd.concat([out, pd.DataFrame(flags, columns=code_columns, index=out.index)], axis=1)
    if include_suggestions:
        shown = suggested.assign(
            s=suggested["code_id"].map(path)
            + " ("
            + suggested["probability"].map("{:.2f}".format)
            + ")"
        )
        joined = shown.groupby("comment_id", sort=False)["s"].agg("; ".join)
        out[_unique("suggestions", taken, "column")] = ids.map(joined).fillna("").to_numpy()
    return out, _segments(codings, comments, path)


def _segments(codings: pd.DataFrame, comments: pd.DataFrame, path: dict[int, str]) -> pd.DataFrame:
    spans = codings.dropna(subset=["start"])
    if spans.empty:
        return pd.DataFrame(columns=SEGMENT_COLUMNS)
    info = comments.set_index("comment_id")
    spans = spans.sort_values(["comment_id", "start", "end", "code_id", "coder"])
    text = info["text"].reindex(spans["comment_id"]).to_numpy()
    starts, ends = spans["start"].astype(int).to_numpy(), spans["end"].astype(int).to_numpy()
    return pd.DataFrame(
        {
            "comment_id": info["source_id"].reindex(spans["comment_id"]).to_numpy(),
            "respondent_id": info["respondent"].reindex(spans["comment_id"]).to_numpy(),
            "question": info["question"].reindex(spans["comment_id"]).to_numpy(),
            "code": spans["code_id"].map(path).to_numpy(),
            "coder": spans["coder"].to_numpy(),
            "origin": spans["origin"].to_numpy(),
            "start": starts,
            "end": ends,
            "segment": [t[s:e] for t, s, e in zip(text, starts, ends, strict=True)],
        }
    )


def sibling(path: Path, part: str) -> Path:
    """FILE.csv -> FILE.segments.csv."""
    return path.with_name(f"{path.stem}.{part}{path.suffix}")


def write_export(
    store: Store,
    path: Path,
    *,
    coder: str | None = None,
    question: str | None = None,
    include_suggestions: bool = False,
    bom: bool = True,
) -> list[Path]:
    """Write the data set to path (format from its suffix); returns the files written.

    A CSV starts with a UTF-8 byte order mark unless bom is False: without it, Excel on
    Windows reads the file in the local code page and garbles every accent. pandas, readr,
    SPSS and LibreOffice read the mark as what it is.
    """
    from coder.files import check_output, write_atomically, write_text_atomically
    from coder.report.cells import guard_frame

    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CoderError(f"cannot export to {path.name}: choose a .csv, .xlsx or .jsonl file")
    check_output(path)
    if fmt != "xlsx":
        check_output(sibling(path, "segments"))
    comments, segments = export_frames(
        store, coder=coder, question=question, include_suggestions=include_suggestions
    )
    if fmt == "xlsx":
        from coder.report.xlsx import write_frames

        codebook = pd.DataFrame(
            {
                "code": [c.path for c in store.codes.all()],
                "description": [c.description for c in store.codes.all()],
            }
        )
        sheets = [
            ("Comments", comments, {"text": 80, "codes": 50}),
            ("Segments", segments, {"segment": 60, "code": 40}),
            ("Codebook", codebook, {"code": 50, "description": 80}),
        ]
        write_atomically(path, lambda p: write_frames(p, sheets))
        return [path]
    files = [(path, comments), (sibling(path, "segments"), segments)]
    for target, frame in files:
        if fmt == "csv":
            text = guard_frame(frame).to_csv(index=False, lineterminator="\n")
            text = BOM + text if bom else text
        else:
            text = frame.to_json(orient="records", lines=True, force_ascii=False)
        write_text_atomically(target, text)
    return [target for target, _ in files]
