"""The containers collector's pure pieces, and its docker CLI protocol driven by recorded outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from driftctl.collectors import container_compare as CC
from driftctl.collectors import containers as C
from driftctl.collectors.base import CollectContext, Skipped
from driftctl.config import EnvironmentSpec
from driftctl.errors import CollectorError
from driftctl.models import Command, CommandResult
from driftctl.runner import drive
from driftctl.transport import docker_api

RECORDED = json.loads((Path(__file__).parent / "cli_compose_hand_override.json").read_text())


def result(argv: tuple[str, ...], status: int = 0, out: str = "", err: str = "") -> CommandResult:
    return CommandResult(Command(argv), status, out.encode(), err.encode())


# --- engine errors: skipped or error ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "stderr", "docker_host", "expected"),
    [
        (127, "sh: 1: exec: docker: not found", None, Skipped("no Docker engine found")),
        (1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
         None, Skipped("no Docker engine found")),
        (1, "Cannot connect to the Docker daemon at tcp://10.0.0.5:2375. Is the docker daemon running?",
         "tcp://10.0.0.5:2375",
         CollectorError("cannot reach the Docker engine at tcp://10.0.0.5:2375: no answer (is the Docker daemon running?)")),
        (1, "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: "
            "Get ...: dial unix /var/run/docker.sock: connect: permission denied", None,
         CollectorError("cannot reach the Docker engine at the default socket: permission denied")),
        (127, "env: 'docker': No such file or directory", "unix:///run/docker.sock",
         CollectorError("docker_host is set but the docker CLI is not installed on the host: "
                        "env: 'docker': No such file or directory")),
    ],
)
def test_check_engine(status, stderr, docker_host, expected):
    with pytest.raises(type(expected)) as info:
        C.check_engine(result(("docker", "version"), status, "null\n", stderr), docker_host)
    assert str(info.value) == str(expected)


def test_check_engine_accepts_a_working_engine():
    C.check_engine(result(("docker", "version"), 0, json.dumps(RECORDED["version"])), None)


def test_docker_argv_passes_docker_host_through_env_not_a_shell():
    assert C.docker_argv(None) == ("docker",)
    assert C.docker_argv("unix:///run/a b.sock") == ("env", "DOCKER_HOST=unix:///run/a b.sock", "docker")


# --- the CLI route, round by round, from recorded outputs ------------------------------------------


def fake_engine(*, ps_status: int = 0):
    """A run_batch that answers the docker commands from the recorded case, and no compose file."""
    ids = [c["Id"] for c in RECORDED["containers"]]
    seen: list[tuple[str, ...]] = []

    def run_batch(commands: list[Command]) -> list[CommandResult]:
        out = []
        for cmd in commands:
            seen.append(cmd.argv)
            argv = cmd.argv[cmd.argv.index("docker") + 1:] if "docker" in cmd.argv else ()
            if argv[:1] == ("version",):
                text = json.dumps(RECORDED["version"])
            elif argv[:1] == ("ps",):
                text = "\n".join(ids) + "\n"
            elif argv[:1] == ("inspect",):
                text = json.dumps(RECORDED["containers"])
            elif argv[:1] == ("stats",):
                text = RECORDED["stats"]
            elif argv[:2] == ("image", "inspect"):
                text = json.dumps(RECORDED["images"])
            else:  # compose files: none in this checkout
                out.append(CommandResult(cmd, 1, b"", b"cat: x: No such file or directory\n"))
                continue
            out.append(CommandResult(cmd, ps_status if argv[:1] == ("ps",) else 0, text.encode(), b""))
        return out

    return run_batch, seen


def ssh_context(docker_host: str | None = "unix:///run/docker.sock") -> CollectContext:
    spec = EnvironmentSpec(transport="ssh", host="prod", path="/srv/app", docker_host=docker_host)
    return CollectContext(env_name="prod", spec=spec, kind="ssh", root="/srv/app")


def test_cli_route_rounds_and_data():
    run_batch, seen = fake_engine()
    outcome = drive(ssh_context(), [C.ContainersCollector()], run_batch, lambda _: None)["containers"]

    assert outcome.status == "ok", outcome.error
    # the embedded compose resolution also asks the host's `docker compose config` (shared with the
    # compose collector by the runner); that is not part of the containers route
    docker = [a for a in seen if "docker" in a and a[:2] != ("docker", "compose")]
    ids = [c["Id"] for c in RECORDED["containers"]]
    prefix = ("env", "DOCKER_HOST=unix:///run/docker.sock", "docker")
    assert docker == [
        (*prefix, "version", "--format", "{{json .Server}}"),
        (*prefix, "ps", "-a", "--no-trunc", "--format", "{{.ID}}"),
        (*prefix, "inspect", "--type", "container", *ids),
        (*prefix, "stats", "--no-stream", "--no-trunc", "--format", "{{json .}}", *ids),
        (*prefix, "image", "inspect", *sorted({c["Image"] for c in RECORDED["containers"]})),
    ]
    names = [c["name"] for c in outcome.data["containers"]]
    assert names == sorted(c["name"] for c in RECORDED["expected"]["containers"])
    assert outcome.data["engine"] == {**RECORDED["expected"]["engine"], "host": "unix:///run/docker.sock"}
    assert outcome.data["undeclared"] == ["prod-bot-1", "prod-market-data-1", "stray"]  # no compose file here


def test_cli_route_without_containers_stops_after_one_round():
    run_batch, seen = fake_engine()
    ids_free = lambda cmds: [  # noqa: E731 - an engine with no containers
        CommandResult(c, 0, b"", b"") if "ps" in c.argv else r for c, r in zip(cmds, run_batch(cmds))
    ]
    outcome = drive(ssh_context(None), [C.ContainersCollector()], ids_free, lambda _: None)["containers"]

    assert outcome.status == "ok"
    assert outcome.data["containers"] == [] and outcome.data["engine"]["host"] is None
    assert not [a for a in seen if "inspect" in a]


def test_cli_route_failed_listing_is_an_error():
    run_batch, _ = fake_engine(ps_status=1)
    outcome = drive(ssh_context(), [C.ContainersCollector()], run_batch, lambda _: None)["containers"]
    assert outcome.status == "error" and "docker ps" in outcome.error


# --- lockstep of several generators ----------------------------------------------------------------


def _gen(name: str, rounds: int, fail: bool = False):
    got = []
    for i in range(rounds):
        got.append((yield [Command((name, str(i)))]))
    if fail:
        raise CollectorError(f"{name} failed")
    return [r[0].stdout.decode() for r in got]


def _echo(commands):
    return [CommandResult(c, 0, " ".join(c.argv).encode()) for c in commands]


def _drive_plain(gen):
    sent = None
    try:
        while True:
            cmds = gen.send(sent)
            sent = _echo(cmds)
    except StopIteration as stop:
        return stop.value


def test_run_together_batches_rounds_and_keeps_optional_failures():
    out = _drive_plain(C.run_together({"a": _gen("a", 2), "b": _gen("b", 3, fail=True)}, required=("a",)))
    assert out["a"] == ["a 0", "a 1"]
    assert isinstance(out["b"], CollectorError)


def test_run_together_raises_a_required_failure():
    with pytest.raises(CollectorError, match="a failed"):
        _drive_plain(C.run_together({"a": _gen("a", 1, fail=True), "b": _gen("b", 3)}, required=("a",)))


# --- normalisation for the comparison --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("redis", "redis:latest"), ("docker.io/library/redis:7", "redis:7"), ("ghcr.io/x/y", "ghcr.io/x/y:latest"),
     ("localhost:5000/app", "localhost:5000/app:latest"), ("app@sha256:ab", "docker.io/library/app@sha256:ab")],
)
def test_same_image(a, b):
    assert CC.normalize_image(a) == CC.normalize_image(b)


def test_different_images():
    assert CC.normalize_image("redis:6") != CC.normalize_image("redis:7")
    assert CC.normalize_image("me/redis") != CC.normalize_image("redis")


def test_compose_ports_long_and_short_syntax():
    long_form = [{"mode": "ingress", "host_ip": "127.0.0.1", "target": 9000, "published": "9000", "protocol": "udp"},
                 {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"},
                 {"mode": "ingress", "target": 5000, "protocol": "tcp"}]
    short = ["127.0.0.1:9000:9000/udp", "8080:80", 5000]
    expected = ["127.0.0.1:9000->9000/udp", "5000/tcp", "8080->80/tcp"]
    assert CC.compose_ports(long_form) == CC.compose_ports(short) == sorted(expected)
    assert CC.compose_ports(["8000-8001:80-81", "[::1]:53:53/udp"]) == ["8000->80/tcp", "8001->81/tcp", "[::1]:53->53/udp"]


def test_port_bindings_match_compose_spelling():
    bindings = {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "5000/tcp": [{"HostIp": "", "HostPort": ""}],
                "9000/udp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}], "53/udp": [{"HostIp": "0.0.0.0", "HostPort": "53"}]}
    assert C.port_bindings(bindings) == ["127.0.0.1:9000->9000/udp", "5000/tcp", "53->53/udp", "8080->80/tcp"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("128m", 128 * 2**20), ("134217728", 134217728), (134217728, 134217728), ("1g", 2**30), ("1.5g", 3 * 2**29),
     ("512MB", 512 * 2**20), ("64MiB", 64 * 2**20), ("0", None), (None, None), ("", None)],
)
def test_parse_ram(value, expected):
    assert CC.parse_ram(value) == expected


def test_declared_memory_reads_deploy_limits_too():
    assert CC.declared_memory({"deploy": {"resources": {"limits": {"memory": "64M"}}}}) == 64 * 2**20
    assert CC.declared_memory({"mem_limit": "32m", "deploy": {"resources": {"limits": {"memory": "32m"}}}}) == 32 * 2**20


@pytest.mark.parametrize(("text", "expected"), [("552KiB ", 565248), ("23.54GiB", 25275882537), ("1.32kB", 1320), ("0B", 0), ("x", None)])
def test_parse_size(text, expected):
    assert C.parse_size(text) == expected


def test_api_memory_usage_leaves_out_page_cache_like_docker_stats():
    v1 = {"memory_stats": {"usage": 1000, "stats": {"total_inactive_file": 300}}}
    v2 = {"memory_stats": {"usage": 1000, "stats": {"inactive_file": 100}}}
    assert (C.api_memory_usage(v1), C.api_memory_usage(v2)) == (700, 900)
    assert C.api_memory_usage({"memory_stats": {}}) is None


def test_declared_command_rules():
    image = {"command": ["sleep", "3600"]}
    assert CC.declared_command({"command": "python main.py"}, image) == ["python", "main.py"]
    assert CC.declared_command({}, image) == ["sleep", "3600"]  # the image's CMD
    assert CC.declared_command({"entrypoint": ["sh"]}, image) is None  # Docker drops CMD then
    assert CC.declared_command({}, None) is CC._UNKNOWN


def test_environment_difference_with_and_without_the_image_env():
    declared = {"MODE": "polling", "FROM_SHELL": None}
    running = {"MODE": "webhook", "PATH": "/bin", "EXTRA": "1", "FROM_SHELL": "x"}
    diff, unchecked = CC.environment_difference(declared, running, {"PATH": "/bin"})
    assert diff == {"declared": {"EXTRA": None, "MODE": "polling"}, "running": {"EXTRA": "1", "MODE": "webhook"}}
    assert unchecked == []
    diff, unchecked = CC.environment_difference(declared, running, None)
    assert diff == {"declared": {"MODE": "polling"}, "running": {"MODE": "webhook"}}
    assert unchecked == ["EXTRA", "PATH"]


def test_compare_services_reports_unchecked_env_when_the_image_is_gone():
    containers = {"containers": [{"name": "p-web-1", "project": "p", "service": "web", "state": "running",
                                  "image": "app:1", "image_id": "sha256:gone", "command": ["run"],
                                  "environment": {"A": "1", "HOME": "/root"}, "ports": [], "memory_limit": None}],
                  "images": {}}
    compose = {"project": "p", "services": {"web": {"image": "app:1", "command": ["run"], "environment": {"A": "1"}}}}
    assert CC.compare_services(compose, containers)["services"]["web"] == {
        "running": True, "containers": ["p-web-1"], "differs": {}, "env_unchecked": ["HOME"],
    }


# --- docker_api target selection (no engine needed) ------------------------------------------------


def test_engine_target_order():
    env = {"DOCKER_HOST": "tcp://h:2375", docker_api.DEFAULT_SOCKET_ENV: "/tmp/x.sock"}
    assert docker_api.engine_target("unix:///a.sock", env) == docker_api.EngineTarget("unix:///a.sock", True)
    assert docker_api.engine_target(None, env) == docker_api.EngineTarget("tcp://h:2375", True)
    assert docker_api.engine_target(None, {docker_api.DEFAULT_SOCKET_ENV: "/tmp/x.sock"}) == docker_api.EngineTarget(
        "unix:///tmp/x.sock", False)
    assert docker_api.engine_target(None, {}) == docker_api.EngineTarget("unix:///var/run/docker.sock", False)


@pytest.mark.parametrize(
    ("message", "kind"),
    [("Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file or directory'))", "missing"),
     ("Error while fetching server API version: ('Connection aborted.', ConnectionRefusedError(111, 'Connection refused'))", "refused"),
     ("Error while fetching server API version: ('Connection aborted.', PermissionError(13, 'Permission denied'))", "denied"),
     ("HTTPConnectionPool(host='10.0.0.5', port=2375): Read timed out.", "timeout")],
)
def test_classify_docker_py_errors(message, kind):
    assert docker_api.classify(message)[0] == kind
