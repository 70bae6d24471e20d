"""A .qdpx opened safely: a zip from a stranger, read without trusting anything it says.

Nothing is ever unpacked to disk: parts are read into memory by name. Even so, a part
whose name would climb out of a folder (`../`, an absolute path, a drive letter) marks
the file as made to attack, and it is refused whole. Declared sizes are checked, in total
and part by part, before anything is read, and no part is read beyond what it declared,
so a small file cannot inflate into gigabytes. A source's text is found by its
`plainTextPath` only inside the zip's sources folder; a path outside the file is never
followed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from coder.errors import CoderError
from coder.limits import QDPX_BYTES, QDPX_PART_BYTES, QDPX_PARTS
from coder.text import shown


class PackageError(CoderError):
    pass


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return (
        "\x00" in name
        or name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or any(part == ".." for part in parts)
    )


def read_limited(path: Path, what: str) -> bytes:
    """A whole file no larger than one part of a .qdpx may be (a .qdc, say)."""
    try:
        size = path.stat().st_size
        QDPX_PART_BYTES.check(size, f"{path.name}")
        return path.read_bytes()
    except FileNotFoundError:
        raise CoderError(f"no {what} at {path}") from None
    except IsADirectoryError:
        raise CoderError(f"{path} is a folder, not a {what}") from None
    except OSError as exc:
        raise CoderError(f"cannot read {path}: {exc.strerror}") from None


class Package:
    """The parts of a .qdpx, checked; `project` is the project document's bytes."""

    def __init__(self, path: Path):
        self.path = path
        self.name = path.name
        try:
            self.zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise CoderError(f"no file at {path}") from None
        except IsADirectoryError:
            raise CoderError(f"{path} is a folder, not a .qdpx file") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
            raise PackageError(f"{path.name} is not a .qdpx file (not a readable zip)") from None
        except OSError as exc:
            raise CoderError(f"cannot read {path}: {exc.strerror}") from None
        try:
            self._check()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def _check(self) -> None:
        infos = [i for i in self.zip.infolist() if not i.is_dir()]
        QDPX_PARTS.check(len(infos), self.name)
        for info in infos:
            if _unsafe(info.filename):
                raise PackageError(
                    f"{self.name} holds a file named {shown(info.filename)!r}, which would "
                    "climb out of its folder; such a file is refused"
                )
            if info.flag_bits & 0x1:
                raise PackageError(f"{self.name} is encrypted; coder cannot read it")
            QDPX_PART_BYTES.check(info.file_size, f"{shown(info.filename)} in {self.name}")
        QDPX_BYTES.check(sum(i.file_size for i in infos), self.name)
        self.infos = {info.filename: info for info in infos}
        top = [i for i in infos if "/" not in i.filename and i.filename.lower().endswith(".qde")]
        anywhere = [i for i in infos if i.filename.lower().endswith(".qde")]
        named = [i for i in top if i.filename.lower() == "project.qde"]
        choice = named or (top if len(top) == 1 else []) or (anywhere if len(anywhere) == 1 else [])
        if not choice:
            found = ", ".join(shown(i.filename) for i in anywhere[:3])
            raise PackageError(
                f"{self.name} holds no project document (project.qde)"
                if not anywhere
                else f"{self.name} holds several project documents ({found}); cannot tell which"
            )
        self.project_name = choice[0].filename
        # Source files by name, in a folder called sources (any case) or anywhere else.
        self._sources: dict[str, zipfile.ZipInfo] = {}
        self._elsewhere: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            path = PurePosixPath(info.filename.replace("\\", "/"))
            in_sources = len(path.parts) > 1 and path.parts[-2].lower() == "sources"
            (self._sources if in_sources else self._elsewhere).setdefault(path.name.lower(), info)

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """A part's bytes, never more than it declared."""
        try:
            with self.zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            raise PackageError(f"{self.name} is damaged: {shown(info.filename)}: {exc}") from None
        except NotImplementedError:
            raise PackageError(
                f"{self.name}: {shown(info.filename)} is packed in a way coder cannot unpack"
            ) from None
        if len(data) > info.file_size:
            raise PackageError(f"{self.name}: {shown(info.filename)} is larger than it declares")
        return data

    def project(self) -> bytes:
        return self.read(self.infos[self.project_name])

    def source(self, reference: str) -> tuple[bytes | None, str]:
        """The bytes a `plainTextPath` names, or (None, why not)."""
        reference = reference.strip()
        scheme, sep, rest = reference.partition("://")
        if not sep:
            scheme, rest = "internal", reference
        if scheme.lower() != "internal":
            return None, "its text is kept outside the .qdpx"
        if _unsafe(rest) or "/" in rest.replace("\\", "/").strip("/"):
            if _unsafe(rest):
                raise PackageError(
                    f"{self.name} names a source file {shown(reference)!r}, which would climb "
                    "out of its folder; such a file is refused"
                )
            rest = PurePosixPath(rest.replace("\\", "/")).name
        key = rest.lower()
        info = self._sources.get(key) or self._elsewhere.get(key)
        if info is None:
            return None, "its text file is missing from the .qdpx"
        return self.read(info), ""


def decode(data: bytes) -> str | None:
    """A source's text: UTF-8 (a byte order mark dropped), or UTF-16 with its mark;
    line ends kept exactly as written, since positions count them."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
