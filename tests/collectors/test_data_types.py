"""Each collector's data has a TypedDict in the collector's own module, and the data really has that shape.

Three sources are checked against the types, so a collector and its type cannot drift apart
silently: snapshots recorded in the test suite (written by earlier versions, which must still
load), the expected values of the recorded parser fixtures (against each parser's return type),
and snapshots freshly collected from real git checkouts, a bare hub and a `git` environment.

No `from __future__ import annotations` here: the TypedDicts below need real annotations.
"""

import importlib
import json
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any, get_origin, get_type_hints

import pytest
from typing_extensions import NotRequired, TypedDict, get_overloads, is_typeddict

from driftctl.collectors import all_collectors
from driftctl.differ.common import View
from driftctl.snapshot import collector_data
from tests.collectors.shapes import problems
from tests.collectors.test_recorded_parsers import CASES
from tests.fixtures.gitrepos import clone, init_repo
from tests.helpers import write_config
from tests.test_layers import PURE, files, imports_of

TESTS = Path(__file__).parents[1]
COLLECTORS = {c.name: c for c in all_collectors()}
# Collectors whose type another helper adds (issue 15); the test below fails once it exists, so the
# name is removed from here then and the type is checked like every other.
PENDING: set[str] = set()


def _typed() -> dict[str, Any]:
    return {name: c.data_type for name, c in COLLECTORS.items() if c.data_type is not None}


# --- every collector has its type ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COLLECTORS))
def test_every_collector_module_exports_its_data_type(name: str) -> None:
    collector = COLLECTORS[name]
    if name in PENDING:
        assert collector.data_type is None, f"{name} has its data type now: remove it from PENDING"
        return
    tp = collector.data_type
    assert tp is not None and is_typeddict(tp), f"{name}: Collector.data_type must be a TypedDict"
    module = sys.modules[type(collector).__module__]
    assert tp.__module__ == module.__name__, f"{name}: its data type lives in its own module, {module.__name__}"
    assert getattr(module, tp.__name__, None) is tp, f"{module.__name__} must export {tp.__name__}"


@pytest.mark.parametrize("reader", [collector_data, View.data, View.per_env], ids=lambda f: f.__qualname__)
def test_the_readers_of_snapshots_type_every_collector_the_pure_stages_read(reader: Any) -> None:
    """`collector_data(snap, "git")` and `view.per_env("git")` are typed by overloads, one per collector
    whose data the differ, planner or render read typed (they import its types under TYPE_CHECKING):
    without one, mypy would see those reads as untyped. Each returns its collector's own data type. A
    collector nothing reads typed (its data reaches the matrix through `rules.components`) needs none."""
    returns: dict[str, str] = {}
    for overload in get_overloads(reader):
        hints = overload.__annotations__
        name = re.fullmatch(r"Literal\['(\w+)'\]", str(hints.get("name") or hints.get("collector")))
        if name:
            returns[name[1]] = str(hints["return"])
    by_module = {type(c).__module__: name for name, c in COLLECTORS.items()}
    read = {by_module[i.module] for p in files(*PURE) for i in imports_of(p) if i.typing_only and i.module in by_module}
    assert {"git", "compose", "containers"} <= read <= set(returns) <= set(_typed())
    for name in returns:
        assert re.search(rf"\b{_typed()[name].__name__}\b", returns[name]), (name, returns[name])


def _all_typeddicts() -> list[Any]:
    out: dict[int, Any] = {}
    for collector in COLLECTORS.values():
        module = sys.modules[type(collector).__module__]
        out.update({id(v): v for v in vars(module).values() if is_typeddict(v) and v.__module__ == module.__name__})
    return list(out.values())


def _declared_optional(tp: Any) -> set[str]:
    """The keys a TypedDict declares `NotRequired`, read from its annotations (what mypy reads)."""
    return {k for k, v in get_type_hints(tp, include_extras=True).items() if get_origin(v) is NotRequired}


@pytest.mark.parametrize("tp", _all_typeddicts(), ids=lambda t: t.__name__)
def test_notrequired_keys_are_optional_at_run_time(tp: Any) -> None:
    """`from __future__ import annotations` in a module that defines TypedDicts makes every key
    required at run time (the annotations are strings then), and the checker here would disagree with
    mypy. Hence no such import in the collector modules: their types are defined at run time."""
    assert _declared_optional(tp) == set(tp.__optional_keys__)


def test_future_annotations_break_notrequired_and_the_test_above_sees_it(monkeypatch) -> None:
    """What is true on this interpreter (and, checked by hand, on 3.10.13, 3.12.1 and 3.13.0, with
    typing_extensions 4.16 and with `typing`): with the future import, `NotRequired` is invisible to
    `__optional_keys__`; without it, it is seen."""
    source = ("from typing_extensions import NotRequired, TypedDict\n\n"
              "class Weather(TypedDict):\n    forecast: str\n    wind: NotRequired[str]\n")
    optional = {}
    for future in (True, False):
        module = types.ModuleType(f"made_up_{future}")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        exec(("from __future__ import annotations\n" if future else "") + source, module.__dict__)
        tp = module.Weather
        assert _declared_optional(tp) == {"wind"}
        optional[future] = set(tp.__optional_keys__)
    assert optional[False] == {"wind"}
    assert optional[True] == set() or sys.version_info >= (3, 14), "the trap is gone: the rule may be relaxed"


# --- the checker itself ------------------------------------------------------------------------------


class _Inner(TypedDict):
    n: int
    ratio: float | None


class _Outer(TypedDict):
    name: str
    inner: _Inner | None
    items: list[_Inner]
    later: NotRequired[dict[str, bool]]


def test_the_checker_accepts_what_fits_and_names_what_does_not() -> None:
    good = {"name": "x", "inner": {"n": 1, "ratio": 2}, "items": [], "later": {"a": True}}
    assert problems(good, _Outer) == []
    assert problems({"name": "x", "inner": None, "items": []}, _Outer) == []  # NotRequired may be absent
    assert problems({"inner": None, "items": []}, _Outer) == ["data: missing key 'name' of _Outer"]
    assert problems({**good, "extra": 1}, _Outer) == ["data: key 'extra' is not in _Outer"]
    assert problems({**good, "items": [{"n": "1", "ratio": None}]}, _Outer) == ["data.items[0].n: expected int, got str '1'"]
    assert problems({**good, "inner": {"n": True, "ratio": None}}, _Outer) == ["data.inner.n: expected int, got bool True"]
    assert problems({**good, "later": {"a": 1}}, _Outer) == ["data.later['a']: expected bool, got int 1"]


# --- recorded snapshots --------------------------------------------------------------------------------


def _snapshots(doc: Any) -> list[dict]:
    if isinstance(doc, dict):
        if isinstance(doc.get("collectors"), dict) and "environment" in doc:
            return [doc]
        return [s for v in doc.values() for s in _snapshots(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _snapshots(v)]
    return []


RECORDED = sorted(p for p in TESTS.rglob("*.json") if '"collectors"' in p.read_text(errors="replace")
                  and _snapshots(json.loads(p.read_text())))


def _data_problems(snapshot: dict) -> list[str]:
    out = []
    for name, outcome in snapshot["collectors"].items():
        tp = _typed().get(name)
        if tp is not None and outcome.get("status") == "ok":
            out += problems(outcome["data"], tp, f"{snapshot['environment']}.{name}")
    return out


def test_recorded_snapshots_are_found() -> None:
    assert len(RECORDED) >= 10, RECORDED  # the differ's and planner's cases


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: str(p.relative_to(TESTS)))
def test_recorded_snapshots_fit_the_types(path: Path) -> None:
    snaps = _snapshots(json.loads(path.read_text()))
    assert [p for s in snaps for p in _data_problems(s)] == []


# --- recorded parser fixtures: expected values against the parser's return type -----------------------


PARSER_CASES = [p for p in CASES if "parser" in json.loads(p.read_text())]


@pytest.mark.parametrize("case", PARSER_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_parser_fixtures_fit_the_parsers_return_type(case: Path) -> None:
    doc = json.loads(case.read_text())
    parser = getattr(importlib.import_module(f"driftctl.collectors.{case.parent.name}"), doc["parser"])
    assert problems(doc["expected"], get_type_hints(parser)["return"]) == []


# --- fresh snapshots from real repositories ---------------------------------------------------------------


COMPOSE = """\
services:
  api:
    build: ./services/api
    env_file: [.env]
    environment:
      MODE: ${MODE:-dev}
    ports: ["127.0.0.1:8001:8001"]
    mem_limit: 192m
volumes:
  data: {}
"""


@pytest.fixture(scope="module")
def fresh(tmp_path_factory, driftctl_home) -> list[dict]:
    """Snapshots of a development checkout (stash, local commit, uncommitted and special files),
    a deployment clone behind it, and a `git` environment on the bare hub: collected once for the
    module's three tests, which only read them (in a driftctl home of their own, as a test's)."""
    with driftctl_home():
        return _fresh(tmp_path_factory.mktemp("fresh"))


def _fresh(tmp: Path) -> list[dict]:
    from driftctl.config import load_config
    from driftctl.runner import collect_all

    hub = tmp / "hub.git"
    init_repo(tmp / "seed").commit({
        "docker-compose.yml": COMPOSE, "services/api/Dockerfile": "FROM python:3.12\n",
        "services/api/requirements.txt": "requests\n", "services/api/app.py": "import requests\nimport local_only_mod\n",
        ".gitignore": ".env\n",
    }, "initial")
    subprocess.run(["git", "clone", "-q", "--bare", str(tmp / "seed"), str(hub)], check=True)
    dev = clone(hub, tmp / "dev")
    dev.git("tag", "v1.0.0")
    dev.commit({"services/api/helper.py": "X = 1\n"}, "helper")
    (dev.path / "services/api/helper.py").write_text("X = 2\n")
    dev.git("stash", "push", "-q", "-m", "half done")
    (dev.path / ".env").write_text("MODE=prod\nDB_PASSWORD=hunter22\n")
    (dev.path / "notes.txt").write_text("untracked\n")
    (dev.path / "link").symlink_to("/etc/hostname")
    (dev.path / "id_rsa").write_text("not a key\n")
    deploy = clone(hub, tmp / "deploy")
    (deploy.path / ".env").write_text("MODE=prod\n")
    (deploy.path / "services/api/local_only_mod.py").write_text("Y = 2\n")
    envs = {
        "dev": {"transport": "local", "path": str(dev.path), "role": "development"},
        "deploy": {"transport": "local", "path": str(deploy.path), "role": "deployment", "env_files": [".env", "missing.env"]},
        "hub": {"transport": "git", "url": str(hub)},
    }
    cfg = load_config(str(write_config(tmp / "environments.yaml", envs)))
    typed = [c for c in all_collectors() if c.data_type is not None]
    return collect_all(cfg, list(envs), collectors=typed)


def test_fresh_snapshots_collect_every_typed_collector(fresh: list[dict]) -> None:
    """Guards the test below from passing on nothing: every typed collector ran and gave data."""
    ok = {(s["environment"], n) for s in fresh for n, o in s["collectors"].items() if o["status"] == "ok"}
    for name, collector in COLLECTORS.items():
        if collector.data_type is None or "engine" in collector.needs:
            continue  # no engine here: containers data from the real dockerd is checked in containers/test_data_type.py
        expected = {"dev", "deploy"} | (set() if "shell" in collector.needs else {"hub"})
        assert {e for e, n in ok if n == name} == expected, (name, fresh)


def test_fresh_snapshots_fit_the_types(fresh: list[dict]) -> None:
    assert [p for s in fresh for p in _data_problems(s)] == []


def test_fresh_snapshots_fill_the_optional_parts(fresh: list[dict]) -> None:
    """The cases above reach the keys written only sometimes, so their types are checked too."""
    data = {(s["environment"], n): o.get("data") for s in fresh for n, o in s["collectors"].items()}
    assert data["dev", "git"]["stashes"] and data["dev", "git"]["describe"] == {"tag": "v1.0.0", "after": 1}
    assert data["dev", "git"]["local_only"]
    assert {e.get("type") for e in data["dev", "files"]["files"].values()} >= {"symlink", None}
    assert "fingerprint" in data["dev", "files"]["files"]["id_rsa"]
    assert data["dev", "env"]["files"][".env"]["secret_keys"] == ["DB_PASSWORD"]
    assert data["deploy", "env"]["files"]["missing.env"] == {"exists": False}
    assert data["dev", "code_health"]["missing"] and "commit" in data["deploy", "code_health"]
    assert data["deploy", "code_health"]["commit"]["needs_uncommitted"][0]["provided_by"]
    assert data["hub", "compose"]["missing_env_files"]
