"""A compose model with its checkout's place and name taken out, so two checkouts compare equal.

The resolved model (`docker compose config` shape) holds absolute paths under the project folder and
names derived from the folder (project, network and volume names, built image names). Two checkouts
of the same files in different folders would differ everywhere; `normalize` replaces the project
root with `.` and the project name with `{project}`, finding the root from the snapshot (recorded,
from the transport's target) or, for a git mirror, inferring it from the checkout's file inventory.
A model resolved with env files missing marks every value that depends on them as unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from driftctl.differ.common import UNKNOWN, View
from driftctl.snapshot import UNKNOWN_ENV_VALUE

if TYPE_CHECKING:
    from driftctl.collectors.compose import ComposeData

PROJECT = "{project}"
ROOT = "."
SECTIONS: tuple[Literal["networks"], Literal["volumes"]] = ("networks", "volumes")  # of the model, besides services

_SSH_TARGET = re.compile(r"^ssh:[^:]*:\d+:(/.*)$")


def project_root(view: View, env: str, data: ComposeData) -> str | None:
    """The folder the compose paths are relative to: recorded, from the target, or inferred."""
    recorded = data.get("project_dir")
    if isinstance(recorded, str):
        return recorded.rstrip("/") or "/"
    target = str(view.snapshots[env].get("target") or "")
    if target.startswith("local:/"):
        return target[len("local:"):].rstrip("/") or "/"
    m = _SSH_TARGET.match(target)
    if m:
        return m.group(1).rstrip("/") or "/"
    return _infer_root(view, env, data)


def _infer_root(view: View, env: str, data: ComposeData) -> str | None:
    """For a git mirror: the prefix of absolute paths whose remainder names files of the checkout."""
    files = view.data(env, "files")
    inventory = (files.get("files") or {}) if files else {}
    folders = {"/".join(p.split("/")[:i]) for p in inventory for i in range(1, p.count("/") + 2)}
    votes: Counter[str] = Counter()
    for s in _strings(data.get("services")):
        if not s.startswith("/"):
            continue
        parts = s.rstrip("/").split("/")
        for i in range(2, len(parts) + 1):
            if "/".join(parts[i:]) in folders or i == len(parts) and parts[-1] == "":
                votes["/".join(parts[:i])] += 1
                break
    return votes.most_common(1)[0][0] if votes else None


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def normalize(view: View, env: str, data: ComposeData) -> ComposeData:
    """The compose data with this checkout's root and project name replaced by placeholders."""
    root = project_root(view, env, data)
    project = data.get("project")
    out = data.copy()
    out["services"] = {
        name: _svc(name, _service_paths(svc, root), project) for name, svc in (data.get("services") or {}).items()
    }
    if data.get("missing_env_files"):
        out["services"] = {name: _unknowns(svc) for name, svc in out["services"].items()}
    for section in SECTIONS:
        out[section] = {k: _named(_paths(v, root), project) for k, v in (data.get(section) or {}).items()}
    return out


def _paths(value: Any, root: str | None) -> Any:
    """`value` with this checkout's root written as `.`; parts without it are returned as they are
    (not copied), which keeps a large model's normalisation cheap in time and memory."""
    if not root or root == "/":
        return value
    return _relocate(value, root, root + "/")


# Service keys whose values hold host paths Compose made absolute (build contexts, bind sources,
# env_file, extends, label files). Nothing else is a path: the root's text inside an image name or
# a command is left alone (a git remote's virtual root `/<repo>` would otherwise rewrite
# `registry.example.com/<repo>/api`).
PATH_KEYS = frozenset({"build", "volumes", "env_file", "extends", "label_file", "configs", "secrets"})


def _service_paths(svc: Any, root: str | None) -> Any:
    if not isinstance(svc, dict) or not root or root == "/":
        return svc
    changed = {k: _paths(v, root) for k, v in svc.items() if k in PATH_KEYS}
    return {**svc, **changed} if any(changed[k] is not svc[k] for k in changed) else svc


def mentions_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return UNKNOWN_ENV_VALUE in value
    if isinstance(value, dict):
        return any(mentions_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(mentions_unknown(v) for v in value)
    return False


def _unknowns(svc: Any) -> Any:
    """A git environment's values that need an env file it does not have are unknown: each variable
    on its own, any other key as a whole. Nothing else of the model is lost."""
    if not isinstance(svc, dict):
        return svc
    out: dict[str, Any] = {}
    for key, value in svc.items():
        if key == "environment" and isinstance(value, dict):
            out[key] = {n: (UNKNOWN if mentions_unknown(v) else v) for n, v in value.items()}
        else:
            out[key] = UNKNOWN if mentions_unknown(value) else value
    return out


def _relocate_str(value: str, root: str, prefix: str) -> str:
    """A path under the root, relative to it; any other string as it is (a path starts with the root)."""
    if value == root:
        return ROOT
    if value.startswith(prefix):
        return ROOT + value[len(root):]
    return value


def _without(items: Iterable[Any], root: str) -> bool:
    """True when `items` are all strings and none mentions `root` (one C-level join and search, for
    the flat mappings and lists, such as environments, that make up most of a model; containers of
    a few items are cheaper to walk)."""
    try:
        return root not in "\0".join(items)
    except TypeError:  # not all strings: look at each
        return False


def _relocate(value: Any, root: str, prefix: str) -> Any:
    if isinstance(value, str):
        return _relocate_str(value, root, prefix) if value.startswith(prefix) or value == root else value
    if isinstance(value, dict):
        if len(value) > 8 and _without(value.values(), root):
            return value
        changed: dict | None = None
        for k, v in value.items():
            if isinstance(v, str):
                if not v.startswith(prefix) and v != root:
                    continue
                new = _relocate_str(v, root, prefix)
            elif isinstance(v, (dict, list)):
                new = _relocate(v, root, prefix)
                if new is v:
                    continue
            else:
                continue
            if changed is None:
                changed = dict(value)
            changed[k] = new
        return value if changed is None else changed
    if isinstance(value, list):
        if len(value) > 8 and _without(value, root):
            return value
        items = [_relocate(v, root, prefix) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    return value


def _named(value: Any, project: str | None) -> Any:
    """Top-level network/volume definitions: `name: <project>_default` -> `{project}_default`."""
    if not project or not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return value
    return {**value, "name": _unproject(value["name"], project)}


def _unproject(text: str, project: str) -> str:
    if text == project:
        return PROJECT
    for sep in ("_", "-"):
        if text.startswith(project + sep):
            return PROJECT + text[len(project):]
    return text


def _svc(name: str, svc: Any, project: str | None) -> Any:
    """A built service's default image name (`<project>-<service>`) does not say anything."""
    if not project or not isinstance(svc, dict):
        return svc
    image = svc.get("image")
    if isinstance(image, str) and image.split(":")[0] in (f"{project}-{name}", f"{project}_{name}"):
        return {**svc, "image": _unproject(image, project)}
    return svc
