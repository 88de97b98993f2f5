"""A new collector is one module plus one fixture folder: nothing else lists collectors.

The proof is end to end, on a temporary copy of the project (driftctl/, pyproject.toml and the
collector tests with what they load: TESTS_COPIED) to which exactly two things are added, as a
contributor would add them: `driftctl/collectors/weather.py` (the collector, its parser and the
TypedDict of its data) and `tests/collectors/weather/windy.json` (a recorded case). In that copy,
unchanged: `driftctl schema` lists it, `collectors: [weather]` in environments.yaml is accepted,
`driftctl diff` collects it through the runner and a `rules.components` entry makes a row of its
data, and the suite's own collector tests run its recorded case and check its data against its
type, in freshly collected snapshots too. A second module, `tides.py`, has neither type nor folder:
the same tests fail for it and only for it, so they are not passing on nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from driftctl import api
from driftctl.collectors import SNAPSHOT_ORDER, all_collectors
from driftctl.errors import ConfigError
from tests.helpers import write_config

REPO = Path(__file__).parents[2]

WEATHER = '''"""A made-up collector: the forecast a checkout keeps in `weather.txt`."""

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text


class WeatherData(TypedDict):
    forecast: str | None  # None: no weather.txt there
    wind: NotRequired[str]


def parse_weather(text: str | None) -> WeatherData:
    """`sunny, 20 km/h` -> forecast and wind."""
    if text is None:
        return {"forecast": None}
    forecast, _, wind = text.strip().partition(",")
    data: WeatherData = {"forecast": forecast}
    if wind:
        data["wind"] = wind.strip()
    return data


class WeatherCollector(Collector):
    name = "weather"
    data_type = WeatherData

    def collect(self, ctx: CollectContext) -> CollectGen[WeatherData]:
        (result,) = yield [ctx.read_command("weather.txt")]
        return parse_weather(file_text(result))
'''

CASE = {"parser": "parse_weather", "command": "cat weather.txt", "output": "sunny, 20 km/h\n",
        "expected": {"forecast": "sunny", "wind": "20 km/h"}}

TIDES = '''from driftctl.collectors.base import Collector


class TidesCollector(Collector):
    name = "tides"

    def collect(self, ctx):
        yield []
        return {}
'''

# The suite's own collector tests that concern the two new modules, and what they must say.
PASSING = [
    "test_recorded_parsers.py::test_recorded_case[weather/windy]",
    "test_recorded_parsers.py::test_every_fixture_folder_is_a_collector",
    "test_data_types.py::test_every_collector_module_exports_its_data_type[weather]",
    "test_data_types.py::test_notrequired_keys_are_optional_at_run_time[WeatherData]",
    "test_data_types.py::test_parser_fixtures_fit_the_parsers_return_type[weather/windy]",
    "test_data_types.py::test_the_readers_of_snapshots_type_every_collector_the_pure_stages_read[collector_data]",
    "test_data_types.py::test_fresh_snapshots_collect_every_typed_collector",
    "test_data_types.py::test_fresh_snapshots_fit_the_types",
    "test_discovery.py::test_the_known_collectors_keep_their_snapshot_order",
]
FAILING = {
    "test_recorded_parsers.py::test_every_collector_has_recorded_cases": "['tides']",
    "test_data_types.py::test_every_collector_module_exports_its_data_type[tides]": "tides: Collector.data_type",
}


# What the copy holds: the package, pyproject.toml, and the part of tests/ that the collector tests below
# load (their conftest, helpers and fixtures): not the other areas' data (tests/compose alone is ~1000
# files). A collector test that comes to import another part fails to load in the copy, loudly.
TESTS_COPIED = ("__init__.py", "conftest.py", "helpers.py", "fixtures", "collectors", "test_layers.py")
# Plugins no collector test uses: loading them is most of a short pytest run's start-up (hypothesis's
# imports itself at the end of every session).
UNUSED_PLUGINS = ("hypothesispytest", "anyio", "benchmark")


def _copy_with_new_collectors(dest: Path) -> Path:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache")
    shutil.copytree(REPO / "driftctl", dest / "driftctl", ignore=skip)
    (dest / "tests").mkdir()
    for name in TESTS_COPIED:
        source = REPO / "tests" / name
        if source.is_dir():
            shutil.copytree(source, dest / "tests" / name, ignore=skip)
        else:
            shutil.copy(source, dest / "tests" / name)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    (dest / "driftctl/collectors/weather.py").write_text(WEATHER)
    (dest / "driftctl/collectors/tides.py").write_text(TIDES)
    (dest / "tests/collectors/weather").mkdir(exist_ok=True)
    (dest / "tests/collectors/weather/windy.json").write_text(json.dumps(CASE))
    return dest


def _run(copy: Path, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, *argv], cwd=cwd or copy, env=env, capture_output=True, text=True, timeout=300)


def _outcomes(junit: Path) -> dict[str, str]:
    """`file.py::test[id]` -> "passed" or the failure message, from pytest's JUnit XML."""
    out = {}
    for case in ET.parse(junit).iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}.py::{case.get('name')}"
        failure = case.find("failure")
        out[name] = "passed" if failure is None and case.find("skipped") is None else str(failure.get("message") if failure is not None else "skipped")
    return out


@pytest.mark.integration
def test_a_new_collector_is_one_module_and_one_fixture_folder(tmp_path: Path) -> None:
    copy = _copy_with_new_collectors(tmp_path / "copy")
    envs = {}
    for env, text in (("here", "rain, 5 km/h\n"), ("there", "sunny\n")):
        (tmp_path / env).mkdir()
        (tmp_path / env / "weather.txt").write_text(text)
        envs[env] = {"transport": "local", "path": str(tmp_path / env), "collectors": ["weather"]}
    config = write_config(tmp_path / "environments.yaml", envs,
                          {"components": {"forecast": {"title": "Forecast", "path": "weather.forecast"}}})

    schema = _run(copy, "-m", "driftctl", "schema")
    assert schema.returncode == 0, schema.stderr
    collectors = json.loads(schema.stdout)["$defs"]["EnvironmentSpec"]["properties"]["collectors"]
    assert collectors["anyOf"][0]["items"]["enum"][-2:] == ["tides", "weather"]  # after the known ones, by name

    # the runner collects it (the saved snapshots), and a `rules.components` entry makes a row of its data
    diff = _run(copy, "-m", "driftctl", "-c", str(config), "--reports-dir", str(tmp_path / "reports"),
                "diff", "here", "there", "--format", "json", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    snap = json.loads((tmp_path / "reports/snapshots/here/latest.json").read_text())
    assert list(snap["collectors"]) == ["weather"]
    assert snap["collectors"]["weather"]["status"] == "ok"
    assert snap["collectors"]["weather"]["data"] == {"forecast": "rain", "wind": "5 km/h"}
    (row,) = [r for r in json.loads(diff.stdout)["rows"] if r["component"] == "forecast"]
    assert (row["values"], row["status"]) == ({"here": "rain", "there": "sunny"}, "MISMATCH")

    junit = tmp_path / "junit.xml"
    suite = _run(copy, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", f"--junit-xml={junit}",
                 *(f"-pno:{name}" for name in UNUSED_PLUGINS),
                 *(f"tests/collectors/{name}" for name in [*PASSING, *FAILING]))
    outcomes = _outcomes(junit)
    assert sorted(outcomes) == sorted([*PASSING, *FAILING]), suite.stdout[-3000:]
    assert {name: outcomes[name] for name in PASSING} == dict.fromkeys(PASSING, "passed"), suite.stdout[-3000:]
    for name, words in FAILING.items():
        assert words in outcomes[name], (name, outcomes[name])


def test_the_known_collectors_keep_their_snapshot_order() -> None:
    """SNAPSHOT_ORDER only ranks the known collectors; any other follows them, by name."""
    names = [c.name for c in all_collectors()]
    assert names[:len(SNAPSHOT_ORDER)] == list(SNAPSHOT_ORDER)
    assert names[len(SNAPSHOT_ORDER):] == sorted(names[len(SNAPSHOT_ORDER):])


def test_an_unknown_collector_name_is_a_config_error(tmp_path: Path) -> None:
    """(A name with a hyphen can never be a collector module, so no future collector makes it known.)"""
    cfg = write_config(tmp_path / "environments.yaml",
                       {"here": {"transport": "local", "path": ".", "collectors": ["git", "no-such"]}})
    with pytest.raises(ConfigError, match="unknown collector 'no-such'; use one of: git, compose"):
        api.load(cfg)
