"""GUIDs: read in any form other tools write, made stable for what coder writes.

Codes and memos carry GUIDs of their own, made when they are created. Comments,
respondents, questions and coders made in coder have none stored: theirs are derived
from the project's GUID and their ids, which never change, so every export names them
alike without a large import having to make and store one a row. Selections, codings and
variables are derived from what they are and what they belong to.
"""

from __future__ import annotations

import hashlib
import re
import uuid

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)


def normalise(text: str | None) -> str | None:
    """A GUID as coder stores it (lower case, no braces), or None if it is not one."""
    if text is None:
        return None
    found = _GUID.match(text.strip())
    return found.group(1).lower() if found else None


def new() -> str:
    return str(uuid.uuid4())


def _uuid5(namespace: bytes, name: str) -> str:
    """uuid.uuid5(UUID(bytes=namespace), name) as text, without making UUID objects: an
    export derives one for every selection and coding."""
    digest = bytearray(hashlib.sha1(namespace + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _bytes(guid: str) -> bytes:
    return bytes.fromhex(guid.replace("-", ""))


class Derived:
    """GUIDs that follow from the project's GUID and what a thing is."""

    def __init__(self, project_guid: str):
        self.namespace = _bytes(project_guid)

    def of(self, kind: str, *key: object) -> str:
        return _uuid5(self.namespace, "\x1f".join([kind, *map(str, key)]))

    def comment(self, source_id: str, stored: str | None = None) -> str:
        return stored or self.of("comment", source_id)

    def respondent(self, source_id: str, stored: str | None = None) -> str:
        return stored or self.of("respondent", source_id)

    def question(self, name: str, stored: str | None = None) -> str:
        return stored or self.of("question", name)

    def coder(self, name: str, stored: str | None = None) -> str:
        return stored or self.of("coder", name)


def within(owner: str, *key: object) -> str:
    """A GUID for a part of something that has one (a selection of a source, a coding of
    a selection): the same wherever the owner goes, so a file read back and written again
    names its selections and codings as before."""
    return _uuid5(_bytes(owner), "\x1f".join(map(str, key)))
