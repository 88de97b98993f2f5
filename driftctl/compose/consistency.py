"""compose-go's semantic checks: what the schema cannot say, but Docker Compose still refuses.

Two families, run where compose-go runs them:
- `check_model` (compose-go's validation.Validate) on the merged files, before paths are resolved:
  conflicting `external`, file-object sources, port host IPs, device requests, watch paths;
- `check_project` (loader.checkConsistency + graph.CheckCycle) on the rendered project of the active
  services: undefined services, networks, volumes, secrets and configs; conflicting limits; unique
  container names; healthcheck tests; mount targets; dependency cycles.

Messages are compose-go's own (one line; `: invalid compose project` where it adds errdefs.ErrInvalid),
so a user can search them. Services are visited in name order (Go's map order is random).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from driftctl.compose.errors import ComposeError

INVALID = "invalid compose project"
_FILE_OBJECT = {"configs": ("file", "environment", "content"), "secrets": ("file", "environment")}


def check_model(model: dict[str, Any]) -> None:
    """validation.Validate: checks on the merged (not yet normalised) model."""
    for name, vol in _items(model.get("volumes")):
        if vol is not None and not isinstance(vol, dict):
            raise ComposeError(f"expected volume, got {vol}")
        if isinstance(vol, dict) and vol.get("external") is True:
            for key in vol:
                if key not in ("name", "external") and not key.startswith("x-"):
                    raise ComposeError(f'volumes.{name}: conflicting parameters "external" and "{key}" specified')
    for section, keys in _FILE_OBJECT.items():
        for name, obj in _items(model.get(section)):
            if not isinstance(obj, dict):
                continue
            count = sum(1 for k in keys if k in obj)
            if count > 1:
                raise ComposeError(f"{section}.{name}: {'|'.join(keys)} attributes are mutually exclusive")
            if count == 0 and "driver" not in obj and "external" not in obj:
                raise ComposeError(f"{section}.{name}: one of {'|'.join(keys)} must be set")
    for name, svc in _items(model.get("services")):
        if not isinstance(svc, dict):
            continue
        for port in svc.get("ports") or []:
            ip = port.get("host_ip") if isinstance(port, dict) else None
            if isinstance(ip, str) and not _is_ip(ip):
                raise ComposeError(f"services.{name}.ports.[]: invalid ip address: {ip}")
        for watch in _dict(svc.get("develop")).get("watch") or []:
            if isinstance(watch, dict) and watch.get("path") == "":
                raise ComposeError(f"services.{name}.develop.watch.[]: value can't be blank")
        devices = _dict(_dict(_dict(svc.get("deploy")).get("resources")).get("reservations")).get("devices") or []
        for where, requests in ((f"services.{name}.deploy.resources.reservations.devices", devices),
                                (f"services.{name}.gpus", svc.get("gpus") or [])):
            for request in requests if isinstance(requests, list) else []:
                if isinstance(request, dict) and "count" in request and "device_ids" in request:
                    raise ComposeError(f'{where}.[]: "count" and "device_ids" attributes are exclusive')


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _items(section: Any) -> list[tuple[str, Any]]:
    return sorted(section.items()) if isinstance(section, dict) else []


# --- checkConsistency ------------------------------------------------------------------------------
def check_project(project: dict[str, Any], declared: dict[str, Any], disabled: set[str]) -> None:
    """checkConsistency on the rendered project; `declared` holds the merged top-level sections
    (networks, volumes, secrets, configs as written), `disabled` the services a profile turned off."""
    services: dict[str, Any] = project.get("services") or {}
    for name, s in sorted(services.items()):
        _service(name, s, services, declared, disabled)
    for name, secret in _items(declared.get("secrets")):
        secret = secret or {}
        if not secret.get("external") and not secret.get("file") and not secret.get("environment"):
            raise ComposeError(f'secret "{name}" must declare either `file` or `environment`: {INVALID}')
    _check_cycles(services)


def _service(name: str, s: dict[str, Any], services: dict[str, Any], declared: dict[str, Any],
             disabled: set[str]) -> None:
    build = s.get("build") if isinstance(s.get("build"), dict) else None
    if build is None and not s.get("image") and not s.get("provider"):
        raise ComposeError(f'service "{name}" has neither an image nor a build context specified: {INVALID}')
    if build is not None:
        _build(name, s, build, services)
    if s.get("network_mode") and "networks" in s and s.get("networks") != {"default": None}:
        raise ComposeError(f"service {name} declares mutually exclusive `network_mode` and `networks`: {INVALID}")
    networks = declared.get("networks") or {}
    for net in sorted(s.get("networks") or {}):
        if net != "default" and net not in networks:
            raise ComposeError(f'service "{name}" refers to undefined network {net}: {INVALID}')
    test = (s.get("healthcheck") or {}).get("test") if isinstance(s.get("healthcheck"), dict) else None
    if isinstance(test, list) and test and test[0] not in ("CMD", "CMD-SHELL", "NONE"):
        raise ComposeError('healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"')
    for dep, cfg in sorted((s.get("depends_on") or {}).items()):
        if dep not in services:
            if dep in disabled and isinstance(cfg, dict) and cfg.get("required") is False:
                continue
            raise ComposeError(f'service "{name}" depends on undefined service "{dep}": {INVALID}')
    mode = s.get("network_mode")
    if isinstance(mode, str) and mode.startswith("service:") and mode[8:] not in services:
        raise ComposeError(f"service \"{mode[8:]}\" not found for network_mode 'service:{mode[8:]}'")
    _references(name, s, declared)
    _limits(name, s)
    _mounts(name, s)


def _build(name: str, s: dict[str, Any], build: dict[str, Any], services: dict[str, Any]) -> None:
    if build.get("dockerfile_inline") and build.get("dockerfile"):
        raise ComposeError(f'service "{name}" declares mutualy exclusive dockerfile and dockerfile_inline: {INVALID}')
    for key, ctx in sorted((build.get("additional_contexts") or {}).items()):
        if isinstance(ctx, str) and ctx.startswith("service:"):
            target = services.get(ctx[8:])
            if target is None:
                raise ComposeError(f'service "{name}" declares unknown service "{ctx[8:]}" as additional contexts {key}')
            if not isinstance(target.get("build"), dict):
                raise ComposeError(
                    f'service "{name}" declares non-buildable service "{ctx[8:]}" as additional contexts {key}')
    platforms = build.get("platforms") or []
    if platforms and s.get("platform") and s["platform"] not in platforms:
        raise ComposeError(f'service.build.platforms MUST include service.platform "{s["platform"]}": {INVALID}')


def _references(name: str, s: dict[str, Any], declared: dict[str, Any]) -> None:
    for vol in s.get("volumes") or []:
        if isinstance(vol, dict) and vol.get("type") == "volume" and vol.get("source"):
            if vol["source"] not in (declared.get("volumes") or {}):
                raise ComposeError(f'service "{name}" refers to undefined volume {vol["source"]}: {INVALID}')
    for secret in _dict(s.get("build")).get("secrets") or []:
        source = secret.get("source") if isinstance(secret, dict) else secret
        if source not in (declared.get("secrets") or {}):
            raise ComposeError(f'service "{name}" refers to undefined build secret {source}: {INVALID}')
    for section, word in (("configs", "config"), ("secrets", "secret")):
        for mount in s.get(section) or []:
            source = mount.get("source") if isinstance(mount, dict) else mount
            if source not in (declared.get(section) or {}):
                raise ComposeError(f'service "{name}" refers to undefined {word} {source}: {INVALID}')
    for model in s.get("models") or {}:
        if model not in (declared.get("models") or {}):
            raise ComposeError(f'service "{name}" refers to undefined model {model}: {INVALID}')


def _limits(name: str, s: dict[str, Any]) -> None:
    deploy = s.get("deploy") if isinstance(s.get("deploy"), dict) else None
    scale = s.get("scale")
    replicas = deploy.get("replicas") if deploy is not None else None
    if scale is not None and deploy is not None and replicas is not None and scale != replicas:
        raise ComposeError(f"services.{name}: can't set distinct values on 'scale' and 'deploy.replicas': {INVALID}")
    if isinstance(scale, int) and scale < 0:
        raise ComposeError(f"services.{name}.scale: must be greater than or equal to 0")
    if isinstance(replicas, int) and replicas < 0:
        raise ComposeError(f"services.{name}.deploy.replicas: must be greater than or equal to 0")
    resources = (deploy.get("resources") or {}) if deploy is not None else {}
    limits, reservations = resources.get("limits"), resources.get("reservations")
    for key, part, sub, label in (
        ("cpus", limits, "cpus", "deploy.resources.limits.cpus"),
        ("mem_limit", limits, "memory", "deploy.resources.limits.memory"),
        ("mem_reservation", reservations, "memory", "deploy.resources.reservations.memory"),
        ("pids_limit", limits, "pids", "deploy.resources.limits.pids"),
    ):
        mine = s.get(key)
        if mine in (None, 0, "0") or deploy is None or not isinstance(part, dict):
            continue
        if _as_number(part.get(sub)) != _as_number(mine):
            raise ComposeError(f"services.{name}: can't set distinct values on '{key}' and '{label}': {INVALID}")
    effective = scale if scale is not None else (replicas if replicas is not None else 1)
    if isinstance(effective, int) and effective > 1 and s.get("container_name"):
        attr = "scale" if scale is not None else "deploy.replicas"
        raise ComposeError(
            f"services.{attr}: can't set container_name and {name} as container name must be unique: {INVALID}")
    for watch in _dict(s.get("develop")).get("watch") or []:
        if isinstance(watch, dict) and not watch.get("target") and watch.get("action") not in ("rebuild", "restart"):
            raise ComposeError(f"services.{name}.develop.watch: target is required for non-rebuild actions: {INVALID}")


def _as_number(value: Any) -> float:
    try:
        return float(value) if value is not None else 0.0
    except (TypeError, ValueError):
        return float("nan")


def _mounts(name: str, s: dict[str, Any]) -> None:
    mounts: dict[str, str] = {}
    for i, tmpfs in enumerate(s.get("tmpfs") or []):
        loc = f"services.{name}.tmpfs[{i}]"
        path = str(tmpfs).split(":", 1)[0]
        if path in mounts:
            raise ComposeError(f"{loc}: target {path} already mounted as {mounts[path]}")
        mounts[path] = loc
    for i, vol in enumerate(s.get("volumes") or []):
        loc = f"services.{name}.volumes[{i}]"
        target = str(vol.get("target", "")) if isinstance(vol, dict) else ""
        if target in mounts:
            raise ComposeError(f"{loc}: target {target} already mounted as {mounts[target]}")
        mounts[target] = loc


def _check_cycles(services: dict[str, Any]) -> None:
    """graph.CheckCycle. A linear colouring pass first: only a project that has a cycle pays for the
    search compose-go does to name it (from each service in name order, children in name order)."""
    if not _has_cycle(services):
        return

    def search(path: list[str]) -> None:
        for child in sorted((services.get(path[-1]) or {}).get("depends_on") or {}):
            if child not in services:
                continue
            if child in path:
                cycle = path[path.index(child):]
                raise ComposeError(f"dependency cycle detected: {' -> '.join(cycle)} -> {child}")
            search([*path, child])

    for name in sorted(services):
        search([name])


def _has_cycle(services: dict[str, Any]) -> bool:
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in services:
        if root in state:
            continue
        stack = [(root, iter(services[root].get("depends_on") or {}))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in services:
                    continue
                if state.get(child) == 1:
                    return True
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(services[child].get("depends_on") or {})))
                    break
            else:
                state[node] = 2
                stack.pop()
    return False


def check_container_names(services: dict[str, Any]) -> None:
    """Docker Compose's CheckContainerNameUnicity (run by `config`, after the consistency checks)."""
    seen: dict[str, str] = {}
    for name, s in sorted(services.items()):
        container = s.get("container_name")
        if container:
            if container in seen:
                raise ComposeError(f'services.{name}: container name "{container}" is already in use by service '
                                   f'{seen[container]}"')
            seen[container] = name
