"""The codebook and demo corpus that ship with coder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_CODEBOOK = "hsb-workforce.yaml"
DEMO_CORPUS = "hsb-workforce-survey.csv"
DEMO_QUESTIONS = ["difficult", "support", "impact"]
DEMO_ATTRIBUTES = ["role", "area", "years_in_post"]
DEMO_REFERENCE_CODER = "reference"


def _find(package: str, folder: str, name: str) -> Path:
    try:
        path = Path(str(resources.files(package) / name))
        if path.exists():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / folder / name  # a source checkout


def codebook_path(name: str = DEMO_CODEBOOK) -> Path:
    return _find("coder.codebooks", "codebooks", name)


def corpus_path(name: str = DEMO_CORPUS) -> Path:
    return _find("coder.corpora", "corpora", name)
