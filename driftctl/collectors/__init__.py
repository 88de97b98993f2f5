"""Collectors: one module per kind of fact. Each = the commands it needs + pure parsers.

Collectors are discovered, not listed: every module of this package that defines one (a module-level
`COLLECTOR`, or a `Collector` subclass of its own with a `name`) is a collector. So a new collector is
one module here (its commands, parsers and the TypedDicts of its data) plus its fixture folder
`tests/collectors/<name>/`; the runner, the config's `collectors:` choice, `driftctl schema` and the
collector tests find it (tests/collectors/test_discovery.py adds one to a copy of the project).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType

from driftctl.collectors.base import Collector

# The order their data appears in a snapshot; a collector not named here follows, by name.
SNAPSHOT_ORDER = ("git", "compose", "env", "files", "host", "containers", "code_health")


def _defined_in(module: ModuleType) -> list[type[Collector] | Collector]:
    """The collector a module defines: its `COLLECTOR`, else its own named Collector subclasses."""
    declared = getattr(module, "COLLECTOR", None)
    if isinstance(declared, Collector):
        return [declared]
    return [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Collector)
            and v.__module__ == module.__name__ and v.name]


@lru_cache(maxsize=1)
def _discovered() -> tuple[type[Collector] | Collector, ...]:
    found: dict[str, type[Collector] | Collector] = {}
    for info in pkgutil.iter_modules(__path__):
        for item in _defined_in(importlib.import_module(f"{__name__}.{info.name}")):
            found[item.name] = item
    rank = {name: i for i, name in enumerate(SNAPSHOT_ORDER)}
    return tuple(sorted(found.values(), key=lambda c: (rank.get(c.name, len(rank)), c.name)))


def all_collectors() -> list[Collector]:
    """Every collector (fresh instances of the classes) in the order their data appears in a snapshot."""
    return [item() if isinstance(item, type) else item for item in _discovered()]


def collector_names() -> list[str]:
    """The names a config's `collectors:` may use."""
    return [item.name for item in _discovered()]
