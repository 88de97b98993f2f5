"""Host facts: name, OS, kernel, memory, disk of the checkout's filesystem, uptime, Docker versions.

Only POSIX tools and /proc are read, so nothing needs installing on the target. What the target
runs is kept small, because every process is CPU it pays on every snapshot:
- name and kernel come from /proc/sys/kernel (or one `uname` on kernels before 6.1); /etc/os-release, /proc/meminfo and /proc/uptime are read
  with shell builtins (no process in an SSH batch: `text_lines_command`);
- the Docker client and Compose plugin versions come from a controller-side cache
  (`driftctl.tool_versions`) keyed by the binaries' identity, which one `ls` lists; `docker version`
  and `docker compose version` (Go programs, tens of ms each) run only when that identity is new;
- the engine's version is asked over the SSH connection's stream to the engine socket where the
  docker CLI would use that socket (no process there), else from the docker CLI as before.
"""

from collections.abc import Generator
from typing import Any

from typing_extensions import TypedDict

from driftctl import tool_versions
from driftctl.collectors.base import CollectContext, CollectGen, Collector
from driftctl.models import Command, CommandResult

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
        from driftctl.collectors.containers import run_together

        gens = {"basic": _basic(ctx), "tools": client_versions(ctx), "server": server_version(ctx)}
        outcome = yield from run_together(gens, required=tuple(gens))
        data: HostData = outcome["basic"]
        client, compose = outcome["tools"]
        data["docker"] = None if client is None else {"client": client, "server": outcome["server"]}
        data["docker_compose"] = compose
        return data


def _basic(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], HostData]:
    uname, os_release, meminfo, df, uptime = yield [
        uname_command(),
        text_lines_command("/etc/os-release"),
        text_lines_command("/proc/meminfo", until="MemAvailable:"),
        _cmd("df", "-Pk", "--", ctx.root),
        text_lines_command("/proc/uptime", limit=1),
    ]
    names = parse_uname(uname.text) if uname.ok else None
    return {
        "hostname": names[0] if names else None,
        "kernel": names[1] if names else None,
        "os": parse_os_release(os_release.text) if os_release.ok else None,
        "memory": parse_meminfo(meminfo.text) if meminfo.ok else None,
        "disk": parse_df(df.text) if df.ok else None,
        "uptime_s": parse_uptime(uptime.text) if uptime.ok else None,
        "docker": None,
        "docker_compose": None,
    }


def _cmd(*argv: str) -> Command:
    return Command(tuple(argv))


# The lines of a small text file (/proc, /etc) with builtins only, instead of a `cat` per file: an SSH
# batch runs driftctl's own scripts in a subshell, so a file costs no process there. At most `$2`
# lines, up to the first one starting with `$3` (when given); a missing last newline is added, which
# no parser here tells apart. A file that cannot be opened fails as `cat` does (non-zero status).
_LINES = ('n=0; while [ "$n" -lt "$2" ] && { IFS= read -r l || [ -n "$l" ]; }; do n=$((n + 1)); '
          "printf '%s\\n' \"$l\"; if [ -n \"$3\" ]; then case $l in \"$3\"*) break;; esac; fi; done < \"$1\"")
MAX_LINES = 500


# `uname -snrm` from /proc/sys/kernel with builtins where the kernel has `arch` there (Linux 6.1 and
# later: the same four strings uname(2) returns), else `uname` itself.
_UNAME = ("k=/proc/sys/kernel; if [ -r $k/arch ] && IFS= read -r s <$k/ostype && IFS= read -r n <$k/hostname && "
          "IFS= read -r r <$k/osrelease && IFS= read -r m <$k/arch && [ -n \"$s\" ] && [ -n \"$m\" ]; then "
          "printf '%s %s %s %s\\n' \"$s\" \"$n\" \"$r\" \"$m\"; else exec uname -snrm; fi")


def uname_command() -> Command:
    return Command(("sh", "-c", _UNAME, "driftctl-uname"), label="uname -snrm")


def text_lines_command(path: str, limit: int = MAX_LINES, until: str = "") -> Command:
    return Command(("sh", "-c", _LINES, "driftctl-lines", path, str(limit), until), label=f"lines of {path}")


def parse_uname(text: str) -> list[str] | None:
    """`uname -snrm` -> [host name, kernel as `uname -srm` prints it]. The node name is what
    `hostname` prints (both are gethostname()); none of the four fields holds a space."""
    parts = text.split()
    if len(parts) != 4:
        return None
    return [parts[1], " ".join([parts[0], *parts[2:]])]


# One `sh` and one `ls` instead of two Go programs: which docker the shell finds, and the identity
# (inode, size, mtime) of it, its config.json and every place the Compose plugin is looked up.
_IDENTITY = (
    'p=$(command -v docker) || exit 0; case $p in /*) ;; *) exit 0;; esac; '
    'c=${DOCKER_CONFIG:-$HOME/.docker}; set -- "$p"; '
    'for f in "$c/config.json" "$c/cli-plugins/docker-compose" /usr/local/lib/docker/cli-plugins/docker-compose '
    '/usr/local/libexec/docker/cli-plugins/docker-compose /usr/lib/docker/cli-plugins/docker-compose '
    '/usr/libexec/docker/cli-plugins/docker-compose; do if [ -e "$f" ]; then set -- "$@" "$f"; fi; done; '
    'exec ls -ilLnd -- "$@"'
)
CLIENT_VERSION = Command(("docker", "version", "--format", "{{.Client.Version}}"))
COMPOSE_VERSION = Command(("docker", "compose", "version", "--short"))
SERVER_VERSION = Command(("docker", "version", "--format", "{{.Server.Version}}"))


def identity_command() -> Command:
    return Command(("sh", "-c", _IDENTITY, "driftctl-docker-identity"), label="identity of the docker binaries")


def client_versions(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], tuple[str | None, str | None]]:
    """(docker client version, compose plugin version) as `docker version` and `docker compose
    version --short` print them, both None without a docker CLI. The programs run only when the cache
    has no entry for this environment (then in the first round, beside the identity listing) or the
    identity changed (then one round later). The compose collector runs the very same commands, so
    the runner sends them once."""
    key = tool_versions.environment_key(ctx.env_name, ctx.spec)
    cached = tool_versions.lookup(key)
    ask = [CLIENT_VERSION, COMPOSE_VERSION]
    identity, *asked = yield [identity_command(), *([] if cached else ask)]
    if not identity.ok or not identity.stdout.strip():
        return None, None  # no docker CLI there: `docker version` would have failed with 127
    digest = tool_versions.identity_digest(identity.stdout)
    if cached is not None and cached["identity"] == digest:
        return cached["client"], cached["compose"]
    client_res, compose_res = asked or (yield ask)
    client = (client_res.text.strip() or None) if client_res.stdout else None
    compose = compose_res.text.strip() if compose_res.ok else None
    tool_versions.store(key, {"identity": digest, "client": client, "compose": compose})
    return client, compose


def server_version(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], str | None]:
    """The engine version `docker version` shows as Server: over the SSH stream to the engine socket
    where the docker CLI would use that socket (no process there), else from the CLI itself."""
    from driftctl.collectors.containers import engine_probe_command, parse_engine_probe

    probe_result, = yield [engine_probe_command(None)]
    probe = parse_engine_probe(probe_result)
    if probe is not None and not probe["cli"]:
        return None  # no docker CLI: no docker facts at all
    found = _server_over_stream(ctx, probe)
    if found is not _ASK_CLI:
        return found if isinstance(found, str) else None
    answer, = yield [SERVER_VERSION]
    return parse_server_version(answer.text)


_ASK_CLI = object()


def _server_over_stream(ctx: CollectContext, probe: dict[str, Any] | None) -> object:
    """The engine's version where the CLI would use a unix socket the SSH stream reaches; None
    where the CLI would find no engine; `_ASK_CLI` anywhere else (a context, a TCP engine, a local
    environment, a server that refuses the stream)."""
    if not probe or probe["context"]:
        return _ASK_CLI
    if probe["socket"] in ("missing", "other"):
        return None  # `docker version` cannot connect: no server version
    if probe["socket"] != "socket" or ctx.open_stream is None:
        return _ASK_CLI
    from driftctl.transport import docker_api
    from driftctl.transport.base import StreamRefused

    open_stream = ctx.open_stream
    path = probe["path"]
    try:
        doc = docker_api.fetch_version_stream(lambda: open_stream(path, ctx.spec.command_timeout), ctx.spec.command_timeout)
    except StreamRefused:
        return _ASK_CLI
    except docker_api.EngineFailed:
        return None  # the socket is there but no engine answers on it: the CLI could not connect either
    version = doc.get("Version")
    return version if isinstance(version, str) and version else None


def parse_server_version(text: str) -> str | None:
    """`docker version --format {{.Server.Version}}`: empty (or `<no value>`) when no engine answered."""
    value = text.strip()
    return value if value and not value.startswith("<no") else None


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
