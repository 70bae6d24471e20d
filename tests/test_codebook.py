"""The codebook format: the bundled codebook, errors that name the line, round trips."""

from __future__ import annotations

import pytest

from coder import bundled
from coder.codebook import (
    CodebookError,
    CodeIndex,
    codebook_from_codes,
    merge_codebook,
    parse_codebook,
    read_codebook,
    write_codebook,
)
from coder.errors import CoderError


def test_bundled_codebook_holds_the_study_themes():
    book = read_codebook(bundled.codebook_path())
    top = [c.name for c in book.codes]
    assert top[:4] == [
        "Complex needs",
        "Digital technology",
        "Supervision & support",
        "Emotional impact",
    ]
    assert {"Confidence and skills", "Perceived prevalence", "Training needs"} <= set(top)
    paths = [p for p, _, _ in book.walk()]
    for sub in [
        "Digital technology > Social media",
        "Digital technology > Online gaming",
        "Digital technology > Mobile apps",
        "Emotional impact > Worry",
        "Emotional impact > Anxiety",
        "Supervision & support > Peer support",
        "Supervision & support > Senior colleagues",
        "Supervision & support > Specialist advice and training",
        "Complex needs > Abuse history",
        "Complex needs > Learning and communication needs",
    ]:
        assert sub in paths
    for _, _, spec in book.walk():
        assert spec.description and spec.include and spec.exclude and spec.examples
        assert spec.color and spec.color.startswith("#")


BAD = {
    "duplicate sibling": (
        "name: x\ncodes:\n  - name: A\n  - name: B\n  - name: a\n",
        r"line 5: duplicate code name 'a'",
    ),
    "bad colour": (
        "name: x\ncodes:\n  - name: A\n    color: red\n",
        r"line 4: colour 'red' is not of the form #rrggbb",
    ),
    "missing name": ("name: x\ncodes:\n  - description: nameless\n", r"line 3: a code has no"),
    "codes not a list": ("name: x\ncodes: A\n", r"line 2: `codes` must be a list"),
    "unknown field": (
        "name: x\ncodes:\n  - name: A\n    colour: '#ffffff'\n",
        r"line 4: unknown field 'colour'",
    ),
    "invalid yaml": ("name: x\ncodes:\n  - name: [unclosed\n", r"line \d+: not valid YAML"),
    "examples not a list": (
        "name: x\ncodes:\n  - name: A\n    examples: one\n",
        r"line 4: `examples` must be a list",
    ),
    "no name": ("codes: []\n", r"line 1: the codebook has no top-level `name`"),
    "empty": ("", "empty"),
    "separator in name": ("name: x\ncodes:\n  - name: A > B\n", r"line 3: .*may not contain"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_codebooks_name_the_line_and_problem(case):
    text, pattern = BAD[case]
    with pytest.raises(CodebookError, match=pattern):
        parse_codebook(text, "cb.yaml")


def test_round_trip_through_a_project(tmp_path, empty_project):
    from coder.store import open_project

    book = read_codebook(bundled.codebook_path())
    store = open_project(empty_project)
    added, updated = merge_codebook(store, book)
    assert added == sum(1 for _ in book.walk()) and updated == 0
    assert merge_codebook(store, book) == (0, 0)  # idempotent
    for suffix in (".yaml", ".json"):
        out = tmp_path / f"out{suffix}"
        write_codebook(codebook_from_codes(book.name, store.codes.all()), out)
        again = read_codebook(out)
        assert again.name == book.name
        assert [
            (p, s.description, s.include, s.exclude, s.examples, s.color)
            for p, _, s in again.walk()
        ] == [
            (p, s.description, s.include, s.exclude, s.examples, s.color) for p, _, s in book.walk()
        ]
    store.close()


def test_merge_updates_definitions_and_keeps_codings(store):
    workload = next(c for c in store.codes.all() if c.name == "Workload")
    book = parse_codebook("name: x\ncodes:\n  - name: workload\n    description: new words\n")
    assert merge_codebook(store, book) == (0, 1)
    assert store.codes.get(workload.id).description == "new words"
    assert store.status().coded == 2


def test_code_index_finds_paths_and_unique_names(store):
    index = CodeIndex(store.codes.all())
    assert index.get("feelings>worry").path == "Feelings > Worry"
    assert index.get(" WORRY ").path == "Feelings > Worry"
    store.codes.add("Worry")
    index = CodeIndex(store.codes.all())
    assert index.get("Worry").path == "Worry"  # a full path wins over a child's own name
    with pytest.raises(CoderError, match="no code named"):
        index.get("Budget")
