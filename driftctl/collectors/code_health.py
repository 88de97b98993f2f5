"""Code health: Python imports of each service that point at files this environment does not have.

Why this collector exists: in the incident `unified_oi_aggregator.py` imported
`gateio_oi_provider_working`, a file that only existed on the server, so `/oi` worked in production
and failed everywhere else. A file inventory diff shows *that* files differ; this collector says
*which code breaks* because of it, in each environment on its own.

Which folders are checked (the service roots), first rule that gives any:
  1. the environment's `code_health:` list (folders relative to the checkout);
  2. the local `build:` contexts of the compose files (a minimal read of `build`/`build.context`;
     interpolated or remote contexts are skipped);
  3. folders holding a Dockerfile next to a `requirements*.txt` or `pyproject.toml`.

Rounds: (1) list the checkout (`find` on a checkout: what `docker build` sends includes gitignored
files; `git ls-tree` of the pinned commit for a `git` environment) and read the compose files;
(2) read every `.py` file and requirements file under the roots.

How an import resolves, and which unresolved ones are reported: `python_imports`.

Two levels for a checkout with a work tree: the work tree (what runs from the folder) and the
deployed commit (`git ls-tree HEAD`, and `git show HEAD:path` for the files the work tree modified).
An import that resolves in the work tree but not at the commit works only thanks to an untracked or
modified file: the commit is broken without it (data key `commit.needs_uncommitted`). Same rounds:
the commit listing and `git status` (whose header names HEAD) join round 1, the committed texts round 2.
"""

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from typing_extensions import NotRequired, TypedDict

from driftctl.collectors.base import CollectContext, CollectGen, Collector, file_text, require
from driftctl.collectors.compose import default_candidates, pick_default_files
from driftctl.collectors.files import find_command, parse_find
from driftctl.collectors.git import GitStatus
from driftctl.collectors.python_imports import check_roots, is_requirement_file, under
from driftctl.models import Command

# --- the data this collector stores in a snapshot -------------------------------------------------
# What the code_health collector stores: Python imports no file of the environment provides.
# (The differ and planner import these types under TYPE_CHECKING only. No `from __future__ import
# annotations` in this module: NotRequired must be evaluated for `__required_keys__` to be right.)


class MissingImport(TypedDict):
    service: str  # the service root's folder name
    file: str  # the importing file, relative to the checkout
    line: int
    module: str  # dotted, with leading dots for relative imports


class NeedsUncommitted(MissingImport):
    provided_by: list[str]  # uncommitted files that make the import resolve in the work tree


class CommitCheck(TypedDict):
    sha: str
    needs_uncommitted: list[NeedsUncommitted]


class CodeHealthData(TypedDict):
    roots: list[str]  # service root folders checked
    modules_checked: int
    missing: list[MissingImport]
    commit: NotRequired[CommitCheck]  # checkouts with a work tree only: the deployed commit's check


REMOTE_CONTEXT = re.compile(r"^([a-z][a-z0-9+.-]*://|git@|github\.com/)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# The collector: commands only; everything it concludes comes from the pure functions below.


class CodeHealthCollector(Collector):
    name = "code_health"
    data_type = CodeHealthData

    def collect(self, ctx: CollectContext) -> CollectGen[CodeHealthData]:
        compose_names = list(ctx.spec.compose_files or default_candidates())
        git_cmds = commit_commands(ctx)
        listing, *rest = yield [listing_command(ctx), *git_cmds, *(ctx.read_command(n) for n in compose_names)]
        git_results, compose_results = rest[:len(git_cmds)], rest[len(git_cmds):]
        paths = parse_listing(ctx, require(listing))
        compose_texts = {n: file_text(r) for n, r in zip(compose_names, compose_results)}
        roots = choose_roots(ctx.spec.code_health, compose_texts, compose_files(ctx, compose_texts), paths)
        wanted = files_to_read(roots, paths)
        commit = parse_commit_facts(*(r.text if r.ok else None for r in git_results)) if git_results else None
        committed_reads = commit_reads(roots, commit, set(wanted)) if commit else []
        results = yield [*(ctx.read_command(p) for p in wanted), *(committed_read(ctx, p) for p in committed_reads)]
        texts = {p: t for p, r in zip(wanted, results) if (t := file_text(r)) is not None}
        unread = set(wanted) - set(texts)  # listed, then gone (or deleted in the work tree)
        present = [p for p in paths if p not in unread]
        data = check_roots(roots, present, texts)
        if commit:
            shown = {p: r.text for p, r in zip(committed_reads, results[len(wanted):]) if r.ok}
            data["commit"] = commit_level(roots, commit, texts, shown, data["missing"], present)
        return data


def commit_commands(ctx: CollectContext) -> list[Command]:
    """The deployed commit's file list and the work tree's changes with HEAD in their header
    (checkouts only; the status command is the git collector's own, run once for both)."""
    if ctx.caps.revision:
        return []
    from driftctl.collectors.git import status_command

    return [
        ctx.git("ls-tree", "-r", "-z", "--name-only", "HEAD", ok_codes=(0, 128)),
        status_command(ctx),
    ]


class CommitFacts(GitStatus):
    """The deployed commit of a checkout: its sha and committed paths, and the work tree's changes."""

    sha: str
    paths: list[str]


def parse_commit_facts(tree: str | None, status: str | None) -> CommitFacts | None:
    """HEAD (from the status header), the committed paths and the work tree's changes; None outside
    a git checkout or before the first commit."""
    from driftctl.collectors.git import parse_status_v2

    if tree is None or status is None:
        return None
    state = parse_status_v2(status)
    if not state["oid"]:
        return None
    return {"sha": state["oid"], "paths": sorted(p for p in tree.split("\x00") if p),
            "modified": state["modified"], "untracked": state["untracked"]}


def commit_reads(roots: Mapping[str, str], commit: CommitFacts, worktree_reads: set[str]) -> list[str]:
    """Committed files to read with `git show`: those the work tree changed or deleted."""
    changed = set(commit["modified"])
    wanted = files_to_read(roots, commit["paths"])
    return [p for p in wanted if p in changed or p not in worktree_reads]


def committed_read(ctx: CollectContext, rel: str) -> Command:
    return ctx.git("show", f"HEAD:./{posixpath.normpath(rel)}", ok_codes=(0, 128))


def commit_level(roots: Mapping[str, str], commit: CommitFacts, worktree_texts: Mapping[str, str],
                 shown: Mapping[str, str], worktree_missing: list[MissingImport], present: Iterable[str] = ()) -> CommitCheck:
    """Imports that resolve in the work tree but not at the deployed commit, each with the
    uncommitted files (untracked, ignored or modified) that make it resolve."""
    changed = set(commit["modified"])
    texts = {p: t for p, t in worktree_texts.items() if p in commit["paths"] and p not in changed}
    texts.update(shown)
    at_commit = check_roots(roots, commit["paths"], texts)["missing"]
    known = {(m["file"], m["line"], m["module"]) for m in worktree_missing}
    uncommitted = sorted(set(commit["untracked"]) | changed | (set(present) - set(commit["paths"])))
    needs: list[NeedsUncommitted] = []
    for m in at_commit:
        if (m["file"], m["line"], m["module"]) in known:
            continue  # broken in the work tree too: reported there
        needs.append({**m, "provided_by": providers(m["module"], m["file"], uncommitted)})
    return {"sha": commit["sha"], "needs_uncommitted": needs}


def providers(module: str, importer: str, uncommitted: list[str]) -> list[str]:
    """Uncommitted files that can provide `module` (its file or package, near the importer first)."""
    tail = module.lstrip(".").split(".")
    stem = "/".join(tail)
    out = [p for p in uncommitted
           if p.endswith(f"{stem}.py") or f"/{stem}/" in f"/{p}" or p.endswith(f"{tail[-1]}.py")]
    near = posixpath.dirname(importer)
    return sorted(out, key=lambda p: (not p.startswith(near), p))


def listing_command(ctx: CollectContext) -> Command:
    """All files of the checkout.

    `find` rather than `git ls-files`: `docker build` sends gitignored files too, and a hand-copied
    fix on a server is exactly the kind of file that may be ignored. It is the same command the files
    collector runs for plain folders, so the runner shares it there.
    """
    if ctx.caps.revision:
        return ctx.git("ls-tree", "-r", "-z", "--name-only", ctx.commit or "HEAD")
    return find_command(ctx.root)


def parse_listing(ctx: CollectContext, text: str) -> list[str]:
    if ctx.caps.revision:
        return sorted(p for p in text.split("\x00") if p)
    return parse_find(text)


def compose_files(ctx: CollectContext, texts: Mapping[str, str | None]) -> list[str]:
    """The compose files Compose would use: the configured ones, else the default pick."""
    return [n for n in ctx.spec.compose_files] if ctx.spec.compose_files else pick_default_files(dict(texts))


def files_to_read(roots: Mapping[str, str], paths: Iterable[str]) -> list[str]:
    """Python sources and requirement files below any root, each once."""
    return sorted({p for p in paths for r in roots if under(r, p) and (p.endswith(".py") or is_requirement_file(r, p))})


# --------------------------------------------------------------------------------------------------
# Which folders are services.


def normalise_root(path: str) -> str:
    """`./services/x/` -> `services/x`; the checkout itself is `.`."""
    return posixpath.normpath(path.strip() or ".").lstrip("/") or "."


def choose_roots(
    configured: list[str] | None, compose_texts: Mapping[str, str | None], files: list[str], paths: list[str]
) -> dict[str, str]:
    """Service root -> service name, by the first rule that gives any (see the module docstring)."""
    if configured:
        return {normalise_root(r): service_name(normalise_root(r)) for r in configured}
    return compose_build_roots([(f, compose_texts.get(f)) for f in files]) or discover_roots(paths)


def service_name(root: str) -> str:
    """The root folder's name, not the compose service's: the differ keys its rows by folder name,
    and one folder can be built by several services."""
    return posixpath.basename(root) if root != "." else "."


def compose_build_roots(files: list[tuple[str, str | None]]) -> dict[str, str]:
    """Local build contexts of the compose files -> service name (later files override earlier ones).

    A minimal read on purpose: a context is a literal path in practice, and collectors cannot see
    the compose collector's fully resolved model. Contexts are relative to the first file's folder.
    """
    project_dir = posixpath.dirname(files[0][0]) if files else ""
    contexts: dict[str, str] = {}
    for _, text in files:
        for service, context in build_contexts(text or "").items():
            contexts[service] = context
    roots: dict[str, str] = {}
    for context in contexts.values():
        if "$" in context or REMOTE_CONTEXT.match(context) or context.startswith("/"):
            continue
        root = normalise_root(posixpath.join(project_dir, context))
        if not root.startswith(".."):
            roots.setdefault(root, service_name(root))
    return roots


def build_contexts(text: str) -> dict[str, str]:
    """`services.<name>.build` (a string or `{context: ...}`) of one compose file; {} when unreadable."""
    return dict(_build_contexts(text))


@lru_cache(maxsize=32)
def _build_contexts(text: str) -> tuple[tuple[str, str], ...]:
    """build_contexts, parsed once per distinct text: a fleet's hosts mostly hold the same compose
    files, and parsing one is most of this collector's controller CPU."""
    doc = _load_yaml(text)
    services = doc.get("services") if isinstance(doc, dict) else None
    out: dict[str, str] = {}
    for name, svc in (services or {}).items() if isinstance(services, dict) else ():
        build = svc.get("build") if isinstance(svc, dict) else None
        if isinstance(build, str):
            out[str(name)] = build
        elif isinstance(build, dict):
            out[str(name)] = str(build.get("context") or ".")
    return tuple(out.items())


def _load_yaml(text: str) -> Any:
    """The document, or None when it is not YAML or exceeds the bounds every YAML read of driftctl
    keeps (yaml_source.check_bounds: a target's file may be an alias bomb or nested thousands deep,
    which would exhaust the parser's stack)."""
    import yaml

    from driftctl.yaml_source import check_bounds

    try:
        check_bounds(text)
        return yaml.load(text, Loader=_tolerant_loader())  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError):
        return None


@lru_cache(maxsize=1)
def _tolerant_loader() -> Any:
    """A safe loader (libyaml's parser where PyYAML has it, as driftctl/compose/loader.py) that reads
    Compose's `!reset` / `!override` tags as the plain values they wrap. Built once: PyYAML copies the
    constructor table for each new subclass."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class _Tolerant(base):
        pass

    def plain(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        assert isinstance(node, yaml.ScalarNode)
        return loader.construct_scalar(node)

    _Tolerant.add_multi_constructor("!", plain)
    return _Tolerant


def discover_roots(paths: Iterable[str]) -> dict[str, str]:
    """Folders with a Dockerfile next to a requirements file or pyproject: Python services."""
    by_dir: dict[str, set[str]] = defaultdict(set)
    for p in paths:
        folder, name = posixpath.split(p)
        by_dir[folder or "."].add(name)
    roots = {}
    for folder, names in sorted(by_dir.items()):
        has_docker = any(n == "Dockerfile" or n.startswith("Dockerfile.") for n in names)
        has_reqs = "pyproject.toml" in names or any(n.startswith("requirements") and n.endswith(".txt") for n in names)
        if has_docker and has_reqs:
            roots[folder] = service_name(folder)
    return roots


COLLECTOR = CodeHealthCollector()


def replay(case: dict[str, Any]) -> list[tuple[Any, Any]]:
    """A recorded case (tests/collectors/code_health/<case>.json: service roots and, per environment,
    its files and the missing imports expected) -> [(what the check finds, what the case expects)]."""
    out = []
    for spec in case["environments"].values():
        files = {p: c if isinstance(c, str) else "\n".join(c) + "\n" for p, c in spec["files"].items()}
        data = check_roots(case["roots"], sorted(files), files)
        out.append(({"missing": data["missing"], "modules_checked": data["modules_checked"], "roots": data["roots"]},
                    {"missing": spec["expected"], "modules_checked": spec["modules_checked"], "roots": list(case["roots"])}))
    return out
