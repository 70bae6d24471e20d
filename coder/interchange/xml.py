"""XML from strangers read safely, and XML written as a stream that any parser reads back.

Reading goes through defusedxml with DTDs forbidden outright: no entity can expand (a
"billion laughs" file is refused, not inflated) and nothing outside the file is ever
fetched. REFI-QDA files carry no DTD, so refusing one costs a real file nothing. Elements
are then known by their local names alone, since real files use several versions of the
namespaces (`urn:QDA-XML:project:1.0`, `...:1:0`, `...:0:10`).

Writing streams start tags, text and end tags to a binary file, so a project of any size
is written in constant memory. Characters XML 1.0 cannot carry at all (most control
characters) are replaced with U+FFFD and counted, so the caller can say so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_tree
from defusedxml import DefusedXmlException

from coder.errors import CoderError

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
_ATTRIBUTE = {**_TEXT, ord('"'): "&quot;", ord("\n"): "&#10;", ord("\t"): "&#9;"}
# Anything in an attribute's value that needs escaping or replacing (most values, GUIDs
# and numbers, need neither).
_SPECIAL = re.compile('[&<>"\x00-\x1f\ufffe\uffff]')


class XmlError(CoderError):
    pass


def local(tag: object) -> str:
    """An element's name without its namespace: `{urn:QDA-XML:project:1.0}Code` -> `Code`."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse(data: bytes, source: str) -> Element:
    """The root element of an XML document from someone else, read with no DTD, entity or
    external reference allowed; one clear error for anything else. Every element is
    renamed to its local name, so that what follows finds elements by name alone."""
    try:
        root = safe_tree.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        for element in root.iter():
            if isinstance(element.tag, str) and "}" in element.tag:
                element.tag = element.tag.rsplit("}", 1)[1]
        return root
    except (DefusedXmlException, ParseError) as exc:
        raise _refused(source, exc) from None
    except RecursionError:
        raise XmlError(f"{source} is nested too deeply to read") from None


def _refused(source: str, exc: Exception) -> XmlError:
    """Why a document is not read: entities it declares, or XML that is not well formed."""
    if isinstance(exc, DefusedXmlException):
        return XmlError(
            f"{source} declares a DTD or entities ({type(exc).__name__}); coder never expands "
            "them, so it does not read this file"
        )
    return XmlError(f"{source} is not well-formed XML ({exc})")


def sections(data: bytes, source: str, split: frozenset[str]) -> Iterator[tuple[str, Element]]:
    """A document from someone else read as a stream, safely as `parse` reads it.

    Yields ("", root) first, holding only the root's attributes; then (name, element) for
    each child of the root as it ends, except that a child whose name is in `split` comes
    child by child, as (its name, grandchild). Each element is taken out of the tree once
    the caller has it, so a document of a hundred thousand sources never stands whole
    in memory. Elements are renamed to their local names, as `parse` does.
    """
    try:
        events = safe_tree.iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        path: list[Element] = []
        for event, element in events:
            if event == "start":
                if isinstance(element.tag, str) and "}" in element.tag:
                    element.tag = element.tag.rsplit("}", 1)[1]
                path.append(element)
                if len(path) == 1:
                    yield "", element
                continue
            path.pop()
            if len(path) == 1:
                if element.tag not in split:
                    yield element.tag, element
                path[0].remove(element)
            elif len(path) == 2 and path[1].tag in split:
                yield path[1].tag, element
                path[1].remove(element)
    except (DefusedXmlException, ParseError) as exc:
        raise _refused(source, exc) from None


def children(element: Element, name: str) -> Iterator[Element]:
    """The child elements with this local name (of a tree `parse` read)."""
    return element.iterfind(name)


def child(element: Element, name: str) -> Element | None:
    return element.find(name)


def text_of(element: Element | None) -> str:
    """All the text inside an element (a Description, a PlainTextContent)."""
    return "" if element is None else "".join(element.itertext())


class XmlWriter:
    """Writes well-formed XML to a binary stream as it goes."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.replaced = 0  # characters XML cannot carry, written as U+FFFD
        self._open: list[str] = []
        self._parts: list[str] = []
        self.out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')

    def _clean(self, text: str) -> str:
        if _NOT_XML.search(text):
            text, count = _NOT_XML.subn("\ufffd", text)
            self.replaced += count
        return text

    def _attributes(self, attributes: dict[str, object | None]) -> str:
        out = []
        for name, value in attributes.items():
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            if _SPECIAL.search(text):
                text = self._clean(text).translate(_ATTRIBUTE)
            out.append(f' {name}="{text}"')
        return "".join(out)

    def start(self, tag: str, attributes: dict[str, object | None] | None = None) -> None:
        self._parts.append(f"<{tag}{self._attributes(attributes or {})}>")
        self._open.append(tag)
        self._flush_if_large()

    def end(self, tag: str) -> None:
        opened = self._open.pop()
        assert opened == tag, f"closing {tag} inside {opened}"
        self._parts.append(f"</{tag}>")
        self._flush_if_large()

    def empty(self, tag: str, attributes: dict[str, object | None] | None = None) -> None:
        self._parts.append(f"<{tag}{self._attributes(attributes or {})}/>")
        self._flush_if_large()

    def leaf(self, tag: str, text: str, attributes: dict[str, object | None] | None = None) -> None:
        """An element holding only text."""
        body = self._clean(text).translate(_TEXT)
        self._parts.append(f"<{tag}{self._attributes(attributes or {})}>{body}</{tag}>")
        self._flush_if_large()

    def _flush_if_large(self) -> None:
        if len(self._parts) >= 4096:
            self.flush()

    def flush(self) -> None:
        self.out.write("".join(self._parts).encode("utf-8"))
        self._parts.clear()

    def close(self) -> None:
        assert not self._open, f"unclosed {self._open}"
        self._parts.append("\n")
        self.flush()
