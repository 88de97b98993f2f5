"""The hostile-input suite (issue 14, acceptance 1): more than 300 cases across the families the issue
names (sizes, FIFOs, devices, symlinks out, alias bombs, nesting, bad encodings, bad names, bad
numbers, truncated or malformed snapshots and plans, ssh_config faults), each run through the real
CLI entry point (`driftctl.cli.main.main`).

Each family runs in ONE child process limited to 300 MiB of address space (RLIMIT_AS): a case that
tried to read /dev/zero or expand an alias bomb would die there with MemoryError, which the CLI
would report as "out of memory", and that fails the case. Every case must end with exit 0-3 or 130,
print at most one stderr line per problem and no traceback, within the configured timeouts.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.fixtures.forkrun import stop_server

LIMIT_BYTES = 300 << 20
COMMAND_TIMEOUT = 20
CUT_S = 1  # command_timeout of the target cases whose whole work would be hashing GiBs of zeros
SLACK_S = 10  # the other rounds of a snapshot and start-up, on a loaded CI machine
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Case:
    id: str
    args: list[str]
    cwd: str
    codes: set[int] = field(default_factory=lambda: {0, 1, 2, 3, 130})
    env: dict[str, str] = field(default_factory=dict)
    max_lines: int = 1  # stderr lines allowed (one per problem)
    expect: str | None = None  # a fragment stderr must hold


LOOSE = {"huge-string", "git-data-wrong", "files-data-wrong", "env-data-wrong", "compose-data-wrong", "host-data-wrong"}


def alias_bomb(levels: int, width: int) -> str:
    lines = [f'l0: &l0 [{", ".join(["x"] * width)}]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def nested(depth: int, flow: bool = True) -> str:
    if flow:
        return "[" * depth + "]" * depth
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


def config_text(envs: str) -> str:
    return f"version: 1\nenvironments:\n{envs}"


class Families:
    """Builds each family's cases in its own folder under `base`."""

    def __init__(self, base: Path, git_repo) -> None:
        self.base = base
        self.git_repo = git_repo
        self.template: Path | None = None
        self.n = 0

    def folder(self, family: str) -> Path:
        self.n += 1
        path = self.base / family / f"c{self.n}"
        path.mkdir(parents=True)
        return path

    def config_case(self, family: str, cid: str, text: str | bytes, command: str = "envs", **kw) -> Case:
        """`command` may carry arguments (`diff a b`)."""
        folder = self.folder(family)
        cfg = folder / "environments.yaml"
        cfg.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        kw.setdefault("max_lines", 20)  # config validation prints one line per problem found
        return Case(f"{family}/{cid}", [*command.split(), "-c", str(cfg)], str(folder), **kw)

    # -- environments.yaml ------------------------------------------------------------------------

    def bad_numbers(self) -> Iterator[Case]:
        values = [".inf", "-.inf", ".nan", "0", "-1", "1e309", "1e100", "abc", "true", "[]", "{}", "99999999",
                  "0x10", "'10'", "null", "1_000"]
        for fld in ("command_timeout", "connect_timeout", "max_file_bytes"):
            for i, v in enumerate(values):
                yield self.config_case("numbers", f"{fld}-{i}",
                                       config_text(f"  a: {{transport: local, {fld}: {v}}}\n"), codes={0, 2})
        for i, v in enumerate(["0", "65536", "-1", "'22x'", "1.5", ".inf", "[22]", "99999999999999999999"]):
            yield self.config_case("numbers", f"port-{i}", config_text(
                f"  a: {{transport: ssh, host: h, path: /p, port: {v}}}\n"), codes={2})
        for i, v in enumerate(["101", "-5", ".nan", ".inf", "abc"]):
            yield self.config_case("numbers", f"threshold-{i}", "version: 1\nenvironments: {a: {transport: local}}\n"
                                   f"rules: {{thresholds: {{memory_percent: {v}}}}}\n", codes={2})

    def bad_names(self) -> Iterator[Case]:
        names = ["../x", "../../etc", "-rf", "--help", "''", "' '", "a/b", '"a\\nb"', '"a\\0b"', "'.'", "'..'",
                 "x" * 65, "ünï", "'a b'", "'$(id)'", "'`id`'", "'*'", "'a;b'", "'~root'", "'.hidden'", "_x",
                 "'a\\b'", "'\\t'", "'con:'", "'a|b'", "'a>b'", '"\\e[31m"', "1.5", "true", "null", "[a]", "'-'"]
        for i, name in enumerate(names):
            yield self.config_case("names", f"env-{i}", config_text(f"  {name}: {{transport: local}}\n"),
                                   codes={2}, command="snapshot")
        for i, key in enumerate(["environments", "version", "transport", "rules", "path"]):
            text = {
                "environments": "version: 1\nenvironments: {a: {transport: local}}\nenvironments: {}\n",
                "version": "version: 1\nversion: 1\nenvironments: {a: {transport: local}}\n",
                "transport": "version: 1\nenvironments:\n  a: {transport: local, transport: ssh}\n",
                "rules": "version: 1\nenvironments: {a: {transport: local}}\nrules: {}\nrules: {}\n",
                "path": "version: 1\nenvironments:\n  a:\n    transport: local\n    path: .\n    path: /\n",
            }[key]
            yield self.config_case("names", f"duplicate-{i}", text, codes={2}, expect="duplicate key")

    def yaml_bombs(self) -> Iterator[Case]:
        for levels, width in [(3, 3), (5, 5), (7, 9), (9, 9), (12, 4), (20, 2), (30, 2), (6, 50)]:
            yield self.config_case("yaml", f"alias-{levels}x{width}", "version: 1\n" + alias_bomb(levels, width),
                                   codes={2})
        for depth in (10, 60, 99, 101, 500, 10_000, 100_000):
            yield self.config_case("yaml", f"flow-nesting-{depth}", "version: 1\nenvironments: " + nested(depth) + "\n",
                                   codes={2})
        for depth in (50, 150, 1000):
            yield self.config_case("yaml", f"block-nesting-{depth}", "version: 1\nx:\n" + nested(depth, flow=False),
                                   codes={2})
        for i, text in enumerate(["{" * 5000, "a: [" * 3000, "- " * 5000 + "x", "&a a: *a\n", "a: *missing\n",
                                  "!!python/object/apply:os.system ['id']\n", "a: !!binary 'zz'\n",
                                  "--- a\n--- b\n", "%YAML 9.9\n---\na\n", "\t- x\n", "? [a, b]\n: c\n",
                                  "a: 'unterminated\n", "a: b: c\n", "\x00", "\ufeffversion: 1\n", "...\n"]):
            yield self.config_case("yaml", f"malformed-{i}", text, codes={2})

    def encodings(self) -> Iterator[Case]:
        samples = [
            "version: 1\nenvironments:\n  a: {transport: local}\n# café\n".encode("latin-1"),
            "version: 1\nenvironments: {a: {transport: local}}\n".encode("utf-16"),
            "version: 1\nenvironments: {a: {transport: local}}\n".encode("utf-32"),
            b"version: 1\n\xff\xfe\xfd\n", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
            b"version: 1\nenvironments:\n  a: {transport: \"\xe9\"}\n", b"\x00" * 100, bytes(range(256)),
        ]
        for i, raw in enumerate(samples):
            for command in ("envs", "snapshot"):
                yield self.config_case("encodings", f"{command}-{i}", raw, command=command, codes={2})

    def config_file_kinds(self) -> Iterator[Case]:
        for command in ("envs", "snapshot", "diff a b"):
            folder = self.folder("kinds")
            fifo = folder / "fifo.yaml"
            os.mkfifo(fifo)
            cmd = command.split()
            command = command.replace(" ", "-")
            yield Case(f"kinds/{command}-fifo", [*cmd, "-c", str(fifo)], str(folder), codes={2},
                       expect="FIFO")
            for dev in ("/dev/zero", "/dev/urandom", "/dev/null", "/dev/full"):
                link = folder / f"{Path(dev).name}.yaml"
                link.symlink_to(dev)
                yield Case(f"kinds/{command}-{Path(dev).name}", [*cmd, "-c", str(link)], str(folder), codes={2})
            yield Case(f"kinds/{command}-directory", [*cmd, "-c", str(folder)], str(folder), codes={2})
            sparse = folder / "sparse.yaml"
            with sparse.open("wb") as fh:
                fh.truncate(2 << 30)
            yield Case(f"kinds/{command}-sparse-2g", [*cmd, "-c", str(sparse)], str(folder), codes={2},
                       expect="larger than")
            loop = folder / "loop.yaml"
            loop.symlink_to(loop)
            yield Case(f"kinds/{command}-symlink-loop", [*cmd, "-c", str(loop)], str(folder), codes={2})
            sock_path = folder / "s.yaml"
            sock = socket.socket(socket.AF_UNIX)
            sock.bind(str(sock_path))
            sock.close()
            yield Case(f"kinds/{command}-socket", [*cmd, "-c", str(sock_path)], str(folder), codes={2})
            yield Case(f"kinds/{command}-missing", [*cmd, "-c", str(folder / "nope.yaml")], str(folder),
                       codes={2}, expect="not found")
            big = folder / "big.yaml"
            big.write_text("version: 1\n# " + "x" * (5 << 20) + "\n")
            yield Case(f"kinds/{command}-5mib", [*cmd, "-c", str(big)], str(folder), codes={2},
                       expect="larger than")

    # -- files on a target (local environments through the same guard as SSH) ----------------------

    def checkout(self, family: str) -> Path:
        """A committed checkout of its own: a copy of one built once (the same repository, no git runs)."""
        if self.template is None:
            repo = self.git_repo("template")
            repo.commit({"docker-compose.yml": "services:\n  a:\n    image: x\n"}, "initial")
            self.template = repo.path
        self.n += 1
        path = self.template.parent / f"{family}-{self.n}"
        shutil.copytree(self.template, path, symlinks=True)
        return path

    def target_case(self, cid: str, setup, *, env_files: list[str] | None = None, collectors=None,
                    extra: dict | None = None) -> Case:
        root = self.checkout("target")
        setup(root)
        spec = {"transport": "local", "path": ".", "command_timeout": COMMAND_TIMEOUT,
                "env_files": env_files or [".env"], **(extra or {})}
        if collectors:
            spec["collectors"] = collectors
        other = {"transport": "local", "path": ".", "collectors": ["git"]}
        (root / "environments.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {
            "hostile": spec, "bystander": other}}))
        return Case(f"target/{cid}", ["snapshot"], str(root), codes={0, 3}, max_lines=2)

    def target_files(self) -> Iterator[Case]:
        def link(name: str, to: str):
            return lambda root: (root / name).symlink_to(to)

        def fifo(name: str):
            return lambda root: os.mkfifo(root / name)

        def sparse(name: str, size: int):
            def make(root: Path) -> None:
                with (root / name).open("wb") as fh:
                    fh.truncate(size)
            return make

        def text(name: str, body: str | bytes):
            def make(root: Path) -> None:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(body if isinstance(body, bytes) else body.encode())
            return make

        def compose(body: str | bytes):
            return text("docker-compose.yml", body)

        cases = {
            "env-dev-zero": link(".env", "/dev/zero"), "env-dev-urandom": link(".env", "/dev/urandom"),
            "env-dev-null": link(".env", "/dev/null"), "env-etc-shadow": link(".env", "/etc/shadow"),
            "env-etc-passwd": link(".env", "/etc/passwd"), "env-fifo": fifo(".env"),
            "env-sparse-2g": sparse(".env", 2 << 30), "env-loop": link(".env", ".env"),
            "env-dangling": link(".env", "nowhere"), "env-dir": lambda root: (root / ".env").mkdir(),
            "env-proc": link(".env", "/proc/self/environ"), "env-up": link(".env", "../../../../etc/hostname"),
            "env-binary": text(".env", bytes(range(256)) * 10), "env-nul": text(".env", "A=1\x00B=2\n"),
            "env-huge-line": text(".env", "A=" + "x" * (1 << 20) + "\n"),
            "env-unterminated": text(".env", "A='x\nB=\"y\n"), "env-latin1": text(".env", "A=caf\xe9\n".encode("latin-1")),
            "env-many-keys": text(".env", "".join(f"K{i}={i}\n" for i in range(20000))),
            "compose-fifo": lambda root: ((root / "docker-compose.yml").unlink(), os.mkfifo(root / "docker-compose.yml")),
            "compose-dev-zero": lambda root: ((root / "docker-compose.yml").unlink(),
                                              (root / "docker-compose.yml").symlink_to("/dev/zero")),
            "compose-outside": lambda root: ((root / "docker-compose.yml").unlink(),
                                             (root / "docker-compose.yml").symlink_to("/etc/hostname")),
            "compose-alias-bomb": compose(alias_bomb(9, 9)), "compose-deep": compose("services: " + nested(5000)),
            "compose-extends-cycle": compose("services:\n  a:\n    image: x\n    extends: {service: b}\n"
                                             "  b:\n    extends: {service: a}\n"),
            "compose-extends-file-cycle": compose("services:\n  a:\n    image: x\n  b:\n"
                                                  "    extends: {service: a, file: docker-compose.yml}\n"),
            "compose-env-file-shadow": compose("services:\n  a:\n    image: x\n    env_file: /etc/shadow\n"),
            "compose-env-file-fifo": lambda root: (os.mkfifo(root / "app.env"), (root / "docker-compose.yml")
                                                   .write_text("services:\n  a:\n    image: x\n    env_file: app.env\n")),
            "compose-env-file-up": compose("services:\n  a:\n    image: x\n    env_file: ../../../etc/passwd\n"),
            "compose-not-utf8": compose(b"services:\n  a:\n    image: \xff\xfe\n"),
            "compose-huge": sparse("docker-compose.yml", 1 << 30),
            "compose-template-bomb": compose("services:\n  a:\n    image: ${A:-${B:-${C:-${D:-x}}}}\n" * 1),
            "compose-required": compose("services:\n  a:\n    image: ${IMG:?image\nmissing\x00}\n"),
            "compose-dup-keys": compose("services:\n  a: {image: x}\n  a: {image: y}\n"),
            "compose-not-mapping": compose("- a\n- b\n"), "compose-tags": compose("services: !!python/name:os.system\n"),
            "file-fifo-tracked-dir": lambda root: os.mkfifo(root / "pipe"),
            "file-newline-name": text("new\nline.txt", "x"), "file-space-name": text(" lead and trail ", "x"),
            "file-symlink-out": link("key.pem", "/etc/ssl/private"), "file-symlink-self": link("self", "self"),
            "file-sparse-huge": sparse("disk.img", 4 << 30),
            "file-dev-link": link("random", "/dev/urandom"),
            "file-socket": lambda root: socket.socket(socket.AF_UNIX).bind(str(root / "sock")),
            "file-non-utf8-name": lambda root: (root / os.fsdecode(b"caf\xe9.txt")).write_text("x"),
            "file-deep-dirs": text("/".join(["d"] * 60) + "/f.txt", "x"),
        }
        # The files inventory hashes changed regular files: GiBs of sparse zeros would keep sha256sum busy
        # (CPU) up to the command timeout. A short timeout for these cases makes the cut come at once; what
        # they check stays the same: the snapshot ends within its timeout, with one clean line.
        hashed_gib = {"env-sparse-2g", "compose-huge", "file-sparse-huge"}
        for cid, setup in cases.items():
            yield self.target_case(cid, setup, extra={"command_timeout": CUT_S} if cid in hashed_gib else None)
        yield self.target_case("env-over-cap", text(".env", "A=" + "x" * 5000), extra={"max_file_bytes": 1000})
        yield self.target_case("env-files-absolute", lambda root: None, env_files=["/etc/shadow", "/etc/passwd"])
        yield self.target_case("env-files-many", lambda root: None, env_files=[f"e{i}.env" for i in range(300)])
        yield self.target_case("path-missing", lambda root: None, extra={"path": "does/not/exist"})
        yield self.target_case("path-is-file", text("afile", "x"), extra={"path": "afile"})

    # -- snapshots and plans -----------------------------------------------------------------------

    def snapshots(self) -> Iterator[Case]:
        good = {"schema_version": 1, "environment": "a", "transport": "local", "target": "local:/x",
                "collected_at": "2026-01-01T00:00:00Z", "complete": True, "error": None,
                "collectors": {"git": {"status": "ok", "data": {"branch": "main"}}}}
        loose = {0, 1, 2, 3}  # well-formed envelope: compared (or refused) without a crash
        bad: list[tuple[str, str | bytes]] = [
            ("empty", ""), ("null", "null"), ("list", "[]"), ("string", '"x"'), ("truncated", json.dumps(good)[:40]),
            ("nested", "[" * 100_000), ("nested-obj", '{"a":' * 50_000), ("not-utf8", b'{"a": "\xff"}'),
            ("nan", json.dumps({**good, "schema_version": float("nan")})),
            ("newer", json.dumps({**good, "schema_version": 99})),
            ("bool-version", json.dumps({**good, "schema_version": True})),
            ("bad-env", json.dumps({**good, "environment": "../../etc"})),
            ("env-newline", json.dumps({**good, "environment": "a\nb"})),
            ("collectors-list", json.dumps({**good, "collectors": []})),
            ("collector-str", json.dumps({**good, "collectors": {"git": "ok"}})),
            ("status-bad", json.dumps({**good, "collectors": {"git": {"status": "weird"}}})),
            ("data-list", json.dumps({**good, "collectors": {"git": {"status": "ok", "data": []}}})),
            ("error-int", json.dumps({**good, "collectors": {"git": {"status": "error", "error": 5}}})),
            ("complete-str", json.dumps({**good, "complete": "yes"})), ("huge-string", json.dumps({**good, "x": "y" * (8 << 20)})),
            ("git-data-wrong", json.dumps({**good, "collectors": {"git": {"status": "ok", "data": {"branch": [1, 2],
                                                                                                     "head": "x"}}}})),
            ("files-data-wrong", json.dumps({**good, "collectors": {"files": {"status": "ok", "data": {"files": [1]}}}})),
            ("env-data-wrong", json.dumps({**good, "collectors": {"env": {"status": "ok", "data": {"files": "x"}}}})),
            ("compose-data-wrong", json.dumps({**good, "collectors": {"compose": {"status": "ok",
                                                                                "data": {"services": [1]}}}})),
            ("host-data-wrong", json.dumps({**good, "collectors": {"host": {"status": "ok", "data": {"memory": "lots"}}}})),
        ]
        folder = self.folder("snapshots")
        (folder / "environments.yaml").write_text("version: 1\nenvironments: {a: {transport: local}, b: {transport: local}}\n")
        ok = folder / "ok.json"
        ok.write_text(json.dumps(good))
        fifo = folder / "fifo.json"
        os.mkfifo(fifo)
        bad.append(("fifo", ""))
        for cid, body in bad:
            path = fifo if cid == "fifo" else folder / f"{cid}.json"
            if cid != "fifo":
                path.write_bytes(body if isinstance(body, bytes) else body.encode())
            yield Case(f"snapshots/diff-{cid}", ["diff", "a", "b", "--snapshot", str(ok), "--snapshot", str(path)],
                       str(folder), codes=loose if cid in LOOSE else {2})
            yield Case(f"snapshots/check-baseline-{cid}", ["check", "a", "--cached", "--baseline", str(path)],
                       str(folder), codes=loose if cid in LOOSE else {2})
            latest = folder / "reports" / "snapshots" / "a"
            latest.mkdir(parents=True, exist_ok=True)
            target = latest / "latest.json"
            target.unlink(missing_ok=True)
            if cid == "fifo":
                os.mkfifo(target)
            else:
                target.write_bytes(body if isinstance(body, bytes) else body.encode())
            cached = self.folder("snapshots")
            (cached / "environments.yaml").write_text((folder / "environments.yaml").read_text())
            (cached / "reports/snapshots/a").mkdir(parents=True)
            os.replace(target, cached / "reports/snapshots/a/latest.json")
            (cached / "reports/snapshots/b").mkdir(parents=True)
            (cached / "reports/snapshots/b/latest.json").write_text(json.dumps({**good, "environment": "b"}))
            yield Case(f"snapshots/cached-{cid}", ["diff", "a", "b", "--cached"], str(cached),
                       codes=loose if cid in LOOSE else {2})
        mismatch = self.folder("snapshots")
        (mismatch / "environments.yaml").write_text((folder / "environments.yaml").read_text())
        for env in ("a", "b"):
            (mismatch / f"reports/snapshots/{env}").mkdir(parents=True)
            (mismatch / f"reports/snapshots/{env}/latest.json").write_text(json.dumps(good))  # both say "a"
        yield Case("snapshots/cached-other-environment", ["diff", "a", "b", "--cached"], str(mismatch), codes={2},
                   expect="is a snapshot of")

    def plans(self) -> Iterator[Case]:
        from driftctl.planner.model import PLAN_SCHEMA

        folder = self.folder("plans")
        (folder / "environments.yaml").write_text("version: 1\nenvironments: {a: {transport: local}}\n")
        step = {"id": "s1", "title": "t", "environment": "a", "commands": ["true"], "mutates": False,
                "risk": {"level": "low"}, "rollback": [], "verify": [], "preconditions": []}
        plan = {"schema": PLAN_SCHEMA, "id": "p1", "option": "quick-fix", "environments": ["a"],
                "sources": {"a": {}}, "phases": [{"number": 1, "steps": [step]}]}
        variants: list[tuple[str, object]] = [("empty", ""), ("list", []), ("no-schema", {"id": "x"}), ("ok-unsigned", plan)]
        for key in ("phases", "sources", "environments", "id", "option"):
            variants.append((f"missing-{key}", {k: v for k, v in plan.items() if k != key}))
            variants.append((f"wrong-{key}", {**plan, key: 5}))
        for key in ("commands", "id", "environment", "mutates", "risk", "verify"):
            variants.append((f"step-missing-{key}", {**plan, "phases": [{"number": 1, "steps": [
                {k: v for k, v in step.items() if k != key}]}]}))
            variants.append((f"step-wrong-{key}", {**plan, "phases": [{"number": 1, "steps": [{**step, key: {"x": 1}}]}]}))
        variants += [("step-id-escape", {**plan, "phases": [{"number": 1, "steps": [{**step, "id": "../../x"}]}]}),
                     ("capture-out", {**plan, "phases": [{"number": 1, "steps": [{**step, "capture": "/etc/passwd"}]}]}),
                     ("nested", "[" * 100_000), ("not-utf8", b"\xff\xfe"), ("truncated", json.dumps(plan)[:50])]
        for cid, body in variants:
            path = folder / f"{cid}.json"
            path.write_bytes(body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode())
            for extra in ([], ["--dry-run"]):
                yield Case(f"plans/{cid}{'-dry' if extra else ''}", ["apply", str(path), *extra], str(folder),
                           codes={2})
        fifo = folder / "fifo.json"
        os.mkfifo(fifo)
        yield Case("plans/fifo", ["apply", str(fifo), "--dry-run"], str(folder), codes={2}, expect="FIFO")

    # -- ssh_config faults --------------------------------------------------------------------------

    def ssh_config(self) -> Iterator[Case]:
        faults = {
            "port-not-a-port": "Host target\n  Port notaport\n",
            "port-zero": "Host target\n  Port 0\n",
            "port-huge": "Host target\n  Port 99999999\n",
            "proxyjump-loop": "Host target\n  ProxyJump target\n",
            "proxyjump-pair": "Host target\n  ProxyJump other\nHost other\n  ProxyJump target\n",
            "proxyjump-garbage": "Host target\n  ProxyJump @@@:::,,,\n",
            "proxyjump-bad-port": "Host target\n  ProxyJump user@jump:notaport\n  Port 1\n",
            "match-exec": "Match exec \"false\"\n  Port 1\n",
            "garbage": "\x00\x01 this is not ssh_config\n====\n",
            "include-missing": "Include /nonexistent/*\nHost target\n  Port 1\n",
            "not-utf8": "Host target\n  User caf\xe9\n",
            "hostname-newline": "Host target\n  HostName 127.0.0.1\n  User \"a\nb\"\n  Port 1\n",
            "refused": "Host target\n  HostName 127.0.0.1\n  Port 1\n",
            "identity-missing": "Host target\n  HostName 127.0.0.1\n  Port 1\n  IdentityFile /nonexistent/key\n",
        }
        for cid, text in faults.items():
            folder = self.folder("ssh_config")
            ssh_config = folder / "ssh_config"
            ssh_config.write_bytes(text.encode("latin-1") if cid == "not-utf8" else text.encode())
            (folder / "environments.yaml").write_text(yaml.safe_dump({"version": 1, "environments": {
                "bystander": {"transport": "local", "path": ".", "collectors": ["host"]},
                "remote": {"transport": "ssh", "host": "target", "path": "/srv/app", "connect_timeout": 3,
                           "command_timeout": COMMAND_TIMEOUT, "known_hosts": str(folder / "known_hosts")},
            }}))
            yield Case(f"ssh_config/{cid}", ["snapshot"], str(folder), codes={3}, max_lines=2,
                       env={"DRIFTCTL_SSH_CONFIG": str(ssh_config)})

    def cli_names(self) -> Iterator[Case]:
        folder = self.folder("cli")
        (folder / "environments.yaml").write_text("version: 1\nenvironments: {a: {transport: local}}\n")
        for i, name in enumerate(["../x", "a\nb", "a\x1b[31m", "-", "", " ", "x" * 5000, "a/b", "..", "*"]):
            for command in ("snapshot", "diff", "check"):
                args = [command, "--", name] if command != "diff" else [command, "a", "--", name]
                yield Case(f"cli/{command}-{i}", args, str(folder), codes={2})


FAMILIES = ["bad_numbers", "bad_names", "yaml_bombs", "encodings", "config_file_kinds", "target_files",
            "snapshots", "plans", "ssh_config", "cli_names"]


class FamilyRunner:
    """`python -m tests.robust.hostile_runner --serve`: each family in its own child process under the
    address-space limit, forked from one server that imported the CLI's libraries once."""

    def __init__(self) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), MALLOC_ARENA_MAX="2")  # glibc reads it at start-up
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.robust.hostile_runner", "--serve"], cwd=ROOT,
                                     env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, cases: list[Case], workdir: Path) -> list[dict]:
        spec, out, err = workdir / "cases.json", workdir / "results.json", workdir / "stderr.txt"
        spec.write_text(json.dumps([{"id": c.id, "args": c.args, "cwd": c.cwd, "env": c.env} for c in cases]))
        env = dict(os.environ, PYTHONPATH=str(ROOT), MALLOC_ARENA_MAX="2", DRIFTCTL_LOG=str(workdir / "driftctl.log"),
                   COLUMNS="200")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"spec": str(spec), "out": str(out), "err": str(err), "env": env,
                                          "limit": LIMIT_BYTES}) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 900)
        if not ready:
            self.close()
            pytest.fail("the family did not finish within 900 s")
        reply = self.proc.stdout.readline()
        assert reply, f"the family server exited with {self.proc.wait()}"
        assert json.loads(reply)["status"] == 0, err.read_text()[-3000:]
        return json.loads(out.read_text())

    def close(self) -> None:
        stop_server(self.proc)


@pytest.fixture(scope="module")
def families() -> Iterator[FamilyRunner]:
    runner = FamilyRunner()
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, list[Case]]:
    from tests.fixtures.gitrepos import init_repo

    base = tmp_path_factory.mktemp("hostile")
    fam = Families(base, lambda name: init_repo(base / "repos" / name))
    return {name: list(getattr(fam, name)()) for name in FAMILIES}


def test_at_least_300_cases(built: dict[str, list[Case]]) -> None:
    counts = {name: len(cases) for name, cases in built.items()}
    print("hostile cases per family:", counts, "total:", sum(counts.values()))
    assert sum(counts.values()) >= 300, counts


@pytest.mark.parametrize("family", FAMILIES)
def test_family(family: str, built: dict[str, list[Case]], families: FamilyRunner, tmp_path: Path) -> None:
    cases = built[family]
    results = families.run(cases, tmp_path)
    problems = []
    for case, res in zip(cases, results):
        lines = [ln for ln in res["err"].splitlines() if ln.strip()]
        why = []
        if res["code"] not in case.codes:
            why.append(f"exit {res['code']} not in {sorted(case.codes)}")
        if "Traceback" in res["err"] or "error: unexpected " in res["err"] or "out of memory" in res["err"]:
            why.append("traceback/unexpected/out of memory")
        if res["code"] != 0 and not 1 <= len(lines) <= case.max_lines:
            why.append(f"{len(lines)} stderr lines")
        if case.expect and case.expect not in res["err"]:
            why.append(f"stderr lacks {case.expect!r}")
        if res["seconds"] > COMMAND_TIMEOUT + SLACK_S:  # a batch may run to command_timeout, no longer
            why.append(f"took {res['seconds']}s")
        if why:
            problems.append(f"{case.id}: {'; '.join(why)}: {lines[:3]}")
    peak = max(r["peak_mib"] for r in results)
    slowest = max(results, key=lambda r: r["seconds"])
    print(f"{family}: {len(cases)} cases, peak RSS {peak} MiB, slowest {slowest['id']} {slowest['seconds']}s")
    assert peak < LIMIT_BYTES / (1 << 20)
    assert not problems, "\n".join(problems)
