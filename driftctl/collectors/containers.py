"""Containers as the Docker Engine runs them, and how they differ from the compose services.

Why this collector exists: production once ran `python main.py` through a hand-applied override
that no compose file showed; only the running containers did. So this collector reads what the engine
actually runs and compares it, service by service, with the compose model of the same checkout.

How it reads the engine (one parser, two routes):
- `ssh` environments: argv commands through the SSH transport, in up to three rounds:
  `docker version` + `docker ps -a`, then `docker inspect` + `docker stats` of those ids, then
  `docker image inspect` of their images. A configured `docker_host` becomes
  `env DOCKER_HOST=... docker ...`.
- `local` environments: docker-py through `driftctl.transport.docker_api` (the only module here that
  talks to the engine). The collector calls it directly when `ctx.kind == "local"`: that needs no
  special command type in the runner or the local transport, and the call happens inside the
  collector's generator, so the runner still records its errors like any other.
Both routes produce the same `EngineDump` (the Engine API's own inspect documents: `docker inspect`
prints them unchanged), which the pure `build_data` turns into the snapshot data. Parser tests feed
recorded dumps from `tests/collectors/containers/*.json`.

Comparing with compose: the collector runs the compose collector's generator alongside its own
(`run_together`), so the compose files are read by the very same commands in the same round (the
runner shares identical commands) and resolved once more in memory. `compare_services` is pure and
exported: the differ can call it with any snapshot's `compose` and `containers` data.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Generator, Iterable
from typing import Any, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, Skipped
from driftctl.errors import CollectorError
from driftctl.models import Command, CommandResult
from driftctl.secrets import protect_mapping

LABEL_PROJECT = "com.docker.compose.project"
LABEL_SERVICE = "com.docker.compose.service"
LABEL_CONFIG_HASH = "com.docker.compose.config-hash"
LABEL_CONFIG_FILES = "com.docker.compose.project.config_files"
COMPARED_KEYS = ("image", "command", "environment", "ports", "memory_limit")
NO_ENGINE = "no Docker engine found"
_NEVER_STARTED = "0001-01-01T00:00:00Z"
_UNKNOWN: Any = object()  # "cannot tell" (e.g. the image's default command is not known)


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
    kinds = frozenset({"local", "ssh"})
    # Nested paths (`list[].key`): they change every run without any drift. The snapshot's
    # content fingerprint must leave them out (needs nested-path support in snapshot.py).
    volatile = frozenset({"containers[].memory_usage", "containers[].started_at"})

    def collect(self, ctx: CollectContext) -> CollectGen:
        from driftctl.collectors.compose import ComposeCollector

        engine = api_engine(ctx) if ctx.kind == "local" else cli_engine(ctx)
        gens = {"engine": engine, "compose": ComposeCollector().collect(ctx)}
        outcome = yield from run_together(gens, required=("engine",))
        compose = outcome["compose"]
        if isinstance(compose, BaseException):
            return build_data(outcome["engine"], None, compose_error=_error_text(compose))
        return build_data(outcome["engine"], compose)


def _error_text(exc: BaseException) -> str:
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"


Outcome = dict[str, Any]  # generator name -> its return value, or the exception it raised


def run_together(gens: dict[str, Generator], required: Iterable[str] = ()) -> Generator[list[Command], list[CommandResult], Outcome]:
    """Drive several collector generators in lockstep: one combined batch per round.

    A generator named in `required` that raises stops them all (its exception propagates). Any
    other generator's exception becomes its outcome, so a compose problem cannot lose the container
    data (the compose collector reports that problem on its own).
    """
    must = set(required)
    pending: dict[str, list[Command]] = {}
    done: Outcome = {}

    def step(name: str, sent: list[CommandResult] | None) -> None:
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
# Route 2: any host through the docker CLI (argv commands through the transport)
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


def build_data(dump: EngineDump, compose_data: dict | None, compose_error: str | None = None) -> dict:
    """The collector's data: engine, containers, their images, and the comparison with compose."""
    images = {img["Id"]: parse_image(img) for img in dump["images"] if img.get("Id")}
    containers = sorted(
        (parse_container(raw, images.get(raw.get("Image", "")), dump["memory_usage"].get(raw.get("Id", "")))
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
        data.update(services={}, undeclared=[], compose={"project": None, "error": compose_error})
        return data
    data.update(compare_services(compose_data, data))
    data["compose"] = {"project": (compose_data or {}).get("project"), "error": None}
    return data


def parse_container(raw: dict[str, Any], image: dict[str, Any] | None, memory_usage: int | None) -> dict[str, Any]:
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
        "image": config.get("Image"),
        "image_id": raw.get("Image"),
        "repo_digests": list((image or {}).get("repo_digests") or []),
        "command": _argv(config.get("Cmd")),
        "entrypoint": _argv(config.get("Entrypoint")),
        "environment": protect_mapping(env_mapping(config.get("Env"))),
        "ports": port_bindings(host.get("PortBindings")),
        "networks": networks(raw),
        "mounts": mounts(raw.get("Mounts")),
        "restart_policy": restart_policy(host.get("RestartPolicy")),
        "state": state.get("Status"),
        "health": (state.get("Health") or {}).get("Status"),
        "restart_count": int(raw.get("RestartCount") or 0),
        "started_at": None if state.get("StartedAt") in (None, "", _NEVER_STARTED) else state["StartedAt"],
        "memory_limit": int(host.get("Memory") or 0) or None,
        "memory_usage": memory_usage if running else None,
    }


def parse_image(raw: dict[str, Any]) -> dict[str, Any]:
    """What a container inherits from its image: the defaults compose does not have to declare."""
    config = raw.get("Config") or {}
    return {
        "tags": sorted(raw.get("RepoTags") or []),
        "repo_digests": sorted(raw.get("RepoDigests") or []),
        "command": _argv(config.get("Cmd")),
        "entrypoint": _argv(config.get("Entrypoint")),
        "environment": protect_mapping(env_mapping(config.get("Env"))),
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


def port_text(host_ip: str, published: str, target: str, protocol: str) -> str:
    """One canonical spelling for compose and engine ports: `[ip:]published->target/proto`."""
    ip = "" if host_ip in ("0.0.0.0", "::", "") else host_ip
    ip = f"[{ip}]" if ":" in ip else ip
    left = f"{ip}:{published}" if ip and published else (f"{ip}::" if ip else published)
    return f"{left}->{target}/{protocol}" if left else f"{target}/{protocol}"


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


# --------------------------------------------------------------------------------------------------
# Compose services vs running containers (pure; the differ may call it on stored snapshots)
# --------------------------------------------------------------------------------------------------


def compare_services(compose_data: dict | None, containers_data: dict) -> dict:
    """Which declared services run, how their running containers differ, and what runs undeclared.

    `compose_data` is the compose collector's data (resolved services, secret values fingerprinted)
    or Compose's own `docker compose config --format json` model (project under `name`);
    `containers_data` is this collector's data. Returns `{"services": {...}, "undeclared": [...]}`:
    a container belongs to a service by its compose labels (project + service); `differs` compares the
    running containers on `COMPARED_KEYS` only; `undeclared` lists running containers that belong to
    no declared service of this project (hand-run containers, other projects, removed services).
    """
    project = (compose_data or {}).get("project") or (compose_data or {}).get("name")
    declared = (compose_data or {}).get("services") or {}
    containers = containers_data.get("containers") or []
    images = containers_data.get("images") or {}
    services: dict[str, Any] = {}
    claimed: set[str] = set()
    for svc_name in sorted(declared):
        mine = [c for c in containers if c.get("project") == project and c.get("service") == svc_name]
        claimed.update(c["name"] for c in mine)
        running = [c for c in mine if c.get("state") == "running"]
        entry: dict[str, Any] = {"running": bool(running), "containers": sorted(c["name"] for c in mine), "differs": {}}
        for c in running:
            diff, unchecked = differences(svc_name, declared[svc_name] or {}, c, images.get(c.get("image_id") or ""), project)
            for key, value in diff.items():
                entry["differs"].setdefault(key, value)
            if unchecked:
                entry["env_unchecked"] = sorted(set(entry.get("env_unchecked", [])) | set(unchecked))
        services[svc_name] = entry
    undeclared = sorted(c["name"] for c in containers if c["name"] not in claimed and c.get("state") == "running")
    return {"services": services, "undeclared": undeclared}


def differences(svc_name: str, service: dict, container: dict, image: dict | None, project: str | None) -> tuple[dict, list[str]]:
    """One service vs one running container -> ({key: {declared, running}}, env keys not checkable)."""
    out: dict[str, dict[str, Any]] = {}
    want_image = declared_image(svc_name, service, project)
    if want_image is not None and normalize_image(want_image) != normalize_image(container.get("image")):
        out["image"] = {"declared": want_image, "running": container.get("image")}
    want_cmd = declared_command(service, image)
    if want_cmd is not _UNKNOWN and (want_cmd or []) != (container.get("command") or []):
        out["command"] = {"declared": want_cmd, "running": container.get("command")}
    env, unchecked = environment_difference(service.get("environment") or {}, container.get("environment") or {},
                                            None if image is None else image.get("environment") or {})
    if env:
        out["environment"] = env
    want_ports = compose_ports(service.get("ports"))
    if want_ports != sorted(container.get("ports") or []):
        out["ports"] = {"declared": want_ports, "running": container.get("ports") or []}
    want_mem = declared_memory(service)
    if want_mem != container.get("memory_limit"):
        out["memory_limit"] = {"declared": want_mem, "running": container.get("memory_limit")}
    return out, unchecked


def declared_image(svc_name: str, service: dict, project: str | None) -> str | None:
    """The image reference compose uses: `image:`, else the `<project>-<service>` name it builds."""
    if service.get("image"):
        return str(service["image"])
    if service.get("build") and project:
        return f"{project}-{svc_name}"
    return None


def normalize_image(ref: str | None) -> str | None:
    """`redis`, `redis:latest`, `docker.io/library/redis:latest` are one image reference."""
    if not ref or ref.startswith("sha256:"):
        return ref
    name, at, digest = ref.partition("@")
    if not at and ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    parts = name.split("/")
    if len(parts) > 1 and parts[0] in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        parts = parts[1:]
    if len(parts) == 2 and parts[0] == "library":
        parts = parts[1:]
    return "/".join(parts) + (f"@{digest}" if at else "")


def declared_command(service: dict, image: dict | None) -> Any:
    """The command a container of this service should run, or `_UNKNOWN`.

    No `command:` means the image's CMD, except when `entrypoint:` is set (Docker then drops it).
    """
    command = service.get("command")
    if command is not None:
        return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]
    if service.get("entrypoint") is not None:
        return None
    if image is None:
        return _UNKNOWN
    return image.get("command")


def environment_difference(declared: dict, running: dict, image_env: dict | None) -> tuple[dict | None, list[str]]:
    """Declared keys whose value differs or is missing, plus keys set on the container only.

    A key the container has but compose does not declare is drift unless the image sets the same
    value (PATH and friends). Without the image's env those keys cannot be judged: returned as unchecked.
    A declared key without a value (`KEY` alone) passes the caller's shell value: not comparable.
    """
    want: dict[str, Any] = {}
    have: dict[str, Any] = {}
    for key, value in declared.items():
        if value is not None and running.get(key) != str(value):
            want[key], have[key] = value, running.get(key)
    extra = [k for k in running if k not in declared]
    if image_env is None:
        return ({"declared": want, "running": have} if want else None), sorted(extra)
    for key in extra:
        if key not in image_env or image_env[key] != running[key]:
            want[key], have[key] = None, running[key]
    return ({"declared": dict(sorted(want.items())), "running": dict(sorted(have.items()))} if want else None), []


def compose_ports(ports: Any) -> list[str]:
    """Compose `ports:` (long dicts as `docker compose config` prints them, or short strings)."""
    out: list[str] = []
    for entry in ports or []:
        out.extend(_compose_port(entry))
    return sorted(set(out))


def _compose_port(entry: Any) -> list[str]:
    if isinstance(entry, dict):
        published = "" if entry.get("published") in (None, "") else str(entry["published"])
        return [port_text(str(entry.get("host_ip") or ""), published, str(entry.get("target")),
                          str(entry.get("protocol") or "tcp"))]
    text = str(entry)
    spec, _, proto = text.partition("/")
    host_ip = ""
    if spec.startswith("["):  # [::1]:8080:80
        host_ip, _, spec = spec[1:].partition("]:")
    parts = spec.split(":")
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    published, target = (parts if len(parts) == 2 else ("", parts[0]))
    return [port_text(host_ip, p, t, proto or "tcp") for p, t in _expand_range(published, target)]


def _expand_range(published: str, target: str) -> list[tuple[str, str]]:
    """`8000-8001:80-81` -> two bindings, as Docker creates them."""
    if "-" not in target:
        return [(published, target)]
    lo, hi = (int(x) for x in target.split("-", 1))
    targets = [str(p) for p in range(lo, hi + 1)]
    if published and "-" in published:
        plo = int(published.split("-", 1)[0])
        return [(str(plo + i), t) for i, t in enumerate(targets)]
    return [(published, t) for t in targets]


_RAM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$", re.IGNORECASE)


def declared_memory(service: dict) -> int | None:
    """`mem_limit` (or `deploy.resources.limits.memory`) in bytes; None = no limit."""
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    value = service.get("mem_limit") if service.get("mem_limit") not in (None, "") else limits.get("memory")
    return parse_ram(value)


def parse_ram(value: Any) -> int | None:
    """Docker's RAMInBytes: binary multiples, `128m` = 128 MiB; 0 or nothing means unlimited."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(value) or None
    m = _RAM.match(str(value))
    if not m:
        return None
    power = "bkmgtp".index(m.group(2).lower() or "b")
    return int(float(m.group(1)) * 1024**power) or None


COLLECTOR = ContainersCollector()
