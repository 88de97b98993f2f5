"""Containers as the Docker Engine runs them, and how they differ from the compose services.

Why this collector exists: production once ran `python main.py` through a hand-applied override
that no compose file showed; only the running containers did. So this collector reads what the engine
actually runs and compares it, service by service, with the compose model of the same checkout.

How it reads the engine (one parser, two routes):
- `ssh` environments: one probe (builtins only) says which engine the docker CLI would use there. A
  unix socket (the default one, or a `docker_host`/`DOCKER_HOST` of `unix://...`) is read through
  the SSH connection itself (`ctx.open_stream`, a `direct-streamlocal` channel): the same Engine API
  documents as locally, with no docker process on the target. Anything else (a context, a TCP or
  SSH engine, a server with AllowStreamLocalForwarding no) goes through the docker CLI as argv
  commands, in up to three more rounds: `docker version` + `docker ps -a`, then `docker inspect` +
  `docker stats` of those ids, then `docker image inspect` of their images. A configured
  `docker_host` becomes `env DOCKER_HOST=... docker ...`.
- `local` environments: docker-py through `driftctl.transport.docker_api` (the only module here that
  talks to the engine). The collector calls it directly when `ctx.caps.engine == "api"`: that needs no
  special command type in the runner or the local transport, and the call happens inside the
  collector's generator, so the runner still records its errors like any other.
Both routes produce the same `EngineDump` (the Engine API's own inspect documents: `docker inspect`
prints them unchanged), which the pure `build_data` turns into the snapshot data. Parser tests feed
recorded dumps from `tests/collectors/containers/*.json`.

Comparing with compose: the collector runs the compose collector's generator alongside its own
(`run_together`), so the compose files are read by the very same commands in the same round (the
runner shares identical commands) and resolved once more in memory. The comparison itself is pure
and lives in `container_compare`, so the differ can run it on stored snapshots too.
"""

import json
import re
from collections.abc import Generator, Iterable
from typing import Any, cast

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, Skipped
from driftctl.collectors.container_compare import LABEL_PROJECT, LABEL_SERVICE, compare_services, port_text
from driftctl.errors import CollectorError
from driftctl.models import Command, CommandResult
from driftctl.secrets import redact_tree, secret_values

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the containers collector stores: the engine, its containers and images, and how they
# compare with the compose services of the same checkout.
#
# Secrets appear only as keyed fingerprints (`fp:...`) in every string below (environment values,
# command lines, labels). `services` and `undeclared` are the collector's own comparison
# (`driftctl.collectors.container_compare`); the differ reads them and never the engine's documents.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


class EngineInfo(TypedDict):
    host: str | None  # the engine URL; None = the docker CLI's default on that host
    version: str | None
    api_version: str | None


class Mount(TypedDict):
    type: str | None
    source: str | None  # a named volume is named, a bind mount located
    target: str | None
    read_only: bool


class ContainerFacts(TypedDict):
    """One container as `docker inspect` shows it (the facts driftctl keeps)."""

    name: str
    id: str | None
    project: str | None  # com.docker.compose.project (None: not created by Compose)
    service: str | None  # com.docker.compose.service
    config_hash: str | None
    config_files: list[str]  # com.docker.compose.project.config_files, absolute paths on the host
    working_dir: NotRequired[str | None]  # com.docker.compose.project.working_dir
    image: str | None  # the reference it was created from (Config.Image)
    image_id: str | None  # sha256:... of the image it runs
    repo_digests: list[str]  # the image's registry digests (empty for a built or imported image)
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str | None]
    ports: list[str]  # `[ip:]published->target/proto`, as asked for (HostConfig.PortBindings)
    networks: dict[str, dict[str, list[str]]]  # network -> {"aliases": [...]}
    mounts: list[Mount]
    restart_policy: str  # no | always | unless-stopped | on-failure[:N]
    state: str | None  # running | exited | restarting | created | paused | dead
    exit_code: NotRequired[int | None]  # when exited or dead
    health: str | None  # healthy | unhealthy | starting | None (no healthcheck)
    restart_count: int
    started_at: str | None  # volatile
    memory_limit: int | None  # bytes; None = unlimited
    memory_usage: int | None  # volatile; bytes in use while running


class ImageFacts(TypedDict):
    """What a container inherits from its image: the defaults compose need not declare."""

    tags: list[str]
    repo_digests: list[str]
    command: list[str] | None
    entrypoint: list[str] | None
    environment: dict[str, str | None]


class Difference(TypedDict):
    """One compared key: what compose declares and what the container runs (secrets fingerprinted)."""

    declared: Any
    running: Any


class OutsideCompose(TypedDict):
    """A running container with a Compose name of the service but no compose labels (started by
    hand, e.g. `docker run --name <project>-<service>-1`), compared with the service's model."""

    container: str
    differs: dict[str, Difference]  # key (image, command, environment, ports, ...) -> difference
    env_unchecked: NotRequired[list[str]]  # extra variables not judged (the image's env is unknown)


class ServiceState(TypedDict):
    """A declared service and the compose containers that run it."""

    running: bool  # a compose container of the service runs
    containers: list[str]  # its compose containers (by labels, or by the project folder's labels)
    differs: dict[str, Difference]  # running compose containers vs the model, on COMPARED_KEYS
    env_unchecked: NotRequired[list[str]]
    build: NotRequired[bool]  # the service builds its image (its tag names a local build)
    outside_compose: NotRequired[list[OutsideCompose]]


class ComposeLink(TypedDict):
    project: str | None  # the compose project the containers were compared with
    error: str | None  # why there was no compose model to compare with


class ContainersData(TypedDict):
    engine: EngineInfo
    containers: list[ContainerFacts]  # sorted by name
    images: dict[str, ImageFacts]  # image id -> facts
    services: dict[str, ServiceState]  # declared service -> state (empty without a compose model)
    undeclared: list[str]  # running containers no declared service accounts for
    other_projects: NotRequired[list[str]]  # compose projects of this checkout's containers started with another `-p`
    compose: ComposeLink


LABEL_CONFIG_HASH = "com.docker.compose.config-hash"
LABEL_CONFIG_FILES = "com.docker.compose.project.config_files"
LABEL_WORKING_DIR = "com.docker.compose.project.working_dir"
NO_ENGINE = "no Docker engine found"
_NEVER_STARTED = "0001-01-01T00:00:00Z"


class EngineDump(TypedDict):
    """Raw engine documents, whichever route read them."""

    host: str | None  # the engine URL; None = the docker CLI's own default on an ssh host
    version: dict[str, Any]  # `docker version --format '{{json .Server}}'` / Engine API GET /version
    containers: list[dict[str, Any]]  # container inspect documents
    images: list[dict[str, Any]]  # image inspect documents
    memory_usage: dict[str, int]  # container id -> bytes in use (running containers only)


# --------------------------------------------------------------------------------------------------
# The collector
# --------------------------------------------------------------------------------------------------


class ContainersCollector(Collector):
    name = "containers"
    needs = ("shell", "engine")
    data_type = ContainersData
    # Nested paths (`list[].key`): they change every run without any drift. The snapshot's
    # content fingerprint must leave them out (needs nested-path support in snapshot.py).
    volatile = frozenset({"containers[].memory_usage", "containers[].started_at"})

    def collect(self, ctx: CollectContext) -> CollectGen:
        from driftctl.collectors.compose import collect_with_secrets

        engine = api_engine(ctx) if ctx.caps.engine == "api" else ssh_engine(ctx)
        gens: dict[str, Generator[Any, Any, Any]] = {"engine": engine, "compose": collect_with_secrets(ctx, with_reference=False)}
        outcome = yield from run_together(gens, required=("engine",))
        compose = outcome["compose"]
        if isinstance(compose, BaseException):
            return dict(build_data(outcome["engine"], None, compose_error=_error_text(compose)))
        compose_data, known = compose
        return dict(build_data(outcome["engine"], compose_data, known=known))


def _error_text(exc: BaseException) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"


Outcome = dict[str, Any]  # generator name -> its return value, or the exception it raised


def run_together(gens: dict[str, Generator[Any, Any, Any]], required: Iterable[str] = ()) -> Generator[list[Command], list[CommandResult], Outcome]:
    """Drive several collector generators in lockstep: one combined batch per round.

    A generator named in `required` that raises stops them all (its exception propagates). Any
    other generator's exception becomes its outcome, so a compose problem cannot lose the container
    data (the compose collector reports that problem on its own).
    """
    must = set(required)
    pending: dict[str, list[Command]] = {}
    done: Outcome = {}

    def step(name: str, sent: Any) -> None:
        try:
            pending[name] = list(gens[name].send(sent))
        except StopIteration as stop:
            done[name] = stop.value
        except Exception as exc:
            if name in must:
                for other in gens.values():
                    other.close()
                raise
            done[name] = exc

    for name in gens:
        step(name, None)
    while pending:
        batch = [cmd for cmds in pending.values() for cmd in cmds]
        results = (yield batch) if batch else []
        current, pos = dict(pending), 0
        pending.clear()
        for name, cmds in current.items():
            step(name, list(results[pos : pos + len(cmds)]))
            pos += len(cmds)
    return done


# --------------------------------------------------------------------------------------------------
# Route 1: local engine through docker-py (the I/O lives in driftctl.transport.docker_api)
# --------------------------------------------------------------------------------------------------


def api_engine(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], EngineDump]:
    """A generator (no commands) that reads the local engine through docker-py."""
    from driftctl.transport import docker_api

    target = docker_api.engine_target(ctx.spec.docker_host)
    try:
        state = docker_api.fetch_engine_state(target.url, timeout=ctx.spec.command_timeout)
    except docker_api.EngineUnreachable as exc:
        if not target.configured and exc.kind in ("missing", "refused"):
            raise Skipped(NO_ENGINE) from None
        raise CollectorError(unreachable_message(target.url, exc.reason)) from None
    except docker_api.EngineFailed as exc:
        raise CollectorError(f"Docker engine at {target.url}: {exc}") from None
    usage = {cid: n for cid, s in state.stats.items() if (n := api_memory_usage(s)) is not None}
    return EngineDump(host=state.url, version=state.version, containers=state.containers,
                      images=state.images, memory_usage=usage)
    yield []  # pragma: no cover - makes this a generator, like every collector step


def unreachable_message(url: str | None, reason: str) -> str:
    return f"cannot reach the Docker engine at {url or 'the default socket'}: {reason}"


def api_memory_usage(stats: dict[str, Any]) -> int | None:
    """Memory in use from an Engine API stats sample, computed as `docker stats` does (minus page cache)."""
    mem = stats.get("memory_stats") or {}
    usage = mem.get("usage")
    if usage is None:
        return None
    detail = mem.get("stats") or {}
    for key in ("total_inactive_file", "inactive_file"):  # cgroup v1, cgroup v2
        if key in detail and detail[key] < usage:
            return int(usage - detail[key])
    return int(usage)


# --------------------------------------------------------------------------------------------------
# Route 2: an SSH host's engine through the SSH connection (no process on the target), else its CLI
# --------------------------------------------------------------------------------------------------

# Builtins only (one `sh`, no docker process): which engine would the docker CLI talk to? `$1` is the
# environment's `docker_host`. Prints, NUL-terminated: CLI installed (1/0), a context in use, whether a
# host is set at all, the socket's state (socket / other / missing / remote) and its path.
_ENGINE_PROBE = (
    'h=${1:-${DOCKER_HOST-}}; x=${DOCKER_CONTEXT-}; case $x in default) x=;; esac; '
    'c=${DOCKER_CONFIG:-$HOME/.docker}/config.json; '
    'if [ -z "$x" ] && [ -f "$c" ] && [ -r "$c" ]; then while IFS= read -r l || [ -n "$l" ]; do '
    'case $l in *currentContext*) x=config; break;; esac; done < "$c"; fi; '
    'if command -v docker >/dev/null 2>&1; then i=1; else i=0; fi; '
    'u=${h:-unix:///var/run/docker.sock}; '
    'case $u in unix://*) p=${u#unix://}; if [ -S "$p" ]; then s=socket; elif [ -e "$p" ]; then s=other; '
    'else s=missing; fi;; *) p=; s=remote;; esac; '
    "printf '%s\\0%s\\0%s\\0%s\\0%s\\0' \"$i\" \"${x:+context}\" \"${h:+set}\" \"$s\" \"$p\""
)


def engine_probe_command(docker_host: str | None) -> Command:
    return Command(("sh", "-c", _ENGINE_PROBE, "driftctl-engine", docker_host or ""), label="which Docker engine")


def parse_engine_probe(result: CommandResult) -> dict[str, Any] | None:
    """The probe's answer, or None when it is not one (then the CLI decides, as before)."""
    fields = result.stdout.split(b"\x00")
    if not result.ok or len(fields) != 6 or fields[0] not in (b"0", b"1"):
        return None
    text = [f.decode("utf-8", errors="surrogateescape") for f in fields[:5]]
    return {"cli": text[0] == "1", "context": bool(text[1]), "host_set": bool(text[2]), "socket": text[3],
            "path": text[4]}


def ssh_engine(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], EngineDump]:
    """Where the docker CLI would talk to a unix socket on the host, read that socket's Engine API
    through the SSH connection (`ctx.open_stream`): the same documents the CLI prints, without a
    docker process on the target and without `docker stats`' two-sample wait. Anywhere else (a
    context, a TCP or SSH engine, a server that refuses the stream) the docker CLI reads it."""
    probe_result, = yield [engine_probe_command(ctx.spec.docker_host)]
    probe = parse_engine_probe(probe_result)
    if probe and probe["cli"] and not probe["context"]:
        if probe["socket"] == "missing" and not ctx.spec.docker_host:
            raise Skipped(NO_ENGINE)  # what `docker version` failing against the default socket means
        if probe["socket"] == "socket" and ctx.open_stream is not None:
            dump = _over_stream(ctx, probe["path"])
            if dump is not None:
                return dump
    return (yield from cli_engine(ctx))


def _over_stream(ctx: CollectContext, path: str) -> EngineDump | None:
    """The engine's documents over a stream to its socket, or None when the stream is refused."""
    from driftctl.transport import docker_api
    from driftctl.transport.base import StreamRefused

    assert ctx.open_stream is not None
    open_stream = ctx.open_stream
    timeout = ctx.spec.command_timeout
    url = f"unix://{path}"
    try:
        state = docker_api.fetch_engine_state_stream(lambda: open_stream(path, timeout), url, timeout)
    except StreamRefused:
        return None
    except docker_api.EngineFailed as exc:
        raise CollectorError(f"Docker engine at {ctx.spec.docker_host or url}: {exc}") from None
    usage = {cid: n for cid, s in state.stats.items() if (n := api_memory_usage(s)) is not None}
    return EngineDump(host=ctx.spec.docker_host, version=state.version, containers=state.containers,
                      images=state.images, memory_usage=usage)


# --------------------------------------------------------------------------------------------------
# Route 3: any host through the docker CLI (argv commands through the transport)
# --------------------------------------------------------------------------------------------------


def docker_argv(docker_host: str | None) -> tuple[str, ...]:
    """The docker CLI, pointed at `docker_host` through `env` (no shell ever sees the value)."""
    return ("env", f"DOCKER_HOST={docker_host}", "docker") if docker_host else ("docker",)


def cli_engine(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], EngineDump]:
    """Up to three rounds: engine + ids, then inspect + stats of those ids, then their images.

    Stats are only for the volatile memory use, so a failed `docker stats` (a container gone
    meanwhile) costs that figure, never the snapshot.
    """
    docker = docker_argv(ctx.spec.docker_host)
    version_res, ps_res = yield [
        Command((*docker, "version", "--format", "{{json .Server}}")),
        Command((*docker, "ps", "-a", "--no-trunc", "--format", "{{.ID}}")),
    ]
    check_engine(version_res, ctx.spec.docker_host)
    ids = parse_ids(ps_res)
    containers: list[dict[str, Any]] = []
    images: list[dict[str, Any]] = []
    usage: dict[str, int] = {}
    if ids:
        inspect_res, stats_res = yield [
            Command((*docker, "inspect", "--type", "container", *ids), ok_codes=(0, 1)),
            Command((*docker, "stats", "--no-stream", "--no-trunc", "--format", "{{json .}}", *ids), ok_codes=(0, 1)),
        ]
        containers = parse_json_list(inspect_res)
        usage = parse_stats_lines(stats_res.text) if stats_res.ok else {}
        image_ids = sorted({c.get("Image", "") for c in containers} - {""})
        if image_ids:
            images_res, = yield [Command((*docker, "image", "inspect", *image_ids), ok_codes=(0, 1))]
            images = parse_json_list(images_res)
    return EngineDump(host=ctx.spec.docker_host, version=parse_version(version_res.text),
                      containers=containers, images=images, memory_usage=usage)


def check_engine(result: CommandResult, docker_host: str | None) -> None:
    """Turn a failed `docker version` into skipped (no Docker here) or an error (configured, broken)."""
    if result.ok:
        return
    reason = (result.error_text.splitlines() or [f"exit status {result.exit_status}"])[-1]
    if "permission denied" in reason.lower():
        raise CollectorError(unreachable_message(docker_host, "permission denied"))
    if result.exit_status == 127:  # `docker` (or `env docker`) not found on that host
        if docker_host:
            raise CollectorError(f"docker_host is set but the docker CLI is not installed on the host: {reason}")
        raise Skipped(NO_ENGINE)
    if not docker_host:
        raise Skipped(NO_ENGINE)
    if "cannot connect to the docker daemon" in reason.lower():
        reason = "no answer (is the Docker daemon running?)"  # the CLI's own line repeats the URL
    raise CollectorError(unreachable_message(docker_host, reason))


def parse_ids(result: CommandResult) -> list[str]:
    if not result.ok:
        raise CollectorError(result.failure())
    return [line.strip() for line in result.text.splitlines() if line.strip()]


def parse_json_list(result: CommandResult) -> list[dict[str, Any]]:
    """`docker inspect` output; exit 1 still prints the others when one id vanished meanwhile."""
    text = result.text.strip()
    if not text:
        if result.exit_status == 0 or "no such" in result.error_text.lower():
            return []
        raise CollectorError(result.failure())
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CollectorError(f"`{result.command.display()}` printed invalid JSON: {exc.msg}") from None
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def parse_version(text: str) -> dict[str, Any]:
    """`docker version --format '{{json .Server}}'`; a CLI too old for that prints nothing useful."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


_SIZE = re.compile(r"^\s*([0-9.]+)\s*([A-Za-z]*)\s*$")
_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4, "pb": 1000**5,
    "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4, "pib": 1024**5,
}


def parse_stats_lines(text: str) -> dict[str, int]:
    """`docker stats --format '{{json .}}'` lines -> container id -> bytes in use ("552KiB / 64MiB")."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(row, dict) or not row.get("ID"):
            continue
        used = parse_size(str(row.get("MemUsage", "")).split("/")[0])
        if used is not None:
            out[row["ID"]] = used
    return out


def parse_size(text: str) -> int | None:
    """Human sizes as the docker CLI prints them (binary KiB/MiB and decimal kB/MB)."""
    m = _SIZE.match(text)
    if not m or m.group(2).lower() not in _UNITS:
        return None
    return int(round(float(m.group(1)) * _UNITS[m.group(2).lower()]))


# --------------------------------------------------------------------------------------------------
# One parser for inspect documents
# --------------------------------------------------------------------------------------------------


def build_data(dump: EngineDump, compose_data: dict | None, compose_error: str | None = None,
               known: frozenset[str] = frozenset()) -> ContainersData:
    """The collector's data: engine, containers, their images, and the comparison with compose.

    `known` are the compose project's secret values (taint); every container's and image's own
    secret environment values join them, so a secret is redacted wherever it reappears (another
    container's command line, an innocently named variable).
    """
    known = known | engine_secrets(dump)
    images = {img["Id"]: parse_image(img, known) for img in dump["images"] if img.get("Id")}
    containers = sorted(
        (parse_container(raw, images.get(raw.get("Image", "")), dump["memory_usage"].get(raw.get("Id", "")), known)
         for raw in dump["containers"]),
        key=lambda c: c["name"],
    )
    data: dict[str, Any] = {
        "engine": {"host": dump["host"], "version": dump["version"].get("Version"),
                   "api_version": dump["version"].get("ApiVersion")},
        "containers": containers,
        "images": images,
    }
    if compose_error is not None:
        data.update(services={}, undeclared=[], other_projects=[], compose={"project": None, "error": compose_error})
        return cast(ContainersData, data)
    if compose_data is not None and known:
        compose_data = redact_tree(compose_data, known)  # the same taint on both sides of the comparison
    data.update(compare_services(compose_data, data))
    data["compose"] = {"project": (compose_data or {}).get("project"), "error": None}
    return cast(ContainersData, data)


def engine_secrets(dump: EngineDump) -> frozenset[str]:
    """Secret values of the engine's containers and images: env values by name or shape, and
    secret-looking arguments of their command lines."""
    found: set[str] = set()
    for doc in [*dump["containers"], *dump["images"]]:
        config = doc.get("Config") or {}
        found |= secret_values(env_mapping(config.get("Env")))
        found |= secret_values([_argv(config.get("Cmd")) or [], _argv(config.get("Entrypoint")) or []])
        found |= secret_values(config.get("Labels") or {})
    return frozenset(found)


def parse_container(raw: dict[str, Any], image: dict[str, Any] | None, memory_usage: int | None,
                    known: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One container inspect document -> the facts driftctl keeps (secret env values fingerprinted)."""
    config = raw.get("Config") or {}
    host = raw.get("HostConfig") or {}
    state = raw.get("State") or {}
    labels = config.get("Labels") or {}
    running = bool(state.get("Running"))
    return {
        "name": str(raw.get("Name", "")).lstrip("/"),
        "id": raw.get("Id"),
        "project": labels.get(LABEL_PROJECT),
        "service": labels.get(LABEL_SERVICE),
        "config_hash": labels.get(LABEL_CONFIG_HASH),
        "config_files": [f for f in (labels.get(LABEL_CONFIG_FILES) or "").split(",") if f],
        "working_dir": labels.get(LABEL_WORKING_DIR),
        "image": config.get("Image"),
        "image_id": raw.get("Image"),
        "repo_digests": list((image or {}).get("repo_digests") or []),
        "command": redact_tree(_argv(config.get("Cmd")), known),
        "entrypoint": redact_tree(_argv(config.get("Entrypoint")), known),
        "environment": redact_tree(env_mapping(config.get("Env")), known),
        "ports": port_bindings(host.get("PortBindings")),
        "networks": networks(raw),
        "mounts": mounts(raw.get("Mounts")),
        "restart_policy": restart_policy(host.get("RestartPolicy")),
        "state": state.get("Status"),
        "exit_code": int(state.get("ExitCode") or 0) if state.get("Status") in ("exited", "dead") else None,
        "health": (state.get("Health") or {}).get("Status"),
        "restart_count": int(raw.get("RestartCount") or 0),
        "started_at": None if state.get("StartedAt") in (None, "", _NEVER_STARTED) else state["StartedAt"],
        "memory_limit": int(host.get("Memory") or 0) or None,
        "memory_usage": memory_usage if running else None,
    }


def parse_image(raw: dict[str, Any], known: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What a container inherits from its image: the defaults compose does not have to declare."""
    config = raw.get("Config") or {}
    return {
        "tags": sorted(raw.get("RepoTags") or []),
        "repo_digests": sorted(raw.get("RepoDigests") or []),
        "command": redact_tree(_argv(config.get("Cmd")), known),
        "entrypoint": redact_tree(_argv(config.get("Entrypoint")), known),
        "environment": redact_tree(env_mapping(config.get("Env")), known),
    }


def _argv(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def env_mapping(entries: Iterable[str] | None) -> dict[str, str | None]:
    """`["K=V", ...]` -> {K: V}; a bare `K` (no `=`) is unset."""
    out: dict[str, str | None] = {}
    for entry in entries or []:
        key, sep, value = entry.partition("=")
        out[key] = value if sep else None
    return out


def port_bindings(bindings: dict[str, Any] | None) -> list[str]:
    """HostConfig.PortBindings (what was asked for, stable across restarts) as sorted strings."""
    out = []
    for port_proto, hosts in (bindings or {}).items():
        target, _, proto = port_proto.partition("/")
        for h in hosts or [{}]:
            out.append(port_text(h.get("HostIp") or "", h.get("HostPort") or "", target, proto or "tcp"))
    return sorted(set(out))


def networks(raw: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Network name -> aliases, without the engine's automatic short-id alias (it changes per container)."""
    cid = str(raw.get("Id") or "")
    out = {}
    for name, net in ((raw.get("NetworkSettings") or {}).get("Networks") or {}).items():
        aliases = [a for a in ((net or {}).get("Aliases") or []) if not (len(a) >= 12 and cid.startswith(a))]
        out[name] = {"aliases": sorted(set(aliases))}
    return dict(sorted(out.items()))


def mounts(entries: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Mounts by target; a named volume is named, not located (its path depends on the data root)."""
    out = []
    for m in entries or []:
        source = m.get("Name") if m.get("Type") == "volume" else m.get("Source")
        out.append({"type": m.get("Type"), "source": source, "target": m.get("Destination"),
                    "read_only": not m.get("RW", True)})
    return sorted(out, key=lambda m: str(m["target"]))


def restart_policy(policy: dict[str, Any] | None) -> str:
    name = (policy or {}).get("Name") or "no"
    retries = (policy or {}).get("MaximumRetryCount") or 0
    return f"{name}:{retries}" if name == "on-failure" and retries else name


COLLECTOR = ContainersCollector()


def replay(case: dict[str, Any]) -> list[tuple[Any, Any]]:
    """A recorded engine case (tests/collectors/containers/<case>.json: what a route read from a real
    engine, the checkout's compose data, the expected data) -> [(collector data, expected)]."""
    if case["route"] == "cli":
        usage = parse_stats_lines(case["stats"])
    else:
        usage = {cid: n for cid, sample in case["stats"].items() if (n := api_memory_usage(sample)) is not None}
    dump = EngineDump(host=case["host"], version=case["version"], containers=case["containers"],
                      images=case["images"], memory_usage=usage)
    return [(build_data(dump, case["compose"], compose_error=case["compose_error"]), case["expected"])]
