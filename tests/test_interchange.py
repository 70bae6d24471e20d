"""REFI-QDA interchange: codebooks (.qdc) and projects (.qdpx) go out valid and come back whole."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xmlschema
from cli_support import run
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.codebook import merge_codebook, read_codebook
from coder.interchange.description import Definition, fold, unfold
from coder.interchange.qdc import import_qdc, write_qdc
from coder.interchange.qdpx_export import write_qdpx
from coder.interchange.qdpx_import import import_qdpx
from coder.store import create_project, open_project

REFI = Path(__file__).parent / "fixtures" / "refi"
PROJECT_XSD = xmlschema.XMLSchema(REFI / "Project.xsd")
CODEBOOK_XSD = xmlschema.XMLSchema(REFI / "Codebook.xsd")

TEXTS = {
    # code points, not UTF-16 units or bytes: emoji and accents before the segments
    "R1:q1": "Caseload is high 😟 and the café closed.\r\nSupervision helps.",
    "R1:q2": "Ünïcode everywhere — 𝔘 and more.",
    "R2:q1": "Short.",
}


def rich_project(path: Path) -> Path:
    """A project with everything interchange carries: a codebook with definitions, colours,
    a heading that is not codable and a code set; three coders; whole and segment codings;
    memos on a comment, a code and the project; respondents with attributes; questions."""
    with create_project(path, name="Rich study") as store:
        merge_codebook(store, read_codebook(Path(__file__).parent / "fixtures/mini-codebook.yaml"))
        codes = {c.path: c.id for c in store.codes.all()}
        store.codes.update(codes["Feelings"], include="Any feeling", examples=["sad", "two\nlines"])
        store.codes.update(codes["Online"], codable=0, color="#123abc")
        store.code_sets.put(
            "5e7e0000-0000-4000-8000-000000000001", "Core", "the main ones",
            [codes["Workload"], codes["Feelings > Worry"]],
        )  # fmt: skip
        import_id = store.imports.begin("test")
        from coder.domain import ImportRow

        rows = [
            ImportRow(cid, cid.split(":")[0], cid.split(":")[1], text,
                      {"role": "nurse" if cid.startswith("R1") else "teacher", "area": "North"})
            for cid, text in TEXTS.items()
        ]  # fmt: skip
        store.imports.write_chunk(import_id, rows, None)
        store.imports.finish(import_id, {})
        ids = {c: store.comments.by_source_id(c).id for c in TEXTS}
        text = TEXTS["R1:q1"]
        store.codings.apply(ids["R1:q1"], codes["Workload"], "alice")
        store.codings.apply(ids["R1:q1"], codes["Workload"], "bob")
        start = text.index("high 😟")
        store.codings.apply(
            ids["R1:q1"], codes["Feelings > Worry"], "alice", start=start, end=start + 6
        )
        start = text.index("Supervision")
        store.codings.apply(ids["R1:q1"], codes["Online"], "bob", start=start, end=len(text))
        store.codings.apply(ids["R1:q2"], codes["Feelings"], "carol", start=21, end=22)
        store.memos.write("a memo\nwith <xml> & “quotes”", "alice", comment_id=ids["R1:q1"])
        store.memos.write("about worry", "bob", code_id=codes["Feelings > Worry"])
        store.memos.write("project notes", "carol")
    return path


def snapshot(path: Path) -> dict:
    """Everything interchange must carry, by names and ids a person sees, not row ids."""
    with open_project(path) as store:
        codes = store.codes.all()
        path_of = {c.id: c.path for c in codes}
        comments = {}
        codings = set()
        memos = set()
        for page in store.exchange.comments():
            for c in page:
                respondent = store.comments.respondent(c.respondent_id)
                comment = store.comments.get(c.id)
                comments[c.source_id] = (
                    c.text, comment.question, respondent.source_id, respondent.attributes
                )  # fmt: skip
                for k in store.codings.of_comment(c.id):
                    codings.add((c.source_id, path_of[k.code_id], k.coder, k.start, k.end))
                for m in store.memos.on(comment_id=c.id):
                    memos.add((c.source_id, m.coder, m.text))
        for code in codes:
            for m in store.memos.on(code_id=code.id):
                memos.add((code.path, m.coder, m.text))
        for m in store.memos.on():
            memos.add((None, m.coder, m.text))
        book = [
            (c.path, c.description, c.include, c.exclude, c.examples, c.color, c.codable, c.guid)
            for c in codes
        ]
        sets = [(s.guid, s.name, s.description, sorted(path_of[i] for i in s.code_ids))
                for s in store.code_sets.all()]  # fmt: skip
    return {
        "codebook": book,
        "sets": sets,
        "comments": comments,
        "codings": codings,
        "memos": memos,
    }


# -- the codebook's description ------------------------------------------------------------------

field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(str.strip)


@given(field_text, field_text, field_text, st.lists(field_text, max_size=3))
@settings(max_examples=150, deadline=None)
def test_any_definition_folds_into_a_description_and_back(description, include, exclude, ex):
    definition = Definition(description, include, exclude, [e for e in ex if e])
    assert unfold(fold(definition)) == definition


def test_a_description_written_by_a_person_elsewhere_reads_into_the_fields():
    d = unfold("Feeling low.\ninclusion: sadness\nExclusion: anger\nExamples: 'I am down'")
    assert d == Definition("Feeling low.", "sadness", "anger", ["'I am down'"])


xml_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(xml_text, xml_text)
@settings(max_examples=150, deadline=None)
def test_any_text_survives_the_xml_writer_as_an_attribute_and_as_content(attribute, content):
    import io

    from coder.interchange.xml import XmlWriter, parse

    out = io.BytesIO()
    xml = XmlWriter(out)
    xml.start("Root", {"name": attribute})
    xml.leaf("Text", content)
    xml.end("Root")
    xml.close()
    root = parse(out.getvalue(), "test")
    carried = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    assert root.get("name") == carried.sub("\ufffd", attribute)
    assert (root.find("Text").text or "") == carried.sub("\ufffd", content)
    assert xml.replaced == len(carried.findall(attribute + content))


# -- .qdc ----------------------------------------------------------------------------------------


def test_a_codebook_goes_out_valid_and_comes_back_the_same(tmp_path):
    source = rich_project(tmp_path / "a.db")
    with open_project(source) as store:
        write_qdc(store, tmp_path / "a.qdc")
        write_qdc(store, tmp_path / "again.qdc")
    CODEBOOK_XSD.validate(str(tmp_path / "a.qdc"))
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "again.qdc").read_bytes()
    with create_project(tmp_path / "b.db") as store:
        import_qdc(store, tmp_path / "a.qdc")
        write_qdc(store, tmp_path / "b.qdc")
    assert snapshot(source)["codebook"] == snapshot(tmp_path / "b.db")["codebook"]
    assert snapshot(source)["sets"] == snapshot(tmp_path / "b.db")["sets"]
    # GUIDs kept through the round trip: the file written back is the same file
    assert (tmp_path / "b.qdc").read_bytes() == (tmp_path / "a.qdc").read_bytes()


def test_a_codebook_read_again_updates_the_codes_it_came_from(tmp_path):
    source = rich_project(tmp_path / "a.db")
    with open_project(source) as store:
        write_qdc(store, tmp_path / "a.qdc")
        worry = next(c for c in store.codes.all() if c.name == "Worry")
    edited = (tmp_path / "a.qdc").read_text().replace('name="Worry"', 'name="Concern"')
    (tmp_path / "edited.qdc").write_text(edited)
    with open_project(source) as store:
        summary = import_qdc(store, tmp_path / "edited.qdc")
        codes = store.codes.all()
    assert summary.done == {"updated code": 1, "unchanged code": 4, "updated code set": 1}
    assert [c.path for c in codes if c.id == worry.id] == ["Feelings > Concern"]
    assert len(codes) == 5


def test_codebook_commands_choose_refi_by_the_suffix(tmp_path, capsys, mini_project):
    code, out, _ = run(capsys, "codebook", mini_project, "export", tmp_path / "cb.qdc")
    assert code == 0 and "5 codes" in out
    empty = tmp_path / "e.db"
    run(capsys, "init", empty)
    code, out, _ = run(capsys, "codebook", empty, "import", tmp_path / "cb.qdc")
    assert (code, out.strip()) == (0, "imported 5 new codes")


# -- .qdpx ---------------------------------------------------------------------------------------


def test_a_project_goes_out_valid_and_comes_back_the_same(tmp_path):
    source = rich_project(tmp_path / "a.db")
    with open_project(source) as store:
        summary = write_qdpx(store, tmp_path / "a.qdpx")
        write_qdpx(store, tmp_path / "again.qdpx")
    assert summary.skipped == {}
    with zipfile.ZipFile(tmp_path / "a.qdpx") as zf:
        document = zf.read("project.qde")
        names = set(zf.namelist())
        with zipfile.ZipFile(tmp_path / "again.qdpx") as again:
            assert again.read("project.qde") == document  # every GUID stable
    PROJECT_XSD.validate(document.decode("utf-8"))
    assert len([n for n in names if n.startswith("sources/")]) == len(TEXTS)

    with create_project(tmp_path / "b.db") as store:
        result = import_qdpx(store, tmp_path / "a.qdpx", "nobody")
    assert result.skipped == {}
    before, after = snapshot(source), snapshot(tmp_path / "b.db")
    assert after == before
    # positions exact: each segment still covers the same characters
    assert ("R1:q1", "Feelings > Worry", "alice", 12, 18) in after["codings"]
    assert TEXTS["R1:q1"][12:18] == "high 😟"

    with open_project(tmp_path / "b.db") as store:
        write_qdpx(store, tmp_path / "b.qdpx")
    with zipfile.ZipFile(tmp_path / "b.qdpx") as zf:
        back = zf.read("project.qde").decode()
    first = document.decode()
    assert _without_created(back) == _without_created(first)


def _without_created(document: str) -> str:
    """All but the Project element's own attributes (the new project's name and time)."""
    return document.split("<Users>", 1)[1]


def test_importing_the_same_file_twice_is_refused_and_changes_nothing(tmp_path, capsys):
    source = rich_project(tmp_path / "a.db")
    run(capsys, "export", source, tmp_path / "a.qdpx")
    code, out, _ = run(capsys, "import", tmp_path / "b.db", tmp_path / "a.qdpx")
    assert code == 0 and "created" in out
    before = snapshot(tmp_path / "b.db")
    code, _, err = run(capsys, "import", tmp_path / "b.db", tmp_path / "a.qdpx")
    assert code == 1
    assert err.startswith("error: the project already has 3 of the file's comment ids")
    assert snapshot(tmp_path / "b.db") == before


def test_a_qdpx_import_that_fails_leaves_no_new_project_file(tmp_path, capsys):
    (tmp_path / "bad.qdpx").write_bytes(b"not a zip")
    code, _, err = run(capsys, "import", tmp_path / "new.db", tmp_path / "bad.qdpx")
    assert code == 1 and err.count("\n") == 1 and "not a .qdpx" in err
    assert not (tmp_path / "new.db").exists()


def test_csv_options_are_refused_with_a_qdpx(tmp_path, capsys):
    code, _, err = run(capsys, "import", tmp_path / "n.db", tmp_path / "x.qdpx", "--text", "q")
    assert code == 1 and "--text do not apply to a .qdpx" in err


@pytest.mark.parametrize("option", ["--coder", "--question"])
def test_export_options_for_tables_are_refused_with_a_qdpx(tmp_path, capsys, mini_project, option):
    code, _, err = run(capsys, "export", mini_project, tmp_path / "x.qdpx", option, "alice")
    assert code == 1 and "a .qdpx holds the whole project" in err
