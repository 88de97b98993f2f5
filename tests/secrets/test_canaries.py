"""Acceptance (issue 12, point 2): a canary secret planted in each place a secret can hide never
reaches any channel driftctl writes to.

One deployment is built for real: a git checkout with compose files and env files under many names,
a bare origin, a clone reached over a real sshd, containers on the real dockerd fixture (one started
by Compose, one by `docker run`), environments whose compose or env files are broken (error paths),
a `git` environment and a Docker engine URL with passwords in them. Every canary is distinct, so a
hit names its placement. Then every command runs (snapshot, diff in every format, check, plan in
every format, envs, apply --dry-run) and each channel is searched: stdout, stderr, every file under
reports/ (names too), the log, ~/.cache/driftctl, ~/.config/driftctl and the GitHub step summary.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.fixtures.forkrun import run_driftctl
from tests.fixtures.gitrepos import clone, init_repo

pytestmark = pytest.mark.integration

HEX40 = "9f3c2b1a0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"


@dataclass
class Canaries:
    """placement -> canary value; each value holds a marker `CNRYnnQ` (hex canaries are their own marker)."""

    values: dict[str, str] = field(default_factory=dict)

    def add(self, placement: str, make) -> str:
        marker = f"CNRY{len(self.values):02d}Q"
        value = make(marker)
        assert placement not in self.values and value not in self.values.values()
        self.values[placement] = value
        return value

    def markers(self) -> dict[str, list[str]]:
        out = {}
        for i, (placement, value) in enumerate(self.values.items()):
            marker = f"CNRY{i:02d}Q"
            out[placement] = [value, marker] if marker in value else [value, value[8:28]]
        return out


def pad(prefix: str, n: int, alphabet: str = "aB3dE5fG7hJ9kLmN2pQ4rS6tU8vW0xYz") -> str:
    """`prefix` filled up to `n` characters with a fixed mixed alphabet."""
    return (prefix + alphabet * 4)[:n]


def plant(tmp: Path, c: Canaries, docker_host: str) -> dict[str, Path]:
    """Write the deployment; return its folders."""
    # --- env files under many names (env collector + compose interpolation) -------------------------
    dotenv = {
        "DB_PASSWORD": c.add("env .env DB_PASSWORD (name)", lambda m: f"{m}-dbpw"),
        "APP_PASSPHRASE": c.add("env APP_PASSPHRASE (name)", lambda m: f"{m}-passphrase"),
        "CONN_STR": c.add("env CONN_STR (name)", lambda m: f"Server=db;Uid=app;Pwd={m}x"),
        "COOKIE_SIGNING": c.add("env COOKIE_SIGNING (name)", lambda m: f"{m}-cookie"),
        "MASTER_PW": c.add("env MASTER_PW (name)", lambda m: f"{m}-master"),
        "SENTRY_DSN": c.add("env SENTRY_DSN (name, userinfo)", lambda m: f"https://{m}abc@o1.ingest.sentry.io/1"),
        "UPSTREAM_URL": c.add("env URL password= query", lambda m: f"https://api.example.com/v1?user=bob&password={m}q"),
        "ALERTS": c.add("env Slack webhook URL", lambda m: f"https://hooks.slack.com/services/T0{m}/B0000/abcdefXYZ"),
        "BUILD_REF": c.add("env 40-hex token", lambda m: HEX40),
        "CERT_BUNDLE": c.add("env PEM private key", lambda m: f"-----BEGIN RSA PRIVATE KEY-----\\nMIIEow{m}AKCAQEA\\n"
                                                          "-----END RSA PRIVATE KEY-----"),
        "CHAT_BOT": c.add("env Telegram bot token", lambda m: "123456789:" + pad(f"AA{m}", 35)),
        "CLOUD_ID": c.add("env AWS access key", lambda m: "AKIA" + (m.upper() + "ABCDEFGHIJKLMNOP")[:16]),
        "GH": c.add("env GitHub token", lambda m: pad(f"ghp_{m}", 40)),
        "GH_FINE": c.add("env GitHub fine-grained token", lambda m: pad(f"github_pat_11{m}_", 60)),
        "PAYMENTS": c.add("env Stripe key", lambda m: pad(f"sk_live_{m}", 32)),
        "MAPS": c.add("env Google API key", lambda m: pad(f"AIza{m}", 39)),
        "CHAT_OPS": c.add("env Slack token", lambda m: f"xoxb-123456789012-{m}abcdefghij"),
        "SESSION_BLOB": c.add("env JWT", lambda m: f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIi{m}OiIxIn0.sig{m}nature-part"),
        "RANDOM_SETTING": c.add("env high-entropy string", lambda m: pad(f"Zq8vN3kLp0{m}Xw7Rt2Yb5", 40)),
        "DATABASE_URL": c.add("env URL userinfo", lambda m: f"postgres://app:{m}pw@db:5432/app"),
        "SHADOW_PASSWORD": c.add("compose FROM_ENV: ${SHADOW_PASSWORD} (taint)", lambda m: f"{m}-tainted"),
        "GREETING_TOKEN": c.add("compose 'hello ${GREETING_TOKEN} there' (partial taint)", lambda m: f"{m}-greet"),
        "SIGNING_KEY_B": c.add("compose build arg BUILD_SETTING: ${SIGNING_KEY_B} (taint)", lambda m: f"{m}-buildtaint"),
    }
    production = {
        "GOOGLE_CREDENTIALS": c.add("env .env.production GOOGLE_CREDENTIALS", lambda m: f"{m}-gcred"),
        "SIGNING": c.add("env .env.production SIGNING", lambda m: f"{m}-sign"),
    }
    app_env = {
        "PASSWORD_SALT": c.add("env_file config/app.env PASSWORD_SALT", lambda m: f"{m}-salt"),
        "REDIS_PW": c.add("env_file config/app.env REDIS_PW", lambda m: f"{m}-redis"),
    }
    secrets_env = {
        "PRIVATE": c.add("env secrets.env PRIVATE", lambda m: f"{m}-private"),
        "BASIC_AUTH": c.add("env secrets.env BASIC_AUTH", lambda m: f"{m}-basic"),
    }
    # --- compose: every string field --------------------------------------------------------------
    cmd_flag = c.add("compose command --password=...", lambda m: f"{m}-cmd")
    cmd_argv = c.add("compose command --api-token <value>", lambda m: f"{m}-argv")
    npm = c.add("compose build.args NPM_TOKEN", lambda m: f"{m}-npm")
    health = c.add("compose healthcheck X-Api-Key header", lambda m: f"{m}-hc")
    label = c.add("compose label com.example.auth-token", lambda m: f"{m}-label")
    label_hook = c.add("compose label with Slack webhook", lambda m: f"{m}lbl")
    x_note = c.add("compose x- field PASSWORD=...", lambda m: f"{m}-xf")
    x_cred = c.add("compose x-credentials", lambda m: f"{m}-xcred")
    mirror = c.add("compose environment URL with password", lambda m: f"{m}-mirror")
    entry = c.add("compose entrypoint export AUTH_TOKEN=...", lambda m: f"{m}-entry")
    volume_pw = c.add("compose volume driver_opts password=...", lambda m: f"{m}-volpw")
    compose = {
        "volumes": {"data": {"driver": "local", "driver_opts": {"type": "cifs", "o": f"username=svc,password={volume_pw}"}}},
        "services": {
            "app": {
                "image": "driftctl-test/busybox:1",
                "command": ["sh", "-c", "sleep 3600", f"--password={cmd_flag}", "--api-token", cmd_argv],
                "env_file": ["config/app.env"],
                "environment": {
                    "FROM_ENV": "${SHADOW_PASSWORD}",
                    "GREETING": "hello ${GREETING_TOKEN} there",
                    "MIRROR": f"https://mirror:{mirror}@pkgs.example.com/simple",
                    "LOG_LEVEL": "info",
                },
                "labels": {"com.example.auth-token": label,
                           "com.example.notify": f"https://hooks.slack.com/services/T1/B1/{label_hook}"},
                "healthcheck": {"test": ["CMD-SHELL", f"wget -q --header 'X-Api-Key: {health}' http://localhost/ || exit 1"],
                                "interval": "1h"},
                "x-deploy": {"note": f"PASSWORD={x_note}"},
                "x-credentials": x_cred,
            },
            "worker": {
                "image": "driftctl-test/worker:1",
                "build": {"context": ".", "args": {"NPM_TOKEN": npm, "BUILD_SETTING": "${SIGNING_KEY_B}"}},
                "entrypoint": ["sh", "-c", f"export AUTH_TOKEN={entry} && exec worker"],
                "profiles": ["batch"],
            },
        },
    }
    app = tmp / "app"
    repo = init_repo(app)
    repo.commit({"compose.yml": yaml.safe_dump(compose, sort_keys=False), ".gitignore": "*.env\n.env*\n"},
                "compose; deploy with " + c.add("git commit message with a GitHub token", lambda m: pad(f"ghp_{m}", 40)))
    _write_env(app / ".env", dotenv)
    _write_env(app / ".env.production", production)
    (app / "config").mkdir()
    _write_env(app / "config" / "app.env", app_env)
    _write_env(app / "secrets.env", secrets_env)
    origin = tmp / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    repo.git("remote", "add", "origin", str(origin))
    repo.git("push", "-q", "origin", "main")
    repo.git("remote", "add", "backup",
             "https://deploy:" + c.add("git remote URL with password (local checkout)", lambda m: f"{m}-remote")
             + "@127.0.0.1:9/app.git")
    # --- the SSH host: a clone with drift ---------------------------------------------------------
    aws = tmp / "aws-app"
    clone(origin, aws, branch="main")
    _write_env(aws / ".env", {**dotenv, "DB_PASSWORD": c.add("aws .env DB_PASSWORD (drift)", lambda m: f"{m}-awspw")})
    _write_env(aws / ".env.production", production)
    (aws / "config").mkdir()
    _write_env(aws / "config" / "app.env", app_env)
    _write_env(aws / "secrets.env", secrets_env)
    aws_cmd = c.add("aws compose.yml hand edit --password=...", lambda m: f"{m}-awscmd")
    (aws / "compose.yml").write_text((aws / "compose.yml").read_text().replace(cmd_flag, aws_cmd))
    # --- error paths: broken templates and env files ----------------------------------------------
    broken = {}
    for name, compose_text, env_text in [
        ("bad-template", "services:\n  a:\n    image: x\n    labels:\n      v: \"{} ${{\"\n", ""),
        ("bad-required", "services:\n  a:\n    image: x\n    environment:\n      A: \"${{NEEDED:?{}}}\"\n", ""),
        ("bad-dotenv", "services:\n  a:\n    image: x\n", "GOOD=1\n{}\n"),
        ("bad-quote", "services:\n  a:\n    image: x\n", "GOOD=1\nSOME_KEY=\"{}\n"),
        ("bad-port", "services:\n  a:\n    image: x\n    ports: [\"${{DB_PASSWORD}}:80\"]\n", "DB_PASSWORD={}\n"),
    ]:
        value = c.add(f"error path: {name}", lambda m, n=name: f"{m}-{n}-secret")
        folder = tmp / name
        folder.mkdir()
        (folder / "compose.yml").write_text(compose_text.format(value))
        (folder / ".env").write_text(env_text.format(value))
        broken[name] = folder
    return {"app": app, "aws": aws, **broken}


class Receiver:
    """A loopback HTTP endpoint standing in for Telegram, Slack and a webhook: it keeps what it was sent."""

    def __init__(self) -> None:
        bodies: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server interface
                bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace"))
                answer = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.bodies = bodies
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def _write_env(path: Path, values: dict[str, str]) -> None:
    lines = []
    for k, v in values.items():
        lines.append(f'{k}="{v}"' if "\\n" in v or " " in v else f"{k}={v}")
    path.write_text("\n".join(lines) + "\n")


def start_containers(docker_engine, app: Path, c: Canaries) -> None:
    """One container from Compose (tainted env, command line), one by `docker run` with secrets."""
    docker_engine.compose(app, "up", "-d", "app")
    ctr_env = c.add("container env MASTER_PW (docker run -e)", lambda m: f"{m}-ctrenv")
    ctr_stripe = c.add("container env innocent name, Stripe key", lambda m: pad(f"rk_live_{m}", 32))
    ctr_cmd = c.add("container command line --db-password=...", lambda m: f"{m}-ctrcmd")
    ctr_argv = c.add("container argv --token <value>", lambda m: f"{m}-ctrargv")
    ctr_url = c.add("container env innocent name, URL with token=", lambda m: f"{m}-ctrurl")
    docker_engine.docker(
        "run", "-d", "--name", "sidecar", "--network", "none",
        "-e", f"MASTER_PW={ctr_env}", "-e", f"BILLING={ctr_stripe}",
        "-e", f"CALLBACK=https://cb.example.com/hook?token={ctr_url}",
        docker_engine.image, "sh", "-c", f"sleep 3600; echo --db-password={ctr_cmd}", "x", "--token", ctr_argv,
    )


BROKEN = ("bad-template", "bad-required", "bad-dotenv", "bad-quote", "bad-port")


def write_config(tmp: Path, dirs: dict[str, Path], sshd, docker_engine, c: Canaries, receiver_url: str) -> Path:
    env_files = [".env", ".env.production", "config/app.env", "secrets.env"]
    environments = {
        "local": {"transport": "local", "path": "app", "env_files": env_files, "docker_host": docker_engine.docker_host},
        "aws": sshd.env_spec(str(dirs["aws"]), env_files=env_files, docker_host=docker_engine.docker_host),
        "github": {"transport": "git", "ref": "main",
                   "url": "http://ci:" + c.add("git environment url with password", lambda m: f"{m}-giturl")
                   + "@127.0.0.1:9/app.git"},
        "dockerpw": {"transport": "local", "path": "app", "collectors": ["containers"],
                     "docker_host": "tcp://admin:" + c.add("docker_host URL with password", lambda m: f"{m}-dockerhost")
                     + "@127.0.0.1:9"},
        **{name: {"transport": "local", "path": name, "collectors": ["compose", "env"]}
           for name in BROKEN},
    }
    notify = [
        {"type": "telegram", "token_env": "CANARY_TG_TOKEN", "chat_id": "-100123", "api_url": receiver_url, "retries": 0},
        {"type": "slack", "webhook_url_env": "CANARY_SLACK_URL", "retries": 0},
        {"type": "webhook", "url_env": "CANARY_HOOK_URL", "retries": 0},
    ]
    path = tmp / "environments.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "environments": environments, "notify": notify}, sort_keys=False))
    return path


@dataclass
class Outcome:
    canaries: Canaries
    hits: list[tuple[str, str]]
    local: dict
    summary: str
    channels: int


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, sshd, dockerd) -> Outcome:
    """Plant, run every command once, search every channel (shared by the tests of this module)."""
    tmp = tmp_path_factory.mktemp("canaries")
    dockerd.remove_all_containers()
    try:
        return _plant_and_run(tmp, sshd, dockerd)
    finally:
        dockerd.remove_all_containers()


def _plant_and_run(tmp: Path, sshd, docker_engine) -> Outcome:
    c = Canaries()
    dirs = plant(tmp, c, docker_engine.docker_host)
    start_containers(docker_engine, dirs["app"], c)
    receiver = Receiver()
    cfg = write_config(tmp, dirs, sshd, docker_engine, c, receiver.url)
    home = tmp / "home"
    summary = tmp / "step-summary.md"
    env = {
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
        "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true", "COLUMNS": "200",
        "DRIFTCTL_SSH_CONFIG": str(tmp / "no-ssh-config"), "DRIFTCTL_DEFAULT_DOCKER_SOCKET": str(tmp / "no.sock"),
        # notify credentials: the operator's environment holds them, the messages must not
        "CANARY_TG_TOKEN": c.add("notify: Telegram bot token", lambda m: "123456789:" + pad(f"AA{m}", 35)),
        "CANARY_SLACK_URL": f"{receiver.url}/services/T0/B0/" + c.add("notify: Slack webhook URL", lambda m: f"{m}slack"),
        "CANARY_HOOK_URL": f"{receiver.url}/hook?token=" + c.add("notify: webhook URL token", lambda m: f"{m}-hook"),
    }
    runs: dict[str, subprocess.CompletedProcess] = {}

    def run(label: str, *args: str) -> subprocess.CompletedProcess:
        runs[label] = _driftctl([*args, "-c", str(cfg)], cwd=tmp, env=env)
        assert "Traceback" not in runs[label].stderr, runs[label].stderr
        return runs[label]

    run("snapshot", "snapshot")
    snap = run("snapshot --format json", "snapshot", "--format", "json")
    assert snap.returncode in (1, 3), snap.stderr  # broken environments are incomplete, not fatal
    pair = ["local", "aws"]
    for fmt in ("table", "json", "markdown", "html", "sarif", "junit", "github"):
        run(f"diff --format {fmt}", "diff", *pair, "--cached", "--format", fmt, "--show-in-sync", "--show-ignored")
        run(f"diff --format {fmt} --output", "diff", *pair, "--cached", "--format", fmt, "--show-in-sync",
            "--output", str(tmp / "reports" / f"diff.{fmt}"))
    run("diff (collecting, every environment)", "diff", *pair, "github", *BROKEN, "dockerpw", "--show-in-sync")
    try:
        run("check --notify", "check", "--notify")
    finally:
        receiver.close()
    assert len(receiver.bodies) == 3, runs["check --notify"].stderr  # each channel got its message
    runs["notify messages (sent off the host)"] = subprocess.CompletedProcess([], 0, "\n".join(receiver.bodies), "")
    run("check", "check")
    run("check --format github", "check", "--cached", "--format", "github")
    for fmt in ("table", "markdown", "json"):
        run(f"plan --format {fmt}", "plan", *pair, "--cached", "--option", "quick-fix", "--format", fmt)
    run("envs", "envs")
    for fmt in ("table", "json", "html"):
        run(f"history --format {fmt}", "history", "local", "aws", "--format", fmt)
    run("diff local@1h local", "diff", "local@1h", "local", "--show-in-sync")
    bad_config = tmp / "bad-config.yaml"
    bad_config.write_text(yaml.safe_dump({"version": 1, "environments": {"x": {
        "transport": "ssh", "host": "h", "path": "/p",
        "port": c.add("environments.yaml error quoting a value", lambda m: pad(f"ghp_{m}", 40))}}}))
    runs["config error"] = _driftctl(["snapshot", "-c", str(bad_config)], cwd=tmp, env=env)
    assert runs["config error"].returncode == 2 and "port" in runs["config error"].stderr, runs["config error"].stderr
    plans = sorted((tmp / "reports" / "plans").rglob("*.json"))
    assert plans, "plan wrote its plan file"
    run("apply --dry-run", "apply", str(plans[-1]), "--dry-run")
    # rollback points for real (tags, copies of compose and env files, container state): apply logs and
    # backups are channels too; its exit code is not this test's concern, its output is
    run("apply --yes --phase 1", "apply", str(plans[-1]), "--yes", "--phase", "1")

    local = json.loads((tmp / "reports" / "snapshots" / "local" / "latest.json").read_text())
    hits, channels = search_channels(c, runs, tmp, home, summary)
    return Outcome(c, hits, local, summary.read_text() if summary.exists() else "", channels)


def test_at_least_40_placements_all_collected(outcome: Outcome) -> None:
    """The canaries were really read: by the collectors that own them, on the real engine."""
    assert len(outcome.canaries.values) >= 40, len(outcome.canaries.values)
    collectors = outcome.local["collectors"]
    for name in ("containers", "compose", "env", "git"):
        assert collectors[name]["status"] == "ok", collectors[name]
    containers = {ctr["name"]: ctr for ctr in collectors["containers"]["data"]["containers"]}
    assert {"sidecar", "app-app-1"} <= set(containers), sorted(containers)
    assert containers["app-app-1"]["environment"]["FROM_ENV"].startswith("fp:")  # taint reached the container
    app = collectors["compose"]["data"]["services"]["app"]
    assert app["command"][3].startswith("--password=fp:") and app["environment"]["LOG_LEVEL"] == "info"
    assert outcome.summary.strip(), "the github format wrote the step summary"
    assert outcome.channels > 60, outcome.channels


def test_no_canary_reaches_any_channel(outcome: Outcome) -> None:
    hits = outcome.hits
    assert not hits, "canaries leaked:\n" + "\n".join(f"  {p} -> {ch}" for p, ch in hits)


def search_channels(c: Canaries, runs, tmp: Path, home: Path, summary: Path) -> tuple[list[tuple[str, str]], int]:
    channels: dict[str, str] = {}
    for label, proc in runs.items():
        channels[f"stdout of `{label}`"] = proc.stdout
        channels[f"stderr of `{label}`"] = proc.stderr
    for root in (tmp / "reports", home / ".cache" / "driftctl", home / ".config" / "driftctl"):
        for path in sorted(root.rglob("*")) if root.exists() else []:
            channels[f"name of {path.relative_to(tmp)}"] = str(path.relative_to(root))
            if path.is_file() and not path.is_symlink():
                channels[f"file {path.relative_to(tmp)}"] = path.read_bytes().decode("utf-8", errors="replace")
    channels["GITHUB_STEP_SUMMARY"] = summary.read_text() if summary.exists() else ""
    log = tmp / "reports" / "driftctl.log"
    channels["reports/driftctl.log"] = log.read_text() if log.exists() else ""
    hits = []
    for placement, needles in c.markers().items():
        for channel, text in channels.items():
            if any(n in text for n in needles):
                hits.append((placement, channel))
    return hits, len(channels)


def _driftctl(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = dict(os.environ, **env)
    for name in ("DOCKER_HOST", "DRIFTCTL_LOG", "DRIFTCTL_FINGERPRINT_KEY_FILE", "SSH_AUTH_SOCK", "DRIFTCTL_CONFIG"):
        full.pop(name, None)
    return run_driftctl(args, cwd=cwd, env=full, timeout=300)
