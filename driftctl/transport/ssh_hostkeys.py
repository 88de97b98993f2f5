"""Host keys, checked as OpenSSH does with StrictHostKeyChecking=accept-new behind a flag.

Why a module of its own: which keys a connection trusts is the security-relevant part of the SSH
transport, and it reads better away from the sockets. Here are known_hosts, read by driftctl (not
paramiko, which rejects a whole file over one `@revoked` or `@cert-authority` line) and parsed once
per fleet while the files stay the same; the policy paramiko calls for a host that no file knows
(refuse, or record the key with `--accept-new-host-key`); and the one-line messages for an unknown,
changed or revoked key, with fingerprints in `ssh-keygen -l`'s format and no key material.
The transport (driftctl/transport/ssh.py) applies them during the handshake.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from driftctl.errors import TransportError
from driftctl.settings import config_home
from driftctl.transport.paramiko_lib import paramiko  # imported only when an ssh environment is used


def fingerprint_sha256(key_blob: bytes) -> str:
    """OpenSSH's fingerprint format (`ssh-keygen -lf`): `SHA256:` + unpadded base64 of the digest."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key_blob).digest()).decode().rstrip("=")


def driftctl_known_hosts_path(environ: Mapping[str, str] | None = None) -> Path:
    """driftctl's own known-hosts file, where `--accept-new-host-key` records keys."""
    return config_home(environ) / "known_hosts"


def unknown_key_message(env_name: str, name: str, key_type: str, fingerprint: str) -> str:
    return (
        f"{env_name}: unknown host key for {name} ({key_type} {fingerprint}); verify the fingerprint, "
        "then re-run with --accept-new-host-key to trust it"
    )


def changed_key_message(
    env_name: str, name: str, expected: tuple[str, str], offered: tuple[str, str], files: Sequence[str]
) -> str:
    return (
        f"{env_name}: HOST KEY CHANGED for {name}: possible man-in-the-middle attack; known key "
        f"{expected[0]} {expected[1]}, offered key {offered[0]} {offered[1]}; refusing to connect "
        f"(if the change is legitimate, remove the old entry from {' or '.join(files)})"
    )


def host_key_line(name: str, key: paramiko.PKey) -> str:
    return f"{name} {key.get_name()} {key.get_base64()}\n"


class UnknownHostKey(Exception):
    """Raised from inside paramiko's connect so the caller can word the refusal itself."""

    def __init__(self, name: str, key: paramiko.PKey):
        super().__init__(name)
        self.name = name
        self.key = key


class NewHostKeyPolicy(paramiko.MissingHostKeyPolicy):
    """Called by paramiko only for a host absent from every loaded known-hosts file.

    Refuses (like RejectPolicy, but keeping the key for the message) unless the user asked to accept
    new keys, in which case the key is appended to driftctl's own known-hosts file.
    """

    def __init__(self, accept_new: bool, record_to: Path, revoked: set[bytes] | None = None):
        self.accept_new = accept_new
        self.record_to = record_to
        self.revoked = revoked or set()

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        if not self.accept_new or key.asbytes() in self.revoked:  # a revoked key is never recorded
            raise UnknownHostKey(hostname, key)
        record_host_key(self.record_to, hostname, key)
        client.get_host_keys().add(hostname, key.get_name(), key)


def parse_known_hosts(text: str) -> tuple[list[str], list[bytes], int]:
    """known_hosts read by driftctl, not paramiko (which rejects a whole file over one marker line):
    (plain entry lines, key blobs marked `@revoked`, number of `@cert-authority` lines skipped)."""
    plain: list[str] = []
    revoked: list[bytes] = []
    skipped = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            marker, _, rest = line.partition(" ")
            fields = rest.split()
            if marker == "@revoked" and len(fields) >= 3:
                try:
                    revoked.append(base64.b64decode(fields[2], validate=True))
                except ValueError:
                    pass
            else:  # @cert-authority (certificates are not supported) and unknown markers
                skipped += 1
            continue
        plain.append(line)
    return plain, revoked, skipped


def load_known_hosts(keys: paramiko.HostKeys, path: Path, env_name: str) -> set[bytes]:
    """Add the plain entries of `path` to `keys`; return the revoked key blobs. Lines paramiko cannot
    parse are skipped; `@cert-authority` lines are skipped with a warning in the log."""
    from driftctl.limits import read_text

    text = read_text(path, "known_hosts file", TransportError, kind="known_hosts")
    plain, revoked, skipped = parse_known_hosts(text)
    if skipped:
        import logging

        logging.getLogger("driftctl.transport.ssh").warning(  # ssh.py's logger: log lines keep their name
            "%s: %d @cert-authority line(s) in %s skipped: host certificates are not supported", env_name, skipped, path)
    for line in plain:
        try:
            entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
        except Exception:  # noqa: BLE001 - one bad line must not hide the others (OpenSSH skips it too)
            continue
        if entry is not None and entry.key.asbytes() not in revoked:
            for name in entry.hostnames:
                keys.add(name, entry.key.get_name(), entry.key)
    return set(revoked)


def known_hosts_into(keys: paramiko.HostKeys, files: Sequence[Path], env_name: str) -> set[bytes]:
    """load_known_hosts for each of `files` that exists, in order, into `keys`; the revoked key blobs.

    The files are read and parsed once while they stay the same (device, inode, size, mtime: an
    accepted key appended to driftctl's file is a change), not once per environment of a fleet;
    each connection gets entries of its own, as if it had loaded the files itself."""
    identity = tuple((str(p), file_identity(p)) for p in files)
    with cache_lock:
        kept = _known_hosts.get(identity)
    if kept is None:
        template = paramiko.HostKeys()
        revoked: set[bytes] = set()
        for path in files:
            if path.is_file():
                revoked |= load_known_hosts(template, path, env_name)
        kept = (template, frozenset(revoked))
        with cache_lock:
            if len(_known_hosts) >= CACHE_MAX:
                _known_hosts.clear()
            _known_hosts[identity] = kept
    mine: Any = keys
    ours: Any = kept[0]  # (HostKeys._entries: paramiko's list of entries, which its stubs leave out)
    mine._entries.extend(paramiko.hostkeys.HostKeyEntry(list(e.hostnames), e.key) for e in ours._entries)
    return set(kept[1])


def file_identity(path: Path | str) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


# Files every connection of a fleet reads, kept by their identity (see known_hosts_into here, and
# ssh_connect._identity_key, whose cache of identity files shares this lock and bound)
cache_lock = threading.Lock()
_known_hosts: dict[tuple, tuple[paramiko.HostKeys, frozenset[bytes]]] = {}
CACHE_MAX = 64


def record_host_key(path: Path, name: str, key: paramiko.PKey) -> None:
    """Append one line; O_APPEND keeps concurrent environments from clobbering each other."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, host_key_line(name, key).encode())
    finally:
        os.close(fd)
