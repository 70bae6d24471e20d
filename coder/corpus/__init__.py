"""Reading survey exports (CSV, Excel, JSON Lines, Qualtrics) into respondents and comments."""

from coder.corpus.importer import CHUNK_COMMENTS, import_file, kept_message, split_codes
from coder.corpus.options import ImportError_, ImportOptions, ImportSummary, Progress
from coder.corpus.tables import Table, detect_delimiter, detect_encoding, open_table

__all__ = [
    "CHUNK_COMMENTS",
    "ImportError_",
    "ImportOptions",
    "ImportSummary",
    "Progress",
    "Table",
    "detect_delimiter",
    "detect_encoding",
    "import_file",
    "kept_message",
    "open_table",
    "split_codes",
]
