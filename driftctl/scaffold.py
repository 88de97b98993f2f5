"""`driftctl init`: look at a checkout and write a first environments.yaml for it.

What is detected (read-only, from files and `git` in the folder):
- the base compose file (Compose's default names) and per-environment overrides
  (`docker-compose.<env>.yml`, `compose.<env>.yaml`; `*.override.*` belongs to the base, as in Compose);
- env files: `.env` where it exists, and the committed examples (`.env.example`, `.env.sample`, ...)
  that a fresh clone has too;
- the git remote (`origin`, else the first one) without any credentials in its URL, and its default
  branch.
The result is a `local` and a `git` environment, a commented `ssh` template per override, example
rules, a `# yaml-language-server: $schema=` line pointing at a schema file written next to it, and a
reports folder that git ignores by itself (`reports/.gitignore` is `*`, as `.venv` or `.pytest_cache`
do), so the tracked `.gitignore` is never edited and never shows up as drift.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from driftctl.errors import UsageError

COMPOSE_BASES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE = re.compile(r"^(?:docker-)?compose\.(?P<env>[A-Za-z0-9_-]+)\.ya?ml$")
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist", "example.env")
SCHEMA_FILE = "environments.schema.json"
CONFIG_FILE = "environments.yaml"


@dataclass
class Detected:
    root: Path
    base: str | None = None
    override: str | None = None                                   # docker-compose.override.yml
    overrides: dict[str, str] = field(default_factory=dict)       # env name -> file
    env_file: bool = False                                        # .env exists here
    env_examples: list[str] = field(default_factory=list)         # committed examples
    remote_url: str | None = None
    remote_name: str | None = None
    default_branch: str | None = None

    @property
    def git_env(self) -> str:
        host = urlsplit(self.remote_url or "").hostname or (self.remote_url or "").split("@")[-1].split(":")[0]
        for known in ("github", "gitlab", "bitbucket", "codeberg"):
            if known in (host or ""):
                return known
        return "remote"

    def to_json(self) -> dict:
        return {"root": str(self.root), "compose_base": self.base, "compose_override": self.override,
                "overrides": self.overrides, "env_file": self.env_file, "env_examples": self.env_examples,
                "remote": self.remote_url, "default_branch": self.default_branch}


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def without_credentials(url: str) -> str:
    """`https://user:token@host/x.git` -> `https://host/x.git`; scp-style `git@host:x` stays (no secret)."""
    parts = urlsplit(url)
    if parts.scheme and parts.password is not None or (parts.scheme in ("http", "https") and parts.username):
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def detect(root: Path) -> Detected:
    found = Detected(root=root)
    names = sorted(p.name for p in root.iterdir() if p.is_file()) if root.is_dir() else []
    found.base = next((n for n in COMPOSE_BASES if n in names), None)
    for name in names:
        m = OVERRIDE.match(name)
        if m and m.group("env") == "override":
            found.override = found.override or name
        elif m:
            found.overrides.setdefault(m.group("env"), name)
    found.env_file = ".env" in names
    tracked = set((_git(root, "ls-files", "-z", "--", *ENV_EXAMPLES) or "").split("\x00"))
    found.env_examples = [n for n in ENV_EXAMPLES if n in tracked]
    remotes = (_git(root, "remote") or "").split()
    if remotes:
        found.remote_name = "origin" if "origin" in remotes else remotes[0]
        url = _git(root, "remote", "get-url", found.remote_name)
        found.remote_url = without_credentials(url) if url else None
        head = _git(root, "symbolic-ref", "--short", f"refs/remotes/{found.remote_name}/HEAD")
        if head and "/" in head:
            found.default_branch = head.split("/", 1)[1]
        else:
            upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
            if upstream and upstream.startswith(found.remote_name + "/"):
                found.default_branch = upstream.split("/", 1)[1]
    return found


def _q(value: str) -> str:
    """A YAML scalar that stays this string whatever it contains (JSON strings are YAML): plain when
    YAML reads it back unchanged (`main`, a URL), quoted otherwise (`1.0`, `yes`, `a: b`)."""
    import yaml

    plain = re.fullmatch(r"[A-Za-z0-9_./~][A-Za-z0-9_./:@~+-]*", value) is not None
    return value if plain and yaml.safe_load(value) == value else json.dumps(value)


def _flow(values: list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def render(found: Detected) -> str:
    """The text of environments.yaml for what was found (comments included)."""
    base = [f for f in (found.base, found.override) if f]
    local_files = base + ([found.overrides["local"]] if "local" in found.overrides else [])
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_FILE}",
        "# Written by `driftctl init`. Reference: `driftctl schema`, README section \"environments.yaml\".",
        "version: 1",
        "environments:",
        "  local:                       # this checkout",
        "    transport: local",
        "    path: .",
    ]
    if local_files:
        lines.append(f"    compose_files: {_flow(local_files)}")
    local_env = ([".env"] if found.env_file else []) + found.env_examples
    lines.append(f"    env_files: {_flow(local_env)}" + ("   # .env is not committed; the examples are" if found.env_file and found.env_examples else ""))
    git_env = found.git_env
    if found.remote_url:
        lines += [
            f"  {git_env}:" + " " * max(1, 29 - len(git_env)) + f"# the {found.remote_name} remote, as pushed",
            "    transport: git",
            f"    url: {_q(found.remote_url)}",
        ]
        if found.default_branch:
            lines.append(f"    ref: {_q(found.default_branch)}")
        if base:
            lines.append(f"    compose_files: {_flow(base)}")
        lines.append(f"    env_files: {_flow(found.env_examples)}   # a clone has only the committed files")
    else:
        lines += ["  # no git remote found: add one (git remote add origin URL) and a `transport: git` environment"]
    templates: dict[str, str | None] = {k: v for k, v in sorted(found.overrides.items()) if k != "local"}
    for env, file in (templates or {"server": None}).items():
        files = base + ([file] if file else [])
        lines += [
            f"  # {env}:                     # a host reached over SSH (uncomment and fill in)",
            "  #   transport: ssh",
            "  #   host: my-server           # a name, an address or a ~/.ssh/config alias",
            "  #   user: deploy",
            f"  #   path: {_q('/srv/' + found.root.name)}",
        ]
        if files:
            lines.append(f"  #   compose_files: {_flow(files)}")
        lines.append(f"  #   env_files: {_flow(['.env', *found.env_examples])}")
    lines += [
        "",
        "rules:",
        "  # Differences that should exist: shown as EXPECTED, they never fail `driftctl check`.",
        "  expected: []",
        "  #  - component: \"env.env.*_API_KEY\"          # ids: `driftctl diff ... --format plain | cut -f1`",
        "  #    reason: every environment has its own keys",
        "  #  - component: \"compose.services.*.environment.LOG_LEVEL\"",
        "  #    pairs: [[local, server]]",
        "  #    reason: verbose logs for development only",
        "  # Rows never shown (`--show-ignored` reveals them).",
        "  ignore: []",
        "  #  - \"files.docs*\"",
        "",
    ]
    return "\n".join(lines)


@dataclass
class InitResult:
    config: Path
    schema: Path
    reports: Path
    detected: Detected
    environments: list[str]

    def to_json(self) -> dict:
        return {"schema": "driftctl.init/v1", "config": str(self.config), "json_schema": str(self.schema),
                "reports": str(self.reports), "environments": self.environments,
                "detected": self.detected.to_json()}


def init(directory: Path, *, force: bool = False) -> InitResult:
    """Write environments.yaml (refusing to overwrite without `force`), its schema and a self-ignoring
    reports folder. The config is validated before it is written."""
    import yaml

    from driftctl.api import config_schema
    from driftctl.config import parse_config
    from driftctl.snapshot_store import atomic_write, mark_ignored

    root = directory.resolve()
    if not root.is_dir():
        raise UsageError(f"{directory}: not a directory")
    target = root / CONFIG_FILE
    if target.exists() and not force:
        raise UsageError(f"{target} exists; keep it, or overwrite it with `driftctl init --force`")
    found = detect(root)
    text = render(found)
    cfg = parse_config(yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader), str(target), str(root))
    atomic_write(target, text)
    schema = root / SCHEMA_FILE
    atomic_write(schema, json.dumps(config_schema(), indent=2) + "\n")
    reports = root / "reports"
    mark_ignored(reports)
    return InitResult(target, schema, reports, found, list(cfg.environments))
