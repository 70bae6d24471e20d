"""The code tree and code sets as REFI-QDA writes them, in a .qdc and inside a .qdpx alike.

Reading is lenient: a code without a usable GUID gets one, a colour in short form is
widened, names that coder's paths cannot hold are mended, and each such change is
counted. Codes are placed into a project by GUID first, then by path, so that a codebook
that went out to another tool and came back updates the codes it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from coder.domain import PATH_SEPARATOR, Code, CodeSet
from coder.interchange import guids
from coder.interchange.description import Definition, fold, unfold
from coder.interchange.summary import Summary
from coder.interchange.xml import XmlWriter, child, children, local, text_of
from coder.store import Store

_HEX = set("0123456789abcdefABCDEF")


@dataclass
class RefiCode:
    guid: str
    name: str
    codable: bool = True
    color: str | None = None
    definition: Definition = field(default_factory=Definition)
    children: list[RefiCode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # GUIDs of the notes on it (.qdpx)


@dataclass
class RefiSet:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiCodebook:
    codes: list[RefiCode] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)

    def walk(self) -> list[RefiCode]:
        """Every code, parents before children."""
        out: list[RefiCode] = []
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            out.append(code)
            stack.extend(reversed(code.children))
        return out


# -- reading -----------------------------------------------------------------------------------


def _color(text: str | None, name: str, summary: Summary) -> str | None:
    if not text:
        return None
    value = text.strip()
    digits = value[1:]
    if value.startswith("#") and set(digits) <= _HEX and len(digits) in (3, 6):
        return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits)).lower()
    summary.skip("colours that are not #rrggbb (codes kept without a colour)", name)
    return None


def _name(raw: str | None, summary: Summary) -> str:
    name = " ".join((raw or "").split())
    if not name:
        summary.skip("codes without a name (named '(unnamed code)')")
        return "(unnamed code)"
    mended = name.replace(">", "›").replace(";", ",")
    if mended != name:
        summary.skip(
            "code names holding '>' or ';', which separate coder's paths (→ '›', ',')", name
        )
    return mended


def _unique_guid(raw: str | None, seen: set[str], what: str, summary: Summary) -> str:
    guid = guids.normalise(raw)
    if guid is None:
        summary.skip(f"{what} without a valid GUID (given a new one)", raw)
        guid = guids.new()
    elif guid in seen:
        summary.skip(f"{what} whose GUID the file uses twice (given a new one)", raw)
        guid = guids.new()
    seen.add(guid)
    return guid


def read_codes(codes: Element | None, summary: Summary, seen: set[str]) -> list[RefiCode]:
    """The tree under a `Codes` element; sibling names made unique (any case)."""
    if codes is None:
        return []
    top: list[RefiCode] = []
    stack: list[tuple[Element, list[RefiCode], set[str]]] = [
        (element, top, set()) for element in reversed(list(children(codes, "Code")))
    ]
    while stack:  # depth first without recursion: any depth of nesting reads
        element, siblings, names = stack.pop()
        name = _name(element.get("name"), summary)
        if name.casefold() in names:
            summary.skip("codes named like a sibling (numbered)", name)
            n = 2
            while f"{name} ({n})".casefold() in names:
                n += 1
            name = f"{name} ({n})"
        names.add(name.casefold())
        codable = (element.get("isCodable") or "true").strip().lower() not in {"false", "0"}
        code = RefiCode(
            guid=_unique_guid(element.get("guid"), seen, "codes", summary),
            name=name,
            codable=codable,
            color=_color(element.get("color"), name, summary),
            definition=unfold(text_of(child(element, "Description"))),
            notes=[ref.get("targetGUID") or "" for ref in children(element, "NoteRef")],
        )
        siblings.append(code)
        kids: set[str] = set()
        for sub in reversed(list(children(element, "Code"))):
            stack.append((sub, code.children, kids))
    # Children were pushed in reverse and popped in order; siblings were appended as popped.
    return top


def read_sets(sets: Element | None, summary: Summary, seen: set[str]) -> list[RefiSet]:
    if sets is None:
        return []
    out = []
    for element in children(sets, "Set"):
        out.append(
            RefiSet(
                guid=_unique_guid(element.get("guid"), seen, "sets", summary),
                name=" ".join((element.get("name") or "").split()) or "(unnamed set)",
                description=text_of(child(element, "Description")).strip(),
                codes=[
                    m.get("guid") or m.get("targetGUID") or "" for m in _members(element, "Code")
                ],
                sources=[m.get("targetGUID") or "" for m in _members(element, "Source")],
                notes=[m.get("targetGUID") or "" for m in _members(element, "Note")],
            )
        )
    return out


def _members(element: Element, kind: str) -> list[Element]:
    return [m for m in element if local(m.tag) == f"Member{kind}"]


# -- placing into a project -----------------------------------------------------------------


def place_codes(
    store: Store, book: RefiCodebook, summary: Summary, import_id: int | None = None
) -> dict[str, int]:
    """Add the file's codes to the project, or update the ones it has (matched by GUID,
    then by path); call inside a transaction. Returns each file GUID's code id."""
    existing = store.codes.all()
    by_guid = {c.guid: c for c in existing if c.guid}
    by_path = {c.path.casefold(): c for c in existing}
    ids: dict[str, int] = {}
    paths: dict[int, str] = {c.id: c.path for c in existing}
    stack: list[tuple[RefiCode, int | None]] = [(code, None) for code in reversed(book.codes)]
    while stack:
        code, parent_id = stack.pop()
        parent_path = paths.get(parent_id) if parent_id is not None else None
        path = f"{parent_path}{PATH_SEPARATOR}{code.name}" if parent_path else code.name
        found = by_guid.get(code.guid) or by_path.get(path.casefold())
        if found is not None:
            parent_of_found = paths.get(found.parent_id) if found.parent_id is not None else None
            renamed = (
                f"{parent_of_found}{PATH_SEPARATOR}{code.name}" if parent_of_found else code.name
            )
            can_rename = renamed.casefold() not in by_path
            if (
                code.name != found.name
                and not can_rename
                and found.name.casefold() != code.name.casefold()
            ):
                summary.skip(
                    "codes renamed in the file to a name their siblings have (name kept)", code.name
                )
            if _update(
                store,
                found,
                code,
                rename=can_rename or found.name.casefold() == code.name.casefold(),
            ):
                summary.count("updated code")
            else:
                summary.count("unchanged code")
            code_id = found.id
        else:
            d = code.definition
            code_id = store.codes.add(
                code.name,
                parent_id=parent_id,
                description=d.description,
                include=d.include,
                exclude=d.exclude,
                examples=d.examples,
                color=code.color,
                codable=code.codable,
                guid=code.guid,
                import_id=import_id,
            )
            summary.count("new code")
            paths[code_id] = path
        ids[code.guid] = code_id
        stack.extend((kid, code_id) for kid in reversed(code.children))
    return ids


def _update(store: Store, old: Code, new: RefiCode, *, rename: bool) -> bool:
    d = new.definition
    fields: dict[str, object] = {
        "description": d.description,
        "include": d.include,
        "exclude": d.exclude,
        "examples": list(d.examples),
        "color": new.color,
        "codable": new.codable,
    }
    current = {
        "description": old.description,
        "include": old.include,
        "exclude": old.exclude,
        "examples": list(old.examples),
        "color": old.color,
        "codable": old.codable,
    }
    if rename and new.name != old.name:  # renamed in the other tool (same GUID)
        fields["name"], current["name"] = new.name, old.name
    changed = {k: v for k, v in fields.items() if current[k] != v}
    if not changed:
        return False
    if "codable" in changed:
        changed["codable"] = int(bool(changed["codable"]))
    store.codes.update(old.id, **changed)
    return True


def place_sets(
    store: Store,
    sets: Iterable[RefiSet],
    ids: dict[str, int],
    summary: Summary,
    import_id: int | None = None,
) -> None:
    for refi in sets:
        members = []
        for guid in refi.codes:
            code_id = ids.get(guids.normalise(guid) or "")
            if code_id is None:
                summary.skip("set members that are not codes in the file (left out)", guid)
            else:
                members.append(code_id)
        _, new = store.code_sets.put(refi.guid, refi.name, refi.description, members, import_id)
        summary.count("new code set" if new else "updated code set")


# -- writing ---------------------------------------------------------------------------------


def write_codes(
    xml: XmlWriter, codes: list[Code], notes: dict[int, list[str]] | None = None
) -> None:
    """`Codes` with each code nested in its parent; `notes`: NoteRef GUIDs by code id."""
    kids: dict[int | None, list[Code]] = {}
    for code in codes:
        kids.setdefault(code.parent_id, []).append(code)
    xml.start("Codes")
    stack: list[Code | None] = list(reversed(kids.get(None, [])))
    while stack:  # None closes the code opened before it
        popped = stack.pop()
        if popped is None:
            xml.end("Code")
            continue
        code = popped
        xml.start(
            "Code",
            {
                "guid": code.guid,
                "name": code.name,
                "isCodable": "true" if code.codable else "false",
                "color": code.color,
            },
        )
        text = fold(Definition(code.description, code.include, code.exclude, list(code.examples)))
        if text:
            xml.leaf("Description", text)
        for note in (notes or {}).get(code.id, []):
            xml.empty("NoteRef", {"targetGUID": note})
        stack.append(None)
        stack.extend(reversed(kids.get(code.id, [])))
    xml.end("Codes")


def write_sets(
    xml: XmlWriter, sets: list[CodeSet], guid_of: dict[int, str], member: str = "guid"
) -> None:
    """Each code set as a `Set`; `member`: the attribute naming a member (`guid` in a .qdc,
    `targetGUID` in a .qdpx)."""
    for code_set in sets:
        xml.start("Set", {"guid": code_set.guid, "name": code_set.name})
        if code_set.description:
            xml.leaf("Description", code_set.description)
        for code_id in code_set.code_ids:
            xml.empty("MemberCode", {member: guid_of[code_id]})
        xml.end("Set")
