"""What the host collector stores: OS, kernel, memory, disk of the checkout, uptime, Docker versions."""

from typing_extensions import TypedDict


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
