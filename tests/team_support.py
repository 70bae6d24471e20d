"""Small projects for the team tests: comments made by hand, coded by several coders."""

from __future__ import annotations

from pathlib import Path

from coder.codebook import merge_codebook, read_codebook
from coder.domain import Change, ImportRow
from coder.store import Store, create_project

FIXTURES = Path(__file__).parent / "fixtures"


def project_with_comments(path: Path, n: int, questions: tuple[str, ...] = ("q1",)) -> Store:
    """The mini codebook (Workload, Feelings > Worry/Anxiety, Online) and n comments per
    question, with ids c1, c2, ... (":q" suffixed when several questions)."""
    store = create_project(path)
    merge_codebook(store, read_codebook(FIXTURES / "mini-codebook.yaml"))
    rows = [
        ImportRow(
            f"c{i}" + (f":{q}" if len(questions) > 1 else ""),
            f"r{i}",
            q,
            f"comment {i} to {q}",
            {"role": "teacher" if i % 2 else "nurse"},
        )
        for q in questions
        for i in range(1, n + 1)
    ]
    import_id = store.imports.begin("made by hand")
    store.imports.write_chunk(import_id, rows, None)
    store.imports.finish(import_id, {})
    return store


def code_all(store: Store, coding: dict[str, dict[str, list[str]]]) -> None:
    """coding[coder][comment source id] = the code paths that coder applied."""
    codes = {c.path: c.id for c in store.codes.all()}
    for coder, comments in coding.items():
        changes = []
        for source_id, paths in comments.items():
            comment = store.comments.by_source_id(source_id)
            assert comment is not None, source_id
            changes += [Change("add", comment.id, codes[path], coder) for path in paths]
        store.codings.record(changes)  # one action: one transaction
