"""known_hosts is read by driftctl: `@revoked` refuses the key, `@cert-authority` lines are skipped
(paramiko alone rejects the whole file over either marker). Over the real sshd fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from driftctl.config import EnvironmentSpec
from driftctl.errors import HostKeyError
from driftctl.models import Command
from driftctl.transport.ssh import SSHTransport, parse_known_hosts


def test_parse_known_hosts_markers() -> None:
    plain, revoked, skipped = parse_known_hosts(
        "# comment\n\n@cert-authority *.example.com ssh-ed25519 AAAA\n@revoked host ssh-ed25519 AAECAw==\n"
        "host ssh-ed25519 AAAA\n@weird x y z\n")
    assert plain == ["host ssh-ed25519 AAAA"] and revoked == [b"\x00\x01\x02\x03"] and skipped == 2


def spec(sshd, known_hosts: Path, path: str) -> EnvironmentSpec:
    return EnvironmentSpec(**sshd.env_spec(path, known_hosts=str(known_hosts)))


def test_cert_authority_lines_do_not_hide_plain_entries(sshd, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("@cert-authority *.example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDe\n" + sshd.known_hosts_line)
    with SSHTransport("aws", spec(sshd, known, str(tmp_path))) as transport:
        assert transport.run(Command(("echo", "ok"))).stdout == b"ok\n"


def test_revoked_key_is_refused_even_when_also_listed(sshd, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("@revoked " + sshd.known_hosts_line + sshd.known_hosts_line)
    with pytest.raises(HostKeyError, match="marked @revoked"):
        with SSHTransport("aws", spec(sshd, known, str(tmp_path))) as transport:
            transport.run(Command(("true",)))
