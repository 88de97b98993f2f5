"""Every incident fixture x every option: plan, refuse an out-of-order step, `apply --yes`, then check
what actually happened against the plan invariants (issue 11), and roll every step back.

Real git, the real sshd where the deployment is reached over SSH, the real dockerd where containers
matter. Each incident's world is built once (module scope) and snapshotted once (`driftctl snapshot`,
saved in its reports folder); every (incident, option) then gets a fresh copy of it in the same place
(`cp -a` of the pristine world back to its root: absolute paths in configs and remotes stay true), its
driftctl home as it was at the snapshot (the same fingerprint key), and, with Docker, freshly started
containers: apply changes them. Reading commands never change a world, so the three options plan from
that one snapshot (`plan --cached`); `apply` collects every environment again before it runs anything
and refuses a plan whose environments changed, so each option's restored world is checked against the
snapshot its plan was made from. A world with containers plans live each time: its containers are new
for every option (other ids), so it is not the world that was snapshotted. The `driftctl` the plan's
own command lines run (rescue, scan-secrets, backup decrypt) is served by pre-imported fork servers
(tests/incidents/cli_relay.py), as the tests' own driftctl commands are.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from driftctl.planner.invariants import FORBIDDEN, PLACEHOLDER
from tests.incidents.builder import CATALOG, LIVE_KEY, TOKENS, Built, Incident, build_repos, start_containers
from tests.incidents.cli_relay import CliRelay

pytestmark = pytest.mark.integration
OPTIONS = ("quick-fix", "comprehensive-sync", "parallel")
# one xdist group per incident: its three options share the world built once, on one worker
WORLDS = [pytest.param(i, id=i.name, marks=pytest.mark.xdist_group(f"incident-{i.name}")) for i in CATALOG]


@dataclass
class World:
    built: Built
    pristine: Path  # a copy of built.root as build_repos left it, with its snapshots in reports/
    home: Path  # the driftctl home the snapshots were taken with (fingerprint key, caches)
    engine: object | None  # containers: no snapshot is shared (see the module's docstring)
    used: bool = False  # built.root was handed to a test since it was last restored


@pytest.fixture(scope="module")
def relay() -> Iterator[CliRelay]:
    """`driftctl` on the PATH of the plan's command lines, run by pre-imported fork servers."""
    server = CliRelay()
    yield server
    server.close()


@pytest.fixture(scope="module")
def world(request, tmp_path_factory, relay: CliRelay, driftctl_home) -> Iterator[World]:
    """The incident's repositories and config, and (without containers) one snapshot of every environment."""
    spec: Incident = request.param
    sshd = request.getfixturevalue("sshd") if spec.transport == "ssh" else None
    engine = request.getfixturevalue("dockerd") if spec.docker else None
    root = tmp_path_factory.mktemp(spec.name) / spec.name
    with driftctl_home() as home:
        built = build_repos(spec, root, sshd=sshd, engine=engine)
        built.env.update(relay.env(dict(os.environ)))
        if engine is None:
            snap = built.driftctl("snapshot", "--format", "json")
            assert snap.returncode == 0, snap.stderr
            assert [s["environment"] for s in json.loads(snap.stdout)] == list(built.checkouts), snap.stdout
    pristine = root.with_name(f"{root.name}.pristine")
    subprocess.run(["cp", "-a", str(root), str(pristine)], check=True)
    yield World(built, pristine, home, engine)
    if engine is not None:
        engine.remove_all_containers()


@pytest.fixture
def incident(world: World) -> Iterator[Built]:
    """The incident's world as built and snapshotted (restored from the pristine copy after an earlier
    option used it), in this test's own driftctl home holding what the world's home held then, with its
    containers started afresh on a dockerd holding no other container."""
    b = world.built
    if world.used:
        shutil.rmtree(b.root)
        subprocess.run(["cp", "-a", str(world.pristine), str(b.root)], check=True)
    world.used = True
    home = Path(os.environ["XDG_CONFIG_HOME"]).parent  # this test's (tests/conftest.py isolates every test)
    subprocess.run(["cp", "-a", f"{world.home}/.", str(home)], check=True)
    if world.engine is not None:
        world.engine.remove_all_containers()
        start_containers(b, world.engine)
    yield b
    if world.engine is not None:
        world.engine.remove_all_containers()


def git(path: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **(env or {})}).stdout


def state(path: Path) -> dict:
    """What a rollback must restore: HEAD (attached branch or commit), refs, and the whole work tree
    (tracked, modified, deleted, untracked; not ignored) as one tree hash."""
    index = path / ".git" / "incident-test-index"
    env = {"GIT_INDEX_FILE": str(index)}
    git(path, "read-tree", "HEAD", env=env)
    git(path, "add", "-A", env=env)
    tree = git(path, "write-tree", env=env).strip()
    index.unlink()
    sha, name = git(path, "rev-parse", "HEAD", "--symbolic-full-name", "HEAD").split()  # name: HEAD when detached
    return {"head": sha if name == "HEAD" else name, "sha": sha,
            "tree": tree, "refs": sorted(git(path, "for-each-ref", "--format=%(refname) %(objectname)").splitlines())}


def plan_of(b: Built, option: str) -> tuple[Path, dict]:
    """The option's plan, made from the world's saved snapshots unless it runs containers (see the
    module's docstring)."""
    res = b.driftctl("plan", *([] if b.incident.docker else ["--cached"]), "--option", option, "--format", "json")
    assert res.returncode in (0, 1, 3), res.stderr
    plan = json.loads(res.stdout)
    return b.ops / "reports" / "plans" / f"{plan['id']}.json", plan


def steps(plan: dict) -> list[dict]:
    return [s for p in plan["phases"] for s in p["steps"]]


def written_files(b: Built) -> list[Path]:
    """Files the plan may have written: reports/, the driftctl work trees, and every checkout."""
    out = []
    roots = [b.ops / "reports", *b.root.glob("dev/*-driftctl-*"), *(r.path for r in b.checkouts.values())]
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]
            out += [Path(dirpath) / f for f in files if not (Path(dirpath) / f).is_symlink()]
    return out


def assert_plan_invariants(plan: dict) -> None:
    ids = [s["id"] for s in steps(plan)]
    for n, s in enumerate(steps(plan)):
        for line in [*s["commands"], *s["rollback"], *s["verify"], *s["preconditions"]]:
            assert not PLACEHOLDER.search(line), (s["id"], line)
            assert not any(p.search(line) for p, _ in FORBIDDEN), (s["id"], line)
            assert LIVE_KEY not in line and not any(t in line for t in TOKENS.values())
        assert set(s["requires"]) <= set(ids[:n]), s["id"]
        if s["mutates"]:
            assert s["rollback"] and s["preconditions"] and s["verify"], s["id"]


def rollback_all(b: Built, plan: dict, done: list[str]) -> None:
    """Run the rollback of every step that ran, newest first, where the step ran."""
    config = {e: s for e, s in __import__("yaml").safe_load(b.config.read_text())["environments"].items()}
    env = {**os.environ, **b.env}
    for s in reversed([s for s in steps(plan) if s["id"] in done and s["mutates"]]):
        cwd = config[s["environment"]]["path"] if s["environment"] in config else str(b.ops)
        for line in s["rollback"]:
            res = subprocess.run(["sh", "-c", line], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)
            assert res.returncode == 0, (s["id"], line, res.stderr)


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("world", WORLDS, indirect=True)
def test_incident(incident: Built, option: str) -> None:
    b = incident
    path, plan = plan_of(b, option)
    assert_plan_invariants(plan)
    if b.incident.key_module:  # named by file and line in the plan, never by value
        messages = " ".join(w["message"] for w in plan["warnings"])
        assert f"services/{b.incident.worker}/billing.py:1 (payment API key)" in messages
        assert LIVE_KEY not in json.dumps(plan)
    ordered = steps(plan)
    for tag in b.incident.tags:  # the release an environment runs is named
        assert any(tag in n for s in ordered for n in s["notes"]), tag
    late = next(s for s in reversed(ordered) if s["mutates"] and s["requires"])
    refused = b.driftctl("apply", str(path), "--step", late["id"], "--yes")
    assert refused.returncode == 2 and f"{late['id']} requires" in refused.stderr, refused.stderr
    before = {name: state(repo.path) for name, repo in b.checkouts.items()}
    origin_before = sorted(git(b.origin, "for-each-ref").splitlines())

    res = b.driftctl("apply", str(path), "--yes")
    done = json.loads((b.ops / "reports" / "apply" / "state" / f"{plan['id']}.json").read_text())["done"]
    assert res.returncode == 0, res.stderr  # every option runs to its end, on the engine too
    assert set(done) == {s["id"] for s in ordered}

    for f in written_files(b):
        data = f.read_bytes()
        assert LIVE_KEY.encode() not in data or f.parent.name == b.incident.worker and f.name == "billing.py", f
        if b.ops in f.parents:
            assert not any(t.encode() in data for t in TOKENS.values()), f"secret in clear: {f}"
        if "-driftctl-" in str(f):
            assert not PLACEHOLDER.search(data.decode(errors="replace")), f
    for name, repo in b.checkouts.items():
        assert git(repo.path, "stash", "list") == "", name
    assert LIVE_KEY not in git(b.hub.path, "log", "--all", "-p")  # left out of the rescue commit
    assert LIVE_KEY not in git(b.origin, "log", "--all", "-p")  # never pushed
    if b.hotfix_sha:
        assert git(b.hub.path, "for-each-ref", "--contains", b.hotfix_sha).strip(), "deployment-only commit not secured"
    if b.incident.key_module and "rescue-" + b.incident.prod in done:
        assert "services/" + b.incident.worker + "/billing.py:1" in res.stderr + _rescue_log(b)

    rollback_all(b, plan, done)
    after = {name: state(repo.path) for name, repo in b.checkouts.items()}
    for name in before:
        assert after[name] == before[name], f"{name} not restored by the rollbacks"
    assert sorted(git(b.origin, "for-each-ref").splitlines()) == origin_before


def _rescue_log(b: Built) -> str:
    return "\n".join(p.read_text() for p in (b.ops / "reports" / "apply").glob("*.log"))
