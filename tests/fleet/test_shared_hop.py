"""Environments behind one ProxyJump hop share one connection to it, as OpenSSH's ControlMaster would:
a fleet of N hosts behind a bastion logs in to the bastion once per run, not N times (auth logs,
fail2ban, sshd's PerSourcePenalties, and a paramiko reader thread per hop connection).

Real sshds: a bastion and a target; sshd's own log counts the logins."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import paramiko
import pytest

from driftctl.collectors.host import HostCollector
from driftctl.config import parse_config
from driftctl.models import Command
from driftctl.runner import collect_all
from driftctl.transport.ssh import SSHTransport
from driftctl.transport.ssh_hops import HOPS

pytestmark = pytest.mark.integration


@pytest.fixture
def servers(sshd_factory, tmp_path, monkeypatch):
    """(bastion, target, known_hosts with both): aliases t* reach the target through `bastion`."""
    bastion, target = sshd_factory(), sshd_factory()
    known = tmp_path / "known_hosts"
    known.write_text(bastion.known_hosts_line + target.known_hosts_line)
    write_ssh_config(tmp_path, monkeypatch, bastion.port, target.port, bastion.user, bastion.identity_file)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return bastion, target, str(known)


def write_ssh_config(tmp_path: Path, monkeypatch, bastion_port: int, target_port: int, user: str, key: str) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(
        f"Host bastion\n  HostName 127.0.0.1\n  Port {bastion_port}\n"
        f"Host t*\n  HostName 127.0.0.1\n  Port {target_port}\n  ProxyJump bastion\n"
        f"Host *\n  User {user}\n  IdentityFile {key}\n"
    )
    monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(config))


def fleet(tmp_path: Path, known: str, envs: dict[str, dict]):
    full = {name: {"transport": "ssh", "path": str(tmp_path), "known_hosts": known, **spec}
            for name, spec in envs.items()}
    return parse_config({"version": 1, "environments": full}, None, "fleet.yaml", str(tmp_path))


def new_ssh_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """paramiko connections (each one is a reader thread) opened since `before` and still running."""
    return [t for t in threading.enumerate() if t not in before and isinstance(t, paramiko.Transport)]


@pytest.mark.parametrize("jobs", [6, 2])
def test_six_environments_behind_one_bastion_log_in_to_it_once(servers, tmp_path, jobs):
    bastion, target, known = servers
    cfg = fleet(tmp_path, known, {f"t{i}": {"host": f"t{i}"} for i in range(6)})
    threads_before = set(threading.enumerate())
    for _run in range(2):  # each run opens the bastion connection again, and closes it at its end
        bastion_before, target_before = bastion.accepted_logins(), target.accepted_logins()

        snaps = collect_all(cfg, list(cfg.environments), jobs=jobs, collectors=[HostCollector()])

        assert [s["error"] for s in snaps] == [None] * 6
        assert all(s["complete"] and s["collectors"]["host"]["status"] == "ok" for s in snaps)
        assert bastion.accepted_logins() - bastion_before == 1  # one login per run (was one per environment)
        assert target.accepted_logins() - target_before == 6
        assert HOPS.connections() == 0  # the last environment to finish closed it
        assert new_ssh_threads(threads_before) == []


def test_a_silent_bastion_fails_each_environment_behind_it_on_its_own(servers, tmp_path, monkeypatch):
    """Behind a bastion that accepts TCP and never answers, each environment fails with its own line
    and its own connect_timeout; environments that do not go through it complete."""
    bastion, target, known = servers
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        write_ssh_config(tmp_path, monkeypatch, port, target.port, target.user, target.identity_file)
        behind = {f"t{i}": {"host": f"t{i}", "connect_timeout": 1 + i % 2} for i in range(4)}
        direct = {f"d{i}": {"host": "127.0.0.1", "port": target.port} for i in range(2)}
        cfg = fleet(tmp_path, known, {**behind, **direct})

        snaps = collect_all(cfg, list(cfg.environments), jobs=6, collectors=[HostCollector()])

    by_env = {s["environment"]: s for s in snaps}
    for name, spec in behind.items():
        assert by_env[name]["error"] == (f"{name}: cannot connect to {target.user}@127.0.0.1:{port}: "
                                         f"timed out after {spec['connect_timeout']}s")
    assert all(by_env[name]["complete"] and by_env[name]["error"] is None for name in direct)
    assert HOPS.connections() == 0


def hop_client():
    """The one shared bastion connection open now."""
    (shared,) = [h for h in HOPS._hops.values() if hasattr(h, "client")]
    return shared.client


@pytest.mark.parametrize("let_go", ["close", "abort"])
def test_the_bastion_stays_open_while_another_environment_uses_it(servers, tmp_path, let_go):
    """Closing (or Ctrl-C's abort of) one environment does not close the hop under another; the
    last one to let go closes it."""
    bastion, target, known = servers
    cfg = fleet(tmp_path, known, {"t0": {"host": "t0"}, "t1": {"host": "t1"}})
    first, second = (SSHTransport(name, cfg.environments[name]) for name in ("t0", "t1"))
    before = bastion.accepted_logins()
    first.open()
    second.open()
    hop = hop_client().get_transport()
    assert bastion.accepted_logins() - before == 1
    assert first._clients[0].get_transport() is second._clients[0].get_transport() is hop
    getattr(first, let_go)()
    assert hop.is_active()
    assert second.run(Command(("echo", "still here"))).stdout == b"still here\n"
    getattr(second, let_go)()
    assert not hop.is_active() and HOPS.connections() == 0


def test_an_unknown_bastion_key_is_each_environments_own_refusal(servers, tmp_path):
    """The hop's host key is checked as strictly as before; the refusal reaches every environment
    that waited for it, each in its own line."""
    bastion, target, _known = servers
    only_target = tmp_path / "known_hosts_target_only"
    only_target.write_text(target.known_hosts_line)
    cfg = fleet(tmp_path, str(only_target), {f"t{i}": {"host": f"t{i}"} for i in range(4)})
    before = bastion.accepted_logins()

    snaps = collect_all(cfg, list(cfg.environments), jobs=4, collectors=[HostCollector()])

    for snap in snaps:
        assert snap["error"].startswith(f"{snap['environment']}: unknown host key for [127.0.0.1]:{bastion.port} ")
    assert bastion.accepted_logins() == before and HOPS.connections() == 0
