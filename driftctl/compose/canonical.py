"""Short syntax -> long syntax, per file and before merging (compose-go's `transform.Canonical`).

Why before merging: the merge rules key list entries by what they mean (a port by
`host_ip:published:target/protocol`, a volume by its target, a secret by its mount path), so
`"8080:80"` in one file and `{target: 80, published: 8080}` in another must already look alike.
"""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any

from driftctl.compose.errors import ComposeError

_PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")
_PROTOCOLS = ("tcp", "udp", "sctp")


def canonical(doc: dict[str, Any], file: str) -> dict[str, Any]:
    """Rewrite the short forms of one file's (already interpolated) model in place."""
    services = doc.get("services")
    if isinstance(services, dict):
        for name, svc in services.items():
            if isinstance(svc, dict):
                _service(svc, f"services.{name}", file)
    for section in ("volumes", "networks", "secrets", "configs"):
        entries = doc.get(section)
        if isinstance(entries, dict):
            for value in entries.values():
                _maybe_external(value)
    return doc


def _service(svc: dict[str, Any], where: str, file: str) -> None:
    build = svc.get("build")
    if isinstance(build, str):
        svc["build"] = {"context": build}
    elif isinstance(build, dict) and isinstance(build.get("additional_contexts"), list):
        build["additional_contexts"] = _key_values(build["additional_contexts"])
    deps = svc.get("depends_on")
    if isinstance(deps, list):
        svc["depends_on"] = {str(d): {"condition": "service_started", "required": True} for d in deps}
    elif isinstance(deps, dict):
        for dep, spec in deps.items():
            if not isinstance(spec, dict):
                raise ComposeError(f"{file}: {where}.depends_on.{dep}: unsupported value {spec!r}")
            spec.setdefault("condition", "service_started")
            spec.setdefault("required", True)
    if "env_file" in svc:
        svc["env_file"] = _env_files(svc["env_file"])
    for key in ("label_file", "dns"):
        if isinstance(svc.get(key), str):
            svc[key] = [svc[key]]
    nets = svc.get("networks")
    if isinstance(nets, list):
        svc["networks"] = {str(n): None for n in nets}
    if isinstance(svc.get("volumes"), list):
        svc["volumes"] = [parse_volume(v, file, f"{where}.volumes") if isinstance(v, str) else v for v in svc["volumes"]]
    if isinstance(svc.get("devices"), list):
        svc["devices"] = [_device(d) if isinstance(d, str) else d for d in svc["devices"]]
    for key in ("secrets", "configs"):
        if isinstance(svc.get(key), list):
            svc[key] = [{"source": s} if isinstance(s, str) else s for s in svc[key]]
    if "ports" in svc:
        svc["ports"] = _ports(svc["ports"], file, f"{where}.ports")


def _maybe_external(value: Any) -> None:
    """Legacy `external: {name: x}` becomes `external: true` + `name: x`."""
    if isinstance(value, dict) and isinstance(value.get("external"), dict):
        ext = value["external"]
        value["external"] = True
        if "name" in ext:
            value.setdefault("name", ext["name"])


def _key_values(items: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = str(item).partition("=")
        out[key] = value if sep else None
    return out


def _env_files(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            out.append({"path": item, "required": True})
        elif isinstance(item, dict):
            item.setdefault("required", True)
            out.append(item)
        else:
            out.append(item)
    return out


def _device(spec: str) -> dict[str, Any]:
    parts = spec.split(":")
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    perms = parts[2] if len(parts) > 2 else "rwm"
    return {"source": source, "target": target, "permissions": perms}


# --- volumes --------------------------------------------------------------------------------------
def _is_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_drive(source[0], source[1])


def _volume_fields(spec: str, file: str, where: str) -> list[str]:
    """Split on `:`, except after a drive letter and inside `${...}` (compose-go's ParseVolume)."""
    fields: list[str] = []
    buffer = ""
    depth = 0
    for i, char in enumerate(spec):
        if char == "$" and spec[i + 1 : i + 2] == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif _is_drive(buffer, char) or char != ":" or depth:
            pass
        else:
            if not buffer:
                raise ComposeError(f"{file}: {where}: invalid spec: {spec}: empty section between colons")
            if len(fields) == 2:
                raise ComposeError(f"{file}: {where}: invalid spec: {spec}: too many colons")
            fields.append(buffer)
            buffer = ""
            continue
        buffer += char
    if not buffer:
        raise ComposeError(f"{file}: {where}: invalid spec: {spec}: empty section between colons")
    fields.append(buffer)
    return fields


def parse_volume(spec: str, file: str = "", where: str = "") -> dict[str, Any]:
    """`[source:]target[:options]` as compose-go's format.ParseVolume reads it.

    SELinux (`z`/`Z`) and propagation options land in `bind:` whatever the type, so a named
    volume with `:z` gets `bind: {selinux: z}` next to its `volume: {}`, as Compose prints it.
    """
    if not spec:
        raise ComposeError(f"{file}: {where}: invalid empty volume spec")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec, "volume": {}}
    fields = _volume_fields(spec, file, where)
    vol: dict[str, Any] = {}
    options = ""
    if len(fields) == 1:
        vol["target"] = fields[0]
    else:
        vol["source"] = fields[0]
        vol["target"] = fields[1]
        if len(fields) == 3:
            options = fields[2]
    bind: dict[str, Any] | None = None
    volume: dict[str, Any] | None = None
    for option in options.split(",") if options else ():
        if option == "ro":
            vol["read_only"] = True
        elif option == "rw":
            vol.pop("read_only", None)
        elif option == "nocopy":
            volume = {"nocopy": True}
        elif option in _PROPAGATIONS or option in ("z", "Z"):
            bind = bind if bind is not None else {}
            bind["selinux" if option in ("z", "Z") else "propagation"] = option
    if vol.get("target"):
        vol["target"] = posixpath.normpath(vol["target"]) if not _is_drive(vol["target"][:1], vol["target"][1:2]) else vol["target"]
        if vol["target"].startswith("//"):
            vol["target"] = "/" + vol["target"].lstrip("/")
    if _is_file_path(vol.get("source", "")):
        bind = bind if bind is not None else {}
        bind["create_host_path"] = True
        out = {"type": "bind", **vol, "bind": _bind_order(bind)}
        if volume is not None:
            out["volume"] = volume
        return out
    out = {"type": "volume", **vol}
    if bind is not None:
        out["bind"] = _bind_order(bind)
    out["volume"] = volume if volume is not None else {}
    return out


def _bind_order(bind: dict[str, Any]) -> dict[str, Any]:
    return {k: bind[k] for k in ("selinux", "propagation", "create_host_path") if k in bind}


# --- ports ----------------------------------------------------------------------------------------
def _ports(value: Any, file: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ComposeError(f"{file}: {where}: invalid type {type(value).__name__} for port")
    out: list[Any] = []
    for entry in value:
        if isinstance(entry, bool):
            raise ComposeError(f"{file}: {where}: invalid type bool for port")
        if isinstance(entry, int):
            out.append({"target": entry})
        elif isinstance(entry, str):
            out.extend(parse_port(entry, file, where))
        elif isinstance(entry, dict):
            out.append(entry)
        else:
            raise ComposeError(f"{file}: {where}: invalid type {type(entry).__name__} for port")
    return out


def _port_range(text: str, spec: str, file: str, where: str) -> tuple[int, int]:
    start, sep, end = text.partition("-")
    try:
        lo = int(start)
        hi = int(end) if sep else lo
    except ValueError:
        raise ComposeError(f"{file}: {where}: invalid port {spec!r}") from None
    if hi < lo:
        raise ComposeError(f"{file}: {where}: invalid port range {text!r}")
    return lo, hi


def parse_port(spec: str, file: str = "", where: str = "") -> list[dict[str, Any]]:
    """`[ip:][host[-range]:]container[-range][/proto]` as docker's nat.ParsePortSpec reads it."""
    parts = spec.split(":")
    container = parts[-1]
    ip, host = "", ""
    if len(parts) == 2:
        host = parts[0]
    elif len(parts) >= 3:
        ip, host = ":".join(parts[:-2]), parts[-2]
    container, _, proto = container.partition("/")
    proto = (proto or "tcp").lower()
    if ip.startswith("[") and ip.endswith("]"):
        ip = ip[1:-1]
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ComposeError(f"{file}: {where}: invalid IP address: {ip}") from None
    if not container:
        raise ComposeError(f"{file}: {where}: no port specified: {spec}<empty>")
    lo, hi = _port_range(container, spec, file, where)
    hlo = hhi = 0
    if host:
        hlo, hhi = _port_range(host, spec, file, where)
        if hi - lo != hhi - hlo and hi != lo:
            raise ComposeError(
                f"{file}: {where}: invalid ranges specified for container and host Ports: {container} and {host}"
            )
    if proto not in _PROTOCOLS:
        raise ComposeError(f"{file}: {where}: invalid proto: {proto}")
    mappings: list[tuple[str, dict[str, Any]]] = []
    for i in range(hi - lo + 1):
        published = str(hlo + i) if host else ""
        if lo == hi and hlo != hhi:
            published = f"{hlo}-{hhi}"
        port: dict[str, Any] = {"mode": "ingress"}
        if ip:
            port["host_ip"] = ip
        port["target"] = lo + i
        if published:
            port["published"] = published
        port["protocol"] = proto
        mappings.append((f"{lo + i}/{proto}", port))
    mappings.sort(key=lambda kv: kv[0])  # docker sorts the port keys as strings
    return [p for _, p in mappings]
