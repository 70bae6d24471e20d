"""REFI-QDA codebooks (.qdc): the code tree, definitions, colours and code sets, both ways."""

from __future__ import annotations

from pathlib import Path

from coder import __version__
from coder.errors import CoderError
from coder.files import write_atomically
from coder.interchange.codes import (
    RefiCodebook,
    place_codes,
    place_sets,
    read_codes,
    read_sets,
    write_codes,
    write_sets,
)
from coder.interchange.package import read_limited
from coder.interchange.summary import Summary
from coder.interchange.xml import XmlWriter, child, local, parse
from coder.store import Store

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"coder {__version__}"


def write_qdc(store: Store, path: Path) -> Summary:
    """Write the project's codebook as a .qdc, whole or not at all."""
    store.codes.ensure_guids()
    codes = store.codes.all()
    if not codes:
        raise CoderError("the codebook is empty: there is nothing to export")
    sets = [s for s in store.code_sets.all() if s.code_ids]
    guid_of = {c.id: str(c.guid) for c in codes}
    summary = Summary()

    def write(target: Path) -> None:
        with target.open("wb") as out:
            xml = XmlWriter(out)
            xml.start("CodeBook", {"xmlns": CODEBOOK_NAMESPACE, "origin": ORIGIN})
            write_codes(xml, codes)
            if sets:
                xml.start("Sets")
                write_sets(xml, sets, guid_of)
                xml.end("Sets")
            xml.end("CodeBook")
            xml.close()
            if xml.replaced:
                summary.skip("characters XML cannot hold, written as U+FFFD", amount=xml.replaced)

    write_atomically(path, write)
    summary.count("code", len(codes))
    summary.count("code set", len(sets))
    return summary


def read_qdc(path: Path) -> tuple[RefiCodebook, Summary]:
    """A .qdc's codes and sets, read leniently; everything changed on the way is counted."""
    root = parse(read_limited(path, "codebook file"), path.name)
    if local(root.tag) != "CodeBook":
        raise CoderError(
            f"{path.name} is not a REFI-QDA codebook (its root is {local(root.tag)!r}, "
            "not 'CodeBook')"
        )
    summary = Summary()
    seen: set[str] = set()
    book = RefiCodebook(read_codes(child(root, "Codes"), summary, seen), [])
    book.sets = read_sets(child(root, "Sets"), summary, seen)
    return book, summary


def import_qdc(store: Store, path: Path) -> Summary:
    """Add a .qdc's codes and sets to the project, updating the codes it has already
    (matched by GUID, then by path); all or nothing."""
    book, summary = read_qdc(path)
    if not book.codes:
        raise CoderError(f"{path.name} holds no codes")
    with store.db.transaction():
        ids = place_codes(store, book, summary)
        place_sets(store, book.sets, ids, summary)
    return summary
