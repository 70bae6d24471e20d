"""Discovering themes: planted themes are found with their words, the run is stored, and a
theme becomes a code whose members are coded in one undoable step."""

from __future__ import annotations

from collections import Counter

import pytest
from discover_support import PLANTED, planted_project, planted_theme_of

from coder.discover.codes import code_from_theme
from coder.discover.run import DiscoverOptions, discover
from coder.discover.views import page, view
from coder.domain import CommentFilter, Origin
from coder.errors import CoderError

TFIDF = DiscoverOptions(scope="all", features="tfidf")


@pytest.fixture
def planted(tmp_path):
    store = planted_project(tmp_path)
    yield store
    store.close()


def _themes_by_plant(store, run):
    """For each theme, the planted theme most of its members come from and their share."""
    sources = store.discovery.source_ids([c for c, _, _ in store.discovery.members()])
    members: dict[int, list[str]] = {}
    for comment_id, theme_id, _ in store.discovery.members():
        if theme_id is not None:
            members.setdefault(theme_id, []).append(planted_theme_of(sources[comment_id]))
    out = {}
    for theme in run.themes:
        plant, count = Counter(members[theme.id]).most_common(1)[0]
        out[theme.number] = (plant, count / len(members[theme.id]))
    return out


def test_the_planted_themes_are_found_with_their_words(planted):
    run = discover(planted, TFIDF, "ann")
    by_plant = _themes_by_plant(planted, run)
    found = {plant for plant, purity in by_plant.values() if plant and purity >= 0.9}
    assert found == set(PLANTED)
    words = {plant: " ".join(t.terms) for t in run.themes for plant, _ in [by_plant[t.number]]}
    assert "parking" in words["parking"]
    assert "wait" in words["waiting"]
    assert "nurse" in words["nurses"]
    for theme in run.themes:
        assert 3 <= len(theme.quotes) <= 5
        assert theme.size == len(planted.discovery.members(theme.id))
    assert run.chosen["how"].startswith(f"{len(run.themes)} themes: of 3 to 4 tried")
    assert len(planted.discovery.members()) == run.scope_size == 77


def test_the_same_seed_gives_the_same_themes_and_a_new_run_replaces_the_last(planted):
    first = discover(planted, TFIDF, "ann")
    first_members = planted.discovery.members()
    second = discover(planted, TFIDF, "ann")
    assert [(t.size, t.terms, t.quotes) for t in first.themes] == [
        (t.size, t.terms, t.quotes) for t in second.themes
    ]
    numbers = {t.id: t.number for t in second.themes}
    first_numbers = {t.id: t.number for t in first.themes}
    assert [(c, first_numbers.get(t), x) for c, t, x in first_members] == [
        (c, numbers.get(t), x) for c, t, x in planted.discovery.members()
    ]
    assert planted.discovery.runs() == 2
    assert planted.discovery.latest().id == second.id


def test_a_number_of_themes_asked_for_is_kept_and_bad_ones_refused(planted):
    run = discover(planted, DiscoverOptions(scope="all", features="tfidf", themes=2), "ann")
    assert len(run.themes) <= 2
    assert run.chosen["how"] == "2 themes as asked"
    with pytest.raises(CoderError, match="no code"):
        discover(planted, DiscoverOptions(scope="Nope", features="tfidf"), "ann")
    with pytest.raises(CoderError, match="no question"):
        discover(planted, DiscoverOptions(scope="all", question="q9", features="tfidf"), "ann")


def _parking_coded(planted):
    """A code "Car parking" on 15 of the parking comments, then a discovery run."""
    code = planted.codebook.create("Car parking", "ann")
    parking = planted.comments.filtered_ids(CommentFilter(search="parking")).tolist()
    for comment_id in parking[:15]:
        planted.codings.apply(comment_id, code, "ann")
    return code, parking, discover(planted, TFIDF, "ann")


def test_nearest_code_is_the_code_most_members_carry(planted):
    code, parking, run = _parking_coded(planted)
    theme = next(t for t in run.themes if any("parking" in x for x in t.terms))
    assert theme.nearest_code_id == code
    members = {c for c, _, _ in planted.discovery.members(theme.id)}
    carrying = len(members & set(parking[:15]))
    assert carrying >= 8
    assert theme.nearest_code_share == pytest.approx(carrying / theme.size, abs=0.001)
    shown = page(view(planted, run))  # the page names the code, as the terminal does
    assert f"{theme.nearest_code_share:.0%} carry Car parking)" in shown
    uncoded = discover(planted, DiscoverOptions(features="tfidf"), "ann")
    assert uncoded.scope_size == 77 - 15


def test_a_theme_becomes_a_code_and_its_members_are_coded_in_one_undoable_step(planted):
    run = discover(planted, TFIDF, "ann")
    theme = run.themes[0]
    made = code_from_theme(planted, 1, "Found one", "ann", description="d", code_members=True)
    code = planted.codes.get(made.code_id)
    assert code.description == "d"
    assert len(code.examples) == len(theme.quotes) >= 3
    assert made.coded == theme.size
    members = [c for c, _, _ in planted.discovery.members(theme.id)]
    codings = [k for c in members for k in planted.codings.of_comment(c)]
    assert {(k.code_id, k.origin) for k in codings} == {(made.code_id, Origin.DISCOVERED)}
    assert planted.discovery.latest().themes[0].code_id == made.code_id
    assert planted.comments.filtered_ids(CommentFilter(theme_id=theme.id)).tolist() == sorted(
        members
    )
    planted.codings.undo("ann")  # the codings, all at once
    assert not any(planted.codings.of_comment(c) for c in members)
    with pytest.raises(CoderError, match="no theme 99"):
        code_from_theme(planted, 99, "x", "ann")


def test_a_file_from_before_discovery_takes_discovered_codings_and_keeps_its_own(
    tmp_path, fixtures
):
    import shutil

    from coder.store import open_project

    path = tmp_path / "old.db"
    shutil.copy(fixtures / "schema-7.db", path)
    with open_project(path) as store:
        before = store.codings.of_comment(1)
        assert before  # the old codings came through the table's rebuild
        code = store.codes.all()[0].id
        assert store.codings.apply(2, code, "dee", origin=Origin.DISCOVERED)
        assert Origin.DISCOVERED in {k.origin for k in store.codings.of_comment(2)}
        assert store.discovery.latest() is None


def test_the_views_show_what_a_comment_says_without_obeying_it(planted):
    from coder.discover.views import markdown, page, table, view

    run = discover(planted, TFIDF, "ann")
    planted.db.execute(
        "UPDATE comments SET text = ? WHERE id = ?",
        ("The parking \x1b]0;pwned\x07 was <b>impossible</b> | really.", run.themes[0].quotes[0]),
    )
    planted.db.conn.commit()
    shown = view(planted, run)
    for text in (table(shown, 100), markdown(shown)):
        assert "pwned" in text
        assert "\x1b" not in text and "\x07" not in text
    assert "pwned" in page(shown) and "<b>" not in page(shown)
    assert "fit no theme" in table(shown, 100)


def test_undoing_a_code_delete_links_its_themes_back_and_a_merge_passes_them_on(planted):
    code, _, run = _parking_coded(planted)
    number = next(t.number for t in run.themes if t.nearest_code_id == code)
    made = code_from_theme(planted, number, "Parking found", "ann")

    def links() -> tuple[int | None, int | None]:
        theme = next(t for t in planted.discovery.latest().themes if t.number == number)
        return theme.code_id, theme.nearest_code_id

    assert links() == (made.code_id, code)
    planted.codebook.delete(made.code_id, "ann")
    planted.codebook.delete(code, "ann")
    assert links() == (None, None)
    planted.codings.undo("ann")
    planted.codings.undo("ann")
    assert links() == (made.code_id, code)
    planted.codebook.merge(code, made.code_id, "ann")  # "Car parking" into "Parking found"
    assert links() == (made.code_id, made.code_id)
    planted.codings.undo("ann")
    assert links() == (made.code_id, code)
    # A later run replaces the themes (their ids may come round again): undo leaves it be.
    planted.codebook.delete(made.code_id, "ann")
    discover(planted, TFIDF, "ann")
    planted.codings.undo("ann")
    assert planted.codes.get(made.code_id) is not None
    assert all(t.code_id is None for t in planted.discovery.latest().themes)


def test_the_table_keeps_to_the_terminal_width_with_a_long_code_name(planted):
    from coder.discover.views import table, view

    code, _, run = _parking_coded(planted)
    planted.codebook.update(code, "ann", name="Parking " + "and the car park at night " * 4)
    text = table(view(planted, run), 60)
    assert "carry Parking and the car park" in " ".join(text.split())
    assert max(len(line) for line in text.splitlines()) <= 60
