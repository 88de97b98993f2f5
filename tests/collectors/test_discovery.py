"""A new collector is one module (plus its fixture folder): nothing else lists collectors.

The test adds a module to the package's search path, as a new file in driftctl/collectors/ would be,
and checks that the runner collects it, the config accepts its name and the schema lists it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import driftctl.collectors as package
from driftctl import api
from driftctl.collectors import SNAPSHOT_ORDER, all_collectors, collector_names
from driftctl.errors import ConfigError
from tests.helpers import write_config

MODULE = '''
from driftctl.collectors.base import Collector, require
from driftctl.models import Command


class WeatherCollector(Collector):
    name = "weather"

    def collect(self, ctx):
        (result,) = yield [Command(("cat", "--", ctx.path("weather.txt")))]
        return {"forecast": require(result).strip()}
'''


@pytest.fixture
def new_collector(tmp_path, monkeypatch):
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "weather.py").write_text(MODULE)
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    package._discovered.cache_clear()
    yield
    sys.modules.pop("driftctl.collectors.weather", None)
    package._discovered.cache_clear()


def test_the_known_collectors_keep_their_snapshot_order() -> None:
    assert [c.name for c in all_collectors()] == list(SNAPSHOT_ORDER)


def test_a_new_module_is_collected_and_configurable(new_collector, tmp_path: Path) -> None:
    assert collector_names()[-1] == "weather"
    (tmp_path / "weather.txt").write_text("sunny\n")
    cfg = write_config(tmp_path / "environments.yaml",
                       {"here": {"transport": "local", "path": ".", "collectors": ["weather"]}})
    result = api.snapshot(config=cfg, jobs=1)
    (snap,) = result.snapshots
    assert list(snap["collectors"]) == ["weather"]
    assert snap["collectors"]["weather"]["status"] == "ok"
    assert snap["collectors"]["weather"]["data"] == {"forecast": "sunny"}
    items = api.config_schema()["$defs"]["EnvironmentSpec"]["properties"]["collectors"]["anyOf"][0]["items"]
    assert items["enum"][-1] == "weather"


def test_an_unknown_collector_name_is_a_config_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "environments.yaml",
                       {"here": {"transport": "local", "path": ".", "collectors": ["git", "weather"]}})
    with pytest.raises(ConfigError, match="unknown collector 'weather'; use one of: git, compose"):
        api.load(cfg)
