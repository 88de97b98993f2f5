"""Compose services versus the containers that run them: the comparison behind the containers rows.

Pure: it takes the compose collector's data (or `docker compose config` output) and the containers
collector's data, so the collector uses it at collection time and the differ can use it on stored
snapshots. Only image, command, environment, ports and memory limit are compared (`COMPARED_KEYS`):
they are what a hand-applied override changes.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

COMPARED_KEYS = ("image", "command", "environment", "ports", "memory_limit")
LABEL_PROJECT = "com.docker.compose.project"
LABEL_SERVICE = "com.docker.compose.service"
_UNKNOWN: Any = object()  # "cannot tell" (e.g. the image's default command is not known)


def port_text(host_ip: str, published: str, target: str, protocol: str) -> str:
    """One canonical spelling for compose and engine ports: `[ip:]published->target/proto`."""
    ip = "" if host_ip in ("0.0.0.0", "::", "") else host_ip
    ip = f"[{ip}]" if ":" in ip else ip
    left = f"{ip}:{published}" if ip and published else (f"{ip}::" if ip else published)
    return f"{left}->{target}/{protocol}" if left else f"{target}/{protocol}"





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
