"""Credentials in configured URLs are never printed or stored (issue 12).

A real git smart-HTTP server on loopback (`git http-backend` behind a small Basic-auth HTTP server)
serves a repository only with the right user and password. A `git` environment whose `url` carries
them must snapshot fine (the credentials reach git, through askpass), while the password appears in no
output, report, mirror folder name, mirror config, cache or config file, and no credential helper of
the operator stores it.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from driftctl.git_urls import split_credentials
from driftctl.transport.git import mirror_path
from tests.helpers import driftctl, write_config
from tests.security.hostile_git import git

pytestmark = pytest.mark.integration

USER, PASSWORD = "deploy", "S3cr3t-Pa55-Canary-7781"


class _GitHTTP(BaseHTTPRequestHandler):
    """Smart HTTP through `git http-backend` (CGI), for requests with the right Basic credentials."""

    root: str = ""
    seen: list[str] = []

    def log_message(self, *args) -> None:  # quiet
        return None

    def _serve(self) -> None:
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        auth = self.headers.get("Authorization")
        self.seen.append("auth" if auth == expected else ("bad" if auth else "none"))
        if auth != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        env = dict(os.environ, GIT_PROJECT_ROOT=self.root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_USER=USER, REMOTE_ADDR="127.0.0.1",
                   CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)))
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve


@pytest.fixture
def http_remote(tmp_path):
    repos = tmp_path / "served"
    work = tmp_path / "seed"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "docker-compose.yml").write_text("services:\n  bot:\n    image: bot:1\n")
    git(work, "add", "-A")
    git(work, "commit", "-qm", "seed")
    git(tmp_path, "clone", "-q", "--bare", str(work), str(repos / "app.git"))
    handler = type("Handler", (_GitHTTP,), {"root": str(repos), "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/app.git", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _all_bytes_under(root: Path, but: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink() and p != but)


def test_url_credentials_reach_git_but_are_never_printed_or_stored(http_remote, tmp_path) -> None:
    base, handler = http_remote
    host_part = base.split("://", 1)[1]
    # the operator's own credential helper would store whatever git was given: it must see nothing
    store = tmp_path / "git-credentials"
    gitconfig = tmp_path / "operator.gitconfig"
    gitconfig.write_text(f"[credential]\n\thelper = store --file {store}\n")
    env = {"GIT_CONFIG_GLOBAL": str(gitconfig)}
    work = tmp_path / "work"
    work.mkdir()
    config = write_config(work / "environments.yaml", {
        "github": {"transport": "git", "url": f"http://{USER}:{PASSWORD}@{host_part}"},
        "engine": {"transport": "local", "path": str(tmp_path / "seed"), "collectors": ["git"],
                   "docker_host": f"tcp://admin:{PASSWORD}@127.0.0.1:1"},
    })
    snap = driftctl("snapshot", "github", "--format", "json", "-c", str(config), cwd=work, env=env)
    assert snap.code == 0, snap.err
    assert '"main"' in snap.out  # the remote's branch was read
    assert "auth" in handler.seen  # ... with the credentials, through askpass
    runs = [snap,
            driftctl("snapshot", "-c", str(config), cwd=work, env=env),  # an update of the existing mirror
            driftctl("envs", "-c", str(config), cwd=work, env=env),
            driftctl("envs", "--format", "json", "-c", str(config), cwd=work, env=env),
            driftctl("diff", "github", "engine", "--format", "json", "-c", str(config), cwd=work, env=env),
            driftctl("plan", "--option", "quick-fix", "--format", "json", "-c", str(config), cwd=work, env=env)]
    for run in runs:
        assert PASSWORD not in run.out + run.err, run.out + run.err
        assert "Traceback" not in run.err
    assert host_part.split("/")[0] in runs[2].out  # envs still says where
    mirror = mirror_path(base)
    assert mirror.is_dir() and PASSWORD not in str(mirror) and USER not in mirror.name
    assert mirror == mirror_path(f"http://{USER}:{PASSWORD}@{host_part}")
    assert f"url = {base}" in (mirror / "config").read_text()
    for folder in (work, Path(os.environ["XDG_CACHE_HOME"]), Path(os.environ["XDG_CONFIG_HOME"]),
                   Path(os.environ["DRIFTCTL_LOG"]).parent):
        if folder.exists():
            assert PASSWORD.encode() not in _all_bytes_under(folder, but=config), folder  # (config: the operator's)
    assert not store.exists() or PASSWORD not in store.read_text()


def test_wrong_credentials_fail_with_a_clear_line_and_no_prompt(http_remote, tmp_path) -> None:
    base, _ = http_remote
    work = tmp_path / "work"
    work.mkdir()
    wrong = "Wr0ng-Pa55-Canary-1234"
    config = write_config(work / "environments.yaml", {
        "github": {"transport": "git", "url": base.replace("://", f"://{USER}:{wrong}@")}})
    run = driftctl("snapshot", "-c", str(config), cwd=work, timeout=120)
    assert run.code == 3
    assert wrong not in run.out + run.err and "Traceback" not in run.err
    assert "cannot fetch http://127.0.0.1:" in run.err


@pytest.mark.parametrize("url, clean, user, password", [
    ("https://x:TOKEN@github.com/o/r.git", "https://github.com/o/r.git", "x", "TOKEN"),
    ("https://ghp_TOKEN@github.com/o/r.git", "https://github.com/o/r.git", "ghp_TOKEN", None),
    ("https://u:p%40ss@h:8443/r.git", "https://h:8443/r.git", "u", "p@ss"),
    ("ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r.git", None, None),
    ("ssh://git:pw@host/r.git", "ssh://git@host/r.git", None, "pw"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git", None, None),
    ("/srv/git/r.git", "/srv/git/r.git", None, None),
])
def test_split_credentials(url, clean, user, password) -> None:
    assert split_credentials(url) == (clean, user, password)
