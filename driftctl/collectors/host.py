"""Host facts: name, OS, kernel, memory, disk of the checkout's filesystem, uptime, Docker versions.

Only POSIX tools and /proc are read, so nothing needs installing on the target.
"""

from typing_extensions import TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector
from driftctl.models import Command

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the host collector stores: OS, kernel, memory, disk of the checkout, uptime, Docker versions.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


class Usage(TypedDict):
    """Memory (`/proc/meminfo`, used = total - available) in MiB; None percent when the total is 0."""

    total_mb: int
    used_mb: int
    available_mb: int
    used_percent: float | None


class DiskUsage(Usage):
    """`df -Pk <checkout>`: the filesystem holding the checkout."""

    filesystem: str
    mount: str


class DockerVersion(TypedDict):
    client: str
    server: str | None  # None: the client could not reach an engine


class HostData(TypedDict):
    """Every fact is None when its command failed there (no /proc, no docker)."""

    hostname: str | None
    kernel: str | None  # `uname -srm`
    os: str | None  # PRETTY_NAME of /etc/os-release
    memory: Usage | None
    disk: DiskUsage | None
    uptime_s: float | None
    docker: DockerVersion | None
    docker_compose: str | None  # `docker compose version --short`


class HostCollector(Collector):
    name = "host"
    data_type = HostData
    needs = ("shell",)
    volatile = frozenset({"memory", "disk", "uptime_s", "load"})

    def collect(self, ctx: CollectContext) -> CollectGen[HostData]:
        hostname, uname, os_release, meminfo, df, uptime, docker, compose = yield [
            _cmd("hostname"),
            _cmd("uname", "-srm"),
            _cmd("cat", "/etc/os-release"),
            _cmd("cat", "/proc/meminfo"),
            _cmd("df", "-Pk", "--", ctx.root),
            _cmd("cat", "/proc/uptime"),
            _cmd("docker", "version", "--format", "{{.Client.Version}} {{.Server.Version}}"),
            _cmd("docker", "compose", "version", "--short"),
        ]
        return {
            "hostname": hostname.text.strip() if hostname.ok else None,
            "kernel": uname.text.strip() if uname.ok else None,
            "os": parse_os_release(os_release.text) if os_release.ok else None,
            "memory": parse_meminfo(meminfo.text) if meminfo.ok else None,
            "disk": parse_df(df.text) if df.ok else None,
            "uptime_s": parse_uptime(uptime.text) if uptime.ok else None,
            "docker": parse_docker_version(docker.text) if docker.stdout else None,
            "docker_compose": compose.text.strip() if compose.ok else None,
        }


def _cmd(*argv: str) -> Command:
    return Command(tuple(argv))


def parse_os_release(text: str) -> str | None:
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            fields[key.strip()] = value.strip().strip('"')
    return fields.get("PRETTY_NAME") or fields.get("NAME")


def parse_meminfo(text: str) -> Usage:
    """/proc/meminfo -> MiB totals and the used percentage the way `free` computes it (total - available)."""
    kib: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            kib[key] = int(parts[0])
    total = kib.get("MemTotal", 0)
    available = kib.get("MemAvailable", kib.get("MemFree", 0))
    used = total - available
    return {
        "total_mb": round(total / 1024),
        "used_mb": round(used / 1024),
        "available_mb": round(available / 1024),
        "used_percent": round(100 * used / total, 1) if total else None,
    }


def parse_df(text: str) -> DiskUsage | None:
    """`df -Pk PATH` -> filesystem size/used in MiB and the used percentage."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    parts = lines[-1].split()
    if len(parts) < 6:
        return None
    size, used, avail = int(parts[1]), int(parts[2]), int(parts[3])
    return {
        "filesystem": parts[0],
        "mount": parts[5],
        "total_mb": round(size / 1024),
        "used_mb": round(used / 1024),
        "available_mb": round(avail / 1024),
        "used_percent": round(100 * used / (used + avail), 1) if used + avail else None,
    }


def parse_uptime(text: str) -> float | None:
    try:
        return float(text.split()[0])
    except (IndexError, ValueError):
        return None


def parse_docker_version(text: str) -> DockerVersion | None:
    parts = text.split()
    if not parts:
        return None
    return {"client": parts[0], "server": parts[1] if len(parts) > 1 and parts[1] != "<no" else None}
