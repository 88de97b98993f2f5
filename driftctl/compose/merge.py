"""Merging several `-f` files (compose-go's `override.Merge` + `EnforceUnicity`).

The rules in one place: mappings merge deeply and scalars take the last value; `command`,
`entrypoint` and `healthcheck.test` are replaced; key=value collections (`environment`, `labels`,
build `args`, ...) are appended as `K=V` sequences and then made unique by key, the last one winning
at the first one's position; `ports`, `volumes`, `secrets`, `configs`, `devices` ... are unique by
what they bind; `depends_on` and service `networks` lists become mappings; `logging` options only
merge when the driver is the same. `!reset` removes the inherited value, `!override` replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Path = tuple[str, ...]
Merger = Callable[[Any, Any, Path], Any]


def _general(path: Path) -> str:
    """The wildcard form of a path, as the rule tables below spell it (`services.*.ulimits.*`)."""
    parts = list(path)
    if len(parts) > 1 and parts[0] in ("services", "networks", "volumes"):
        parts[1] = "*"
    if len(parts) > 3 and parts[0] == "services" and parts[2] in ("ulimits", "networks", "volumes"):
        parts[3] = "*"
    return ".".join(parts)


# --- merge ---------------------------------------------------------------------------------------
def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge `override` into `base` (mutated and returned)."""
    return _merge_mappings(base, override, ())


def _merge(e: Any, o: Any, path: Path) -> Any:
    special = _SPECIALS.get(_general(path))
    if special is not None:
        return special(e, o, path)
    if o is None:
        return e
    if isinstance(e, dict):
        if not isinstance(o, dict):
            raise ValueError(f"cannot override {'.'.join(path)}")
        return _merge_mappings(e, o, path)
    if isinstance(e, list):
        if not isinstance(o, list):
            raise ValueError(f"cannot override {'.'.join(path)}")
        return e + o
    return o


def _merge_mappings(mapping: dict[str, Any], other: dict[str, Any], path: Path) -> dict[str, Any]:
    for k, v in other.items():
        if k not in mapping:
            mapping[k] = v
        else:
            mapping[k] = _merge(mapping[k], v, (*path, k))
    return mapping


def _override(_: Any, o: Any, __: Path) -> Any:
    return o


def _to_sequence(value: Any) -> list[Any]:
    if isinstance(value, dict):
        seq: list[str] = []
        for k, v in value.items():
            if v is None:
                seq.append(k)
            elif isinstance(v, list):
                seq.extend(f"{k}={go_string(x)}" for x in v)
            else:
                seq.append(f"{k}={go_string(v)}")
        return sorted(seq)
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


def go_string(value: Any) -> str:
    """A scalar as Go's `%v` prints it (what compose-go writes into `K=V` entries)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if value is None:
        return "<nil>"
    return str(value)


def _merge_to_sequence(e: Any, o: Any, _: Path) -> list[Any]:
    return _to_sequence(e) + _to_sequence(o)


def _merge_extra_hosts(e: Any, o: Any, _: Path) -> list[Any]:
    right = _to_sequence(e)
    return right + [v for v in _to_sequence(o) if v not in right]


def _to_mapping(value: Any, default: dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(k): (dict(default) if default is not None else None) for k in value}
    return {}


_DEP_DEFAULT = {"condition": "service_started", "required": True}


def _merge_depends_on(e: Any, o: Any, path: Path) -> Any:
    return _merge_mappings(_to_mapping(e, _DEP_DEFAULT), _to_mapping(o, _DEP_DEFAULT), path)


def _merge_networks(e: Any, o: Any, path: Path) -> Any:
    return _merge_mappings(_to_mapping(e, None), _to_mapping(o, None), path)


def _merge_build(e: Any, o: Any, path: Path) -> Any:
    def as_build(v: Any) -> dict[str, Any]:
        return {"context": v} if isinstance(v, str) else (v if isinstance(v, dict) else {})

    return _merge_mappings(as_build(e), as_build(o), path)


def _merge_logging(e: Any, o: Any, path: Path) -> Any:
    if not isinstance(e, dict) or not isinstance(o, dict):
        return o if o is not None else e
    if "driver" not in o or "driver" not in e or o["driver"] == e["driver"]:
        return _merge_mappings(e, o, path)
    return o


def _merge_ulimit(e: Any, o: Any, path: Path) -> Any:
    return o  # compose-go merges the override with itself: the override wins as a whole


def _merge_ipam_config(e: Any, o: Any, path: Path) -> Any:
    if not isinstance(e, list) or not isinstance(o, list):
        return o
    configs: list[dict[str, Any]] = []
    for original in e:
        right = _to_mapping(original, None)
        for over in o:
            left = _to_mapping(over, None)
            if left.get("subnet") != right.get("subnet"):
                if not any(c.get("subnet") == left.get("subnet") for c in configs):
                    configs.append(left)
                    continue
            merged = _merge_mappings(right, left, path)
            for i, c in enumerate(configs):
                if c.get("subnet") == merged.get("subnet"):
                    configs[i] = merged
                    break
            else:
                configs.append(merged)
    return configs


_SPECIALS: dict[str, Merger] = {
    "networks.*.ipam.config": _merge_ipam_config,
    "networks.*.labels": _merge_to_sequence,
    "volumes.*.labels": _merge_to_sequence,
    "services.*.annotations": _merge_to_sequence,
    "services.*.build": _merge_build,
    "services.*.build.args": _merge_to_sequence,
    "services.*.build.additional_contexts": _merge_to_sequence,
    "services.*.build.extra_hosts": _merge_extra_hosts,
    "services.*.build.labels": _merge_to_sequence,
    "services.*.command": _override,
    "services.*.depends_on": _merge_depends_on,
    "services.*.deploy.labels": _merge_to_sequence,
    "services.*.dns": _merge_to_sequence,
    "services.*.dns_opt": _merge_to_sequence,
    "services.*.dns_search": _merge_to_sequence,
    "services.*.entrypoint": _override,
    "services.*.env_file": _merge_to_sequence,
    "services.*.label_file": _merge_to_sequence,
    "services.*.environment": _merge_to_sequence,
    "services.*.extra_hosts": _merge_extra_hosts,
    "services.*.healthcheck.test": _override,
    "services.*.labels": _merge_to_sequence,
    "services.*.volumes.*.volume.labels": _merge_to_sequence,
    "services.*.logging": _merge_logging,
    "services.*.networks": _merge_networks,
    "services.*.sysctls": _merge_to_sequence,
    "services.*.tmpfs": _merge_to_sequence,
    "services.*.ulimits.*": _merge_ulimit,
}


# --- !reset / !override ---------------------------------------------------------------------------
def apply_resets(target: dict[str, Any], paths: list[Path]) -> None:
    """Delete the values an override file tagged `!reset` or `!override` from the merged base.

    Like compose-go, entries inside sequences are not removed (only mapping keys).
    """
    for path in paths:
        node: Any = target
        for part in path[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict):
            node.pop(path[-1], None)


# --- unicity -------------------------------------------------------------------------------------
def _kv_key(entry: Any) -> str:
    if not isinstance(entry, str):
        return go_string(entry)
    return entry.split("=", 1)[0]


def _volume_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("target", ""))
    return str(entry)


def _device_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return str(entry.get("target", ""))
    parts = str(entry).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _mount_key(default: str) -> Callable[[Any], str]:
    def key(entry: Any) -> str:
        if isinstance(entry, dict):
            if "target" in entry:
                return str(entry["target"])
            return f"{default}/{entry.get('source')}"
        return f"{default}/{entry}"

    return key


def _port_key(entry: Any) -> str:
    if isinstance(entry, dict):
        return (
            f"{entry.get('host_ip', '0.0.0.0')}:{entry.get('published', '')}:"
            f"{entry.get('target')}/{entry.get('protocol', 'tcp')}"
        )
    return str(entry)


def _env_file_key(entry: Any) -> str:
    return str(entry.get("path")) if isinstance(entry, dict) else str(entry)


_SERVICE_UNIQUE: dict[str, Callable[[Any], str]] = {
    "annotations": _kv_key,
    "cap_add": _kv_key,
    "cap_drop": _kv_key,
    "configs": _mount_key(""),
    "dns": _kv_key,
    "dns_opt": _kv_key,
    "dns_search": _kv_key,
    "environment": _kv_key,
    "env_file": _env_file_key,
    "expose": lambda e: go_string(e),
    "labels": _kv_key,
    "links": _kv_key,
    "ports": _port_key,
    "profiles": _kv_key,
    "secrets": _mount_key("/run/secrets"),
    "sysctls": _kv_key,
    "tmpfs": _kv_key,
    "volumes": _volume_key,
    "devices": _device_key,
}
_BUILD_UNIQUE = ("args", "additional_contexts", "platform", "tags", "labels")


def _unique(seq: list[Any], key: Callable[[Any], str]) -> list[Any]:
    out: list[Any] = []
    seen: dict[str, int] = {}
    for entry in seq:
        k = key(entry)
        if k in seen:
            out[seen[k]] = entry
        else:
            seen[k] = len(out)
            out.append(entry)
    return out


def enforce_unicity(model: dict[str, Any]) -> dict[str, Any]:
    """Remove redefinitions inside the sequences listed above (the last definition wins)."""
    for svc in (model.get("services") or {}).values():
        if not isinstance(svc, dict):
            continue
        for name, key in _SERVICE_UNIQUE.items():
            if isinstance(svc.get(name), list):
                svc[name] = _unique(svc[name], key)
        build = svc.get("build")
        if isinstance(build, dict):
            for name in _BUILD_UNIQUE:
                if isinstance(build.get(name), list):
                    build[name] = _unique(build[name], _kv_key)
        if isinstance(svc.get("deploy"), dict) and isinstance(svc["deploy"].get("labels"), list):
            svc["deploy"]["labels"] = _unique(svc["deploy"]["labels"], _kv_key)
        nets = svc.get("networks")
        if isinstance(nets, dict):
            for net in nets.values():
                if isinstance(net, dict):
                    for name in ("aliases", "link_local_ips"):
                        if isinstance(net.get(name), list):
                            net[name] = _unique(net[name], _kv_key)
    for net in (model.get("networks") or {}).values():
        if isinstance(net, dict):
            if isinstance(net.get("labels"), list):
                net["labels"] = _unique(net["labels"], _kv_key)
            ipam = net.get("ipam")
            if isinstance(ipam, dict) and isinstance(ipam.get("options"), list):
                ipam["options"] = _unique(ipam["options"], _kv_key)
    return model
