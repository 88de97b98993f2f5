"""Collectors: one module per kind of fact. Each = the commands it needs + pure parsers."""

from __future__ import annotations

from driftctl.collectors.base import Collector


def all_collectors() -> list[Collector]:
    """Every collector in the order their data appears in a snapshot."""
    from driftctl.collectors import compose, env, files, git, host

    found: list[Collector] = [git.GitCollector(), compose.ComposeCollector(), env.EnvCollector(), files.FilesCollector(), host.HostCollector()]
    for optional in ("containers", "code_health"):
        try:
            module = __import__(f"driftctl.collectors.{optional}", fromlist=["COLLECTOR"])
        except ModuleNotFoundError:
            continue
        found.append(module.COLLECTOR)
    return found
