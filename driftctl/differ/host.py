"""Host rows: memory and disk use against the thresholds (CONSTRAINED), Docker versions.

Hostnames, kernels and uptimes differ between any two machines and say nothing about the
deployment, so they are never compared. Git environments have no host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from driftctl.differ.common import ABSENT, Marker, View, show, value_row
from driftctl.evidence import Evidence
from driftctl.matrix import Row, Severity, Status

if TYPE_CHECKING:
    from driftctl.collectors.host import HostData
    from driftctl.config import Thresholds

CRITICAL_PERCENT = 95.0


def rows(view: View) -> list[Row]:
    data = view.per_env("host")
    if not any(isinstance(d, dict) for d in data.values()):
        return []
    t: Thresholds = view.rules.thresholds
    return [
        _usage_row("host.memory", "Memory Usage", "memory", t.memory_percent, data, "host: /proc/meminfo (total - available)"),
        _usage_row("host.disk", "Disk Usage", "disk", t.disk_percent, data, "host: df -Pk <checkout>"),
        *_version_rows(data),
    ]


def _usage_row(component: str, title: str, key: Literal["memory", "disk"], threshold: float,
               data: dict[str, HostData | Marker], source: str) -> Row:
    row = Row(component=component, title=title, values={}, sources={e: source for e in data})
    worst = 0.0
    for env, d in data.items():
        if not isinstance(d, dict):
            row.values[env] = show(d)
            continue
        u = d.get(key)
        pct = u.get("used_percent") if u else None
        if u is None or pct is None:
            row.values[env] = "(unknown)"
            continue
        row.values[env] = f"{pct:g}% ({u.get('used_mb')}MB/{u.get('total_mb')}MB)"
        if pct >= threshold:
            row.flagged.append(env)
            row.details.append(f"{env}: {key} {pct:g}% used, threshold {threshold:g}%")
            row.evidence.append(Evidence(env, "host", "usage", key=key, value=pct))
            worst = max(worst, pct)
    if row.flagged:
        row.status = Status.CONSTRAINED
        row.severity = Severity.CRITICAL if worst >= CRITICAL_PERCENT else Severity.MODERATE
    return row


def _version_rows(data: dict[str, HostData | Marker]) -> list[Row]:
    docker: dict[str, Any] = {}
    compose: dict[str, Any] = {}
    for env, d in data.items():
        if not isinstance(d, dict):
            docker[env] = compose[env] = d
            continue
        versions = d.get("docker")
        engine = versions.get("server") if versions else None
        docker[env] = engine or ABSENT
        compose[env] = d.get("docker_compose") or ABSENT
    rows = [
        value_row("host.docker", "Docker Engine", docker, severity=Severity.LOW, missing_status=Status.MISSING,
                  sources={e: "host: docker version" for e in data}, facts={"key": "docker"}),
        value_row("host.docker_compose", "Docker Compose", compose, severity=Severity.LOW,
                  sources={e: "host: docker compose version --short" for e in data}, facts={"key": "docker_compose"}),
    ]
    for row in rows:
        if row.status is not Status.IN_SYNC:
            # The tools of a host (a laptop without the compose plugin, another engine version) are
            # information, not deployment drift: what they run is compared on the compose/containers rows.
            row.severity = Severity.NONE
            row.details.append("a fact about the host's tools, not deployment drift (not counted)")
    return rows
