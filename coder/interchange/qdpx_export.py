"""A whole coded project as a REFI-QDA project (.qdpx), for NVivo, ATLAS.ti, MAXQDA, QualCoder.

Layout (why: see the README's Interchange section):
- each comment is one `TextSource`, named by its comment id, its text in
  `sources/<guid>.txt` (UTF-8, exactly as stored);
- every coding is a `PlainTextSelection` with a `Coding` in it: a segment with its own
  positions (code points from 0, end exclusive), a whole-comment coding from 0 to the end
  of the text; codings of the same span share one selection;
- coders are `Users`; the codebook is `CodeBook`; memos are `Notes`, referred to from the
  comment, the code or the project they are on;
- respondents are `Cases`, each referring to its comments, with its attributes as
  `VariableValue`s of text `Variables`;
- questions are `Sets` of the comments answering them; code sets are `Sets` of codes.

The project document is streamed, so a large project is written in constant memory.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

from coder import __version__
from coder.domain import ExportedComment
from coder.files import write_atomically
from coder.interchange.codes import write_codes, write_sets
from coder.interchange.guids import Derived, within
from coder.interchange.summary import Summary
from coder.interchange.xml import XmlWriter
from coder.store import Store

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
ORIGIN = f"coder {__version__}"
VARIABLE_KEY = "refi.variable:"  # project settings: an attribute's GUID from another tool


class _Export:
    def __init__(self, store: Store, zf: zipfile.ZipFile, xml: XmlWriter, summary: Summary):
        self.store = store
        self.zf = zf
        self.xml = xml
        self.summary = summary
        self.derive = Derived(store.meta.guid())
        stored = store.coders.guids()
        self.users = {
            name: self.derive.coder(name, stored.get(name)) for name in store.coders.names()
        }
        self.codes = store.codes.all()
        self.code_guid = {c.id: str(c.guid) for c in self.codes}
        self.memos = store.exchange.memos()  # (guid, comment_id, code_id, coder, text, at)

    def run(self) -> None:
        store, xml = self.store, self.xml
        xml.start(
            "Project",
            {
                "xmlns": PROJECT_NAMESPACE,
                "name": store.meta.get("name") or store.path.stem,
                "origin": ORIGIN,
                "creationDateTime": store.meta.get("created_at"),
            },
        )
        if self.users:
            xml.start("Users")
            for name, guid in self.users.items():
                xml.empty("User", {"guid": guid, "name": name})
            xml.end("Users")
            self.summary.count("coder", len(self.users))
        if self.codes:
            code_notes: dict[int, list[str]] = {}
            for guid, _, code_id, *_ in self.memos:
                if code_id is not None:
                    code_notes.setdefault(code_id, []).append(guid)
            xml.start("CodeBook")
            write_codes(xml, self.codes, code_notes)
            xml.end("CodeBook")
            self.summary.count("code", len(self.codes))
        self._cases()
        self._sources()
        self._notes()
        self._sets()
        for guid, comment_id, code_id, *_ in self.memos:
            if comment_id is None and code_id is None:
                xml.empty("NoteRef", {"targetGUID": guid})
        xml.end("Project")

    # -- respondents ------------------------------------------------------------------------

    def _cases(self) -> None:
        xml, exchange = self.xml, self.store.exchange
        respondents = exchange.respondents()
        if not respondents:
            return
        kept = self.store.meta.starting(VARIABLE_KEY)  # GUIDs read from another tool's file
        variables = {
            name: kept.get(name) or self.derive.of("variable", name)
            for name in exchange.attribute_names()
        }
        if variables:
            xml.start("Variables")
            for name, guid in variables.items():
                xml.empty("Variable", {"guid": guid, "name": name, "typeOfVariable": "Text"})
            xml.end("Variables")
        attributes: dict[int, list[tuple[str, str]]] = {}
        for respondent_id, name, value in exchange.attributes():
            if value is not None:
                attributes.setdefault(respondent_id, []).append((name, value))
        comments = _grouped(exchange.comments_by("respondent_id"))
        pending = next(comments, None)
        xml.start("Cases")
        for respondent_id, source_id, stored in respondents:
            xml.start(
                "Case", {"guid": self.derive.respondent(source_id, stored), "name": source_id}
            )
            for name, value in attributes.get(respondent_id, []):
                xml.start("VariableValue")
                xml.empty("VariableRef", {"targetGUID": variables[name]})
                xml.leaf("TextValue", value)
                xml.end("VariableValue")
            while pending is not None and pending[0] <= respondent_id:
                if pending[0] == respondent_id:
                    for comment_source, comment_guid in pending[1]:
                        guid = self.derive.comment(comment_source, comment_guid)
                        xml.empty("SourceRef", {"targetGUID": guid})
                pending = next(comments, None)
            xml.end("Case")
        xml.end("Cases")
        self.summary.count("respondent", len(respondents))

    # -- comments ---------------------------------------------------------------------------

    def _sources(self) -> None:
        notes: dict[int, list[str]] = {}
        for guid, comment_id, *_ in self.memos:
            if comment_id is not None:
                notes.setdefault(comment_id, []).append(guid)
        started = False
        for page in self.store.exchange.comments():
            if not started:
                self.xml.start("Sources")
                started = True
            codings: dict[int, list[tuple[Any, ...]]] = {}
            for row in self.store.exchange.codings_between(page[0].id, page[-1].id):
                codings.setdefault(row[0], []).append(row)
            for comment in page:
                self._source(comment, codings.get(comment.id, []), notes.get(comment.id, []))
        if started:
            self.xml.end("Sources")

    def _source(
        self, comment: ExportedComment, codings: list[tuple[Any, ...]], notes: list[str]
    ) -> None:
        xml = self.xml
        guid = self.derive.comment(comment.source_id, comment.guid)
        self.zf.writestr(f"sources/{guid}.txt", comment.text.encode("utf-8"))
        xml.start(
            "TextSource",
            {"guid": guid, "name": comment.source_id, "plainTextPath": f"internal://{guid}.txt"},
        )
        length = len(comment.text)
        known = [row for row in codings if row[1] in self.code_guid]
        if len(known) < len(codings):  # only a damaged file codes with a code it lacks
            self.summary.skip(
                "codings of codes the codebook does not have (run coder repair)",
                comment.source_id,
                amount=len(codings) - len(known),
            )
            codings = known
        spans: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
        whole_of_nothing = []
        for row in codings:
            _, _, _, start, end, _ = row
            if start is None and length == 0:
                whole_of_nothing.append(row)  # no text to select: code the source itself
            else:
                spans.setdefault((0, length) if start is None else (start, end), []).append(row)
        for (start, end), rows in sorted(spans.items()):
            selection = within(guid, "selection", start, end)
            xml.start(
                "PlainTextSelection",
                {
                    "guid": selection,
                    "startPosition": start,
                    "endPosition": end,
                    "creatingUser": self.users[rows[0][2]],
                    "creationDateTime": min(r[5] for r in rows),
                },
            )
            for row in rows:
                self._coding(selection, row)
            xml.end("PlainTextSelection")
        for row in whole_of_nothing:
            self._coding(guid, row)
        for note in notes:
            xml.empty("NoteRef", {"targetGUID": note})
        xml.end("TextSource")
        self.summary.count("comment")
        self.summary.count("coding", len(codings))

    def _coding(self, owner: str, row: tuple[Any, ...]) -> None:
        _, code_id, coder, _, _, at = row
        code = self.code_guid[code_id]
        user = self.users[coder]
        self.xml.start(
            "Coding",
            {
                "guid": within(owner, "coding", code, coder),
                "creatingUser": user,
                "creationDateTime": at,
            },
        )
        self.xml.empty("CodeRef", {"targetGUID": code})
        self.xml.end("Coding")

    # -- memos and sets ---------------------------------------------------------------------

    def _notes(self) -> None:
        if not self.memos:
            return
        self.xml.start("Notes")
        for guid, _, _, coder, text, at in self.memos:
            self.xml.start(
                "Note",
                {
                    "guid": guid,
                    "name": f"Memo by {coder}",
                    "creatingUser": self.users[coder],
                    "creationDateTime": at,
                },
            )
            self.xml.leaf("PlainTextContent", text)
            self.xml.end("Note")
        self.xml.end("Notes")
        self.summary.count("memo", len(self.memos))

    def _sets(self) -> None:
        code_sets = [s for s in self.store.code_sets.all() if s.code_ids]
        questions = {qid: (name, guid) for qid, name, guid in self.store.exchange.questions()}
        answers = _grouped(self.store.exchange.comments_by("question_id"))
        groups = [(qid, members) for qid, members in answers if qid in questions]
        if not code_sets and not groups:
            return
        self.xml.start("Sets")
        write_sets(self.xml, code_sets, self.code_guid, member="targetGUID")
        for question_id, members in groups:
            name, stored = questions[question_id]
            self.xml.start("Set", {"guid": self.derive.question(name, stored), "name": name})
            for source_id, guid in members:
                self.xml.empty("MemberSource", {"targetGUID": self.derive.comment(source_id, guid)})
            self.xml.end("Set")
        self.xml.end("Sets")
        self.summary.count("code set", len(code_sets))
        self.summary.count("question", len(groups))


def _grouped(
    rows: Iterator[tuple[int, str, str | None]],
) -> Iterator[tuple[int, list[tuple[str, str | None]]]]:
    """(owner id, [(comment source id, stored guid)]) from rows sorted by owner."""
    for owner, group in groupby(rows, key=lambda row: row[0]):
        yield owner, [(source, guid) for _, source, guid in group]


def write_qdpx(store: Store, path: Path) -> Summary:
    """Write the whole project as a .qdpx, whole or not at all."""
    store.codes.ensure_guids()
    store.exchange.ensure_memo_guids()
    summary = Summary()

    def write(target: Path) -> None:
        with (
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf,
            tempfile.TemporaryFile(dir=target.parent) as document,
        ):
            xml = XmlWriter(document)
            _Export(store, zf, xml, summary).run()
            xml.close()
            document.seek(0)
            with zf.open("project.qde", "w", force_zip64=True) as out:
                shutil.copyfileobj(document, out, 1 << 20)
            if xml.replaced:
                summary.skip(
                    "characters XML cannot hold (control characters in names, attributes or "
                    "memos), written as U+FFFD",
                    amount=xml.replaced,
                )

    write_atomically(path, write)
    return summary
