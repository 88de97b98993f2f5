"""SSHTransport: pure helpers without a host, then everything else against the real sshd fixture."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import threading
from pathlib import Path

import paramiko
import pytest

from driftctl.config import EnvironmentSpec
from driftctl.errors import HostKeyError, TransportError
from driftctl.models import Command
from driftctl.transport import make_transport, ssh_connect, ssh_hostkeys
from driftctl.transport.local import LocalTransport
from driftctl.transport.ssh import (
    SSHTarget,
    SSHTransport,
    changed_key_message,
    closed_steps,
    connect_failure_reason,
    driftctl_known_hosts_path,
    exec_steps,
    fingerprint_sha256,
    known_hosts_name,
    open_channel_steps,
    parse_jump,
    resolve_target,
    split_jumps,
    ssh_config_path,
    unknown_key_message,
)
from driftctl.transport.waits import Steps, run_blocking
from tests.fixtures.sshd import free_port, generate_key
from tests.fixtures.waiting import deadline

NASTY = "a b 'single' \"double\" $(touch /tmp/pwned) `id` ; rm -rf / & | > < \\ \n second line\t* ? ~ # %s"


def keygen_fingerprint(pub_file: str) -> str:
    """What `ssh-keygen -lf` says, to check our fingerprints against OpenSSH's own."""
    out = subprocess.run(["ssh-keygen", "-lf", pub_file], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


def spec_for(server, path: str, **overrides) -> EnvironmentSpec:
    return EnvironmentSpec(**server.env_spec(path, **overrides))


# --------------------------------------------------------------------------------------------------
# Pure helpers: no host needed
# --------------------------------------------------------------------------------------------------


def lookup_from(table: dict[str, dict]):
    return lambda host: {"hostname": host, **table.get(host, {})}


class TestResolveTarget:
    def test_defaults(self):
        t = resolve_target("db1", lookup_from({}), default_user="me")
        assert t == SSHTarget(alias="db1", hostname="db1", port=22, user="me")

    def test_ssh_config_values_apply(self):
        cfg = {"prod": {"hostname": "10.0.0.5", "port": "2222", "user": "deploy", "identityfile": ["~/.ssh/prod"]}}
        t = resolve_target("prod", lookup_from(cfg), default_user="me")
        assert (t.hostname, t.port, t.user) == ("10.0.0.5", 2222, "deploy")
        assert t.identity_files == (os.path.expanduser("~/.ssh/prod"),)

    def test_explicit_values_win(self):
        cfg = {"prod": {"hostname": "10.0.0.5", "port": "2222", "user": "deploy", "identityfile": ["/a"]}}
        t = resolve_target("prod", lookup_from(cfg), user="ubuntu", port=22, identity_file="/b", default_user="me")
        assert (t.hostname, t.port, t.user, t.identity_files) == ("10.0.0.5", 22, "ubuntu", ("/b",))

    def test_proxy_jump_chain_nearest_hop_first(self):
        cfg = {
            "target": {"proxyjump": "alice@bastion:2200,inner"},
            "bastion": {"hostname": "1.2.3.4"},
            "inner": {"user": "ops", "proxyjump": "ignored-because-chained"},
        }
        t = resolve_target("target", lookup_from(cfg), default_user="me")
        inner = t.jump
        assert inner is not None and (inner.hostname, inner.user, inner.port) == ("inner", "ops", 22)
        assert inner.jump is not None
        assert (inner.jump.hostname, inner.jump.user, inner.jump.port) == ("1.2.3.4", "alice", 2200)
        assert inner.jump.jump is None

    def test_hop_uses_its_own_proxy_jump_when_alone(self):
        cfg = {"target": {"proxyjump": "mid"}, "mid": {"proxyjump": "edge"}}
        t = resolve_target("target", lookup_from(cfg), default_user="me")
        assert t.jump and t.jump.alias == "mid" and t.jump.jump and t.jump.jump.alias == "edge"

    def test_proxy_jump_loop_is_an_error(self):
        cfg = {"a": {"proxyjump": "b"}, "b": {"proxyjump": "a"}}
        with pytest.raises(TransportError, match="loop"):
            resolve_target("a", lookup_from(cfg), default_user="me")

    def test_proxy_jump_loop_names_the_environment(self, tmp_path, monkeypatch):
        config = tmp_path / "ssh_config"
        config.write_text("Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n")
        monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(config))
        transport = SSHTransport("aws", EnvironmentSpec(transport="ssh", host="a", path="/srv"))
        with pytest.raises(TransportError, match=r"^aws: ProxyJump chain for .* \(a loop\?\)$"):
            transport.open()

    def test_real_ssh_config_text(self, tmp_path):
        path = tmp_path / "config"
        path.write_text("Host web\n  HostName 192.0.2.7\n  Port 2201\n  User www\n  ProxyJump none\n")
        t = resolve_target("web", paramiko.SSHConfig.from_path(str(path)).lookup, default_user="me")
        assert (t.hostname, t.port, t.user, t.jump) == ("192.0.2.7", 2201, "www", None)

    def test_host_key_alias(self):
        t = resolve_target("x", lookup_from({"x": {"hostkeyalias": "x-key", "port": "23"}}), default_user="u")
        assert t.known_hosts_name == "[x-key]:23"


@pytest.mark.parametrize(
    ("hop", "expected"),
    [
        ("bastion", (None, "bastion", None)),
        ("bob@bastion", ("bob", "bastion", None)),
        ("bob@bastion:2222", ("bob", "bastion", 2222)),
        ("ssh://bob@bastion:2222", ("bob", "bastion", 2222)),
        ("[2001:db8::1]:2222", (None, "2001:db8::1", 2222)),
        ("2001:db8::1", (None, "2001:db8::1", None)),
    ],
)
def test_parse_jump(hop, expected):
    assert parse_jump(hop) == expected


def test_split_jumps():
    assert split_jumps(None) == [] and split_jumps("None") == []
    assert split_jumps("a, b@c:1") == ["a", "b@c:1"]


def test_known_hosts_name_follows_openssh():
    assert known_hosts_name("example.com", 22) == "example.com"
    assert known_hosts_name("127.0.0.1", 2222) == "[127.0.0.1]:2222"


def test_fingerprint_matches_ssh_keygen(tmp_path):
    key = generate_key(tmp_path / "k")
    pub = Path(f"{key}.pub").read_text().split()
    blob = paramiko.PKey.from_type_string(pub[0], __import__("base64").b64decode(pub[1])).asbytes()
    fp = fingerprint_sha256(blob)
    assert fp == keygen_fingerprint(f"{key}.pub")
    assert fp.startswith("SHA256:") and not fp.endswith("=")


def test_paths_from_environment(tmp_path):
    assert driftctl_known_hosts_path({"XDG_CONFIG_HOME": "/x"}) == Path("/x/driftctl/known_hosts")
    assert driftctl_known_hosts_path({}) == Path(os.path.expanduser("~/.config/driftctl/known_hosts"))
    assert ssh_config_path({"DRIFTCTL_SSH_CONFIG": "/c"}) == Path("/c")
    assert ssh_config_path({}) == Path(os.path.expanduser("~/.ssh/config"))


def test_messages_are_one_line():
    unknown = unknown_key_message("aws", "[h]:2", "ssh-ed25519", "SHA256:abc")
    changed = changed_key_message("aws", "h", ("ssh-ed25519", "SHA256:old"), ("ssh-ed25519", "SHA256:new"), ["f"])
    assert "\n" not in unknown + changed
    assert "--accept-new-host-key" in unknown and "SHA256:abc" in unknown
    assert "man-in-the-middle" in changed and "SHA256:old" in changed and "SHA256:new" in changed


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "x"), "connection refused"),
        (OSError(errno.EHOSTUNREACH, "x"), "no route to host"),
        (socket.gaierror(-2, "Name or service not known"), "cannot resolve host name"),
        (TimeoutError(), "timed out after 3s"),
        (paramiko.AuthenticationException("Authentication failed."), "authentication failed"),
        (EOFError(), "the server closed the connection"),
        (paramiko.SSHException("Error reading SSH protocol banner[Errno 104]"), "no SSH banner from the server"),
        (paramiko.SSHException("Incompatible ssh peer\nmore"), "Incompatible ssh peer"),
    ],
)
def test_connect_failure_reason(exc, reason):
    assert connect_failure_reason(exc, 3).startswith(reason)


# --------------------------------------------------------------------------------------------------
# Against the real sshd
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def ssh(sshd, tmp_path):
    with SSHTransport("aws", spec_for(sshd, str(tmp_path))) as transport:
        yield transport


@pytest.mark.integration
class TestBatches:
    def test_exact_results_for_each_command(self, ssh, tmp_path):
        data = bytes(range(256))
        (tmp_path / "blob").write_bytes(data)
        results = ssh.run_batch(
            [
                Command(("echo", "hello")),
                Command(("sh", "-c", "printf 'a\\0b'; echo oops >&2; exit 7")),
                Command(("cat", "blob"), cwd=str(tmp_path)),
                Command(("pwd",), cwd="/no/such dir"),
                Command(("definitely-not-a-command-xyz",)),
                Command(("printf", "")),
            ]
        )
        assert [(r.exit_status, r.stdout, r.stderr) for r in results[:4]] == [
            (0, b"hello\n", b""),
            (7, b"a\0b", b"oops\n"),
            (0, data, b""),
            (2, b"", b"cd: /no/such dir: No such file or directory\n"),
        ]
        assert results[4].exit_status == 127
        assert (results[5].exit_status, results[5].stdout, results[5].stderr) == (0, b"", b"")

    def test_argument_arrives_verbatim(self, ssh, tmp_path):
        [result] = ssh.run_batch([Command(("printf", "%s", NASTY), cwd=str(tmp_path))])
        assert result.stdout == NASTY.encode()
        assert not Path("/tmp/pwned").exists()

    def test_cwd_with_shell_metacharacters(self, ssh, tmp_path):
        odd = tmp_path / "it's a $(dir); `x`"
        odd.mkdir()
        [result] = ssh.run_batch([Command(("pwd",), cwd=str(odd))])
        assert result.stdout.decode().rstrip("\n") == str(odd)

    def test_large_output_on_both_streams_does_not_deadlock(self, ssh):
        size = 12 * 1024 * 1024
        results = ssh.run_batch(
            [
                Command(("sh", "-c", f"head -c {size} /dev/zero; head -c {size} /dev/zero >&2")),
                Command(("echo", "after")),
            ],
            timeout=60,
        )
        assert len(results[0].stdout) == size and len(results[0].stderr) == size
        assert results[1].stdout == b"after\n"

    def test_timeout_ends_the_batch_and_the_connection_survives(self, ssh):
        """How promptly: benchmarks/timeouts.py."""
        with pytest.raises(TransportError, match=r"^aws: batch of 2 command\(s\) .* timed out after 1s$"):
            ssh.run_batch([Command(("echo", "x")), Command(("sleep", "30"))], timeout=1)
        assert ssh.run(Command(("echo", "still"))).stdout == b"still\n"

    def test_one_connection_for_many_batches(self, sshd, tmp_path):
        before = sshd.accepted_logins()
        with SSHTransport("aws", spec_for(sshd, str(tmp_path))) as transport:
            client = transport.client
            ssh_transport = client.get_transport()
            for i in range(5):
                assert transport.run(Command(("echo", str(i)))).stdout == f"{i}\n".encode()
                assert transport.client is client and client.get_transport() is ssh_transport
        assert sshd.accepted_logins() - before == 1

    def test_close_is_idempotent_and_run_reconnects(self, sshd, tmp_path):
        transport = SSHTransport("aws", spec_for(sshd, str(tmp_path)))
        transport.close()
        assert transport.run(Command(("true",))).exit_status == 0  # opens on first use
        transport.close()
        transport.close()
        assert transport.client is None

    def test_dropped_connection_is_a_transport_error(self, ssh):
        sock = ssh.client.get_transport().sock
        killer = threading.Timer(0.5, lambda: sock.shutdown(socket.SHUT_RDWR))
        killer.start()
        try:
            with pytest.raises(TransportError, match=r"^aws: (connection to .* lost|incomplete output)"):
                ssh.run_batch([Command(("sleep", "3"))], timeout=20)
        finally:
            killer.cancel()

    def test_mktemp_failure_is_a_transport_error(self, ssh, monkeypatch):
        def mktemp_failed(*_args):  # the batch's steps, ending at once with mktemp's status
            return (b"", b"mktemp: failed to create directory\n", 97)
            yield

        monkeypatch.setattr(ssh, "_script_steps", mktemp_failed)
        with pytest.raises(TransportError, match="cannot create a temporary directory.*mktemp: failed"):
            ssh.run(Command(("true",)))

    def test_waiting_for_the_close_after_the_remote_eof_does_not_spin(self, ssh):
        """After the remote side's EOF paramiko keeps a channel's descriptor readable for good; the
        wait for the close that follows must be one wait for paramiko's close event, not a loop that
        wakes at once until the close (CPU burnt by every finishing snapshot)."""
        transport = ssh.client.get_transport()
        until = deadline(30)
        channel = run_blocking(open_channel_steps(transport, "session", [], until))
        # output closed (sshd sends EOF), then the process lives on a while before its exit (the close)
        run_blocking(exec_steps(channel, "exec >/dev/null 2>&1; sleep 0.5", until))
        waits = []

        def counted(steps: Steps[None]) -> Steps[None]:
            value = None
            while True:
                try:
                    wait = steps.send(value)
                except StopIteration:
                    return
                waits.append(type(wait).__name__)
                value = yield wait

        run_blocking(counted(closed_steps(channel, until)))

        assert channel.closed and channel.eof_received
        assert 1 <= len(waits) <= 4, waits
        assert waits[-1] == "Signal"

    def test_describe(self, ssh, sshd, tmp_path):
        assert ssh.describe() == f"ssh:{sshd.user}@127.0.0.1:{sshd.port}:{tmp_path}"

    def test_same_results_as_local_transport(self, ssh, tmp_path):
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "f.txt").write_bytes(b"line1\nline2\x00\xff")
        (tmp_path / ".env").write_text("A=1\nB='two words'\n")
        cmds = [
            Command(("ls", "-a"), cwd=str(tmp_path)),
            Command(("cat", "sub/f.txt", ".env"), cwd=str(tmp_path)),
            Command(("cat", "missing"), cwd=str(tmp_path)),
            Command(("sh", "-c", "echo out; echo err >&2; exit 4"), cwd=str(tmp_path)),
            Command(("printf", "%s", NASTY)),
            Command(("pwd",), cwd=str(tmp_path / "nope")),
            Command(("env", "-0"), cwd=str(tmp_path)),
        ]
        local = LocalTransport("dev", root=str(tmp_path)).run_batch(cmds)
        remote = ssh.run_batch(cmds)
        for lr, rr in zip(local[:-1], remote[:-1]):
            assert (lr.command, lr.exit_status, lr.stdout, lr.stderr) == (rr.command, rr.exit_status, rr.stdout, rr.stderr)
        # Environments differ by nature (SSH_CONNECTION, ...); the NUL-separated shape is the same.
        assert local[-1].exit_status == remote[-1].exit_status == 0
        assert remote[-1].stdout.endswith(b"\0") and b"\n" not in remote[-1].stdout.split(b"\0")[0]


@pytest.mark.integration
class TestHostKeys:
    def test_unknown_key_is_refused_with_its_fingerprint(self, sshd, tmp_path):
        empty = tmp_path / "known_hosts"
        empty.write_text("")
        fp = keygen_fingerprint(f"{sshd.host_key_file}.pub")
        transport = SSHTransport("aws", spec_for(sshd, str(tmp_path), known_hosts=str(empty)))
        with pytest.raises(HostKeyError) as info:
            transport.open()
        message = info.value.message
        assert "\n" not in message
        assert f"[127.0.0.1]:{sshd.port}" in message and f"ssh-ed25519 {fp}" in message
        assert "--accept-new-host-key" in message
        assert transport.client is None

    def test_port_22_entry_does_not_vouch_for_another_port(self, sshd, tmp_path):
        known = tmp_path / "known_hosts"
        known.write_text("127.0.0.1 " + " ".join(sshd.host_key_pub.split()[:2]) + "\n")
        with pytest.raises(HostKeyError, match="unknown host key"):
            SSHTransport("aws", spec_for(sshd, str(tmp_path), known_hosts=str(known))).open()

    def test_accept_new_records_the_key_and_next_run_needs_no_flag(self, sshd, tmp_path):
        spec = spec_for(sshd, str(tmp_path), known_hosts=str(tmp_path / "absent"))
        with SSHTransport("aws", spec, accept_new_host_key=True) as transport:
            assert transport.run(Command(("true",))).exit_status == 0
        recorded = driftctl_known_hosts_path().read_text()
        assert recorded == f"[127.0.0.1]:{sshd.port} " + " ".join(sshd.host_key_pub.split()[:2]) + "\n"
        assert oct(driftctl_known_hosts_path().stat().st_mode & 0o777) == "0o600"
        with SSHTransport("aws", spec) as transport:
            assert transport.run(Command(("echo", "ok"))).stdout == b"ok\n"

    @pytest.mark.parametrize("accept_new", [False, True])
    def test_changed_key_is_always_refused(self, sshd, sshd_factory, tmp_path, accept_new):
        other = sshd_factory()  # a second server with its own host key
        known = tmp_path / "known_hosts"
        known.write_text(f"[127.0.0.1]:{other.port} " + " ".join(sshd.host_key_pub.split()[:2]) + "\n")
        before = other.accepted_logins()
        transport = SSHTransport(
            "aws", spec_for(other, str(tmp_path), known_hosts=str(known)), accept_new_host_key=accept_new
        )
        with pytest.raises(HostKeyError) as info:
            transport.open()
        message = info.value.message
        assert "\n" not in message and "man-in-the-middle" in message
        assert keygen_fingerprint(f"{sshd.host_key_file}.pub") in message
        assert keygen_fingerprint(f"{other.host_key_file}.pub") in message
        assert other.accepted_logins() == before  # refused before authenticating
        assert not driftctl_known_hosts_path().exists()

    def test_changed_key_in_driftctl_own_file_is_refused(self, sshd, tmp_path):
        own = driftctl_known_hosts_path()
        own.parent.mkdir(parents=True)
        fake = generate_key(tmp_path / "fake")
        own.write_text(f"[127.0.0.1]:{sshd.port} " + " ".join(Path(f"{fake}.pub").read_text().split()[:2]) + "\n")
        spec = spec_for(sshd, str(tmp_path), known_hosts=str(tmp_path / "absent"))
        with pytest.raises(HostKeyError, match="HOST KEY CHANGED"):
            SSHTransport("aws", spec, accept_new_host_key=True).open()


@pytest.mark.integration
class TestFilesEveryConnectionReads:
    """A fleet's connections read the same known_hosts and identity files: each is parsed once while
    it stays the same, and a changed file is read again at the next connection."""

    def test_known_hosts_are_parsed_once_until_they_change(self, sshd, sshd_factory, tmp_path, monkeypatch):
        ssh_hostkeys._known_hosts.clear()
        parsed: list[Path] = []
        real = ssh_hostkeys.load_known_hosts  # looked up by known_hosts_into, in ssh_hostkeys
        monkeypatch.setattr(ssh_hostkeys, "load_known_hosts", lambda keys, path, env: parsed.append(path) or real(keys, path, env))
        known = tmp_path / "known_hosts"
        known.write_text(Path(sshd.known_hosts).read_text())
        spec = spec_for(sshd, str(tmp_path), known_hosts=str(known))
        for _ in range(3):
            with SSHTransport("aws", spec) as transport:
                assert transport.run(Command(("echo", "ok"))).stdout == b"ok\n"
        assert parsed == [known]
        # the same name now listed with another server's key: the next connection reads the file again
        other = sshd_factory()
        known.write_text(f"[127.0.0.1]:{sshd.port} " + " ".join(other.host_key_pub.split()[:2]) + "\n")
        with pytest.raises(HostKeyError, match="HOST KEY CHANGED"):
            SSHTransport("aws", spec).open()
        assert parsed == [known, known]

    def test_the_identity_file_is_loaded_once_per_key_kind_until_it_changes(self, sshd, tmp_path, monkeypatch):
        ssh_connect._identity_keys.clear()
        loads: list[str] = []
        real = paramiko.SSHClient._key_from_filepath
        monkeypatch.setattr(paramiko.SSHClient, "_key_from_filepath",
                            lambda self, name, kind, pw: loads.append(kind.__name__) or real(self, name, kind, pw))
        key = tmp_path / "id_key"
        key.write_bytes(Path(sshd.identity_file).read_bytes())
        key.chmod(0o600)
        spec = spec_for(sshd, str(tmp_path), identity_file=str(key))
        for _ in range(3):
            with SSHTransport("aws", spec) as transport:
                assert transport.run(Command(("true",))).exit_status == 0
        assert loads == ["RSAKey", "ECDSAKey", "Ed25519Key"]  # an ed25519 file, tried as paramiko tries it
        generate_key(tmp_path / "stranger")  # a key the server does not know replaces the file
        key.write_bytes((tmp_path / "stranger").read_bytes())
        with pytest.raises(TransportError, match="authentication failed"):
            SSHTransport("aws", spec).open()
        assert loads[3:] == ["RSAKey", "ECDSAKey", "Ed25519Key"]


@pytest.mark.integration
class TestConnectFailures:
    def test_connection_refused(self, sshd, tmp_path):
        """These failures' promptness against connect_timeout is measured by benchmarks/timeouts.py."""
        port = free_port()
        spec = spec_for(sshd, str(tmp_path), port=port, connect_timeout=2)
        with pytest.raises(TransportError) as info:
            SSHTransport("aws", spec).open()
        assert info.value.message == f"aws: cannot connect to {sshd.user}@127.0.0.1:{port}: connection refused"

    def test_silent_server_times_out_within_connect_timeout(self, sshd, tmp_path):
        with socket.socket() as listener:  # accepts TCP, never says a word
            listener.bind(("127.0.0.1", 0))
            listener.listen(5)
            port = listener.getsockname()[1]
            spec = spec_for(sshd, str(tmp_path), port=port, connect_timeout=1)
            with pytest.raises(TransportError, match=r"cannot connect to .*: timed out after 1s$"):
                SSHTransport("aws", spec).open()

    def test_unknown_host_name(self, sshd, tmp_path):
        spec = spec_for(sshd, str(tmp_path), host="no-such-host.invalid", connect_timeout=3)
        with pytest.raises(TransportError, match="no-such-host.invalid.*: (cannot resolve host name|timed out)"):
            SSHTransport("aws", spec).open()

    def test_auth_failure_names_no_secret(self, sshd, tmp_path):
        wrong = generate_key(tmp_path / "wrong")
        spec = spec_for(sshd, str(tmp_path), identity_file=str(wrong))
        with pytest.raises(TransportError) as info:
            SSHTransport("aws", spec).open()
        message = info.value.message
        assert message == f"aws: cannot connect to {sshd.user}@127.0.0.1:{sshd.port}: authentication failed"
        private_body = wrong.read_text().splitlines()[1]
        assert private_body not in message

    def test_missing_identity_file(self, sshd, tmp_path):
        spec = spec_for(sshd, str(tmp_path), identity_file=str(tmp_path / "nope"))
        with pytest.raises(TransportError, match="identity file not found"):
            SSHTransport("aws", spec).open()


@pytest.mark.integration
class TestSshConfig:
    def write_config(self, tmp_path, monkeypatch, text: str) -> None:
        path = tmp_path / "ssh_config"
        path.write_text(text)
        monkeypatch.setenv("DRIFTCTL_SSH_CONFIG", str(path))

    def test_alias_resolved_from_ssh_config(self, sshd, tmp_path, monkeypatch):
        self.write_config(
            tmp_path,
            monkeypatch,
            f"Host box\n  HostName 127.0.0.1\n  Port {sshd.port}\n  User {sshd.user}\n"
            f"  IdentityFile {sshd.identity_file}\n",
        )
        spec = EnvironmentSpec(transport="ssh", host="box", path=str(tmp_path), known_hosts=sshd.known_hosts)
        with SSHTransport("aws", spec) as transport:
            assert transport.describe() == f"ssh:{sshd.user}@127.0.0.1:{sshd.port}:{tmp_path}"
            assert transport.run(Command(("echo", "via config"))).stdout == b"via config\n"

    def test_proxy_jump_through_the_fixture_to_itself(self, sshd, tmp_path, monkeypatch):
        self.write_config(
            tmp_path,
            monkeypatch,
            f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  ProxyJump jump\n"
            f"Host jump\n  HostName 127.0.0.1\n  Port {sshd.port}\n"
            f"Host *\n  User {sshd.user}\n  IdentityFile {sshd.identity_file}\n",
        )
        spec = EnvironmentSpec(transport="ssh", host="target", path=str(tmp_path), known_hosts=sshd.known_hosts)
        before = sshd.accepted_logins()
        with SSHTransport("aws", spec) as transport:
            assert transport.target.jump is not None
            assert transport.run(Command(("echo", "tunnelled"))).stdout == b"tunnelled\n"
            assert len(transport._clients) == 2
        assert sshd.accepted_logins() - before == 2  # the jump host, then the target through it

    def test_proxy_jump_checks_the_jump_host_key_too(self, sshd, tmp_path, monkeypatch):
        self.write_config(
            tmp_path,
            monkeypatch,
            f"Host target\n  HostName 127.0.0.1\n  Port {sshd.port}\n  ProxyJump {sshd.user}@jump:{sshd.port}\n"
            f"Host jump\n  HostName localhost\n"
            f"Host *\n  User {sshd.user}\n  IdentityFile {sshd.identity_file}\n",
        )
        spec = EnvironmentSpec(transport="ssh", host="target", path=str(tmp_path), known_hosts=sshd.known_hosts)
        with pytest.raises(HostKeyError, match=rf"unknown host key for \[localhost\]:{sshd.port}"):
            SSHTransport("aws", spec).open()

    def test_unreachable_jump_host(self, sshd, tmp_path, monkeypatch):
        port = free_port()
        self.write_config(tmp_path, monkeypatch, f"Host target\n  ProxyJump 127.0.0.1:{port}\n")
        spec = spec_for(sshd, str(tmp_path), host="target", connect_timeout=2)
        with pytest.raises(TransportError, match=rf"cannot connect to .*@127.0.0.1:{port}: connection refused"):
            SSHTransport("aws", spec).open()


@pytest.mark.integration
def test_make_transport_builds_an_ssh_transport(sshd, tmp_path):
    from driftctl.config import parse_config

    config = parse_config({"environments": {"aws": sshd.env_spec(str(tmp_path))}}, None, "x.yaml", str(tmp_path))
    with make_transport(config, "aws") as transport:
        assert isinstance(transport, SSHTransport)
        assert transport.run(Command(("echo", "hi"))).stdout == b"hi\n"
