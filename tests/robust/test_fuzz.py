"""Property-based fuzzing (hypothesis) of every reader of untrusted text: the config loader, the
Compose loader and interpolation, the dotenv parser, the snapshot and plan readers.

The property: whatever the bytes, the reader returns or raises one of driftctl's own errors (or the
documented ValueError subclasses of the pure Compose helpers), with a message of one line; never
another exception. CI time is bounded by `max_examples` and deadline=None (a slow shared runner must
not flake); the corpus of hostile seeds is committed as @example cases below, and hypothesis keeps
its own database of failing examples under .hypothesis/ (git-ignored) between local runs.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from driftctl.compose.dotenv import DotenvError, parse_dotenv
from driftctl.compose.interpolate import TemplateError, interpolate
from driftctl.errors import DriftctlError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])
YAML_ALPHABET = string.ascii_letters + string.digits + " :-[]{}&*!|>'\"#%@`,?\n\t\\$.~<=" + "\x00\x85\u2028\ufeff"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


def one_line(exc: BaseException) -> None:
    message = getattr(exc, "message", None) or str(exc)
    assert message and "\n" not in message.strip() or isinstance(exc, DriftctlError), message


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# -- environments.yaml -------------------------------------------------------------------------------

CONFIG_SEEDS = [
    "version: 1\nenvironments:\n  local: {transport: local, command_timeout: .inf}\n",
    "version: 1\nenvironments:\n  ../x: {transport: local}\n",
    "a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n",
    "[" * 300,
    "version: 1\nenvironments: {a: {transport: ssh, host: h, path: /p, port: 99999}}\n",
    "version: 1\nenvironments:\n  a: {transport: local}\n  a: {transport: git}\n",
    "version: !!python/object:os.system x\n",
    "\x00\x01\x02",
]


@FUZZ
@given(text=st.text(alphabet=YAML_ALPHABET, max_size=300))
@example(text=CONFIG_SEEDS[0])
@example(text=CONFIG_SEEDS[1])
@example(text=CONFIG_SEEDS[2])
@example(text=CONFIG_SEEDS[3])
@example(text=CONFIG_SEEDS[4])
@example(text=CONFIG_SEEDS[5])
@example(text=CONFIG_SEEDS[6])
@example(text=CONFIG_SEEDS[7])
def test_config_loader(folder: Path, text: str) -> None:
    from driftctl.config import load_config

    path = folder / "environments.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_config(str(path))
    except DriftctlError as exc:
        assert all(line.isprintable() for line in exc.message.splitlines()), exc.message


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["version", "environments", "rules", "x"]), json_values, max_size=4))
def test_config_loader_structured(folder: Path, data: dict) -> None:
    from driftctl.config import load_config

    path = folder / "structured.yaml"
    path.write_text(json.dumps(data))  # JSON is YAML: shapes the text fuzzer rarely reaches
    try:
        load_config(str(path))
    except DriftctlError:
        pass


# -- Compose ----------------------------------------------------------------------------------------

COMPOSE_SEEDS = [
    "services:\n  a:\n    image: ${X:?boom\nmulti}\n",
    "services: !reset\n",
    "services:\n  a: !override {image: x}\n  b:\n    extends: {service: a, file: other.yml}\n",
    "x-a: &a {image: x}\nservices: {a: *a, b: {<<: *a}}\n",
    "services:\n  a:\n    env_file: /etc/shadow\n",
    "---\nservices: {}\n---\n[]\n",
    "services:\n  a:\n    extends: {service: a}\n",
]


@FUZZ
@given(text=st.text(alphabet=YAML_ALPHABET, max_size=300))
@example(text=COMPOSE_SEEDS[0])
@example(text=COMPOSE_SEEDS[1])
@example(text=COMPOSE_SEEDS[2])
@example(text=COMPOSE_SEEDS[3])
@example(text=COMPOSE_SEEDS[4])
@example(text=COMPOSE_SEEDS[5])
@example(text=COMPOSE_SEEDS[6])
def test_compose_loader(text: str) -> None:
    from driftctl.compose import load_project

    files = {"/p/compose.yaml": text, "/p/other.yml": text, "/p/.env": "A=1\n"}
    try:
        load_project(["/p/compose.yaml"], project_dir="/p", environ={}, read=files.get)
    except DriftctlError:
        pass


@FUZZ
@given(template=st.text(alphabet="${}:-?+_ABCabc01 \n\\'\"", max_size=60),
       mapping=st.dictionaries(st.sampled_from(["A", "B", "a_1", "_"]), st.text(max_size=10), max_size=3))
@example(template="${A:?}", mapping={})
@example(template="${A:-${B:-${A}}}", mapping={"B": "x"})
@example(template="$${{{", mapping={})
def test_interpolation(template: str, mapping: dict) -> None:
    try:
        out = interpolate(template, mapping.get)
    except TemplateError as exc:
        one_line(exc)
        return
    assert isinstance(out, str)


@FUZZ
@given(text=st.text(alphabet=string.printable + "\x00\u2028\u00a0é", max_size=200))
@example(text="A='unterminated\n")
@example(text='A="\\u00"\n')
@example(text="export\n")
@example(text="=value\n")
@example(text="A=${B:?gone}\n")
def test_dotenv(text: str) -> None:
    try:
        out = parse_dotenv(text, lambda name: None)
    except DotenvError:
        return
    assert all(isinstance(k, str) for k in out)


# -- snapshots and plans ----------------------------------------------------------------------------

SNAPSHOT = {"schema_version": 1, "environment": "prod", "transport": "local", "target": "local:/p",
            "collected_at": "2026-01-01T00:00:00Z", "complete": True, "error": None,
            "collectors": {"git": {"status": "ok", "data": {"branch": "main"}}}}


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(list(SNAPSHOT) + ["fingerprint", "x"]), json_values, max_size=8))
@example(doc={**SNAPSHOT, "collectors": []})
@example(doc={**SNAPSHOT, "environment": "../../etc"})
@example(doc={**SNAPSHOT, "schema_version": 99})
def test_snapshot_reader(folder: Path, doc: dict) -> None:
    from driftctl.snapshot_store import read_snapshot

    path = folder / "snapshot.json"
    path.write_text(json.dumps({**SNAPSHOT, **doc}))
    try:
        read_snapshot(path)
    except DriftctlError as exc:
        assert "\n" not in exc.message


@FUZZ
@given(raw=st.binary(max_size=200))
@example(raw=b"{" * 50_000)
@example(raw=b'{"schema_version": 1, "environment": "prod"')
def test_snapshot_reader_bytes(folder: Path, raw: bytes) -> None:
    from driftctl.snapshot_store import read_snapshot

    path = folder / "raw.json"
    path.write_bytes(raw)
    try:
        read_snapshot(path)
    except DriftctlError as exc:
        assert "\n" not in exc.message


PLAN_KEYS = ["schema", "id", "option", "environments", "sources", "phases", "x"]


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(PLAN_KEYS), json_values, max_size=7),
       step=st.dictionaries(st.sampled_from(["id", "title", "environment", "commands", "mutates", "risk",
                                             "rollback", "verify", "preconditions", "capture"]), json_values))
@example(doc={"id": "../x"}, step={})
@example(doc={}, step={"id": "s1", "commands": "rm -rf /"})
def test_plan_reader(folder: Path, doc: dict, step: dict) -> None:
    from driftctl.apply import load_plan
    from driftctl.planner.model import PLAN_SCHEMA

    plan = {"schema": PLAN_SCHEMA, "id": "p1", "option": "quick-fix", "environments": ["prod"],
            "sources": {"prod": {}}, "phases": [{"number": 1, "steps": [step]}], **doc}
    path = folder / "plan.json"
    path.write_text(json.dumps(plan))
    try:
        loaded = load_plan(path)
    except DriftctlError as exc:
        assert "\n" not in exc.message
        return
    for phase in loaded["phases"]:  # what apply reads next must be there
        for s in phase["steps"]:
            assert isinstance(s["commands"], list) and isinstance(s["id"], str)
