"""Another tool's coded project (.qdpx) read into a coder project, all or nothing.

Read leniently, as real files are written: namespaces of any version, the project
document under any name, source text inline or in files (with or without a byte order
mark, `\\r\\n` kept so positions stay true), memos wherever a vendor puts them (notes
referred to from anything, linked by `Links`, a selection's or a source's description),
attributes on cases or on sources. Whatever coder cannot hold (pictures, PDFs, audio,
video, graphs, links between codes) is counted and named, never dropped silently.
Everything is read and checked before the first row is written, and then written in one
transaction, so a file that fails leaves the project as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from coder.domain import ExchangeData
from coder.errors import CoderError
from coder.interchange import guids
from coder.interchange.codes import (
    RefiCodebook,
    RefiSet,
    place_codes,
    place_sets,
    read_codes,
    read_sets,
)
from coder.interchange.package import Package, decode
from coder.interchange.qdpx_export import VARIABLE_KEY
from coder.interchange.summary import Summary
from coder.interchange.xml import child, children, local, sections, text_of
from coder.limits import CELL_CHARS
from coder.store import Store
from coder.text import shown

_DATE_TIME = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_OTHER_SOURCES = {
    "PictureSource": "picture sources (coder holds text only)",
    "PDFSource": "PDF sources (coder holds text only)",
    "AudioSource": "audio sources (coder holds text only)",
    "VideoSource": "video sources (coder holds text only)",
}
# The parts of a project read one element at a time: there may be very many of these.
_SPLIT = frozenset({"Sources", "Cases", "Notes"})
_VALUES = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


class QdpxError(CoderError):
    pass


@dataclass
class _Source:
    guid: str
    name: str
    text: str
    codings: list[tuple[str, str, int | None, int | None, str]] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    respondent: int | None = None
    question: int | None = None


@dataclass
class _Note:
    guid: str
    coder: str
    text: str
    at: str
    targets: list[tuple[str, str]] = field(default_factory=list)  # ("source"|"code", GUID)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _unique(name: str, taken: set[str]) -> str:
    out, n = name, 2
    while out.casefold() in taken:
        out = f"{name} ({n})"
        n += 1
    taken.add(out.casefold())
    return out


class _Reader:
    """Everything a .qdpx holds, gathered and checked before anything is written."""

    def __init__(self, package: Package, name: str | None, fallback_coder: str):
        self.package = package
        self.name = name  # the project's name in the file
        self.fallback = fallback_coder
        self.summary = Summary()
        self.now = _now()
        self.users: dict[str, str] = {}  # GUID -> coder name
        self.book = RefiCodebook()
        self.code_guids: set[str] = set()
        self.variables: dict[str, str] = {}  # GUID -> attribute name
        self.respondents: list[tuple[str, str]] = []  # (source id, GUID)
        self.attributes: dict[int, dict[str, str]] = {}
        self.sources: dict[str, _Source] = {}
        self.selections: dict[str, str] = {}  # selection GUID -> source GUID
        self.notes: dict[str, _Note] = {}
        self.note_refs: list[tuple[str, str, str]] = []  # (note GUID, kind, target GUID)
        self.questions: list[tuple[str, str]] = []  # (name, GUID)
        self.code_sets: list[RefiSet] = []
        # (respondent, case name, source GUIDs, selection GUIDs): cases come before the
        # sources they name, so they are joined up once everything is read
        self.case_refs: list[tuple[int, str, list[str | None], list[str]]] = []
        self._taken: dict[str, set[str]] = {"cases": set(), "sources": set()}
        self._seen_cases: set[str] = set()

    # -- reading, part by part ----------------------------------------------------------------

    def read(self, parts: Iterator[tuple[str, Element]]) -> None:
        """Take in the document's parts as they come (see xml.sections)."""
        for name, element in parts:
            if name == "Sources":
                self._source(element)
            elif name == "Cases":
                self._case(element)
            elif name == "Notes":
                self._note(element)
            elif name == "Users":
                self._users(element)
            elif name == "CodeBook":
                self._codebook(element)
            elif name == "Variables":
                self._variables(element)
            elif name == "Links":
                self._links(element)
            elif name == "Sets":
                self._sets(element)
            elif name == "Graphs":
                for graph in children(element, "Graph"):
                    self.summary.skip("graphs (coder has no graphs)", graph.get("name"))
            elif name == "Description":
                text = text_of(element).strip()
                if text:
                    self._memo_text(None, self.fallback, text, self.now, "project", "")
            elif name == "NoteRef":
                self.note_refs.append((element.get("targetGUID") or "", "project", ""))
            else:
                self.summary.skip("parts of the project coder does not know (left out)", name)
        for respondent, case, sources, selections in self.case_refs:
            for guid in sources:
                self._belongs(guid, respondent, case)
            for selection in selections:
                self._belongs(self.selections.get(selection), respondent, case)

    def _codebook(self, codebook: Element) -> None:
        self.book.codes = read_codes(child(codebook, "Codes"), self.summary, set())
        self.code_guids = {code.guid for code in self.book.walk()}
        for code in self.book.walk():
            for note in code.notes:
                self.note_refs.append((note, "code", code.guid))

    def coder(self, *candidates: str | None) -> str:
        """The coder a user GUID names (the first given that the file lists)."""
        for raw in candidates:
            if raw is None:
                continue
            guid = guids.normalise(raw)
            if guid in self.users:
                return self.users[guid]
            self.summary.skip(
                f"references to users the file does not list (→ {self.fallback})", raw
            )
        return self.fallback

    def _users(self, users: Element | None) -> None:
        if users is None:
            return
        taken: set[str] = set()
        for user in children(users, "User"):
            guid = guids.normalise(user.get("guid"))
            if guid is None or guid in self.users:
                self.summary.skip(
                    "users without a valid GUID of their own (left out)", user.get("name")
                )
                continue
            name = " ".join((user.get("name") or user.get("id") or f"user {guid[:8]}").split())
            self.users[guid] = _unique(name, taken)

    def _variables(self, variables: Element | None) -> None:
        if variables is None:
            return
        for variable in children(variables, "Variable"):
            guid = guids.normalise(variable.get("guid"))
            name = " ".join((variable.get("name") or "").split())
            if guid is None or not name:
                self.summary.skip(
                    "variables without a name or a valid GUID (left out)", name or guid
                )
                continue
            self.variables[guid] = name

    def _values(self, element: Element) -> dict[str, str]:
        out: dict[str, str] = {}
        for value in children(element, "VariableValue"):
            ref = child(value, "VariableRef")
            name = self.variables.get(
                guids.normalise(ref.get("targetGUID") if ref is not None else None) or ""
            )
            if name is None:
                self.summary.skip("values of variables the file does not list (left out)")
                continue
            found = next((e for e in value if local(e.tag) in _VALUES), None)
            out[name] = text_of(found).strip() if found is not None else ""
        return out

    # -- sources --------------------------------------------------------------------------------

    def _source(self, element: Element) -> None:
        kind = local(element.tag)
        if kind in _OTHER_SOURCES:
            self.summary.skip(_OTHER_SOURCES[kind], element.get("name"))
            lost = sum(1 for e in element.iter() if local(e.tag) == "Coding")
            if lost:
                self.summary.skip("codings on sources coder cannot hold", amount=lost)
        elif kind == "TextSource":
            self._text_source(element, self._taken["sources"])
        elif isinstance(element.tag, str):
            self.summary.skip(
                f"sources of a kind coder does not know ({kind})", element.get("name")
            )

    def _text(self, element: Element, what: str) -> str | None:
        inline = child(element, "PlainTextContent")
        if inline is not None:
            return text_of(inline)
        reference = element.get("plainTextPath")
        if not reference:
            why = "only as rich text (.docx)" if element.get("richTextPath") else "no text"
            self.summary.skip(f"{what} with {why} (left out)", element.get("name"))
            return None
        data, why = self.package.source(reference)
        if data is None:
            self.summary.skip(f"{what} not read: {why}", reference)
            return None
        text = decode(data)
        if text is None:
            self.summary.skip(
                f"{what} whose text is neither UTF-8 nor UTF-16 (left out)", reference
            )
        return text

    def _text_source(self, element: Element, taken: set[str]) -> None:
        guid = guids.normalise(element.get("guid"))
        if guid is None or guid in self.sources:
            self.summary.skip(
                "text sources without a valid GUID of their own (left out)", element.get("name")
            )
            return
        text = self._text(element, "text sources")
        if text is None:
            return
        name = " ".join((element.get("name") or guid).split()) or guid
        CELL_CHARS.check(len(text), f"text source {shown(name)!r}")
        source = _Source(guid, _unique(name, taken), text)
        self.sources[guid] = source
        length = len(text)
        source.attributes = self._values(element)
        description = text_of(child(element, "Description")).strip()
        if description:
            self._memo_text(
                None,
                self.coder(element.get("creatingUser")),
                description,
                self._at(element),
                "source",
                guid,
            )
        for coding in children(element, "Coding"):
            self._coding(source, coding, None, None, element.get("creatingUser"))
        for ref in children(element, "NoteRef"):
            self.note_refs.append((ref.get("targetGUID") or "", "source", guid))
        for selection in children(element, "PlainTextSelection"):
            self._selection(source, selection, length)

    def _selection(self, source: _Source, selection: Element, length: int) -> None:
        try:
            start = int(selection.get("startPosition", ""))
            end = int(selection.get("endPosition", ""))
        except ValueError:
            self.summary.skip("selections without whole-number positions (left out)", source.name)
            return
        if not 0 <= start < end <= length:
            self.summary.skip(
                "selections that do not fit their source's text (left out)",
                f"{source.name} {start}-{end} of {length}",
            )
            return
        guid = guids.normalise(selection.get("guid"))
        if guid is not None:
            self.selections[guid] = source.guid
        whole = (start, end) == (0, length)
        codings = list(children(selection, "Coding"))
        for coding in codings:
            self._coding(
                source,
                coding,
                None if whole else start,
                None if whole else end,
                selection.get("creatingUser"),
            )
        description = text_of(child(selection, "Description")).strip()
        refs = [ref.get("targetGUID") or "" for ref in children(selection, "NoteRef")]
        if description:
            excerpt = source.text[start:end]
            excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
            who = self.coder(selection.get("creatingUser"))
            self._memo_text(
                None,
                who,
                f"“{excerpt}” ({start}-{end}): {description}",
                self._at(selection),
                "source",
                source.guid,
            )
        for ref in refs:
            self.note_refs.append((ref, "source", source.guid))
        if not codings and not description and not refs:
            self.summary.skip(
                "selections with no coding, note or description (left out)", source.name
            )

    def _coding(
        self, source: _Source, coding: Element, start: int | None, end: int | None, user: str | None
    ) -> None:
        ref = child(coding, "CodeRef")
        code = guids.normalise(ref.get("targetGUID") if ref is not None else None)
        if code is None or code not in self.code_guids:
            self.summary.skip(
                "codings of codes the file's codebook does not hold (left out)", source.name
            )
            return
        who = self.coder(coding.get("creatingUser") or user)
        source.codings.append((code, who, start, end, self._at(coding)))
        for note in children(coding, "NoteRef"):
            self.note_refs.append((note.get("targetGUID") or "", "source", source.guid))

    def _at(self, element: Element) -> str:
        value = (element.get("creationDateTime") or "").strip()
        return value if _DATE_TIME.match(value) else self.now

    # -- cases, notes, links, sets ---------------------------------------------------------------

    def _case(self, case: Element) -> None:
        if case.tag != "Case":
            self.summary.skip("parts of the project coder does not know (left out)", case.tag)
            return
        guid = guids.normalise(case.get("guid"))
        if guid is None or guid in self._seen_cases:
            self.summary.skip(
                "cases without a valid GUID of their own (left out)", case.get("name")
            )
            return
        self._seen_cases.add(guid)
        position = len(self.respondents)
        name = " ".join((case.get("name") or guid).split()) or guid
        self.respondents.append((_unique(name, self._taken["cases"]), guid))
        self.attributes[position] = self._values(case)
        if text_of(child(case, "Description")).strip():
            self.summary.skip("case descriptions (coder has none)", name)
        if any(True for _ in children(case, "CodeRef")):
            self.summary.skip("codes applied to cases (coder codes comments)", name)
        self.case_refs.append(
            (
                position,
                name,
                [guids.normalise(ref.get("targetGUID")) for ref in children(case, "SourceRef")],
                [
                    guids.normalise(ref.get("targetGUID")) or ""
                    for ref in children(case, "SelectionRef")
                ],
            )
        )

    def _belongs(self, source_guid: str | None, respondent: int, case: str) -> None:
        source = self.sources.get(source_guid or "")
        if source is None:
            self.summary.skip("case references to sources that were not read (left out)", case)
        elif source.respondent is None:
            source.respondent = respondent
        elif source.respondent != respondent:
            self.summary.skip("sources in more than one case (each kept in its first)", source.name)

    def _note(self, note: Element) -> None:
        if note.tag != "Note":
            self.summary.skip("parts of the project coder does not know (left out)", note.tag)
            return
        guid = guids.normalise(note.get("guid"))
        if guid is None or guid in self.notes:
            self.summary.skip(
                "notes without a valid GUID of their own (left out)", note.get("name")
            )
            return
        text = self._text(note, "notes")
        if text is None:
            return
        self.notes[guid] = _Note(
            guid, self.coder(note.get("creatingUser")), text.strip(), self._at(note)
        )

    def _links(self, links: Element | None) -> None:
        if links is None:
            return
        for link in children(links, "Link"):
            ends = [guids.normalise(link.get(k)) or "" for k in ("originGUID", "targetGUID")]
            note = next((e for e in ends if e in self.notes), None)
            other = next((e for e in ends if e != note), "")
            if note is not None and (
                other in self.sources or other in self.selections or other in self.code_guids
            ):
                kind = "code" if other in self.code_guids else "source"
                self.note_refs.append((note, kind, self.selections.get(other, other)))
            else:
                self.summary.skip(
                    "links that do not attach a note (coder has no links)", link.get("name")
                )

    def _sets(self, sets: Element | None) -> None:
        taken: set[str] = set()
        for refi in read_sets(sets, self.summary, set()):
            if refi.notes:
                self.summary.skip(
                    "notes in sets (coder's sets hold codes)", refi.name, len(refi.notes)
                )
            if refi.codes:
                self.code_sets.append(refi)
                if refi.sources:
                    self.summary.skip(
                        "sources in sets of codes (left out of the set)",
                        refi.name,
                        len(refi.sources),
                    )
                continue
            if not refi.sources:
                continue
            position = len(self.questions)
            self.questions.append((_unique(refi.name, taken), refi.guid))
            for member in refi.sources:
                source = self.sources.get(guids.normalise(member) or "")
                if source is None:
                    self.summary.skip("set members that are not sources read (left out)", refi.name)
                elif source.question is None:
                    source.question = position
                else:
                    self.summary.skip(
                        "sources in more than one set (each answers its first)", source.name
                    )

    def _memo_text(
        self, guid: str | None, coder: str, text: str, at: str, kind: str, target: str
    ) -> None:
        note = _Note(guid or guids.new(), coder, text, at, [(kind, target)])
        self.notes[note.guid] = note


def _data(reader: _Reader, code_ids: dict[str, int], summary: Summary) -> ExchangeData:
    """The rows to write, once the codes have their ids in the project."""
    data = ExchangeData()
    data.questions = list(reader.questions)
    data.respondents = list(reader.respondents)
    attributes = reader.attributes
    position: dict[str, int] = {}
    taken = {name.casefold() for name, _ in reader.respondents}
    for source in reader.sources.values():
        if source.attributes and source.respondent is None:  # attributes on sources (MAXQDA)
            source.respondent = len(data.respondents)
            data.respondents.append((_unique(source.name, taken), guids.new()))
            attributes[source.respondent] = {}
        if source.respondent is not None:
            mine = attributes.setdefault(source.respondent, {})
            for name, value in source.attributes.items():
                if mine.setdefault(name, value) != value:
                    summary.skip(
                        "source values that differ from their case's (case's kept)", source.name
                    )
        position[source.guid] = len(data.comments)
        data.comments.append(
            (source.name, source.guid, source.respondent, source.question, source.text)
        )
        seen: set[tuple[str, str, int | None, int | None]] = set()
        for code, coder, start, end, at in source.codings:
            if (code, coder, start, end) in seen:
                summary.skip("codings the file holds twice (kept once)", source.name)
                continue
            seen.add((code, coder, start, end))
            data.codings.append((position[source.guid], code_ids[code], coder, start, end, at))
    data.attributes = [
        (r, name, value)
        for r, values in sorted(attributes.items())
        for name, value in values.items()
    ]
    # Notes become memos on what they are attached to, one per coder and target.
    for note_guid, kind, target in reader.note_refs:
        note = reader.notes.get(guids.normalise(note_guid) or "")
        if note is None:
            summary.skip("references to notes the file does not hold (left out)", note_guid)
        else:
            note.targets.append((kind, guids.normalise(target) or ""))
    memos: dict[tuple[int | None, int | None, str], _Memo] = {}
    guids_used: set[str] = set()
    for note in reader.notes.values():
        if not note.text:
            summary.skip("empty notes (left out)")
            continue
        targets = list(dict.fromkeys(note.targets)) or [("project", "")]
        for kind, target in targets:
            comment = position.get(target) if kind == "source" else None
            code_id = code_ids.get(target) if kind == "code" else None
            if kind != "project" and comment is None and code_id is None:
                summary.skip("notes on things not read (kept as project memos)", note.guid)
            key = (comment, code_id, note.coder)
            if key in memos:
                summary.skip("notes joined to the memo their author has on the same thing")
                memos[key].text += f"\n\n{note.text}"
                continue
            guid = note.guid if note.guid not in guids_used else guids.new()
            guids_used.add(guid)
            memos[key] = _Memo(comment, code_id, note.coder, note.text, guid, note.at)
    data.memos = [(m.comment, m.code, m.coder, m.text, m.guid, m.at) for m in memos.values()]
    return data


@dataclass
class _Memo:
    comment: int | None
    code: int | None
    coder: str
    text: str
    guid: str
    at: str


def read_qdpx(path: Path, fallback_coder: str) -> _Reader:
    """Everything in a .qdpx, read and checked; nothing written yet."""
    package = Package(path)
    try:
        parts = sections(package.project(), f"{path.name} ({shown(package.project_name)})", _SPLIT)
        _, root = next(parts)
        if root.tag != "Project":
            raise QdpxError(
                f"{path.name} is not a REFI-QDA project (its document's root is "
                f"{shown(root.tag)!r}, not 'Project')"
            )
        reader = _Reader(package, root.get("name"), fallback_coder)
        reader.read(parts)
    finally:
        package.close()
    return reader


def _clashes(store: Store, reader: _Reader) -> None:
    """Into a project with comments already, only a file none of whose comments,
    respondents or memos it has."""
    if not store.comments.count():
        return
    checks = [
        ("comments", "source_id", [s.name for s in reader.sources.values()], "comment ids"),
        ("comments", "guid", list(reader.sources), "comment GUIDs"),
        ("respondents", "source_id", [name for name, _ in reader.respondents], "respondent ids"),
        ("respondents", "guid", [guid for _, guid in reader.respondents], "respondent GUIDs"),
        ("memos", "guid", list(reader.notes), "memo GUIDs"),
    ]
    for table, column, values, what in checks:
        found = store.exchange.present(table, column, values)
        if found:
            examples = ", ".join(shown(v, 40) for v in found[:3])
            raise QdpxError(
                f"the project already has {len(found):,} of the file's {what} (e.g. {examples}); "
                "import it into a new project, or one whose comments it does not share"
            )


def import_qdpx(
    store: Store, path: Path, fallback_coder: str, reader: _Reader | None = None
) -> Summary:
    """Import a .qdpx (or what `read_qdpx` read from it) into the project: into an empty
    one, or one it shares no comments, respondents or memos with. All or nothing."""
    reader = reader or read_qdpx(path, fallback_coder)
    summary = reader.summary
    if not reader.sources and not reader.book.codes:
        why = "; ".join(summary.lines())
        raise QdpxError(
            f"{path.name} holds no text sources and no codes coder can read: nothing to import"
            + (f" ({why})" if why else "")
        )
    _clashes(store, reader)
    known = set(store.coders.names())
    known_attributes = set(store.exchange.attribute_names())
    with store.db.transaction():
        import_id = store.imports.begin(str(path.resolve()))
        code_ids = place_codes(store, reader.book, summary, import_id)
        place_sets(store, reader.code_sets, code_ids, summary, import_id)
        data = _data(reader, code_ids, summary)
        used = {c[2] for c in data.codings} | {m[2] for m in data.memos}
        store.coders.keep(
            [(name, guid) for guid, name in reader.users.items() if name not in known],
            import_id,
        )
        written = store.exchange.write(import_id, data)
        kept = store.meta.starting(VARIABLE_KEY)
        for guid, name in reader.variables.items():
            if name not in kept and name not in known_attributes:
                store.meta.set(VARIABLE_KEY + name, guid)
                kept[name] = guid
        summary.count("coder", len(used | set(reader.users.values())))
        summary.count("respondent", len(data.respondents))
        summary.count("comment", len(data.comments))
        summary.count("coding", written)
        summary.count("memo", len(data.memos))
        summary.count("question", len(data.questions))
        store.imports.finish(
            import_id, {"format": "qdpx", "done": summary.done, "skipped": summary.skipped}
        )
    return summary
