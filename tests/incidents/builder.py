"""Incident fixtures built by code: real git repositories (a bare origin, the developer's checkout, a
deployment and optionally a staging checkout), hand edits left uncommitted on the deployment, and an
environments.yaml that reaches the deployment locally, through the real sshd, or with a Docker
engine route (`docker_host`) to the real dockerd.

Each `Incident` varies the stack (service and module names), the branches (release branches,
develop, main), the transport and which kinds of damage the deployment carries.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.fixtures.compose_binary import compose_binary
from tests.fixtures.forkrun import run_driftctl
from tests.fixtures.gitrepos import GitRepo, clone

REPO_ROOT = Path(__file__).resolve().parents[2]
LIVE_KEY = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"  # shape of a live payment key (test vector, not a real key)
TOKENS = {"prod": "prodTok3n-Zq81vXw42LmN0pRsT6uY", "dev": "devTok3n-aB19cD28eF37gH46iJ55"}


@dataclass(frozen=True)
class Incident:
    name: str
    web: str = "web"  # the service that imports the missing module
    worker: str = "worker"
    module: str = "pricing"  # <module>_working.py exists only, untracked, on the deployment
    hub: str = "local"
    hub_branch: str = "main"
    prod: str = "prod"
    prod_branch: str = "release/1.4"
    staging: str | None = None
    transport: str = "local"  # local | ssh
    hotfix: bool = False  # a commit on the deployment never pushed anywhere
    override: bool = False  # the deployment uses an override file, hand-edited and uncommitted
    key_module: bool = False  # an untracked module holding a live key
    deleted: bool = False  # a tracked file deleted on the deployment
    renamed: bool = False  # a tracked file renamed (git mv) on the deployment
    symlink: bool = False  # an untracked symlink on the deployment
    binary: bool = False  # a modified binary file on the deployment
    docker: bool = False  # containers on the real dockerd via docker_host
    stopped: bool = False  # (docker) one declared service is stopped
    tags: tuple[str, ...] = field(default=())  # release tags on the prod branch


def compose_text(i: Incident, url: str, image: str | None) -> str:
    build = f"    image: {image}\n    command: [\"sleep\", \"3600\"]\n" if image else f"    build: ./services/{i.web}\n    command: python app.py\n"
    worker = f"    image: {image}\n    command: [\"sleep\", \"3600\"]\n" if image else f"    build: ./services/{i.worker}\n"
    return (f"services:\n  {i.web}:\n{build}    environment:\n      - UPSTREAM_URL={url}\n      - API_TOKEN=${{API_TOKEN}}\n"
            f"  {i.worker}:\n{worker}")


@dataclass
class Built:
    incident: Incident
    root: Path
    ops: Path
    config: Path
    origin: Path
    hub: GitRepo
    prod: GitRepo
    staging: GitRepo | None
    hotfix_sha: str | None
    env: dict[str, str]

    @property
    def checkouts(self) -> dict[str, GitRepo]:
        out = {self.incident.hub: self.hub, self.incident.prod: self.prod}
        if self.staging is not None and self.incident.staging:
            out[self.incident.staging] = self.staging
        return out

    def driftctl(self, *args: str) -> subprocess.CompletedProcess:
        path = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env = dict(os.environ, **self.env, DRIFTCTL_CONFIG=str(self.config), COLUMNS="200", PYTHONPATH=path)
        return run_driftctl(args, cwd=self.ops, env=env, timeout=600)


def build(i: Incident, root: Path, *, sshd=None, engine=None) -> Built:
    """The incident's repositories and config under `root`, its containers running on `engine` if any."""
    built = build_repos(i, root, sshd=sshd, engine=engine)
    if engine is not None:
        start_containers(built, engine)
    return built


def build_repos(i: Incident, root: Path, *, sshd=None, engine=None) -> Built:
    """Everything but the containers: repositories, environments.yaml, the Compose plugin folder.
    Copied with `cp -a` back to the same `root`, the copy is the same world again (paths are absolute)."""
    root.mkdir(parents=True, exist_ok=True)
    image = engine.image if engine is not None else None
    origin = root / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", i.hub_branch, str(origin)], check=True)
    seed = clone(origin, root / "seed")
    seed.git("checkout", "-q", "-b", i.hub_branch)
    base = {
        "docker-compose.yml": compose_text(i, f"http://{i.worker}:8080", image),
        f"services/{i.web}/app.py": "import helpers\nprint('serving')\n",
        f"services/{i.web}/helpers.py": "def helper():\n    return 1\n",
        f"services/{i.web}/legacy.py": "OLD = True\n",
        f"services/{i.worker}/run.py": "print('working')\n",
        "assets/logo.bin": bytes(range(256)) * 4,
        ".gitignore": ".env\n",
    }
    seed.commit(base, "base")
    for tag in i.tags:
        seed.git("tag", tag)
    seed.checkout(i.prod_branch, create=True)
    seed.commit({"docker-compose.yml": compose_text(i, f"http://{i.worker}-svc:8080", image)}, "release: service name")
    seed.checkout(i.hub_branch)
    seed.commit({f"services/{i.web}/app.py": f"import helpers\nfrom {i.module}_working import price\nprint(price())\n"},
                f"use {i.module}_working")
    seed.git("push", "-q", "--tags", "origin", i.hub_branch, i.prod_branch)  # one push: the same refs as one each

    hub = clone(origin, root / "dev" / f"{i.name}-dev", branch=i.hub_branch)
    prod = clone(origin, root / f"{i.prod}-host" / f"{i.name}-{i.prod}", branch=i.prod_branch)
    staging = clone(origin, root / "staging-host" / f"{i.name}-staging", branch=i.prod_branch) if i.staging else None
    for repo, token in ((hub, TOKENS["dev"]), (prod, TOKENS["prod"]), *(((staging, TOKENS["prod"]),) if staging else ())):
        repo.write({".env": f"API_TOKEN={token}\nLOG_LEVEL=info\n"})
    hotfix = None
    if i.hotfix:
        hotfix = prod.commit({f"services/{i.worker}/run.py": "print('working, hotfixed')\n"}, "hotfix on the host")
    _damage(i, prod)
    env_specs = _specs(i, hub, prod, staging, sshd, engine)
    ops = root / "ops"
    ops.mkdir()
    config = ops / "environments.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "environments": env_specs}, sort_keys=False))
    extra: dict[str, str] = {}
    if engine is not None:
        plugins = root / "docker-config" / "cli-plugins"
        plugins.mkdir(parents=True)
        compose_bin = compose_binary()
        (plugins / "docker-compose").symlink_to(compose_bin)
        extra["DOCKER_CONFIG"] = str(root / "docker-config")
    return Built(i, root, ops, config, origin, hub, prod, staging, hotfix, extra)


def start_containers(b: Built, engine) -> None:
    """The deployment's services up on the real dockerd (one of them stopped when the incident says so)."""
    i, project = b.incident, b.prod.path.name
    engine.compose(b.prod.path, "-p", project, *[a for f in _prod_files(i) for a in ("-f", f)], "up", "-d")
    if i.stopped:
        engine.compose(b.prod.path, "-p", project, "-f", "docker-compose.yml", "stop", i.worker)


def _damage(i: Incident, prod: GitRepo) -> None:
    """What people did by hand on the deployment, never committed."""
    prod.write({f"services/{i.web}/{i.module}_working.py": "def price():\n    return 42\n"})
    if i.override:
        prod.write({"docker-compose.override.yml": f"services:\n  {i.web}:\n    environment:\n      - LOG_LEVEL=debug\n"})
        prod.git("add", "docker-compose.override.yml")
        prod.git("commit", "-q", "-m", "override")
        prod.git("push", "-q", "origin", f"HEAD:{i.prod_branch}")
        prod.write({"docker-compose.override.yml": f"services:\n  {i.web}:\n    environment:\n      - LOG_LEVEL=warning\n"})
    if i.key_module:
        prod.write({f"services/{i.worker}/billing.py": f"STRIPE_KEY = \"{LIVE_KEY}\"\n"})
    if i.deleted:
        os.remove(prod.path / f"services/{i.web}/legacy.py")
    if i.renamed:
        prod.git("mv", f"services/{i.web}/helpers.py", f"services/{i.web}/util.py")
    if i.symlink:
        os.symlink("helpers.py", prod.path / f"services/{i.web}/current.py")
    if i.binary:
        (prod.path / "assets/logo.bin").write_bytes(bytes(reversed(range(256))) * 4 + b"\0edited")


def _prod_files(i: Incident) -> list[str]:
    return ["docker-compose.yml", *(["docker-compose.override.yml"] if i.override else [])]


def _specs(i: Incident, hub: GitRepo, prod: GitRepo, staging: GitRepo | None, sshd, engine) -> dict:
    prod_files = _prod_files(i)
    extra = {"docker_host": engine.docker_host} if engine is not None else {}
    specs: dict = {i.hub: {"transport": "local", "path": str(hub.path), "compose_files": ["docker-compose.yml"]}}
    if i.transport == "ssh":
        specs[i.prod] = sshd.env_spec(str(prod.path), compose_files=prod_files, **extra)
    else:
        specs[i.prod] = {"transport": "local", "path": str(prod.path), "compose_files": prod_files, **extra}
    if staging is not None and i.staging:
        specs[i.staging] = {"transport": "local", "path": str(staging.path), "compose_files": ["docker-compose.yml"], **extra}
    return specs


CATALOG: tuple[Incident, ...] = (
    Incident("release-hotfix-ssh", transport="ssh", hotfix=True, override=True, key_module=True, prod_branch="release/2.3",
             web="api", worker="jobs", module="quotes", prod="eu-prod"),
    Incident("deleted-and-renamed", deleted=True, renamed=True, web="gateway", worker="indexer", module="ranker",
             hub_branch="develop", prod_branch="main"),
    Incident("symlink-and-binary", symlink=True, binary=True, web="frontend", worker="mailer", module="render",
             hub="laptop", prod="live"),
    Incident("staging-and-prod", staging="staging", hotfix=True, web="shop", worker="stock", module="tax",
             prod_branch="release/5.0", tags=("v5.0.0",)),
    Incident("override-only", override=True, web="portal", worker="reports", module="charts", prod="production"),
    Incident("live-key-untracked", key_module=True, web="payments", worker="ledger", module="fees", prod_branch="hotfix/ledger"),
    Incident("ssh-everything", transport="ssh", hotfix=True, deleted=True, symlink=True, binary=True, web="search",
             worker="crawler", module="scoring", prod="aws", prod_branch="aws-deployment"),
    Incident("docker-route", docker=True, stopped=True, hotfix=True, web="bot", worker="feeder", module="signals", prod="vps",
             prod_branch="release/0.9"),
)
