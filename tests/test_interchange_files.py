"""Other tools' .qdpx files as they really are import correctly; files made to attack are refused
with one line and an unchanged project."""

from __future__ import annotations

import hashlib
import struct
import zipfile
from pathlib import Path

import pytest
from cli_support import run

from coder.errors import CoderError
from coder.interchange.qdc import import_qdc
from coder.interchange.qdpx_import import import_qdpx
from coder.store import create_project, open_project

VARIANTS = Path(__file__).parent / "fixtures" / "refi" / "variants"


def pack(folder: Path, target: Path) -> Path:
    """A hand-written variant zipped as a .qdpx, its files as they are."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder).as_posix())
    return target


def imported(tmp_path: Path, variant: str):
    path = tmp_path / f"{variant}.db"
    with create_project(path) as store:
        summary = import_qdpx(store, pack(VARIANTS / variant, tmp_path / f"{variant}.qdpx"), "me")
    return path, summary


def comments(path: Path) -> dict:
    with open_project(path) as store:
        codes = {c.id: c for c in store.codes.all()}
        out = {}
        for page in store.exchange.comments():
            for c in page:
                codings = sorted(
                    (codes[k.code_id].path, k.coder, k.start, k.end)
                    for k in store.codings.of_comment(c.id)
                )
                out[c.source_id] = (c.text, codings)
        return out


def test_an_old_namespace_trial_qde_sources_folder_bom_and_crlf(tmp_path):
    path, summary = imported(tmp_path, "old-namespace")
    assert summary.skipped == {}
    text, codings = comments(path)["Interview 1"]
    assert text == "Line one.\r\nToo many cases this week.\r\nEnd."  # BOM dropped, \r\n kept
    assert codings == [("Workload", "Ana", 15, 25)]
    assert text[15:25] == "many cases"
    with open_project(path) as store:
        (code,) = store.codes.all()
        assert (code.guid, code.color) == ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "#cc0000")
        assert store.coders.guids() == {"Ana": "6a3e1f52-0b5c-4c2e-9d7a-1b2c3d4e5f60"}


def test_inline_text_counts_code_points_and_a_document_coding_codes_the_whole(tmp_path):
    path, summary = imported(tmp_path, "inline-text")
    text, codings = comments(path)["Answer 7"]
    assert codings == [("Whole answers", "Bo", None, None), ("Worry", "Bo", 9, 17)]
    assert text[9:17] == "about it"
    with open_project(path) as store:
        worry, whole = store.codes.all()
        assert (worry.description, worry.include) == (
            "Feeling worried.",
            "the respondent's own worry.",
        )
        assert not whole.codable


def test_codes_named_alike_under_different_parents_stay_apart(tmp_path):
    path, summary = imported(tmp_path, "duplicate-names")
    assert summary.skipped == {}
    _, codings = comments(path)["Comment 1"]
    assert codings == [("Support > Other", "me", 15, 22), ("Training > Other", "me", 24, 46)]
    with open_project(path) as store:
        (code_set,) = store.code_sets.all()
        paths = {c.id: c.path for c in store.codes.all()}
        assert sorted(paths[i] for i in code_set.code_ids) == [
            "Support > Other",
            "Training > Other",
        ]


def test_an_old_namespace_codebook_updates_the_codes_it_shares_by_guid(tmp_path):
    path, _ = imported(tmp_path, "duplicate-names")
    with open_project(path) as store:
        summary = import_qdc(store, VARIANTS / "duplicate-names" / "codebook.qdc")
        codes = {c.path: c for c in store.codes.all()}
    support = codes["Support"]
    assert (support.codable, support.color, support.include) == (
        False, "#1a2b3c", "any mention of a manager."
    )  # fmt: skip
    assert "Training > Pros › cons" in codes
    assert summary.done["new code"] == 1
    assert summary.lines() == [
        "1 code names holding '>' or ';', which separate coder's paths (→ '›', ',') "
        "(e.g. Pros > cons)"
    ]


def test_memos_wherever_vendors_put_them_and_attributes_on_sources(tmp_path):
    path, summary = imported(tmp_path, "vendor-memos")
    with open_project(path) as store:
        a = store.comments.by_source_id("A's answer")
        b = store.comments.by_source_id("B's answer")
        (memo,) = store.memos.on(comment_id=a.id)
        assert memo.coder == "Cy"
        assert memo.text.split("\n\n") == [
            "“supervisor” (4-14): Supervisor, not manager.",
            "Linked to A's answer.",
            "Too short for whom?",
        ]
        (code,) = store.codes.all()
        assert [m.text for m in store.memos.on(code_id=code.id)] == ["Use for line management too."]
        assert [(m.coder, m.text) for m in store.memos.on()] == [("me", "Second round of coding.")]
        ra, rb = (
            store.comments.respondent(a.respondent_id),
            store.comments.respondent(b.respondent_id),
        )
        assert (ra.source_id, ra.attributes) == (
            "Respondent A", {"role": "social worker", "years": "12"}
        )  # fmt: skip
        assert (rb.source_id, rb.attributes, b.text) == (
            "B's answer", {"role": "teacher"}, "First answer, coded nowhere."
        )  # fmt: skip
    assert "notes joined to the memo their author has on the same thing" in summary.skipped


def test_what_coder_cannot_hold_is_counted_and_named(tmp_path, capsys):
    pack(VARIANTS / "not-text", tmp_path / "n.qdpx")
    code, out, _ = run(capsys, "import", tmp_path / "n.db", tmp_path / "n.qdpx")
    assert code == 0
    assert out.splitlines()[1:] == [
        "imported 2 new codes, 1 comment",
        "not kept as it was: 1 picture sources (coder holds text only) (e.g. Hall photo)",
        "not kept as it was: 1 codings on sources coder cannot hold",
        "not kept as it was: 1 PDF sources (coder holds text only) (e.g. Policy.pdf)",
        "not kept as it was: 1 audio sources (coder holds text only) (e.g. Interview.mp3)",
        "not kept as it was: 1 video sources (coder holds text only) (e.g. Visit.mp4)",
        "not kept as it was: 1 links that do not attach a note (coder has no links) (e.g. is part of)",
        "not kept as it was: 1 graphs (coder has no graphs) (e.g. Concept map)",
    ]


# -- files made to attack --------------------------------------------------------------------


def fingerprint(path: Path) -> str:
    """Every row of the project, to show nothing changed."""
    digest = hashlib.sha256()
    with open_project(path) as store:
        for table in ("codes", "comments", "codings", "memos", "respondents", "imports", "coders"):
            for row in store.db.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def qdpx(tmp_path: Path, document: str | bytes, extra: dict[str, bytes] | None = None) -> Path:
    target = tmp_path / "hostile.qdpx"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("project.qde", document)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return target


SOURCE = """<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>
<TextSource guid="f0000000-0000-4000-8000-000000000009" name="s" plainTextPath="{path}"/>
</Sources></Project>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Project name="&lol3;"/>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project name="&secret;"/>"""


def declared_huge(tmp_path: Path) -> Path:
    """A zip whose one part declares 2 GB unpacked: refused before a byte is unpacked."""
    path = qdpx(tmp_path, "<Project name='x'/>")
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        struct.pack_into("<I", data, at + offset, 2 << 30)
    path.write_bytes(bytes(data))
    return path


HOSTILE = {
    "zip slip": (
        lambda t: qdpx(t, SOURCE.format(path="internal://x.txt"), {"../../evil.txt": b"x"}),
        "which would climb out of its folder",
    ),
    "traversal in a source path": (
        lambda t: qdpx(t, SOURCE.format(path="internal://../../../etc/passwd")),
        "which would climb out of its folder",
    ),
    "billion laughs": (lambda t: qdpx(t, LAUGHS), "declares a DTD or entities"),
    "external entity": (lambda t: qdpx(t, EXTERNAL), "declares a DTD or entities"),
    "2 GB declared": (declared_huge, "is over the limit"),
    "not a zip": (
        lambda t: (t / "x.qdpx", (t / "x.qdpx").write_bytes(b"PK\x03\x04junk"))[0],
        "not a .qdpx file",
    ),  # fmt: skip
    "no project document": (
        lambda t: (t / "n.qdpx", zipfile.ZipFile(t / "n.qdpx", "w").close())[0],
        "holds no project document",
    ),
    "malformed XML": (lambda t: qdpx(t, "<Project name='x'><Sources>"), "not well-formed XML"),
    "not a project": (lambda t: qdpx(t, "<CodeBook/>"), "not a REFI-QDA project"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_in_one_line_and_changes_nothing(
    tmp_path, capsys, mini_project, case
):
    make, message = HOSTILE[case]
    before = fingerprint(mini_project)
    code, out, err = run(capsys, "import", mini_project, make(tmp_path))
    assert code == 1, out
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert fingerprint(mini_project) == before


def test_a_source_outside_the_file_is_never_read_and_is_named(tmp_path, capsys):
    path = qdpx(tmp_path, SOURCE.format(path="absolute:///etc/passwd"))
    with (
        create_project(tmp_path / "p.db") as store,
        pytest.raises(CoderError, match=r"nothing to import \(1 text sources not read: its text"),
    ):
        import_qdpx(store, path, "me")
    document = SOURCE.format(path="relative://../secret.txt").replace(
        "</Sources>",
        '<TextSource guid="f0000000-0000-4000-8000-000000000008" name="ok">'
        "<PlainTextContent>fine</PlainTextContent></TextSource></Sources>",
    )
    with open_project(tmp_path / "p.db") as store:
        summary = import_qdpx(store, qdpx(tmp_path, document), "me")
        assert store.comments.count() == 1
    assert summary.lines() == [
        "1 text sources not read: its text is kept outside the .qdpx (e.g. relative://../secret.txt)"
    ]


def test_a_limit_can_be_raised_by_its_variable(tmp_path, monkeypatch, capsys):
    document = SOURCE.format(path="x").replace(
        'plainTextPath="x"/>', "><PlainTextContent>a b c</PlainTextContent></TextSource>"
    )
    monkeypatch.setenv("CODER_MAX_QDPX_BYTES", "10")
    code, _, err = run(capsys, "import", tmp_path / "p.db", qdpx(tmp_path, document))
    assert code == 1 and "CODER_MAX_QDPX_BYTES=" in err
    monkeypatch.delenv("CODER_MAX_QDPX_BYTES")
    code, _, _ = run(capsys, "import", tmp_path / "p.db", qdpx(tmp_path, document))
    assert code == 0
