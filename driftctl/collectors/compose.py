"""Compose files as Docker Compose would resolve them on that host.

Files are fetched through the transport in as few rounds as the resolver needs: the compose files
and the project `.env` first, then any `env_file:` the resolver asks for. Interpolation uses only the
files found on the target, never the shell environment of the machine running driftctl.
"""

import copy
import hashlib
import json
import posixpath
import re
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text
from driftctl.config import COMPOSE_DEFAULT_FILES
from driftctl.errors import CollectorError
from driftctl.input_digest import input_digest
from driftctl.models import Command, CommandResult
from driftctl.secrets import redact_tree, scrub_text, secret_values
from driftctl.snapshot import UNKNOWN_ENV_VALUE

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the compose collector stores: the Compose model as Docker Compose would resolve it there.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


# A resolved service in `docker compose config` shape, secrets fingerprinted; its keys are Compose's.
ComposeService = dict[str, Any]


class ComposeFile(TypedDict):
    path: str  # as configured (relative to the project directory)
    exists: bool
    sha256: NotRequired[str]  # of the text, when it exists
    lines: NotRequired[int]


class ComposeReference(TypedDict):
    """Docker's own `docker compose config` on the host: where it disagrees, or why it failed."""

    tool: str
    error: NotRequired[str]
    differences: NotRequired[list[str]]  # `service.key[.subkey]` paths


class ComposeData(TypedDict):
    """`found: false` (no compose file) carries only project_dir, files and services."""

    found: bool
    project_dir: NotRequired[str]  # absent from snapshots saved before 2026-11-30
    files: list[ComposeFile]
    project: NotRequired[str | None]
    services: dict[str, ComposeService]
    networks: NotRequired[dict[str, Any]]
    volumes: NotRequired[dict[str, Any]]
    reference: NotRequired[ComposeReference | None]  # None: no Compose v2 there, or not a shell
    # only when a git environment lacked env files: {service name or "(project)"/"(services)": [files]}
    missing_env_files: NotRequired[dict[str, list[str]]]


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
    data_type = ComposeData

    def collect(self, ctx: CollectContext) -> CollectGen[ComposeData]:
        data, _known = yield from collect_with_secrets(ctx)
        return data


def collect_with_secrets(ctx: CollectContext, *, with_reference: bool = True) -> CollectGen[tuple[ComposeData, frozenset[str]]]:
    """The compose data (secrets fingerprinted) and the secret values found on the way, in clear;
    with `with_reference=False` (the containers collector, which compares containers with the model, not
    with Docker's resolution) without the reference check and the commands it needs.

    The containers collector uses those values as taint: a container command line that carries one
    of them is redacted even when nothing about its shape gives it away. They never leave memory.
    """
    configured = ctx.spec.compose_files
    root = project_root(ctx)
    at = lambda name: posixpath.normpath(posixpath.join(root, name))  # noqa: E731
    wanted = list(configured) if configured else default_candidates()
    env_names = [n for n in dict.fromkeys([*ctx.spec.env_files, ".env"])]
    reads = [ctx.read_command(n) for n in [*wanted, *env_names]]
    # whether the host has Compose v2 (the host collector's own commands, sent once): the reference
    # resolution is recorded only there, as `docker compose config` could only run there
    tools = _tool_versions(ctx) if with_reference and ctx.caps.shell and ctx.spec.compose_reference == "model" else None
    tool_cmds = next(tools) if tools else []
    results = yield [*reads, *tool_cmds]
    results, tool_results = results[: len(reads)], results[len(reads):]
    texts: dict[str, str | None] = {}
    for name, res in zip([*wanted, *env_names], results):
        texts[at(name)] = file_text(res)
    files = list(configured) if configured else pick_default_files({n: texts[at(n)] for n in wanted})
    listing = [describe_file(n, texts.get(at(n))) for n in files]
    if not files:
        return {"found": False, "project_dir": root, "files": [], "services": {}}, frozenset()
    missing = [f["path"] for f in listing if not f["exists"]]
    if missing:
        raise CollectorError(f"compose file not found: {', '.join(missing)}")
    env_files = [at(n) for n in ctx.spec.env_files if texts.get(at(n)) is not None] or None
    stand_ins: dict[str, str | None] = {}
    if ctx.caps.revision:
        stand_ins = yield from _read_stand_ins(ctx, {at(k): v for k, v in ctx.spec.env_fallbacks.items()})
        env_files = [at(n) for n in ctx.spec.env_files]
    # Compose's project directory is the first file's folder (deploy/ for deploy/compose.yaml): the
    # relative paths inside the files (env_file, build, binds) are relative to it, not to the checkout.
    pdir = posixpath.dirname(at(files[0]))
    model, unknown = yield from _resolve_reading(ctx, root, [at(f) for f in files], env_files, texts, stand_ins, pdir)
    # an unknown value is no secret (and must stay recognisable for the differ)
    known = frozenset(v for v in known_secrets(texts, {at(f) for f in files}, model) if UNKNOWN_ENV_VALUE not in v)
    services = {name: protect_service(svc, known) for name, svc in (model.get("services") or {}).items()}
    reference: ComposeReference | None = None
    if tools is not None:
        reference = yield from model_reference(ctx, tools, tool_results, Resolution(root, [at(f) for f in files], env_files,
                                                                                    texts, pdir, services, known))
    elif with_reference and ctx.caps.shell:
        # Docker's own resolution runs only once every file it will read passed the file guard: a `.env`
        # linked to /dev/zero or a FIFO would otherwise hold `docker compose config` until the timeout.
        reference_result, = yield [reference_command(ctx)]
        reference = parse_reference(reference_result, services, known)
    return _found(root, listing, model, services, known, reference, unknown), known


def _found(root: str, listing: list, model: dict, services: dict, known: frozenset[str],
           reference: ComposeReference | None, unknown: dict[str, list[str]]) -> ComposeData:
    """What the snapshot stores of a project that was found: every value already protected."""
    data: ComposeData = {
        "found": True,
        "project_dir": root,
        "files": listing,
        "project": model.get("name"),
        "services": services,
        "networks": redact_tree(model.get("networks") or {}, known),
        "volumes": redact_tree(model.get("volumes") or {}, known),
        "reference": reference,
    }
    if unknown:
        data["missing_env_files"] = unknown
    return data


def _read_stand_ins(ctx: CollectContext, wanted: dict[str, str]) -> CollectGen[dict[str, str | None]]:
    """At a revision, env files are usually gitignored: the configured stand-ins (env file -> the
    committed file read instead, names only) are read in one round. What no file gives becomes
    unknown, one value at a time, never the whole model."""
    if not wanted:
        return {}
    reads = yield [ctx.read_command(v) for v in wanted.values()]
    return {k: file_text(r) for k, r in zip(wanted, reads)}


def _resolve_reading(ctx: CollectContext, root: str, paths: list[str], env_files: list[str] | None,
                     texts: dict[str, str | None], stand_ins: dict[str, str | None],
                     pdir: str) -> CollectGen[tuple[dict, dict[str, list[str]]]]:
    """Resolve the model, reading each file the resolution turns out to need (a nested env file) in
    a round of its own, at most MAX_ROUNDS times. At a revision (no env files on disk) the values no
    file gives are returned as unknown, by file."""
    for _ in range(MAX_ROUNDS):
        try:
            if ctx.caps.revision:
                return resolve_without_env_files(root, paths, env_files or [], texts, stand_ins, project_dir=pdir)
            return resolve(root, paths, env_files, texts, project_dir=pdir), {}
        except _NeedFile as need:
            res, = yield [ctx.read_command(posixpath.relpath(need.path, root))]
            texts[need.path] = file_text(res)
    raise CollectorError("compose: too many nested env files")


def known_secrets(texts: dict[str, str | None], compose_paths: set[str], model: dict) -> frozenset[str]:
    """Secret values of the env files read (by name or shape) and of the resolved model.

    A value interpolated from a secret (`FROM_ENV: ${DB_PASSWORD}`) is the secret itself, so
    wherever one of these values appears it is replaced, whatever the name around it.
    """
    from driftctl.compose.dotenv import DotenvError, parse_dotenv

    found: set[str] = set()
    for path, text in texts.items():
        if text is None or path in compose_paths:
            continue
        try:
            found |= secret_values(parse_dotenv(text, lambda _name: None))
        except DotenvError:
            continue
    found |= secret_values(model.get("services") or {})
    return frozenset(found)


_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=", re.MULTILINE)


def unknown_env_text(names: list[str]) -> str:
    """An env file that defines `names` as unknown: a stand-in gives names, never values."""
    return "".join(f"{n}={UNKNOWN_ENV_VALUE}\n" for n in dict.fromkeys(names))


def resolve_without_env_files(root: str, files: list[str], env_files: list[str], texts: dict[str, str | None],
                              stand_ins: dict[str, str | None], project_dir: str | None = None,
                              ) -> tuple[dict, dict[str, list[str]]]:
    """Resolve a git environment's model where env files may be missing (gitignored).

    A missing env file is replaced by its stand-in's variable names with unknown values; without a
    stand-in, the project env defines every variable the compose files reference as unknown, and a
    service's own missing env file is read as empty (its variables are then unknown in the differ).
    Returns the model and {service or "(project)": [missing env files]}. If unknown values break a
    typed field (a port, a size), the project env falls back to empty values.
    """
    missing: dict[str, list[str]] = {}
    project_env = set(env_files)
    referenced = [m for p in files if texts.get(p) for m in _REFERENCE.findall(texts[p] or "")]
    uses_env_file = any("env_file" in (texts.get(p) or "") for p in files)

    def stand_in(path: str, *, project: bool) -> str:
        other = stand_ins.get(path)
        if other is not None:
            return unknown_env_text(_ASSIGNMENT.findall(other))
        return unknown_env_text(referenced) if project else ""

    def served(mark_project: bool) -> dict[str, str | None]:
        out = dict(texts)
        for path in project_env:
            if out.get(path) is None and path in out:
                out[path] = stand_in(path, project=True) if mark_project else ""
                missing.setdefault("(project)", []).append(posixpath.relpath(path, root))
                if uses_env_file:  # the same file may feed services too: their missing variables are unknown
                    missing.setdefault("(services)", []).append(posixpath.relpath(path, root))
        return out

    def attempt(mark_project: bool) -> dict:
        missing.clear()
        served_texts = served(mark_project)
        model = resolve(root, files, [p for p in env_files if p in served_texts] or None, served_texts,
                        on_missing=lambda p: _service_env_missing(p, missing, root, stand_in), project_dir=project_dir)
        return model

    from driftctl.errors import CollectorError as _Err

    try:
        return attempt(True), dict(missing)
    except _Err:
        return attempt(False), dict(missing)


def _service_env_missing(path: str, missing: dict[str, list[str]], root: str, stand_in) -> str:
    rel = posixpath.relpath(path, root)
    if rel not in missing.setdefault("(services)", []):
        missing["(services)"].append(rel)
    return stand_in(path, project=False)


def project_root(ctx: CollectContext) -> str:
    """The project directory Compose would see. For a `git` environment the checkout is virtual: a
    fixed `/<repository>` instead of the mirror's cache path, so the resolved model (and with it the
    snapshot's fingerprint) does not depend on where the cache lives."""
    return "/" + _git_project_name(ctx) if ctx.caps.revision else ctx.root


def resolve(root: str, files: list[str], env_files: list[str] | None, texts: dict[str, str | None],
            on_missing: Callable[[str], str | None] | None = None, project_dir: str | None = None,
            environ: dict[str, str] | None = None) -> dict:
    """Resolve with files served from `texts`; an unknown path asks the collector for another round.
    `on_missing(path)` may serve a file that is not there (a git environment's gitignored env file).
    `project_dir` is Compose's project directory (default: `root`, the checkout).

    Without `on_missing` the outcome depends on the arguments alone, so it is kept (see _RESOLVED):
    a fleet's hosts mostly serve the same files, and resolving them is most of this collector's
    controller CPU per host. Each caller gets a model of its own (a deep copy)."""
    if on_missing is not None:
        return _resolve(root, files, env_files, texts, on_missing, project_dir, environ)
    variables = sorted((environ or {}).items())
    key = input_digest([root, len(files), *files, env_files is None, len(env_files or []), *(env_files or []), project_dir,
                   len(texts), *(x for item in sorted(texts.items(), key=lambda item: item[0]) for x in item),
                   len(variables), *(x for item in variables for x in item)])
    kept = _RESOLVED.get(key)
    if kept is None:
        try:
            kept = _resolve(root, files, env_files, texts, None, project_dir, environ)
        except _NeedFile as need:
            kept = need
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = kept if isinstance(kept, _NeedFile) else copy.deepcopy(kept)
    if isinstance(kept, _NeedFile):
        raise _NeedFile(kept.path)
    return copy.deepcopy(kept)


# resolve()'s outcomes (a model, or the file it needs next) by a digest of their whole input (the
# files and variables themselves are not kept); errors are not kept.
_RESOLVED: dict[bytes, Any] = {}
_RESOLVED_MAX = 16



def _resolve(root: str, files: list[str], env_files: list[str] | None, texts: dict[str, str | None],
             on_missing: Callable[[str], str | None] | None, project_dir: str | None,
             environ: dict[str, str] | None) -> dict:
    from driftctl.compose import ComposeError, load_project

    compose_files = {posixpath.normpath(f) for f in files}

    def read(path: str) -> str | None:
        path = posixpath.normpath(path)
        if path not in texts:
            raise _NeedFile(path)
        if texts[path] is None and on_missing is not None and path not in compose_files:
            return on_missing(path)
        return texts[path]

    try:
        return load_project(files, project_dir=project_dir or root, env_files=env_files, environ=environ or {}, read=read)
    except ComposeError as exc:
        # a message may quote a value (an invalid port built from a variable): secrets of the env files
        # read so far are replaced wherever they appear in it
        message = scrub_text(str(exc).replace(root.rstrip("/") + "/", ""), known_secrets(texts, set(files), {}))
        raise CollectorError(message) from None


def _git_project_name(ctx: CollectContext) -> str:
    """A mirror's folder name is meaningless; name the project after the repository, as a checkout would be."""
    import re

    base = posixpath.basename((ctx.url or "").rstrip("/")).removesuffix(".git") or ctx.env_name
    return re.sub(r"[^a-z0-9_-]", "", base.lower()) or ctx.env_name


def describe_file(name: str, text: str | None) -> ComposeFile:
    if text is None:
        return {"path": name, "exists": False}
    return {"path": name, "exists": True, "sha256": hashlib.sha256(text.encode()).hexdigest(), "lines": text.count("\n")}


def protect_service(service: ComposeService, known: frozenset[str] = frozenset()) -> ComposeService:
    """The resolved service with every secret replaced by its fingerprint: environment values, and
    the secret parts of every other string (command, entrypoint, build args, labels, healthcheck,
    `x-` fields...). Environment values are strings, so both sides of a comparison agree."""
    out = dict(service)
    env = out.get("environment")
    unknown: dict[str, str] = {}
    if isinstance(env, dict):
        plain = {k: (None if v is None else str(v)) for k, v in env.items()}
        unknown = {k: v for k, v in plain.items() if v and UNKNOWN_ENV_VALUE in v}  # unknown values are no secrets
        out["environment"] = {k: v for k, v in plain.items() if k not in unknown}
    result = redact_tree(out, frozenset(v for v in known | secret_values(out) if UNKNOWN_ENV_VALUE not in v))
    assert isinstance(result, dict)
    if unknown:
        result["environment"] = {k: unknown[k] if k in unknown else result["environment"][k] for k in plain}
    return result


# Keys on which driftctl's resolution must agree with Docker Compose's own `config` on the host.
REFERENCE_KEYS = ("image", "command", "entrypoint", "environment", "ports", "volumes", "networks",
                  "mem_limit", "labels", "depends_on")


def reference_command(ctx: CollectContext) -> Command:
    """`docker compose config` on the target, with the environment's files: Docker's own answer."""
    first = (ctx.spec.compose_files or [""])[0]  # Compose's project directory: the first file's folder
    argv = ["docker", "compose", "--project-directory", ctx.path(posixpath.dirname(first))]
    for f in ctx.spec.compose_files or []:
        argv += ["-f", ctx.path(f)]
    if ctx.spec.env_files != [".env"]:
        for e in ctx.spec.env_files:
            argv += ["--env-file", ctx.path(e)]
    return Command((*argv, "config", "--format", "json"), cwd=ctx.root)


# --------------------------------------------------------------------------------------------------
# The reference without a Go program on the target (`compose_reference: model`, the default):
# `docker compose config` differs from driftctl's own resolution by what it adds from the host's
# shell (interpolation, bare `environment:` and build-arg entries, COMPOSE_PROJECT_NAME/PROFILES).
# So the host prints only the variables the project could read (every word of its compose and env
# files that is a variable name: one `sh`, builtins only), and the model is resolved a second time
# with them, as Docker Compose would. Where the shell would change which files Compose reads
# (COMPOSE_FILE, COMPOSE_ENV_FILES, ...), or the second resolution needs a file not read yet, the
# host's own `docker compose config` answers instead, one round later.
# --------------------------------------------------------------------------------------------------

REFERENCE_TOOL_MODEL = "driftctl with the host's environment"
MAX_ENV_NAMES = 5000
# the shell variables that change which files Compose reads: the model cannot follow them
FILE_CHOOSING_VARIABLES = ("COMPOSE_FILE", "COMPOSE_PATH_SEPARATOR", "COMPOSE_ENV_FILES", "COMPOSE_DISABLE_ENV_FILE")
_ALWAYS = ("COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES", *FILE_CHOOSING_VARIABLES)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Builtins only; `$@` are names checked against _WORD on the controller, so `eval` sees only a name.
_ENV_SCRIPT = ('for n do eval "s=\\${$n+x} v=\\${$n-}"; if [ "$s" = x ]; then printf \'%s=%s\\0\' "$n" "$v"; fi; done')


class Resolution(NamedTuple):
    """What the collector resolved, and from what: the second resolution reuses all of it."""

    root: str
    files: list[str]
    env_files: list[str] | None
    texts: dict[str, str | None]
    project_dir: str
    services: dict[str, ComposeService]
    known: frozenset[str]


def _tool_versions(ctx: CollectContext) -> Generator[list[Command], list[CommandResult], tuple[str | None, str | None]]:
    from driftctl.collectors.host import client_versions

    return client_versions(ctx)


def environment_names(texts: dict[str, str | None]) -> list[str] | None:
    """Every variable name the project's files could read from the shell (a superset: every word
    that could be one), or None when there are too many to ask for."""
    names = set(_ALWAYS)
    for text in texts.values():
        names.update(_WORD.findall(text or ""))
    return sorted(names) if len(names) <= MAX_ENV_NAMES else None


def environment_command(ctx: CollectContext, names: list[str]) -> Command:
    """The shell variables among `names` that are set, as `NAME=value` NUL-terminated; in the
    checkout, as `docker compose config` ran there (`${PWD}`)."""
    return Command(("sh", "-c", _ENV_SCRIPT, "driftctl-env", *names), cwd=ctx.root, label="shell variables compose reads")


def parse_environment(result: CommandResult) -> dict[str, str] | None:
    """`NAME=value` NUL-terminated records -> {name: value}; None when the command did not run."""
    if not result.ok:
        return None
    out: dict[str, str] = {}
    for record in result.stdout.decode("utf-8", "surrogateescape").split("\0"):
        name, sep, value = record.partition("=")
        if sep and _WORD.fullmatch(name):
            out[name] = value
    return out


def model_reference(ctx: CollectContext, tools: Generator[list[Command], list[CommandResult], tuple[str | None, str | None]],
                    tool_results: list[CommandResult], done: Resolution) -> CollectGen[ComposeReference | None]:
    """`docker compose config`'s answer without running it: None where the host has no Compose v2."""
    try:
        more = tools.send(tool_results)  # the binaries changed: their versions, in this round too
    except StopIteration as stop:
        versions, more = stop.value, []
        if versions[1] is None:
            return None  # no Compose v2 there: nothing Docker would have said
    names = environment_names(done.texts)
    env_cmd = [environment_command(ctx, names)] if names is not None else []
    results = yield [*env_cmd, *more]
    if more:
        try:
            tools.send(results[len(env_cmd):])
        except StopIteration as stop:
            versions = stop.value
    if versions[1] is None:
        return None  # no Compose v2 there: nothing Docker would have said
    environ = parse_environment(results[0]) if env_cmd else None
    if environ is not None and not any(v in environ for v in FILE_CHOOSING_VARIABLES) and not _chooses_files(done):
        try:
            model = resolve(done.root, done.files, done.env_files, done.texts, project_dir=done.project_dir, environ=environ)
        except _NeedFile:
            model = None  # the host's variables name another file: Docker's own answer, below
        except CollectorError as exc:
            return {"tool": REFERENCE_TOOL_MODEL, "error": exc.message[:300]}
        if model is not None:
            theirs = {name: protect_service(svc, done.known) for name, svc in (model.get("services") or {}).items()}
            return {"tool": REFERENCE_TOOL_MODEL, "differences": reference_differences(done.services, theirs)}
    answer, = yield [reference_command(ctx)]
    return parse_reference(answer, done.services, done.known)


def _chooses_files(done: Resolution) -> bool:
    """Whether an env file read sets a variable that picks Compose's files (Docker reads `.env` for it)."""
    return any(name in FILE_CHOOSING_VARIABLES for path, text in done.texts.items() if path not in done.files
               for name in _ASSIGNMENT.findall(text or ""))


def parse_reference(result: CommandResult, ours: dict[str, ComposeService], known: frozenset[str] = frozenset()
                    ) -> ComposeReference | None:
    """Compare our services with `docker compose config --format json` from the host.

    None when the host has no Docker Compose v2 (nothing to compare with). The reference output holds
    secrets in clear, so it is fingerprinted before anything is kept, and only differences are stored.
    """
    err = result.error_text
    lowered = err.lower()
    # no docker (127), or a docker CLI without the compose plugin (it then rejects compose's flags)
    if result.exit_status in (125, 127) or any(
        s in lowered for s in ("is not a docker command", "unknown command", "unknown flag")
    ):
        return None
    if not result.ok:
        # Compose's own message may quote a value it could not use: secrets of the project are replaced
        return {"tool": "docker compose", "error": scrub_text((err.splitlines() or ["failed"])[-1], known)[:300]}
    try:
        theirs = json.loads(result.text).get("services") or {}
    except (ValueError, AttributeError):
        return {"tool": "docker compose", "error": "output is not JSON"}
    if not isinstance(theirs, dict):
        return {"tool": "docker compose", "error": "output is not a compose model"}
    theirs = {name: protect_service(svc, known) for name, svc in theirs.items() if isinstance(svc, dict)}
    return {"tool": "docker compose", "differences": reference_differences(ours, theirs)}


def reference_differences(ours: dict[str, dict], theirs: dict[str, dict]) -> list[str]:
    """Paths (`service.key[.subkey]`) where the two resolutions disagree, services on one side included.

    DeepDiff walks the nested models, so a difference is pinned to the variable or list item
    (`bot.environment.TAG`), not just to the key.
    """
    out = [f"{name} (only in driftctl's resolution)" for name in sorted(set(ours) - set(theirs))]
    out += [f"{name} (only in docker compose config)" for name in sorted(set(theirs) - set(ours))]
    common = sorted(set(ours) & set(theirs))
    if not common:
        return out
    from deepdiff import DeepDiff

    for name in common:
        left = {k: _normal(ours[name].get(k)) for k in REFERENCE_KEYS}
        right = {k: _normal(theirs[name].get(k)) for k in REFERENCE_KEYS}
        paths = set()
        for items in DeepDiff(left, right, view="tree").values():
            for item in items:
                paths.add(".".join(str(p) for p in item.path(output_format="list")[:2]))
        out += [f"{name}.{p}" for p in sorted(paths)]
    return out


def _normal(value: object) -> object:
    """Numbers and booleans as strings, empty values dropped: Compose prints `published: "8001"` and
    `8001` alike, and leaves out what is empty."""
    if isinstance(value, dict):
        return {str(k): _normal(x) for k, x in value.items() if x not in ({}, [], None) or k == "environment"}
    if isinstance(value, list):
        return [_normal(x) for x in value]
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value


def replay(case: dict) -> list[tuple[object, object]]:
    """A recorded case (tests/collectors/compose/<case>.json: the project root, the compose and env
    files chosen, and the texts read from the target, by path relative to the root) ->
    [(the collector's project, services, networks and volumes, expected)]."""
    root = case["root"]
    at = lambda name: posixpath.normpath(posixpath.join(root, name))  # noqa: E731
    texts = {at(name): text for name, text in case["texts"].items()}
    model = resolve(root, [at(f) for f in case["files"]], [at(e) for e in case["env_files"]] or None, texts,
                    project_dir=posixpath.dirname(at(case["files"][0])))
    data = {"project": model.get("name"), "services": {n: protect_service(s) for n, s in (model.get("services") or {}).items()},
            "networks": model.get("networks") or {}, "volumes": model.get("volumes") or {}}
    return [(data, case["expected"])]
