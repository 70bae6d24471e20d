"""A code's definition folded into REFI-QDA's one `Description`, and read back out of it.

REFI-QDA gives a code a single free-text description; coder keeps a definition, what to
include, what to exclude and examples apart. They are folded into one readable text:

    How working with HSB affects the respondent emotionally.

    Include: The respondent describes their own feelings about the work.

    Exclude: Feelings of the child or family (use Complex needs).

    Examples:
    - It keeps me awake at night
    - I dread Monday mornings

and read back into the same fields. A section starts with a line beginning `Include:`,
`Exclude:` or `Examples:` (any case; `Example:`, `Inclusion:`, `Exclusion:` too, as other
tools' users write them); the text before the first is the definition. Each example is a
line starting `- `, its further lines indented by two spaces. A line of coder's own text
that would read as a section's start is written with a backslash before it, which is
taken off again on reading, so any text comes back as it went. Text around each field is
trimmed (as codebook files trim it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADER = re.compile(r"^(include|inclusion|exclude|exclusion|examples?):[ \t]?(.*)$", re.I)
_ESCAPED = re.compile(r"^(\\+)((?:include|inclusion|exclude|exclusion|examples?):.*)$", re.I)
_FIELD = {"include": "include", "inclusion": "include", "exclude": "exclude"}
_FIELD |= {"exclusion": "exclude", "example": "examples", "examples": "examples"}


@dataclass
class Definition:
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = field(default_factory=list)


def _escape(text: str) -> str:
    return "\n".join(
        "\\" + line if _HEADER.match(line) or _ESCAPED.match(line) else line
        for line in text.split("\n")
    )


def _unescape(line: str) -> str:
    found = _ESCAPED.match(line)
    return found.group(1)[1:] + found.group(2) if found else line


def fold(definition: Definition) -> str:
    """The fields as one Description text ("" when all are empty)."""
    parts = []
    if definition.description.strip():
        parts.append(_escape(definition.description.strip()))
    if definition.include.strip():
        parts.append("Include: " + _escape(definition.include.strip()))
    if definition.exclude.strip():
        parts.append("Exclude: " + _escape(definition.exclude.strip()))
    examples = [e.strip() for e in definition.examples if e.strip()]
    if examples:
        lines = ["Examples:"]
        for example in examples:
            first, *rest = example.split("\n")
            lines.append("- " + first)
            lines.extend("  " + line for line in rest)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def unfold(text: str) -> Definition:
    """The fields of a Description written by fold(), or by a person in another tool."""
    sections: dict[str, list[str]] = {"description": []}
    current = "description"
    for line in text.split("\n"):  # an XML parser has made \r\n in the file \n already
        header = _HEADER.match(line)
        if header:
            current = _FIELD[header.group(1).lower()]
            sections.setdefault(current, [])
            if header.group(2).strip() or current != "examples":
                sections[current].append(header.group(2))
            continue
        sections.setdefault(current, []).append(line)
    out = Definition(
        description=_joined(sections["description"]),
        include=_joined(sections.get("include", [])),
        exclude=_joined(sections.get("exclude", [])),
    )
    out.examples = _examples(sections.get("examples", []))
    return out


def _joined(lines: list[str]) -> str:
    return "\n".join(_unescape(line) for line in lines).strip()


def _examples(lines: list[str]) -> list[str]:
    items: list[list[str]] = []
    for line in lines:
        if line.startswith("- ") or line == "-" or line.startswith(("* ", "• ")):
            items.append([line[2:]])
        elif items:
            items[-1].append(line[2:] if line.startswith("  ") else line)
        elif line.strip():
            items.append([line])  # "Examples: one" written on one line
    return [text for item in items if (text := "\n".join(item).strip())]
