"""The merged model -> the shape `docker compose config --format json` prints.

Pure: everything it needs (project name and directory, the resolved project environment, the home
directory for `~`) is passed in. Keeping one canonical shape is what lets the differ compare two
hosts' models key by key: `8080:80` and `{target: 80, published: "8080"}` are the same port.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from driftctl.compose.consistency import check_container_names, check_project
from driftctl.compose.errors import ComposeError
from driftctl.compose.gorender import render_project
from driftctl.compose.merge import go_string
from driftctl.compose.shellwords import shellwords
from driftctl.compose.units import bytes_string, duration_string

Lookup = Callable[[str], "str | None"]

_BYTES_KEYS = ("mem_limit", "memswap_limit", "mem_reservation", "shm_size")
_LIST_KEYS = ("dns", "dns_search", "dns_opt", "tmpfs", "cap_add", "cap_drop", "profiles", "expose", "security_opt")
_NETWORK_MODES_WITHOUT_NETWORKS = ("host", "none")


def key_values(value: Any, *, none: str | None = None) -> dict[str, str | None]:
    """`[K=V, K]` or `{K: V}` -> `{K: "V"}`; a key without a value maps to `none`."""
    out: dict[str, str | None] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out[str(k)] = none if v is None else go_string(v)
    elif isinstance(value, list):
        for item in value:
            k, sep, v = go_string(item).partition("=")
            out[k] = v if sep else none
    return dict(sorted(out.items()))


def hosts(value: Any) -> list[str]:
    """extra_hosts in any form -> sorted `host=addr` strings (as compose prints them)."""
    entries: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            for addr in v if isinstance(v, list) else [v]:
                entries.append(f"{k}={go_string(addr)}")
    elif isinstance(value, list):
        for item in value:
            text = go_string(item)
            if "=" not in text:
                host, _, addr = text.partition(":")
                text = f"{host}={addr}"
            entries.append(text)
    return sorted(entries)


def shell_split(value: Any, where: str = "command") -> list[str] | None:
    """command / entrypoint: a string is split as go-shellwords does, a list kept."""
    if value is None:
        return None
    if isinstance(value, list):
        return [go_string(v) for v in value]
    try:
        return shellwords(str(value))
    except ValueError as exc:
        raise ComposeError(f"{where}: {exc}") from None


def implicit_dependencies(svc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The dependencies compose-go's Normalize adds: `links`, `service:` namespaces, `volumes_from`."""
    deps: dict[str, dict[str, Any]] = {}
    started = {"condition": "service_started", "restart": True, "required": True}
    for link in svc.get("links") or []:
        parts = str(link).split(":")
        deps.setdefault(parts[0] if len(parts) == 2 else str(link), dict(started))
    for key in ("network_mode", "ipc", "pid", "uts", "cgroup"):
        ref = svc.get(key)
        if isinstance(ref, str) and ref.startswith("service:"):
            deps.setdefault(ref[8:], dict(started))
    for source in svc.get("volumes_from") or []:
        if not str(source).startswith("container:"):
            deps.setdefault(str(source).split(":")[0], {**started, "restart": False})
    return deps


def _number(value: Any) -> Any:
    """cpus and friends: printed as numbers, whole floats without `.0` (as Go's JSON does)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Normalizer:
    """Turns one merged, env-resolved model into the rendered project."""

    def __init__(self, project_name: str, project_dir: str, env: Lookup, home: str):
        self.name = project_name
        self.dir = project_dir
        self.env = env
        self.home = home

    def path(self, value: str) -> str:
        """compose-go's path resolution: `~` and relative paths are joined (and so cleaned), an
        absolute path is kept exactly as written (`/srv/data/` keeps its trailing slash)."""
        if value.startswith("~"):
            return posixpath.normpath(posixpath.join(self.home, value[1:].lstrip("/")))
        if posixpath.isabs(value) or (len(value) > 1 and value[1] == ":"):
            return value
        return posixpath.normpath(posixpath.join(self.dir, value))

    def project(self, model: dict[str, Any]) -> dict[str, Any]:
        all_services = model.get("services") or {}
        services = {
            name: self.service(name, svc)
            for name, svc in sorted(all_services.items())
            if isinstance(svc, dict) and self._active(svc)
        }
        check_project({"services": services}, model, set(all_services) - set(services))
        check_container_names(services)
        out: dict[str, Any] = {"name": self.name}
        networks = self.networks(model.get("networks") or {}, services)
        if networks:
            out["networks"] = networks
        out["services"] = services
        for section, used in (
            ("volumes", self._used_volumes(services)),
            ("secrets", self._used_mounts(services, "secrets")),
            ("configs", self._used_mounts(services, "configs")),
        ):
            declared = model.get(section) or {}
            entries = {k: self.resource(k, v or {}, section) for k, v in sorted(declared.items()) if k in used}
            if entries:
                out[section] = entries
        for k, v in model.items():
            if k.startswith("x-"):
                out[k] = v
        return render_project(out)

    def _active(self, svc: dict[str, Any]) -> bool:
        profiles = svc.get("profiles")
        if not profiles:
            return True
        active = {p.strip() for p in (self.env("COMPOSE_PROFILES") or "").split(",") if p.strip()}
        return "*" in active or bool(active.intersection(map(str, profiles)))

    # --- services ---------------------------------------------------------------------------------
    def service(self, name: str, svc: dict[str, Any]) -> dict[str, Any]:
        s = dict(svc)
        s.pop("env_file", None)
        s["command"] = shell_split(s.get("command"), f"services.{name}.command")
        s["entrypoint"] = shell_split(s.get("entrypoint"), f"services.{name}.entrypoint")
        if "environment" in s:
            env = s["environment"]
            s["environment"] = dict(sorted(env.items())) if isinstance(env, dict) else key_values(env)
            if not s["environment"]:
                del s["environment"]
        for key in ("labels", "annotations"):
            if key in s:
                s[key] = key_values(s[key], none="")
        for key in ("sysctls",):
            if key in s:
                s[key] = key_values(s[key], none="")
        for key in _LIST_KEYS:
            if isinstance(s.get(key), (str, int)):
                s[key] = [s[key]]
            if key == "expose" and isinstance(s.get(key), list):
                s[key] = [go_string(v) for v in s[key]]
        if "extra_hosts" in s:
            s["extra_hosts"] = hosts(s["extra_hosts"])
        for key in _BYTES_KEYS:
            if key in s:
                s[key] = bytes_string(s[key])
        if "cpus" in s:
            s["cpus"] = _number(s["cpus"])
        if "stop_grace_period" in s:
            s["stop_grace_period"] = duration_string(s["stop_grace_period"])
        if isinstance(s.get("build"), dict):
            s["build"] = self.build(s["build"])
        if isinstance(s.get("healthcheck"), dict):
            s["healthcheck"] = self.healthcheck(s["healthcheck"])
        if isinstance(s.get("ports"), list):
            s["ports"] = [self.port(p) for p in s["ports"]]
        if isinstance(s.get("volumes"), list):
            s["volumes"] = [self.volume(v) for v in s["volumes"]]
        if isinstance(s.get("secrets"), list):
            s["secrets"] = [self.mount(m, "/run/secrets") for m in s["secrets"]]
        if isinstance(s.get("configs"), list):
            s["configs"] = [self.mount(m, None) for m in s["configs"]]
        implied = implicit_dependencies(s)
        if implied or isinstance(s.get("depends_on"), dict):
            deps = {**implied, **(s.get("depends_on") or {})}
            s["depends_on"] = {k: self.dependency(v) for k, v in sorted(deps.items())}
        if s.get("pull_policy") == "if_not_present":
            s["pull_policy"] = "missing"
        if isinstance(s.get("deploy"), dict):
            s["deploy"] = self.deploy(s["deploy"])
        if isinstance(s.get("logging"), dict) and isinstance(s["logging"].get("options"), dict):
            s["logging"] = {**s["logging"], "options": key_values(s["logging"]["options"], none="")}
        s["networks"] = self.service_networks(s)
        if s["networks"] is None:
            del s["networks"]
        return dict(sorted(s.items()))

    def service_networks(self, s: dict[str, Any]) -> dict[str, Any] | None:
        nets = s.get("networks")
        mode = s.get("network_mode")
        if nets is None:
            if mode is not None:
                return None
            return {"default": None}
        if isinstance(nets, list):
            nets = {str(n): None for n in nets}
        return {k: (v if isinstance(v, dict) and v else None) for k, v in sorted(nets.items())}

    def build(self, build: dict[str, Any]) -> dict[str, Any]:
        b = dict(build)
        context = str(b.get("context", "."))
        if "://" not in context and not context.startswith(("git@", "github.com/")):
            context = self.path(context)
        b["context"] = context
        if "dockerfile" not in b and "dockerfile_inline" not in b:
            b["dockerfile"] = "Dockerfile"
        if "args" in b:
            args: dict[str, str | None] = {}
            for k, v in key_values(b["args"]).items():
                v = v if v is not None else self.env(k)
                if v is not None:
                    args[k] = v
            b["args"] = args
        if "labels" in b:
            b["labels"] = key_values(b["labels"], none="")
        if "additional_contexts" in b:
            b["additional_contexts"] = key_values(b["additional_contexts"], none="")
        if "extra_hosts" in b:
            b["extra_hosts"] = hosts(b["extra_hosts"])
        if "shm_size" in b:
            b["shm_size"] = bytes_string(b["shm_size"])
        return b

    def healthcheck(self, hc: dict[str, Any]) -> dict[str, Any]:
        h = dict(hc)
        test = h.get("test")
        if isinstance(test, str):
            h["test"] = ["CMD-SHELL", test]
        for key in ("interval", "timeout", "start_period", "start_interval"):
            if key in h:
                h[key] = duration_string(h[key])
        return h

    def port(self, port: Any) -> Any:
        if not isinstance(port, dict):
            return port
        out: dict[str, Any] = {"mode": port.get("mode", "ingress")}
        if port.get("host_ip"):
            out["host_ip"] = port["host_ip"]
        target = port.get("target")
        out["target"] = int(target) if isinstance(target, str) and target.isdigit() else target
        if port.get("published") not in (None, ""):
            out["published"] = go_string(port["published"])
        out["protocol"] = port.get("protocol", "tcp")
        for k, v in port.items():
            out.setdefault(k, v)
        return out

    def volume(self, vol: Any) -> Any:
        if not isinstance(vol, dict):
            return vol
        v = dict(vol)
        if v.get("type") == "bind" and isinstance(v.get("source"), str):
            v["source"] = self.path(v["source"])
        if isinstance(v.get("target"), str) and v["target"].startswith("/"):
            v["target"] = posixpath.normpath(v["target"])
        return v

    def mount(self, mount: Any, default_dir: str | None) -> Any:
        if not isinstance(mount, dict):
            mount = {"source": mount}
        m = dict(mount)
        if default_dir and "target" not in m:
            m["target"] = f"{default_dir}/{m.get('source')}"
        return m

    def dependency(self, dep: Any) -> Any:
        if not isinstance(dep, dict):
            return {"condition": "service_started", "required": True}
        d = {"condition": dep.get("condition", "service_started")}
        if dep.get("restart"):
            d["restart"] = True
        d["required"] = dep.get("required", True)
        return {**d, **{k: v for k, v in dep.items() if k not in d and k != "restart"}}

    def deploy(self, deploy: dict[str, Any]) -> dict[str, Any]:
        d = dict(deploy)
        if "labels" in d:
            d["labels"] = key_values(d["labels"], none="")
        res = d.get("resources")
        if isinstance(res, dict):
            res = dict(res)
            for part in ("limits", "reservations"):
                if isinstance(res.get(part), dict):
                    limits = dict(res[part])
                    if "memory" in limits:
                        limits["memory"] = bytes_string(limits["memory"])
                    if "cpus" in limits:
                        limits["cpus"] = _number(limits["cpus"])
                    res[part] = limits
            d["resources"] = res
        for part, keys in (("restart_policy", ("delay", "window")), ("update_config", ("delay", "monitor")),
                           ("rollback_config", ("delay", "monitor"))):
            if isinstance(d.get(part), dict):
                d[part] = {k: duration_string(v) if k in keys else v for k, v in d[part].items()}
        d.setdefault("placement", {})
        return d

    # --- top-level resources ----------------------------------------------------------------------
    def networks(self, declared: dict[str, Any], services: dict[str, Any]) -> dict[str, Any]:
        used: set[str] = set()
        for svc in services.values():
            used.update((svc.get("networks") or {}).keys())
        out: dict[str, Any] = {}
        for key in sorted(used):  # check_project refused undefined ones
            out[key] = self.resource(key, declared.get(key) or {}, "networks")
        return out

    def resource(self, key: str, spec: dict[str, Any], section: str) -> dict[str, Any]:
        r = dict(spec)
        if "name" not in r:
            r["name"] = key if r.get("external") else f"{self.name}_{key}"
        for kv in ("labels", "driver_opts"):
            if kv in r:
                r[kv] = key_values(r[kv], none="")
        if section == "networks":
            ipam = dict(r.get("ipam") or {})
            if "options" in ipam:
                ipam["options"] = key_values(ipam["options"], none="")
            r["ipam"] = ipam
        if section in ("secrets", "configs") and isinstance(r.get("file"), str):
            r["file"] = self.path(r["file"])
        return {"name": r.pop("name"), **dict(sorted(r.items()))}

    def _used_volumes(self, services: dict[str, Any]) -> set[str]:
        used: set[str] = set()
        for svc in services.values():
            for v in svc.get("volumes") or []:
                if isinstance(v, dict) and v.get("type") == "volume" and v.get("source"):
                    used.add(str(v["source"]))
        return used

    def _used_mounts(self, services: dict[str, Any], section: str) -> set[str]:
        used: set[str] = set()
        for svc in services.values():
            for m in svc.get(section) or []:
                if isinstance(m, dict) and m.get("source"):
                    used.add(str(m["source"]))
        return used


def escape_dollars(value: Any) -> Any:
    """`$` -> `$$` in every string value, as `docker compose config` prints them (valid input again)."""
    if isinstance(value, str):
        return value.replace("$", "$$") if "$" in value else value
    if isinstance(value, dict):
        return {k: escape_dollars(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_dollars(v) for v in value]
    return value
