"""Reading survey exports (CSV, Excel, JSON Lines, Qualtrics) into respondents and comments."""

from coder.corpus.importer import CHUNK_ROWS, import_file, split_codes
from coder.corpus.options import ImportError_, ImportOptions, ImportSummary, Progress
from coder.corpus.tables import Table, detect_delimiter, detect_encoding, open_table

__all__ = [
    "CHUNK_ROWS",
    "ImportError_",
    "ImportOptions",
    "ImportSummary",
    "Progress",
    "Table",
    "detect_delimiter",
    "detect_encoding",
    "import_file",
    "open_table",
    "split_codes",
]
