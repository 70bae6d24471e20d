"""Bounds on what one input may cost, so a small hostile file cannot exhaust the machine.

A 600 KB spreadsheet can hold a cell that inflates to 600 MB, and a model of a few KB can
inflate to gigabytes. Each bound is far above what real work needs; reaching one is a
clear error that names the bound and the environment variable that raises it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from coder.errors import CoderError


@dataclass(frozen=True)
class Limit:
    name: str  # what is limited, in words
    variable: str  # the environment variable that raises it
    default: int
    unit: str = ""

    @property
    def value(self) -> int:
        raw = os.environ.get(self.variable)
        if raw is None:
            return self.default
        try:
            value = int(raw.replace("_", ""))
        except ValueError:
            raise CoderError(f"{self.variable} must be a whole number, not {raw[:40]!r}") from None
        if value <= 0:
            raise CoderError(f"{self.variable} must be above 0")
        return value

    def check(self, amount: int, what: str) -> None:
        """Refuse `amount` beyond the limit, saying how to raise it."""
        if amount > self.value:
            unit = f" {self.unit}" if self.unit else ""
            raise CoderError(
                f"{what} is over the limit of {self.value:,}{unit} for {self.name} "
                f"({amount:,}{unit}); if it is meant to be, raise it with "
                f"{self.variable}={max(amount, self.value * 2)}"
            )


MODEL_BYTES = Limit("a stored model, unpacked", "CODER_MAX_MODEL_BYTES", 2 << 30, "bytes")
SPREADSHEET_BYTES = Limit(
    "a spreadsheet's contents, unpacked", "CODER_MAX_XLSX_BYTES", 2 << 30, "bytes"
)
# One part of a spreadsheet (a sheet, or the table of its texts) is read whole into memory.
SPREADSHEET_MEMBER_BYTES = Limit(
    "one part of a spreadsheet, unpacked", "CODER_MAX_XLSX_PART_BYTES", 512 << 20, "bytes"
)
# Excel itself holds at most 1,048,576 rows a sheet; more is a file made to exhaust a reader.
SHEET_ROWS = Limit("rows in one sheet", "CODER_MAX_ROWS", 1_048_576, "rows")
CELL_CHARS = Limit("characters in one cell or answer", "CODER_MAX_CELL_CHARS", 1_000_000)
CODES_SHOWN = Limit("codes drawn in one report", "CODER_MAX_CODES", 2_000, "codes")
# A .qdpx (REFI-QDA project) is a zip from someone else: its declared sizes are checked
# before anything is unpacked, and each part is read no further than it declared.
QDPX_BYTES = Limit("a .qdpx file's contents, unpacked", "CODER_MAX_QDPX_BYTES", 1 << 30, "bytes")
QDPX_PART_BYTES = Limit(
    "one file inside a .qdpx (or a .qdc), unpacked", "CODER_MAX_QDPX_PART_BYTES", 256 << 20, "bytes"
)
QDPX_PARTS = Limit("files inside one .qdpx", "CODER_MAX_QDPX_PARTS", 1_000_000, "files")
