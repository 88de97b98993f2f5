"""The real-world corpus: published compose projects of well-known applications, copied verbatim.

Each `tests/compose/vectors/rw-<project>[-<variant>]/` holds a project's compose and env files exactly as its
repository publishes them, a `case.json` whose `source` says where they come from (repository, commit,
paths, licence, the docs that prescribe the env files) and the model Docker Compose 2.40.3 recorded for
it. `test_vectors.py` checks that driftctl resolves every one of them identically; this file checks that
the corpus is as large as issue 17 asks and that every case says where its files come from.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest

from tests.compose.vectors import VECTORS, cases, spec, workdir

MINIMUM = 40  # cases (issue 17 asks for at least 40 published compose projects)
MINIMUM_PROJECTS = 30  # distinct source repositories among them
REAL_WORLD = [c for c in cases() if c.startswith("rw-")]


def test_corpus_is_large_enough() -> None:
    assert len(REAL_WORLD) >= MINIMUM, REAL_WORLD


def test_corpus_spans_many_projects() -> None:
    """Variants of one project count once here, so the corpus cannot be padded with one project's files."""
    repos = {spec(c)["source"]["repo"] for c in REAL_WORLD}
    assert len(repos) >= MINIMUM_PROJECTS, sorted(repos)


@pytest.mark.parametrize("case", REAL_WORLD)
def test_case_says_where_its_files_come_from(case: str) -> None:
    source = spec(case).get("source")
    assert isinstance(source, dict), "case.json needs a source object"
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", source.get("repo", "")), source
    assert re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")), source
    for key in ("license", "docs"):
        assert isinstance(source.get(key), str) and source[key].strip(), key
    paths = source.get("paths")
    assert isinstance(paths, list) and paths, "source.paths lists the copied files"
    copied = set()
    for entry in paths:
        where = copied_file(case, entry)
        assert where is not None, f"{entry} is listed but not in the case"
        copied.add(where)
    for name in spec(case).get("files", ["compose.yml"]):
        assert (workdir(case) / name).resolve() in copied, f"{name} is not one of the copied files"


def copied_file(case: str, entry: str) -> Path | None:
    """Where a `source.paths` entry lies in the case: `upstream/path -> path/in/case` when renamed, else the
    upstream path itself or its tail (`deploy/docker/.env` copied as `docker/.env` or `.env`)."""
    if " -> " in entry:
        target = VECTORS / case / entry.split(" -> ")[-1]
        return target.resolve() if target.is_file() else None
    parts = PurePosixPath(entry).parts
    for start in range(len(parts)):
        target = VECTORS / case / Path(*parts[start:])
        if target.is_file():
            return target.resolve()
    return None


@pytest.mark.parametrize("case", REAL_WORLD)
def test_case_resolves_to_a_model(case: str) -> None:
    """A real-world case is a project Compose accepts, not a rejected one."""
    assert not (VECTORS / case / "expected.err").exists()
    model = json.loads((VECTORS / case / "expected.json").read_text(encoding="utf-8"))
    assert model.get("services"), "the recorded model has services"
