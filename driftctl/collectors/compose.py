"""Compose files as Docker Compose would resolve them on that host.

Files are fetched through the transport in as few rounds as the resolver needs: the compose files
and the project `.env` first, then any `env_file:` the resolver asks for. Interpolation uses only the
files found on the target, never the shell environment of the machine running driftctl.
"""

from __future__ import annotations

import hashlib
import posixpath

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text
from driftctl.config import COMPOSE_DEFAULT_FILES
from driftctl.errors import CollectorError
from driftctl.secrets import protect_mapping

MAX_ROUNDS = 4


class _NeedFile(Exception):
    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


def default_candidates() -> list[str]:
    names = list(COMPOSE_DEFAULT_FILES)
    names += [n.replace(".y", ".override.y") for n in COMPOSE_DEFAULT_FILES]
    return names


def pick_default_files(texts: dict[str, str | None]) -> list[str]:
    """Compose's rule: the first existing default file, plus its `.override` sibling if present."""
    for name in COMPOSE_DEFAULT_FILES:
        if texts.get(name) is not None:
            override = name.replace(".y", ".override.y")
            return [name] + ([override] if texts.get(override) is not None else [])
    return []


class ComposeCollector(Collector):
    name = "compose"

    def collect(self, ctx: CollectContext) -> CollectGen:
        configured = ctx.spec.compose_files
        wanted = list(configured) if configured else default_candidates()
        env_names = [n for n in dict.fromkeys([*ctx.spec.env_files, ".env"])]
        results = yield [ctx.read_command(n) for n in [*wanted, *env_names]]
        texts: dict[str, str | None] = {}
        for name, res in zip([*wanted, *env_names], results):
            texts[ctx.path(name)] = file_text(res)
        files = list(configured) if configured else pick_default_files({n: texts[ctx.path(n)] for n in wanted})
        listing = [describe_file(n, texts.get(ctx.path(n))) for n in files]
        if not files:
            return {"found": False, "project_dir": ctx.root, "files": [], "services": {}}
        missing = [f["path"] for f in listing if not f["exists"]]
        if missing:
            raise CollectorError(f"compose file not found: {', '.join(missing)}")
        env_files = [ctx.path(n) for n in ctx.spec.env_files if texts.get(ctx.path(n)) is not None] or None
        for _ in range(MAX_ROUNDS):
            try:
                model = resolve(ctx, files, env_files, texts)
                break
            except _NeedFile as need:
                rel = ctx.rel(need.path)
                res, = yield [ctx.read_command(rel)]
                texts[need.path] = file_text(res)
        else:
            raise CollectorError("compose: too many nested env files")
        return {
            "found": True,
            "project_dir": ctx.root,
            "files": listing,
            "project": model.get("name"),
            "services": {name: protect_service(svc) for name, svc in (model.get("services") or {}).items()},
            "networks": model.get("networks") or {},
            "volumes": model.get("volumes") or {},
        }


def resolve(ctx: CollectContext, files: list[str], env_files: list[str] | None, texts: dict[str, str | None]) -> dict:
    from driftctl.compose import ComposeError, load_project

    def read(path: str) -> str | None:
        path = posixpath.normpath(path)
        if path not in texts:
            raise _NeedFile(path)
        return texts[path]

    try:
        return load_project(
            [ctx.path(f) for f in files], project_dir=ctx.root, env_files=env_files, environ={}, read=read,
            project_name=None if ctx.kind != "git" else _git_project_name(ctx),
        )
    except ComposeError as exc:
        raise CollectorError(str(exc).replace(ctx.root + "/", "")) from None


def _git_project_name(ctx: CollectContext) -> str:
    """A mirror's folder name is meaningless; name the project after the repository, as a checkout would be."""
    import re

    base = posixpath.basename((ctx.url or "").rstrip("/")).removesuffix(".git") or ctx.env_name
    return re.sub(r"[^a-z0-9_-]", "", base.lower()) or ctx.env_name


def describe_file(name: str, text: str | None) -> dict:
    if text is None:
        return {"path": name, "exists": False}
    return {"path": name, "exists": True, "sha256": hashlib.sha256(text.encode()).hexdigest(), "lines": text.count("\n")}


def protect_service(service: dict) -> dict:
    """The resolved service with secret-looking environment values replaced by fingerprints."""
    out = dict(service)
    env = out.get("environment")
    if isinstance(env, dict):
        out["environment"] = protect_mapping({k: (None if v is None else str(v)) for k, v in env.items()})
    return out
