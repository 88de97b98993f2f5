"""An SSH host's Docker engine read through the SSH connection (a `direct-streamlocal` channel to its
socket) gives the same container data as the local route, with no docker process on the target; a
server that refuses such streams falls back to the docker CLI. Real sshd, real dockerd, real Compose."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from driftctl.errors import TransportError
from driftctl.transport import docker_api
from driftctl.transport.base import StreamRefused
from tests.containers.helpers import (
    by_name,
    containers_data,
    free_port,
    snapshot,
    without_volatile,
    write_config,
    write_project,
)
from tests.fixtures.sshd import start_sshd

pytestmark = pytest.mark.integration

COMPOSE = """\
services:
  web:
    image: driftctl-test/busybox:1
    command: ["sleep", "3611"]
    environment:
      LOG_LEVEL: info
    ports: ["127.0.0.1:${WEB_PORT}:80"]
    mem_limit: 64m
  worker:
    image: driftctl-test/busybox:1
    command: ["sleep", "3612"]
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(tmp_path / "no-ssh-config"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-client-config"))
    monkeypatch.setenv("DRIFTCTL_DEFAULT_DOCKER_SOCKET", str(tmp_path / "no-docker.sock"))


@pytest.fixture
def shop(tmp_path, docker_engine):
    project = write_project(tmp_path / "shop", {"compose.yml": COMPOSE, ".env": f"WEB_PORT={free_port()}\n"})
    docker_engine.compose(project, "up", "-d")
    docker_engine.docker("stop", "-t", "0", "shop-worker-1")
    return project


@pytest.fixture
def no_streams_sshd(tmp_path_factory, sshd_user_key):
    server = start_sshd(tmp_path_factory.mktemp("sshd-no-streams"), sshd_user_key,
                        extra_config=("AllowStreamLocalForwarding no",))
    yield server
    server.stop()


def test_engine_over_the_ssh_connection_matches_the_local_route(tmp_path, shop, docker_engine, sshd):
    cfg = write_config(tmp_path, {
        "local": {"transport": "local", "path": "shop", "docker_host": docker_engine.docker_host},
        "remote": sshd.env_spec(str(shop), docker_host=docker_engine.docker_host),
    })
    local = containers_data(snapshot(cfg, "local"))
    remote_snap = snapshot(cfg, "remote")
    remote = containers_data(remote_snap)

    assert without_volatile(remote) == without_volatile(local)
    assert isinstance(by_name(remote)["shop-web-1"]["memory_usage"], int)
    assert by_name(remote)["shop-worker-1"]["memory_usage"] is None  # stopped: no stats asked for
    commands = remote_snap["collectors"]["containers"]["commands"]
    assert "which Docker engine" in commands
    assert not [c for c in commands if c.startswith(("docker ", "env DOCKER_HOST="))], commands  # no docker process


def test_a_server_that_refuses_streams_falls_back_to_the_cli(tmp_path, shop, docker_engine, sshd, no_streams_sshd):
    cfg = write_config(tmp_path, {
        "stream": sshd.env_spec(str(shop), docker_host=docker_engine.docker_host),
        "cli": no_streams_sshd.env_spec(str(shop), docker_host=docker_engine.docker_host),
    })
    over_stream = containers_data(snapshot(cfg, "stream"))
    cli_snap = snapshot(cfg, "cli")
    over_cli = containers_data(cli_snap)

    assert without_volatile(over_cli) == without_volatile(over_stream)
    commands = cli_snap["collectors"]["containers"]["commands"]
    assert any(c.startswith(f"env DOCKER_HOST={docker_engine.docker_host} docker inspect") for c in commands)


def test_refused_and_missing_sockets(tmp_path, sshd, no_streams_sshd, docker_engine):
    from driftctl.config import parse_config
    from driftctl.transport.ssh import SSHTransport

    cfg = parse_config({"version": 1, "environments": {
        "a": sshd.env_spec(str(tmp_path)), "b": no_streams_sshd.env_spec(str(tmp_path))}}, None, "x.yaml",
        str(tmp_path))
    with SSHTransport("a", cfg.environments["a"]) as allowed, SSHTransport("b", cfg.environments["b"]) as refusing:
        with pytest.raises(StreamRefused):
            allowed.open_unix_stream(str(tmp_path / "no-such.sock"), 10)
        with pytest.raises(StreamRefused):
            refusing.open_unix_stream(str(docker_engine.socket_path), 10)
        stream = allowed.open_unix_stream(str(docker_engine.socket_path), 10)
        stream.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
        assert stream.recv(4096).startswith(b"HTTP/1.1 200 OK")
        stream.close()
        assert allowed.run(_echo()).stdout == b"still\n"  # the connection is unharmed


def _echo():
    from driftctl.models import Command

    return Command(("echo", "still"))


class _Hostile:
    """A unix socket server that answers every request with the given bytes (a broken or hostile
    engine), on loopback only."""

    def __init__(self, path: Path, answers: list[bytes]):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.answers = answers
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            for answer in self.answers:
                conn.sendall(answer)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass


def _answer(doc: object, status: str = "200 OK") -> bytes:
    body = json.dumps(doc).encode()
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


def _open(path: Path):
    def opener():
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(path))
        s.settimeout(10)
        return s
    return opener


@pytest.mark.parametrize("listing, message", [
    ([{"Id": "../../../v1.45/containers/x\r\nX-Evil: 1", "State": "running"}], "not one"),
    ({"not": "a list"}, "not a list"),
])
def test_hostile_engine_answers_are_one_line_errors(tmp_path, listing, message):
    path = tmp_path / "e.sock"
    _Hostile(path, [_answer({"Version": "28.0", "ApiVersion": "1.45"}), _answer(listing)])
    with pytest.raises(docker_api.EngineFailed, match=message):
        docker_api.fetch_engine_state_stream(_open(path), "unix://x", timeout=10)


def test_oversized_answer_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(docker_api, "MAX_RESPONSE_BYTES", 1000)
    path = tmp_path / "e.sock"
    _Hostile(path, [_answer({"Version": "28.0", "ApiVersion": "1.45", "pad": "x" * 5000})])
    with pytest.raises(docker_api.EngineFailed, match="larger than 1000 bytes"):
        docker_api.fetch_engine_state_stream(_open(path), "unix://x", timeout=10)


def test_chunked_answers_and_vanished_containers(tmp_path):
    version = _answer({"Version": "28.0", "ApiVersion": "1.45"})
    body = json.dumps([{"Id": "a" * 64, "State": "exited"}, {"Id": "b" * 64, "State": "exited"}]).encode()
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               + b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
               + b"0\r\n\r\n")
    gone = _answer({"message": "No such container"}, "404 Not Found")
    inspect = _answer({"Id": "b" * 64, "Image": "", "State": {"Running": False}})
    path = tmp_path / "e.sock"
    _Hostile(path, [version, chunked, gone, inspect])
    state = docker_api.fetch_engine_state_stream(_open(path), "unix://x", timeout=10)
    assert [c["Id"] for c in state.containers] == ["b" * 64] and state.images == [] and state.stats == {}


def test_open_unix_stream_needs_a_connection(tmp_path, sshd):
    from driftctl.config import parse_config
    from driftctl.transport.ssh import SSHTransport

    spec = sshd.env_spec(str(tmp_path), port=1, connect_timeout=5)
    cfg = parse_config({"version": 1, "environments": {"x": spec}}, None, "x.yaml", str(tmp_path))
    with pytest.raises(TransportError, match="cannot connect"):
        SSHTransport("x", cfg.environments["x"]).open_unix_stream("/var/run/docker.sock", 5)


class _Engine:
    """A fake engine on a unix socket (loopback only) that serves any number of connections and
    remembers which connection asked for what: for how stats requests are spread over streams."""

    RUNNING = [c * 64 for c in "abcde"]
    STOPPED = "f" * 64

    def __init__(self, path: Path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(str(path))
        self.sock.listen(16)
        self.asked: list[tuple[int, str]] = []  # (connection number, path)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        number = 0
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.serve, args=(conn, number), daemon=True).start()
            number += 1

    def answer(self, path: str) -> bytes:
        if path == "/version":
            return _answer({"Version": "28.0", "ApiVersion": "1.45"})
        if path == "/containers/json?all=1":
            return _answer([{"Id": i, "State": "running"} for i in self.RUNNING] + [{"Id": self.STOPPED, "State": "exited"}])
        cid = path.split("/")[3]
        if path.endswith("/json"):
            return _answer({"Id": cid, "Image": "", "State": {"Running": cid in self.RUNNING}})
        return _answer({"id": cid, "memory_stats": {"usage": self.RUNNING.index(cid) + 1}})

    def serve(self, conn: socket.socket, number: int) -> None:
        with conn, conn.makefile("rb") as requests:
            while line := requests.readline():
                path = line.split()[1].decode()
                while requests.readline() not in (b"\r\n", b""):
                    pass
                self.asked.append((number, path))
                conn.sendall(self.answer(path))


def test_stats_of_several_containers_are_spread_over_streams_and_kept_apart(tmp_path):
    """The engine answers a stream's one-shot stats one sample (a second) after another, so they go
    over several streams; each container still gets its own answer, the rest stays on the first."""
    path = tmp_path / "e.sock"
    engine = _Engine(path)
    state = docker_api.fetch_engine_state_stream(_open(path), "unix://x", timeout=10)
    assert {cid: doc["memory_stats"]["usage"] for cid, doc in state.stats.items()} == {
        cid: n for n, cid in enumerate(_Engine.RUNNING, 1)}
    assert [c["Id"] for c in state.containers] == [*_Engine.RUNNING, _Engine.STOPPED]
    stats_streams = {number for number, asked in engine.asked if "/stats" in asked}
    assert 1 < len(stats_streams) <= docker_api.STATS_STREAMS and 0 not in stats_streams
    assert {number for number, asked in engine.asked if "/stats" not in asked} == {0}


def test_stats_stay_on_the_first_stream_when_no_other_opens(tmp_path):
    path = tmp_path / "e.sock"
    engine = _Engine(path)
    first = _open(path)
    opened: list[int] = []

    def opener():
        if opened:
            raise StreamRefused("one stream only")
        opened.append(1)
        return first()

    state = docker_api.fetch_engine_state_stream(opener, "unix://x", timeout=10)
    assert sorted(state.stats) == sorted(_Engine.RUNNING)
    assert {number for number, _ in engine.asked} == {0}
