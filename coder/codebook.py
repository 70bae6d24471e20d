"""Codebook rules and the YAML (or JSON) codebook format.

Contract: top-level `name`, optional `description`, and `codes:` a list; each code has
`name` (unique among its siblings), optional `description`, `include`, `exclude`,
`examples` (a list of strings), `color` (`#rrggbb`) and `children` (codes of the same shape).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from coder.domain import PATH_SEPARATOR, Code
from coder.errors import CoderError

if TYPE_CHECKING:
    from coder.store import Store

COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TEXT_FIELDS = ("description", "include", "exclude")
_CODE_KEYS = {"name", *_TEXT_FIELDS, "examples", "color", "children"}
_TOP_KEYS = {"name", "description", "codes"}


@dataclass
class CodeSpec:
    """A code as written in a codebook file, before it has an id in a project."""

    name: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = field(default_factory=list)
    color: str | None = None
    children: list[CodeSpec] = field(default_factory=list)


@dataclass
class Codebook:
    name: str
    description: str = ""
    codes: list[CodeSpec] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[str, str | None, CodeSpec]]:
        """Yield (path, parent_path, spec) for every code, parents before children."""

        def rec(
            specs: Sequence[CodeSpec], parent: str | None
        ) -> Iterator[tuple[str, str | None, CodeSpec]]:
            for spec in specs:
                path = f"{parent}{PATH_SEPARATOR}{spec.name}" if parent else spec.name
                yield path, parent, spec
                yield from rec(spec.children, path)

        yield from rec(self.codes, None)


class CodebookError(CoderError):
    pass


def _fail(source: str, node: yaml.Node | None, problem: str) -> CodebookError:
    where = f"{source}, line {node.start_mark.line + 1}" if node is not None else source
    return CodebookError(f"{where}: {problem}")


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {k.value: (k, v) for k, v in node.value}


def _text(source: str, node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(source, node, f"{what} must be text")
    return "" if node.tag.endswith(":null") else str(node.value).strip()


def _code_spec(source: str, node: yaml.Node, siblings: set[str]) -> CodeSpec:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(source, node, "each code must be a mapping with at least a `name`")
    fields = _mapping(node)
    unknown = sorted(set(fields) - _CODE_KEYS)
    if unknown:
        raise _fail(
            source,
            fields[unknown[0]][0],
            f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(_CODE_KEYS))})",
        )
    if "name" not in fields:
        raise _fail(source, node, "a code has no `name`")
    name = _text(source, fields["name"][1], "`name`")
    if not name:
        raise _fail(source, fields["name"][1], "a code's `name` is empty")
    if PATH_SEPARATOR.strip() in name or ";" in name:
        raise _fail(source, fields["name"][1], f"code name {name!r} may not contain '>' or ';'")
    if name.casefold() in siblings:
        raise _fail(source, fields["name"][1], f"duplicate code name {name!r} among its siblings")
    siblings.add(name.casefold())
    spec = CodeSpec(name=name)
    for key in _TEXT_FIELDS:
        if key in fields:
            setattr(spec, key, _text(source, fields[key][1], f"`{key}`"))
    if "examples" in fields:
        ex = fields["examples"][1]
        if isinstance(ex, yaml.ScalarNode) and ex.tag.endswith(":null"):
            pass
        elif not isinstance(ex, yaml.SequenceNode):
            raise _fail(source, ex, "`examples` must be a list of strings")
        else:
            spec.examples = [_text(source, item, "an example") for item in ex.value]
    if "color" in fields:
        color = _text(source, fields["color"][1], "`color`")
        if color and not COLOR.match(color):
            raise _fail(
                source,
                fields["color"][1],
                f"colour {color!r} is not of the form #rrggbb (quote it in YAML)",
            )
        spec.color = color.lower() or None
    if "children" in fields:
        kids = fields["children"][1]
        if isinstance(kids, yaml.ScalarNode) and kids.tag.endswith(":null"):
            pass
        elif not isinstance(kids, yaml.SequenceNode):
            raise _fail(source, kids, "`children` must be a list of codes")
        else:
            names: set[str] = set()
            spec.children = [_code_spec(source, kid, names) for kid in kids.value]
    return spec


def parse_codebook(text: str, source: str = "codebook") -> Codebook:
    """Parse and check a YAML (or JSON, a subset of YAML) codebook."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f", line {mark.line + 1}" if mark else ""
        raise CodebookError(f"{source}{line}: not valid YAML ({exc.problem})") from exc
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: not valid YAML ({exc})") from exc
    if root is None:
        raise CodebookError(f"{source}: the codebook is empty")
    if not isinstance(root, yaml.MappingNode):
        raise _fail(source, root, "a codebook must be a mapping with `name` and `codes`")
    fields = _mapping(root)
    unknown = sorted(set(fields) - _TOP_KEYS)
    if unknown:
        raise _fail(
            source,
            fields[unknown[0]][0],
            f"unknown top-level field {unknown[0]!r} (allowed: name, description, codes)",
        )
    if "name" not in fields:
        raise _fail(source, root, "the codebook has no top-level `name`")
    if "codes" not in fields:
        raise _fail(source, root, "the codebook has no `codes` list")
    codes_node = fields["codes"][1]
    if not isinstance(codes_node, yaml.SequenceNode):
        raise _fail(source, codes_node, "`codes` must be a list")
    names: set[str] = set()
    return Codebook(
        name=_text(source, fields["name"][1], "`name`"),
        description=_text(source, fields["description"][1], "`description`")
        if "description" in fields
        else "",
        codes=[_code_spec(source, node, names) for node in codes_node.value],
    )


def read_codebook(path: Path | str) -> Codebook:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(f"no codebook file at {path}") from None
    except OSError as exc:
        raise CodebookError(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError(f"{path}: not a UTF-8 text file") from None
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        raise CodebookError(f"{path}: a codebook must be .yaml, .yml or .json")
    return parse_codebook(text, str(path))


def codebook_from_codes(name: str, codes: list[Code], description: str = "") -> Codebook:
    """Rebuild a Codebook from a project's codes (tree order)."""
    specs: dict[int, CodeSpec] = {}
    top: list[CodeSpec] = []
    for code in codes:
        spec = CodeSpec(
            code.name, code.description, code.include, code.exclude, list(code.examples), code.color
        )
        specs[code.id] = spec
        (specs[code.parent_id].children if code.parent_id in specs else top).append(spec)
    return Codebook(name=name, description=description, codes=top)


def codebook_to_dict(book: Codebook) -> dict:
    def code(spec: CodeSpec) -> dict:
        out: dict = {"name": spec.name}
        for key in _TEXT_FIELDS:
            if getattr(spec, key):
                out[key] = getattr(spec, key)
        if spec.examples:
            out["examples"] = list(spec.examples)
        if spec.color:
            out["color"] = spec.color
        if spec.children:
            out["children"] = [code(c) for c in spec.children]
        return out

    out: dict = {"name": book.name}
    if book.description:
        out["description"] = book.description
    out["codes"] = [code(c) for c in book.codes]
    return out


def write_codebook(book: Codebook, path: Path | str) -> None:
    path = Path(path)
    data = codebook_to_dict(book)
    suffix = path.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    elif suffix == ".json":
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        raise CodebookError(f"{path}: choose a .yaml, .yml or .json file name")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CodebookError(f"cannot write {path}: {exc.strerror}") from None


def merge_codebook(store: Store, book: Codebook) -> tuple[int, int]:
    """Bring a codebook into a project: add new codes, update the ones already there.

    Codes are matched by their path ("Parent > Child"), case-insensitively, so
    re-importing an edited codebook updates definitions without touching codings.
    Returns (added, updated).
    """
    added = updated = 0
    with store.db.transaction():
        existing = {code.path.casefold(): code for code in store.codes.all()}
        ids: dict[str, int] = {key: code.id for key, code in existing.items()}
        for position, (path, parent, spec) in enumerate(book.walk()):
            fields = dict(
                description=spec.description,
                include=spec.include,
                exclude=spec.exclude,
                examples=spec.examples,
                color=spec.color,
            )
            key = path.casefold()
            if key in existing:
                old = existing[key]
                current = dict(
                    description=old.description,
                    include=old.include,
                    exclude=old.exclude,
                    examples=list(old.examples),
                    color=old.color,
                )
                if current != fields:
                    store.codes.update(old.id, **fields)
                    updated += 1
            else:
                parent_id = ids[parent.casefold()] if parent else None
                ids[key] = store.codes.add(
                    spec.name,
                    parent_id=parent_id,
                    position=position,
                    description=spec.description,
                    include=spec.include,
                    exclude=spec.exclude,
                    examples=spec.examples,
                    color=spec.color,
                )
                added += 1
    return added, updated


class CodeIndex:
    """Finds codes by what people type: a path ("Parent > Child") or a unique name.

    Matching is case-insensitive and ignores spaces around '>'.
    """

    def __init__(self, codes: list[Code]):
        self.by_path = {self.normalise(c.path): c for c in codes}
        by_name: dict[str, list[Code]] = {}
        for code in codes:
            by_name.setdefault(code.name.casefold(), []).append(code)
        self.by_name = by_name

    @staticmethod
    def normalise(text: str) -> str:
        """A path as matched: parts trimmed, empty ones ("A >", "> B") dropped, case folded."""
        return PATH_SEPARATOR.join(p.strip() for p in text.split(">") if p.strip()).casefold()

    def add(self, code: Code) -> None:
        """Know one more code (just created), without reading the codebook again."""
        self.by_path[self.normalise(code.path)] = code
        self.by_name.setdefault(code.name.casefold(), []).append(code)

    def find(self, text: str) -> Code | None:
        key = self.normalise(text)
        if key in self.by_path:
            return self.by_path[key]
        same = self.by_name.get(key, [])
        return same[0] if len(same) == 1 else None

    def is_ambiguous(self, text: str) -> bool:
        key = self.normalise(text)
        return key not in self.by_path and len(self.by_name.get(key, [])) > 1

    def get(self, text: str) -> Code:
        code = self.find(text)
        if code is None:
            if self.is_ambiguous(text):
                paths = ", ".join(c.path for c in self.by_name[self.normalise(text)])
                raise CoderError(f"code {text!r} is ambiguous: write one of {paths}")
            raise CoderError(f"no code named {text!r}")
        return code
