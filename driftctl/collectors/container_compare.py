"""Compose services versus the containers that run them: the comparison behind the containers rows.

Pure: it takes the compose collector's data (or `docker compose config` output) and the containers
collector's data, so the collector uses it at collection time and the differ can use it on stored
snapshots. Only image, command, environment, ports and memory limit are compared (`COMPARED_KEYS`):
they are what a hand-applied override changes.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

from driftctl.image_refs import normalize_image

COMPARED_KEYS = ("image", "command", "environment", "ports", "memory_limit", "restart_policy")
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
    `containers_data` is this collector's data. A container belongs to a service (`match_containers`)
    by its compose labels, else by its name, else by the project folder its labels name. Returns
    `{"services": {...}, "undeclared": [...], "other_projects": [...]}`: `differs` compares the running
    compose containers on `COMPARED_KEYS`; `outside_compose` lists running containers that carry a
    service's name but no compose labels (started by hand), each compared the same way;
    `undeclared` lists running containers that belong to no declared service of this project (no
    compose labels, or this project's labels with a service it does not declare); containers of
    other compose projects on the same engine are other deployments' and left out, unless their
    project folder is this checkout;
    `other_projects` the project names of containers found through the project folder only (the
    deployment was started with another `-p`).
    """
    compose_data = compose_data or {}
    project = compose_data.get("project") or compose_data.get("name")
    declared = compose_data.get("services") or {}
    containers = containers_data.get("containers") or []
    images = containers_data.get("images") or {}
    matched = match_containers(project, declared, project_folder(compose_data), containers)
    services: dict[str, Any] = {}
    claimed: set[str] = set()
    other_projects: set[str] = set()
    for svc_name in sorted(declared):
        service = declared[svc_name] or {}
        mine = [c for c, (svc, how) in matched if svc == svc_name and how != "name"]
        shadows = [c for c, (svc, how) in matched if svc == svc_name and how == "name" and c.get("state") == "running"]
        claimed.update(c["name"] for c in [*mine, *shadows])
        other_projects.update(str(c.get("project")) for c, (svc, how) in matched if svc == svc_name and how == "folder")
        running = [c for c in mine if c.get("state") == "running"]
        entry: dict[str, Any] = {"running": bool(running), "containers": sorted(c["name"] for c in mine), "differs": {}}
        if service.get("build"):
            entry["build"] = True
        for c in running:
            # a build under another `-p` is tagged `<that project>-<service>`
            diff, unchecked = differences(svc_name, service, c, images.get(c.get("image_id") or ""), c.get("project") or project)
            for key, value in diff.items():
                entry["differs"].setdefault(key, value)
            if unchecked:
                entry["env_unchecked"] = sorted(set(entry.get("env_unchecked", [])) | set(unchecked))
        if shadows:
            entry["outside_compose"] = [_shadow(svc_name, service, c, images, project) for c in sorted(shadows, key=lambda c: c["name"])]
        services[svc_name] = entry
    undeclared = sorted(c["name"] for c in containers if c["name"] not in claimed and c.get("state") == "running"
                        and not (project and c.get("project") and c.get("project") != project))
    return {"services": services, "undeclared": undeclared, "other_projects": sorted(other_projects)}


def _shadow(svc_name: str, service: dict, container: dict, images: dict, project: str | None) -> dict:
    diff, unchecked = differences(svc_name, service, container, images.get(container.get("image_id") or ""), project)
    out: dict[str, Any] = {"container": container["name"], "differs": diff}
    if unchecked:
        out["env_unchecked"] = unchecked
    return out


def project_folder(compose_data: dict) -> tuple[str | None, frozenset[str]]:
    """The checkout folder and the absolute paths of its compose files (what the folder labels name)."""
    root = compose_data.get("project_dir")
    if not root:
        return None, frozenset()
    root = posixpath.normpath(str(root))
    files = frozenset(posixpath.normpath(posixpath.join(root, str(f.get("path"))))
                      for f in compose_data.get("files") or [] if isinstance(f, dict) and f.get("path"))
    return root, files


def container_names(project: str | None, svc_name: str, service: dict) -> tuple[str | None, re.Pattern[str] | None]:
    """The names Compose gives a service's containers: `container_name:`, else `<project>-<service>-<n>`
    (Compose v2) or `<project>_<service>_<n>` (Compose v1)."""
    explicit = service.get("container_name")
    if explicit:
        return str(explicit), None
    if not project:
        return None, None
    p, s = re.escape(project), re.escape(svc_name)
    return None, re.compile(rf"(?:{p}-{s}-|{p}_{s}_)[1-9][0-9]*")


def match_containers(project: str | None, declared: dict, folder: tuple[str | None, frozenset[str]],
                     containers: list[dict]) -> list[tuple[dict, tuple[str, str]]]:
    """Each container that belongs to a declared service -> (service, how): `labels` (this project's
    compose labels), `name` (no compose labels, a Compose name of the service: started by hand) or
    `folder` (compose labels of another project whose working dir or config files are this checkout's)."""
    names = {svc: container_names(project, svc, declared[svc] or {}) for svc in declared}
    root, files = folder
    out: list[tuple[dict, tuple[str, str]]] = []
    for c in containers:
        svc, how = c.get("service"), ""
        if c.get("project") and c.get("project") == project and svc in declared:
            how = "labels"
        elif not c.get("project"):
            svc = next((s for s, (exact, pattern) in sorted(names.items())
                        if (exact and c.get("name") == exact) or (pattern and pattern.fullmatch(str(c.get("name"))))), None)
            how = "name" if svc else ""
        elif svc in declared and root and _same_folder(c, root, files):
            how = "folder"
        if how:
            out.append((c, (str(svc), how)))
    return out


def _same_folder(container: dict, root: str, files: frozenset[str]) -> bool:
    working_dir = container.get("working_dir")
    if working_dir and posixpath.normpath(str(working_dir)) == root:
        return True
    return bool(files) and any(posixpath.normpath(f) in files for f in container.get("config_files") or [])


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
    want_restart = declared_restart(service)
    if container.get("restart_policy") is not None and want_restart != container.get("restart_policy"):
        out["restart_policy"] = {"declared": want_restart, "running": container.get("restart_policy")}
    return out, unchecked


_RESTART_NAMES = {"none": "no", "no": "no", "": "no", "any": "always", "always": "always"}


def declared_restart(service: dict) -> str:
    """The engine restart policy Compose creates (its getRestartPolicy): `deploy.restart_policy`
    wins over `restart:`; `any` is `always`, `none` is `no`; `on-failure:N` keeps its retry count."""
    name, retries = "no", 0
    if service.get("restart"):
        head, _, count = str(service["restart"]).partition(":")
        name, retries = head, int(count) if count.isdigit() else 0
    policy = (service.get("deploy") or {}).get("restart_policy")
    if isinstance(policy, dict):
        name = str(policy.get("condition") or "")
        retries = int(policy.get("max_attempts") or 0)
    name = _RESTART_NAMES.get(name, name)
    return f"{name}:{retries}" if name == "on-failure" and retries else name


def declared_image(svc_name: str, service: dict, project: str | None) -> str | None:
    """The image reference compose uses: `image:`, else the `<project>-<service>` name it builds."""
    if service.get("image"):
        return str(service["image"])
    if service.get("build") and project:
        return f"{project}-{svc_name}"
    return None


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
