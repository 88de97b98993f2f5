"""Collectors: one module per kind of fact. Each = the commands it needs + pure parsers."""

from __future__ import annotations

from driftctl.collectors.base import Collector


def all_collectors() -> list[Collector]:
    """Every collector in the order their data appears in a snapshot."""
    from driftctl.collectors import code_health, compose, containers, env, files, git, host

    return [
        git.GitCollector(), compose.ComposeCollector(), env.EnvCollector(), files.FilesCollector(),
        host.HostCollector(), containers.COLLECTOR, code_health.COLLECTOR,
    ]
