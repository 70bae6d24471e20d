"""A richer demo project for report tests, and figures recomputed from the raw tables."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from store_support import add_model

from coder.domain import ImportRow, Origin
from coder.store import open_project

FORMULA_TEXT = '=HYPERLINK("http://example.invalid","click")'
HTML_TEXT = "<script>alert('x')</script> & <b>not bold</b> \"quoted\""


def _comment_ids(path: Path, sql: str) -> list[int]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute(sql)]
    finally:
        con.close()


def enrich(path: Path) -> Path:
    """Add to the demo: a second coder who agrees and disagrees, segments, a parent coded
    with its sub-code, respondents without attributes, a group with no coded members,
    hostile text, and pending suggestions of two model versions."""
    coded = _comment_ids(
        path, "SELECT DISTINCT comment_id FROM codings WHERE coder = 'reference' ORDER BY 1"
    )
    uncoded = _comment_ids(
        path, "SELECT id FROM comments WHERE id NOT IN (SELECT comment_id FROM codings) ORDER BY 1"
    )
    store = open_project(path)
    try:
        codes = {c.path: c.id for c in store.codes.all()}
        worry, anxiety = codes["Emotional impact > Worry"], codes["Emotional impact > Anxiety"]
        for n, comment in enumerate(coded[:60]):
            theirs = [k.code_id for k in store.codings.of_comment(comment)]
            if n % 3 == 0:  # agrees on everything
                for code in theirs:
                    store.codings.apply(comment, code, "bea")
            elif n % 3 == 1:  # agrees on one code, adds another as a segment
                store.codings.apply(comment, theirs[0], "bea")
                store.codings.apply(comment, worry, "bea", start=0, end=12)
            else:  # disagrees: a sibling sub-code (agrees on the theme only)
                store.codings.apply(comment, anxiety, "bea")
        for comment in uncoded[:15]:  # coded by bea alone
            store.codings.apply(comment, codes["Training needs"], "bea")
        store.codings.apply(uncoded[15], codes["Emotional impact"], "bea")  # parent and child
        store.codings.apply(uncoded[15], worry, "bea")
        store.codings.apply(uncoded[15], anxiety, "bea", start=2, end=9)
        store.codings.apply(
            uncoded[16], codes["Resources and capacity"], "carl", origin=Origin.SUGGESTION
        )

        import_id = store.imports.begin("extra respondents")
        store.imports.write_chunk(
            import_id,
            [
                ImportRow(
                    "R900:difficult",
                    "R900",
                    "difficult",
                    "No comment really.",
                    {"role": "magistrate"},
                ),
                ImportRow("R901:difficult", "R901", "difficult", FORMULA_TEXT, {}),
                ImportRow("R901:support", "R901", "support", HTML_TEXT, {}),
                ImportRow("R902:impact", "R902", "impact", "-5 staff and rising", {"area": "A"}),
            ],
            None,
        )
        store.imports.finish(import_id, {})
        new = {
            k: store.comments.by_source_id(k).id
            for k in ("R901:difficult", "R901:support", "R902:impact")
        }
        store.codings.apply(new["R901:difficult"], codes["Training needs"], "bea")
        store.codings.apply(
            new["R901:support"], codes["Supervision & support > Peer support"], "bea"
        )
        store.codings.apply(new["R902:impact"], worry, "reference")

        old = add_model(store, 1, "t")
        store.suggestions.replace(old, [(uncoded[20], codes["Perceived prevalence"], 0.9, [])])
        latest = add_model(store, 2, "t")
        store.suggestions.replace(
            latest,
            [
                (uncoded[21], codes["Digital technology > Social media"], 0.8, ["snapchat"]),
                (uncoded[22], codes["Multi-agency working"], 0.7, []),
                (uncoded[22], codes["Training needs"], 0.6, []),
                (coded[100], codes["Perceived prevalence"], 0.55, []),
            ],
        )
        store.suggestions.reject(uncoded[22], "bea", [codes["Training needs"]])
    finally:
        store.close()
    return path


@pytest.fixture(scope="session")
def rich_template(demo_template, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rich") / "demo.db"
    shutil.copy(demo_template, path)
    return enrich(path)


@pytest.fixture
def rich_project(rich_template, tmp_path) -> Path:
    """A private copy of the enriched demo project."""
    path = tmp_path / "demo.db"
    shutil.copy(rich_template, path)
    return path


# -- the figures, recomputed from the raw tables with a separate connection ------------------


class Raw:
    """The project's raw tables, read with sqlite3 and nothing from coder."""

    def __init__(self, path: Path):
        con = sqlite3.connect(path)
        try:
            self.codings = pd.read_sql("SELECT comment_id, code_id, coder, start FROM codings", con)
            self.comments = pd.read_sql(
                "SELECT c.id AS comment_id, c.source_id, c.respondent_id, q.name AS question, "
                "c.text FROM comments c JOIN questions q ON q.id = c.question_id",
                con,
            )
            self.codes = pd.read_sql("SELECT id, parent_id, name FROM codes", con)
            self.attributes = pd.read_sql(
                "SELECT respondent_id, name, value FROM respondent_attributes", con
            )
            self.respondents = pd.read_sql("SELECT id FROM respondents", con)
            self.suggestions = pd.read_sql(
                "SELECT comment_id, code_id FROM suggestions WHERE status = 'pending' AND "
                "model_version = (SELECT max(id) FROM model_versions)",
                con,
            )
        finally:
            con.close()
        parent = dict(zip(self.codes["id"], self.codes["parent_id"], strict=True))
        name = dict(zip(self.codes["id"], self.codes["name"], strict=True))
        self.lineage: dict[int, list[int]] = {}
        self.path: dict[int, str] = {}
        for code in self.codes["id"]:
            chain, up = [], code
            while up is not None and not pd.isna(up):
                chain.append(int(up))
                up = parent[up]
            self.lineage[code] = chain
            self.path[code] = " > ".join(name[c] for c in reversed(chain))

    def counted(self, *, question=None, coder=None, consensus=False, suggestions=False):
        """{comment_id: set of code paths} for every comment in the base."""
        comments = self.comments
        if question:
            comments = comments[comments["question"] == question]
        keep = set(comments["comment_id"])
        codings = self.codings[self.codings["comment_id"].isin(keep)]
        if coder:
            codings = codings[codings["coder"] == coder]
        by_coder: dict[int, dict[str, set[str]]] = {}
        for row in codings.itertuples():
            rolled = by_coder.setdefault(row.comment_id, {}).setdefault(row.coder, set())
            rolled.update(self.path[c] for c in self.lineage[row.code_id])
        out = {}
        for comment, sets in by_coder.items():
            groups = list(sets.values())
            out[comment] = set.intersection(*groups) if consensus else set.union(*groups)
        if suggestions:
            for row in self.suggestions[self.suggestions["comment_id"].isin(keep)].itertuples():
                out.setdefault(row.comment_id, set()).update(
                    self.path[c] for c in self.lineage[row.code_id]
                )
        return out

    def respondent_of(self) -> dict[int, int]:
        return dict(zip(self.comments["comment_id"], self.comments["respondent_id"], strict=True))

    def group_of(self, attribute: str) -> dict[int, str]:
        """respondent -> value, '(missing)' where it has none."""
        values = self.attributes[self.attributes["name"] == attribute]
        known = {r: v for r, v in zip(values["respondent_id"], values["value"], strict=True) if v}
        return {int(r): known.get(r, "(missing)") for r in self.respondents["id"]}


def expected_frequencies(raw: Raw, counted: dict[int, set[str]]) -> pd.DataFrame:
    respondent = raw.respondent_of()
    base_people = {respondent[c] for c in counted}
    rows = []
    for path in raw.path.values():
        comments = [c for c, codes in counted.items() if path in codes]
        people = {respondent[c] for c in comments}
        rows.append(
            {
                "code": path,
                "comments": len(comments),
                "comments_pct": 100 * len(comments) / len(counted) if counted else float("nan"),
                "respondents": len(people),
                "respondents_pct": 100 * len(people) / len(base_people)
                if base_people
                else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("code")


def test_enriched_project_has_what_the_report_tests_rely_on(rich_project):
    raw = Raw(rich_project)
    assert set(raw.codings["coder"]) == {"reference", "bea", "carl"}
    assert raw.codings["start"].notna().sum() >= 20
    counted = raw.counted()
    respondent = raw.respondent_of()
    per_person = pd.Series([respondent[c] for c in counted]).value_counts()
    assert (per_person > 1).any()  # respondents with several coded comments
    assert any(len(codes) > 2 for codes in counted.values())
    assert "magistrate" in set(raw.group_of("role").values())
    assert len(raw.suggestions) == 3  # the older version's and the rejected one are not pending
