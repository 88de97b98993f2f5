"""A throwaway OpenSSH server on 127.0.0.1 for `driftctl demo --ssh`.

Why a real sshd: the point of `--ssh` is that the `aws` environment is collected through the same
SSH transport a real server would be (paramiko, host-key check, batched `/bin/sh -s`), not a fake.
Everything it needs lives in one folder of the sandbox: a generated host key and client key, an
`authorized_keys` with only that client key, a `known_hosts` with only that host key, and a config
that inherits nothing from /etc/ssh. It listens on a free loopback port and is stopped by its PID.

(The same recipe as the test fixture in tests/fixtures/sshd.py; the demo must not import tests.)
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from driftctl.errors import DriftctlError

SSHD = "/usr/sbin/sshd"
START_DEADLINE_S = 10.0
_PRIVSEP_DIR = Path("/run/sshd")


class SshdError(DriftctlError):
    """The loopback sshd could not be started."""


@dataclass
class LoopbackSshd:
    """A running sshd and what a client needs to reach it."""

    host: str
    port: int
    user: str
    identity_file: Path
    known_hosts: Path
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    def spec(self, path: Path) -> dict:
        """The environments.yaml entry that reaches `path` through this server."""
        return {"transport": "ssh", "host": self.host, "port": self.port, "user": self.user,
                "identity_file": str(self.identity_file), "known_hosts": str(self.known_hosts),
                "path": str(path), "connect_timeout": 5}

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen) -> None:
    """SIGTERM by PID, then SIGKILL if it lingers; safe to call twice."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def available() -> str | None:
    """None when `--ssh` can run here, else the reason it cannot."""
    if not os.path.exists(SSHD):
        return f"{SSHD} not found (install openssh-server to run the demo over SSH)"
    if not shutil.which("ssh-keygen"):
        return "ssh-keygen not found (install openssh-client to run the demo over SSH)"
    return None


def generate_key(path: Path, comment: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
                   check=True, capture_output=True, timeout=30)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sshd_config(workdir: Path, port: int, host_key: Path, authorized_keys: Path, extra: tuple[str, ...] = ()) -> str:
    """The whole configuration: key login for this user only, on loopback, nothing from /etc/ssh.
    The test fixture adds its own lines (`extra`), such as TCP forwarding for ProxyJump tests."""
    return "\n".join([
        "ListenAddress 127.0.0.1", f"Port {port}", f"HostKey {host_key}", f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized_keys}", "UsePAM no", "StrictModes no", "PasswordAuthentication no",
        "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "PermitRootLogin prohibit-password",
        "UseDNS no", "LogLevel INFO", *(extra or ("MaxSessions 16",)), "",
    ])


def wait_for_banner(port: int, proc: subprocess.Popen, deadline: float) -> bool:
    """Poll until the port accepts and sends `SSH-`, sshd exits, or the deadline passes."""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.settimeout(max(0.1, deadline - time.monotonic()))
                if s.recv(64).startswith(b"SSH-"):
                    return True
        except OSError:
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                pass
    return False


def start(workdir: Path) -> LoopbackSshd:
    """Generate keys in `workdir` and start sshd on a free port (a few tries if the port is taken)."""
    reason = available()
    if reason:
        raise SshdError(f"cannot run the demo over SSH: {reason}")
    if os.geteuid() == 0:
        _PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)  # sshd refuses to start as root without it
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = generate_key(workdir / "ssh_host_ed25519_key", "driftctl-demo-host")
    user_key = generate_key(workdir / "id_ed25519", "driftctl-demo-user")
    authorized = workdir / "authorized_keys"
    authorized.write_text(Path(f"{user_key}.pub").read_text())
    known_hosts = workdir / "known_hosts"
    log_path = workdir / "sshd.log"
    for _attempt in range(3):
        port = free_port()
        config = workdir / "sshd_config"
        config.write_text(sshd_config(workdir, port, host_key, authorized))
        with open(log_path, "ab") as log:
            proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=log,
                                    stdin=subprocess.DEVNULL)
        if wait_for_banner(port, proc, time.monotonic() + START_DEADLINE_S):
            key_type, key_b64 = Path(f"{host_key}.pub").read_text().split()[:2]
            known_hosts.write_text(f"[127.0.0.1]:{port} {key_type} {key_b64}\n")
            return LoopbackSshd("127.0.0.1", port, getpass.getuser(), user_key, known_hosts, log_path, proc)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        if "Address already in use" not in log_path.read_text(errors="replace"):
            break
    last = (log_path.read_text(errors="replace").strip().splitlines() or ["no output"])[-1]
    raise SshdError(f"the demo's sshd did not start on 127.0.0.1: {last}")
