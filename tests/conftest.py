"""Shared fixtures: small project files made fresh for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.codebook import merge_codebook, read_codebook
from coder.corpus import ImportOptions, import_file
from coder.demo import build_demo, demo_project_path
from coder.store import Store, create_project, open_project

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def empty_project(tmp_path) -> Path:
    path = tmp_path / "empty.db"
    create_project(path).close()
    return path


@pytest.fixture
def mini_project(tmp_path) -> Path:
    """Mini codebook (Workload, Feelings > Worry/Anxiety, Online) and 8 comments.

    Comment ids are "1:q1", "1:q2", ...; alice has coded 1:q1 Workload and 2:q1 Online.
    """
    path = tmp_path / "mini.db"
    store = create_project(path)
    merge_codebook(store, read_codebook(FIXTURES / "mini-codebook.yaml"))
    import_file(
        store,
        FIXTURES / "mini-survey.csv",
        ImportOptions(text=["q1", "q2"], id="id", attrs=["role", "area"]),
    )
    codes = {c.path: c.id for c in store.codes.all()}
    store.codings.apply(store.comments.by_source_id("1:q1").id, codes["Workload"], "alice")
    store.codings.apply(store.comments.by_source_id("2:q1").id, codes["Online"], "alice")
    store.close()
    return path


@pytest.fixture
def store(mini_project) -> Store:
    s = open_project(mini_project)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    build_demo(folder)
    return demo_project_path(folder)


@pytest.fixture
def demo_project(demo_template, tmp_path) -> Path:
    """A private copy of the demo project (628 comments, 205 with reference coding)."""
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return path
