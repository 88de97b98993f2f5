"""Compose files + environment -> the resolved project, in the order Docker Compose does it.

1. project environment: the shell, plus `--env-file`s (or the project's `.env`); the shell wins;
2. each file: parse (YAML 1.2, `!reset`/`!override`), interpolate its values, rewrite short syntax;
3. merge the files in order, applying resets, then make list entries unique;
4. service environments: `env_file`s in order, then `environment:` (bare keys from the project env);
5. render in `docker compose config --format json` shape, with `$` escaped as `$$`.

All file access goes through `read(abs_path) -> text | None`, so the same code resolves a project
on this machine, on an SSH host or at a git ref; whatever `read` raises propagates unchanged.
"""

from __future__ import annotations

import copy
import os
import posixpath
import re
from collections.abc import Callable, Mapping
from typing import Any

from driftctl.compose import schema
from driftctl.compose.canonical import canonical
from driftctl.compose.casting import CastError, cast_values
from driftctl.compose.consistency import check_model
from driftctl.compose.dotenv import DotenvError, parse_dotenv
from driftctl.compose.errors import ComposeError, where
from driftctl.compose.interpolate import TemplateError, interpolate_values
from driftctl.compose.loader import ComposeDocument, load_documents
from driftctl.compose.merge import apply_resets, enforce_unicity, merge
from driftctl.compose.normalize import Normalizer, escape_dollars, key_values
from driftctl.compose.paths import absolute, resolve_model

Reader = Callable[[str], "str | None"]

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_VALID_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def read_local(path: str) -> str | None:
    """The default reader: the file's text (line endings kept), None when it does not exist."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except UnicodeDecodeError as exc:
        raise ComposeError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise ComposeError(f"{path}: cannot read: {exc.strerror}") from None


def normalize_project_name(name: str) -> str:
    """compose-go's NormalizeProjectName: lowercase, keep [a-z0-9_-], no leading `_`/`-`."""
    return "".join(re.findall(r"[a-z0-9_-]", name.lower())).lstrip("_-")


def default_files(project_dir: str, read: Reader) -> list[str]:
    """Compose's default file (first of DEFAULT_FILES found) plus its `.override` sibling."""
    for name in DEFAULT_FILES:
        path = posixpath.join(project_dir, name)
        if read(path) is not None:
            stem, ext = posixpath.splitext(name)
            override = posixpath.join(project_dir, f"{stem}.override{ext}")
            return [path, override] if read(override) is not None else [path]
    raise ComposeError(f"{project_dir}: no compose file found (tried {', '.join(DEFAULT_FILES)})")


def load_project(
    files: list[str],
    *,
    project_dir: str | None = None,
    env_files: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    project_name: str | None = None,
    read: Reader | None = None,
) -> dict:
    """Resolve like `docker compose -f ... config --format json`.

    Paths may be relative to project_dir (default: the directory of the first file). `read(abs_path)`
    returns a file's text or None when it does not exist (default: the local filesystem); exceptions
    raised by `read` propagate unchanged. `environ` defaults to os.environ.
    """
    read = _cached(read or read_local)
    shell = dict(os.environ if environ is None else environ)
    base = project_dir if project_dir is not None else os.getcwd()
    if not files:
        files = default_files(_abs(base, "."), read)
    paths = [_abs(base, f) for f in files]
    pdir = _abs(base, ".") if project_dir is not None else posixpath.dirname(paths[0])

    env = project_environment(pdir, env_files, shell, read)
    if project_name or env.get(_NAME_VAR) or any(_needs_name_first(read(p) or "") for p in paths):
        env[_NAME_VAR] = project_name or env.get(_NAME_VAR) or _name_before_load(paths, env, pdir, read)
    lookup = env.get
    home = shell.get("HOME") or os.path.expanduser("~")
    files_loader = _Files(read, env, pdir, home, ())
    merged: dict[str, Any] = {}
    for path in paths:
        merged = files_loader.merge_into(merged, path)
    if not merged:
        raise ComposeError(f"{paths[0]}: empty compose file")

    name = _project_name(project_name, env, merged, pdir)
    env[_NAME_VAR] = name  # what a bare `environment: [COMPOSE_PROJECT_NAME]` or an env_file reads
    _check_services(merged, paths)
    check_model(merged)
    for svc in (merged.get("services") or {}).values():
        _resolve_environment(svc, env, pdir, read)
    model = Normalizer(name, pdir, lookup, home).project(merged)
    return escape_dollars(model)


_NAME_VAR = "COMPOSE_PROJECT_NAME"


def _cached(read: Reader) -> Reader:
    """`read` remembering what it gave, so a file looked at before loading is not read twice."""
    texts: dict[str, str | None] = {}

    def cached(path: str) -> str | None:
        if path not in texts:
            texts[path] = read(path)
        return texts[path]
    return cached


def _needs_name_first(text: str) -> bool:
    """Whether a file reads COMPOSE_PROJECT_NAME or has a `name:` with a variable (which compose-go
    interpolates on its own before loading, with its own errors); otherwise the name can wait."""
    return _NAME_VAR in text or _NAME_WITH_VARIABLE.search(text) is not None


_NAME_WITH_VARIABLE = re.compile(r"(?m)^[\"']?name[\"']?\s*:.*\$")


def _name_before_load(paths: list[str], env: dict[str, str], pdir: str, read: Reader) -> str:
    """compose-go's projectName(), run before the files are interpolated: the last non-empty `name:`
    of the files, interpolated on its own and normalised, else the folder's name. Compose puts it in
    the environment as COMPOSE_PROJECT_NAME, so `${COMPOSE_PROJECT_NAME:-x}` in a file reads the
    project's name. A `name:` that fails to interpolate, or comes out empty, is refused as Compose
    refuses it."""
    raw = ""
    for path in paths:
        text = read(path)
        try:
            docs = load_documents(path, text) if text is not None else []
        except ComposeError:
            continue  # compose-go stops reading this file here; loading it reports the error
        for doc in docs:
            name = doc.data.get("name") if isinstance(doc.data, dict) else None
            if isinstance(name, str) and name:
                raw = name
    if not raw:
        return normalize_project_name(posixpath.basename(pdir.rstrip("/")))
    holder = {"name": raw}
    try:
        interpolate_values(holder, env.get)
    except TemplateError as exc:
        raise ComposeError(f"error while interpolating name: {exc.message}") from None
    name = normalize_project_name(str(holder["name"]))
    if not name:
        raise ComposeError("project name must not be empty")
    return name


def _abs(base: str, path: str) -> str:
    path = os.path.expanduser(path)
    return posixpath.normpath(path if posixpath.isabs(path) else posixpath.join(os.path.abspath(base), path))


def project_environment(
    project_dir: str, env_files: list[str] | None, shell: dict[str, str], read: Reader
) -> dict[str, str]:
    """The interpolation environment: the shell, plus env files for the variables it lacks."""
    required = env_files is not None
    paths = [_abs(project_dir, f) for f in env_files] if env_files is not None else [posixpath.join(project_dir, ".env")]
    from_files: dict[str, str] = {}
    for path in paths:
        text = read(path)
        if text is None:
            if required:
                raise ComposeError(f"{path}: env file not found")
            continue
        previous = dict(from_files)
        def lookup(k: str, previous: dict[str, str] = previous) -> str | None:
            return shell[k] if k in shell else previous.get(k)

        values = _parse_env_file(path, text, lookup)
        from_files.update({k: v for k, v in values.items() if v is not None})
    return {**from_files, **shell}


def _parse_env_file(path: str, text: str, lookup: Callable[[str], str | None]) -> dict[str, str | None]:
    try:
        return parse_dotenv(text, lookup)
    except DotenvError as exc:
        raise ComposeError(f"{where(path, exc.line)}: {exc.detail}") from None


def _interpolate(doc: ComposeDocument, lookup: Callable[[str], str | None]) -> None:
    """Interpolate one document, then cast the strings compose-go casts (casting.py)."""
    try:
        interpolate_values(doc.data, lookup)
        cast_values(doc.data)
    except (TemplateError, CastError) as exc:
        dotted = ".".join(exc.path)
        raise ComposeError(f"{where(doc.file, doc.line_of(exc.path))}: {dotted}: {exc.message}") from None


def _validate(doc: ComposeDocument) -> None:
    """The Compose Specification schema, on the interpolated and cast document (as compose-go does).

    compose-go validates after `extends` is read and after sequences are made unique (so a repeated
    `cap_add` entry is no error); the same two steps come first here.
    """
    services = doc.data.get("services")
    for name, svc in services.items() if isinstance(services, dict) else ():
        ext = svc.get("extends") if isinstance(svc, dict) else None
        if isinstance(ext, dict) and not isinstance(ext.get("service"), str):
            line = doc.line_of(("services", name, "extends"))
            raise ComposeError(f"{where(doc.file, line)}: extends.{name}.service is required")
    found = schema.problem(doc.data)
    if found is not None:  # rare: only then pay for the unicity pass, and look again
        enforce_unicity(doc.data)
        found = schema.problem(doc.data)
    if found is not None:
        path, message = found
        raise ComposeError(f"{where(doc.file, doc.line_of(path))}: {message}")


class _Files:
    """Loads compose files the way compose-go's loadYamlFile does, for one working directory and one
    interpolation environment: each document is interpolated, cast, validated, made canonical, its
    `extends` and `include` applied. `include:` and `extends: {file: ...}` start another _Files for
    the other file's directory (and, for include, its own environment)."""

    def __init__(self, read: Reader, env: dict[str, str], workdir: str, home: str, included: tuple[str, ...],
                 resolve: bool = False, defaults: bool = False):
        self.read = read
        self.env = env
        self.workdir = workdir
        self.home = home
        self.included = included
        self.resolve = resolve  # make relative paths absolute against workdir (included or extended files)
        self.defaults = defaults  # compose-go's SetDefaultValues: a build without context builds workdir

    def merge_into(self, merged: dict[str, Any], path: str) -> dict[str, Any]:
        for doc in self.load(path):
            if merged:
                apply_resets(merged, doc.resets + doc.overrides)
                try:
                    merged = merge(merged, doc.data)
                except ValueError as exc:
                    raise ComposeError(f"{path}: {exc}") from None
            else:
                merged = doc.data
            enforce_unicity(merged)
        return merged

    def load(self, path: str) -> list[ComposeDocument]:
        text = self.read(path)
        if text is None:
            raise ComposeError(f"{path}: compose file not found")
        docs = load_documents(path, text)
        for doc in docs:
            _interpolate(doc, self.env.get)
            _validate(doc)
            canonical(doc.data, path)
            if self.defaults:
                for svc in (doc.data.get("services") or {}).values():
                    if isinstance(svc, dict) and isinstance(svc.get("build"), dict):
                        svc["build"].setdefault("context", ".")
            if self.resolve:
                resolve_model(doc.data, self.workdir, self.home)
            self.extends(doc)
            if "include" in doc.data:
                self.include(doc, path)
        return docs

    # --- extends ---------------------------------------------------------------------------------
    def extends(self, doc: ComposeDocument) -> None:
        """`extends:` (same file, or `file:` relative to the working directory): the base service
        merged with the extending one. A base from another file has its relative paths resolved
        against that file's own directory first (compose-go's getExtendsBaseFromFile)."""
        services = doc.data.get("services")
        if not isinstance(services, dict):
            return
        done: set[str] = set()

        def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
            svc = services.get(name)
            if not isinstance(svc, dict) or name in done or "extends" not in svc:
                return svc if isinstance(svc, dict) else {}
            ext = svc["extends"]
            spec = {"service": ext} if isinstance(ext, str) else (ext if isinstance(ext, dict) else {})
            target = str(spec.get("service", ""))
            if spec.get("file"):
                base = self._base_from_file(name, target, str(spec["file"]), doc.file)
            else:
                if target in chain or target not in services:  # the line is only looked up for an error
                    line = where(doc.file, doc.line_of(("services", name, "extends")))
                    if target in chain:
                        raise ComposeError(f"{line}: services.{name}.extends: circular reference with {target}")
                    raise ComposeError(f'{line}: cannot extend service "{name}" in {doc.file}: '
                                       f'service "{target}" not found')
                base = resolve(target, (*chain, name))
            child = {k: v for k, v in svc.items() if k != "extends"}
            source = {"services": {name: copy.deepcopy(base)}}
            tagged = [p for p in doc.resets + doc.overrides if p[:2] == ("services", name)]
            apply_resets(source, tagged)  # `!reset` / `!override` in the child apply to what it extends
            merged = merge(source, {"services": {name: child}})["services"][name]
            services[name] = merged
            done.add(name)
            return merged

        for name in list(services):
            resolve(name, ())

    def _base_from_file(self, name: str, target: str, ref: str, current: str) -> dict[str, Any]:
        path = absolute(ref, self.workdir, self.home)
        if path in self.included:
            raise ComposeError(f"{current}: services.{name}.extends: circular reference with {path}")
        other = _Files(self.read, self.env, posixpath.dirname(path), self.home, (*self.included, current),
                       resolve=True)
        base: dict[str, Any] | None = None
        for part in other.load(path):
            found = (part.data.get("services") or {}).get(target)
            if isinstance(found, dict):
                base = found if base is None else merge({"s": base}, {"s": found})["s"]
        if base is None:
            raise ComposeError(f'cannot extend service "{name}" in {current}: service "{target}" not found in {ref}')
        return base

    # --- include ---------------------------------------------------------------------------------
    def include(self, doc: ComposeDocument, path: str) -> None:
        """compose-go's ApplyInclude: each entry is loaded as a project of its own (its directory,
        its env files on top of this environment), then its resources are added to this document;
        a resource defined differently on both sides is an error."""
        entries = doc.data.pop("include")
        if entries is None:
            return
        line = where(doc.file, doc.line_of(("include",)))
        if not isinstance(entries, list):
            raise ComposeError(f"{line}: `include` must be a list, got {entries}")
        for entry in entries:
            spec = {"path": entry} if isinstance(entry, str) else dict(entry)
            files = spec.get("path")
            files = [files] if isinstance(files, str) else list(files or [])
            if not files:
                raise ComposeError(f"{line}: include: path is required")
            files = [absolute(str(f), self.workdir, self.home) for f in files]
            pdir = spec.get("project_directory")
            pdir = posixpath.dirname(files[0]) if not pdir else absolute(str(pdir), self.workdir, self.home)
            chain = (*self.included, path)
            if files[0] in chain:
                cycle = " include ".join([*chain[1:], files[0]])
                raise ComposeError(f"include cycle detected: {chain[0]} include {cycle}")
            env_files = spec.get("env_file")
            env_files = [env_files] if isinstance(env_files, str) else env_files
            if env_files:
                env_files = [absolute(str(f), self.workdir, self.home) for f in env_files]
            env = project_environment(pdir, env_files, self.env, self.read)
            sub = _Files(self.read, env, pdir, self.home, chain, resolve=True, defaults=True)
            imported: dict[str, Any] = {}
            for file in files:
                imported = sub.merge_into(imported, file)
            for key in ("services", "volumes", "networks", "secrets", "configs", "models"):
                source = imported.get(key)
                if not isinstance(source, dict):
                    continue
                target = doc.data.setdefault(key, {})
                if target is None:
                    target = doc.data[key] = {}
                for name, value in source.items():
                    if name in target and target[name] != value:
                        raise ComposeError(f"{line}: {key}.{name} conflicts with imported resource")
                    target[name] = value


def _project_name(explicit: str | None, env: dict[str, str], model: dict[str, Any], pdir: str) -> str:
    for candidate in (explicit, env.get("COMPOSE_PROJECT_NAME")):
        if candidate:
            if not _VALID_NAME.match(candidate):
                raise ComposeError(
                    f"invalid project name {candidate!r}: must contain only lowercase letters, digits, "
                    "dashes and underscores, and start with a letter or digit"
                )
            return candidate
    name = model.get("name")
    if isinstance(name, str) and name:
        normalized = normalize_project_name(name)
    else:
        normalized = normalize_project_name(posixpath.basename(pdir.rstrip("/")))
    if not normalized:
        raise ComposeError(f"{pdir}: cannot derive a project name; use -p/--project-name")
    return normalized


def _check_services(model: dict[str, Any], paths: list[str]) -> None:
    services = model.get("services")
    if services is None:
        model["services"] = {}
        return
    if not isinstance(services, dict):
        raise ComposeError(f"{paths[-1]}: services must be a mapping")
    for name, svc in list(services.items()):
        if svc is None:
            svc = services[name] = {}
        if not isinstance(svc, dict):
            raise ComposeError(f"{paths[-1]}: services.{name} must be a mapping")


def _resolve_environment(svc: dict[str, Any], env: dict[str, str], pdir: str, read: Reader) -> None:
    """env_file entries in order, then `environment:`; bare keys come from the project env."""
    if "environment" not in svc and not svc.get("env_file"):
        return
    explicit = {k: (env.get(k) if v is None else v) for k, v in key_values(svc.get("environment")).items()}

    def lookup(k: str) -> str | None:
        return env[k] if k in env else explicit.get(k)

    result: dict[str, str | None] = {}
    for entry in svc.pop("env_file", None) or []:
        spec = entry if isinstance(entry, dict) else {"path": entry, "required": True}
        path = _abs(pdir, str(spec.get("path", "")))
        text = read(path)
        if text is None:
            if spec.get("required", True) is not False:
                raise ComposeError(f"{path}: env file not found")
            continue
        for k, v in _parse_env_file(path, text, lookup).items():
            result[k] = v
    result.update(explicit)
    svc["environment"] = result
