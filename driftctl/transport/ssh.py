"""SSH transport: one paramiko connection per environment; each batch is one `/bin/sh -s` channel.

Why this shape:
- A remote snapshot is a few batches, so the cost that matters is connections and round trips: the
  connection is opened once in `open()` and every `run_batch` is a single channel on it.
- The batch script (see batch.py) is written to the channel's stdin and run by `/bin/sh -s`. The
  login shell only ever sees the fixed string `/bin/sh -s`, never a config value.
- Host keys are checked like OpenSSH with StrictHostKeyChecking=accept-new behind a flag: unknown keys
  are refused unless `--accept-new-host-key`, changed keys are refused always.
- Every failure to reach the target is one `TransportError` line that names the environment and
  `user@host:port` and never contains key material.

This module is the transport itself (SSHTransport) and the loop its session channel runs
(REMOTE_COMMAND). What it is built from lives next to it, one concern a module:
- ssh_target.py: where to connect (environments.yaml merged with ssh_config, ProxyJump hops); pure,
  tested without a host.
- ssh_hostkeys.py: known_hosts, the accept-new policy and the messages about keys.
- ssh_connect.py: name lookup, TCP connect, the watchdog, authentication, closing, all within one
  deadline; and the one-line reason for a failure.
- ssh_channels.py: opening channels, starting the loop, pumping a batch through it.
- ssh_hops.py: one connection per ProxyJump hop, shared by the environments that go through it.
"""

from __future__ import annotations

import getpass
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from driftctl.config import EnvironmentSpec
from driftctl.errors import HostKeyError, TransportError
from driftctl.models import Command, CommandResult
from driftctl.transport import batch
from driftctl.transport.base import StreamOpener, StreamRefused, Transport
from driftctl.transport.paramiko_lib import paramiko  # imported only when an ssh environment is used
from driftctl.transport.ssh_channels import (
    ConnectionLost,
    OutputTooLarge,
    closed_steps,
    exec_steps,
    last_line,
    max_batch_bytes,
    open_channel_steps,
    open_streamlocal,
    pump_steps,
)
from driftctl.transport.ssh_connect import (
    Deadline,
    Watchdog,
    auth_steps,
    close_and_join,
    connect_failure_reason,
    prefer_key_type,
    tcp_connect_steps,
    transport_without_timer,
)
from driftctl.transport.ssh_hops import HOPS, HopLease, Unreached, hop_key
from driftctl.transport.ssh_hostkeys import (
    NewHostKeyPolicy,
    UnknownHostKey,
    changed_key_message,
    driftctl_known_hosts_path,
    fingerprint_sha256,
    known_hosts_into,
    parse_known_hosts,
    unknown_key_message,
)
from driftctl.transport.ssh_target import (
    SSHTarget,
    known_hosts_name,
    load_ssh_config,
    parse_jump,
    resolve_target,
    split_jumps,
    ssh_config_path,
    startup_key,
)
from driftctl.transport.startups import STARTUPS
from driftctl.transport.waits import Flag, Signal, Steps, run_blocking

# What tests and benchmarks import from here; the helpers live in the ssh_* modules next to this one.
__all__ = [
    "REMOTE_COMMAND",
    "SSHTarget",
    "SSHTransport",
    "changed_key_message",
    "closed_steps",
    "connect_failure_reason",
    "driftctl_known_hosts_path",
    "exec_steps",
    "fingerprint_sha256",
    "known_hosts_name",
    "open_channel_steps",
    "parse_jump",
    "parse_known_hosts",
    "resolve_target",
    "split_jumps",
    "ssh_config_path",
    "unknown_key_message",
]

# The login shell only ever sees this fixed string: a loop that serves every batch of the snapshot on
# one channel, so the login shell (and whatever its rc files cost the target) starts once per
# connection, not once per round. Per batch it reads a line `LENGTH MARKER` and exactly LENGTH bytes
# of script, runs the script (`sh -s`) in a process group of its own (setsid) while a watcher waits
# for stdin to close, then prints `MARKER E STATUS`. The channel closing (Ctrl-C, timeout, lost
# connection) ends the watcher's read, which kills the batch's whole group, so no `sha256sum` or temp
# folder outlives it. The watcher (a `read` loop: it takes no byte it does not need) is stopped before
# the end line goes out, and the controller sends the next batch only after that line, so the watcher
# never swallows a script. stdin stays on fd 3: background jobs of a non-interactive sh get /dev/null.
# The batch's process group: sshd starts the session in a session (and process group) of its own, so
# where /proc says this loop leads it (directly or under its login shell), the watcher ends the whole
# group (the loop too: the session is over when stdin closes) and no `setsid` runs per batch; anywhere
# else each batch is started under `setsid` and the watcher ends that batch's group. In the first
# case the batch runs in a subshell of the loop (`.`: a fork, no new `sh`); batch.LOOP_NAMES are the
# loop's variables, which the batch hides from driftctl's own scripts as it hides its own.
# One private folder per session, on a tmpfs where there is one ($XDG_RUNTIME_DIR, /dev/shm, tested
# by the loop's shell: `mktemp` is exec'd by the `$(...)` subshell itself; on a
# disk filesystem such as ext4, creating and deleting a batch's ~60 files cost more CPU than the
# shell that writes them), else in the temp folder (mktemp once; removed when the loop ends, or by the watcher when stdin
# closes mid-batch: no traps here, dash's `wait` can miss its child's exit once a trap is set): each
# batch's script goes there (`head` writes it, `sh` reads it: no `$(...)` copy and no `printf` pipe)
# and the batch keeps its captured output there (its own `mktemp` and `rm` saved per batch). Without
# mktemp (or a writable temp folder) each batch goes through a pipe and makes its own, as before.
REMOTE_COMMAND = (
    "/bin/sh -c '"
    "exec 3<&0 </dev/null; "
    "g=; s=; if read -r _ _ _ _ e f _ </proc/$$/stat && [ \"$e\" = \"$f\" ] && { [ \"$f\" = $$ ] || [ \"$f\" = \"$PPID\" ]; }; "
    "then g=1; elif command -v setsid >/dev/null 2>&1; then s=setsid; fi 2>/dev/null; "
    "D=; for t in \"${XDG_RUNTIME_DIR-}\" /dev/shm; do if [ -n \"$t\" ] && [ -d \"$t\" ] && [ -w \"$t\" ] && "
    "D=$(export TMPDIR=\"$t\"; exec mktemp -d 2>/dev/null); then break; fi; D=; done; "
    "[ -n \"$D\" ] || D=$(mktemp -d 2>/dev/null || mktemp -d -t driftctl 2>/dev/null) || D=; "
    "while IFS=\" \" read -r n m <&3; do "
    "case $n in \"\"|*[!0-9]*) [ -z \"$D\" ] || rm -rf \"$D\"; exit 96;; esac; "
    "if [ -n \"$D\" ]; then head -c \"$n\" <&3 >\"$D/s\" || { rm -rf \"$D\"; exit 97; }; "
    "if [ -n \"$g\" ]; then ( set -- \"$D\"; . \"$D/s\" ) 3<&- & p=$!; else $s /bin/sh \"$D/s\" \"$D\" 3<&- & p=$!; fi; "
    "else b=$(head -c \"$n\" <&3; printf x); printf %s \"${b%x}\" | $s /bin/sh -s 3<&- & p=$!; fi; "
    "( while read -r _ <&3; do :; done; trap \"\" TERM; if [ -n \"$g\" ]; then kill -TERM 0; else "
    "kill -TERM -\"$p\" 2>/dev/null || kill -TERM \"$p\"; fi; [ -z \"$D\" ] || rm -rf \"$D\" ) >/dev/null 2>&1 & w=$!; "
    "wait \"$p\"; r=$?; kill \"$w\" 2>/dev/null; wait \"$w\" 2>/dev/null; "
    "printf \"\\n%s E %s\\n\" \"$m\" \"$r\"; "
    "done; [ -z \"$D\" ] || rm -rf \"$D\"'"
)
MKTEMP_FAILED_STATUS = 97
SESSION_EXIT_S = 2.0  # how long close() waits for the remote batch loop to exit after EOF


# --------------------------------------------------------------------------------------------------
# The transport
# --------------------------------------------------------------------------------------------------


class SSHTransport(Transport):
    """Runs batches on one SSH host over a single paramiko connection (tunnelled via ProxyJump)."""

    kind = "ssh"

    def __init__(self, env_name: str, spec: EnvironmentSpec, *, accept_new_host_key: bool = False):
        super().__init__(env_name, spec.path or "", spec.command_timeout)
        self.spec = spec
        self.accept_new_host_key = accept_new_host_key
        self._target: SSHTarget | None = None
        self._clients: list[paramiko.SSHClient] = []  # jump hops first, the target last
        self._leases: list[HopLease] = []  # this environment's share of its hop's connection (ssh_hops.py)
        self._channel: paramiko.Channel | None = None  # the session that serves the batches
        self._lock = threading.Lock()
        self._aborted = False  # set by abort(): no reconnecting after Ctrl-C

    # -- target ------------------------------------------------------------------------------------

    @property
    def target(self) -> SSHTarget:
        if self._target is None:
            try:
                self._target = resolve_target(
                    self.spec.host or "",
                    load_ssh_config(ssh_config_path()),
                    user=self.spec.user,
                    port=self.spec.port,
                    identity_file=self.spec.identity_file,
                    default_user=getpass.getuser(),
                )
            except TransportError as exc:
                raise TransportError(f"{self.env_name}: {exc.message}") from None
        return self._target

    def describe(self) -> str:
        t = self.target
        return f"ssh:{t.user}@{t.hostname}:{t.port}:{self.root}"

    @property
    def client(self) -> paramiko.SSHClient | None:
        """The connection to the target (None before `open()`); exposed so tests can check reuse."""
        return self._clients[-1] if self._clients else None

    # -- connection --------------------------------------------------------------------------------

    def open(self) -> None:
        with self._lock:
            run_blocking(self.open_steps())

    def open_steps(self) -> Steps[None]:
        """Connect (jump hops first) and start the batch loop; each wait is yielded (see waits.py)."""
        if self._connected():
            return
        self._close_clients()
        if self._aborted:
            raise TransportError(f"{self.env_name}: connection to {self.target.label()} aborted")
        if self.spec.identity_file and not os.path.exists(os.path.expanduser(self.spec.identity_file)):
            raise TransportError(f"{self.env_name}: identity file not found: {self.spec.identity_file}")
        deadline = Deadline(self.spec.connect_timeout)
        starting: list[tuple[str, ...]] = []  # login slots held (driftctl/transport/startups.py)
        try:
            yield from self._connect_steps(deadline, starting)
            # start the remote loop now: the login shell runs while the collectors get ready
            yield from self._session_steps(max(1.0, deadline.at - time.monotonic()))
        except BaseException:
            self._close_clients()  # a jump hop may be up while the target failed
            raise
        finally:
            for server in starting:
                STARTUPS.release(server)

    def _connected(self) -> bool:
        transport = self.client.get_transport() if self.client else None
        return bool(transport and transport.is_active())

    def _connect_steps(self, deadline: Deadline, starting: list[tuple[str, ...]]) -> Steps[None]:
        """Connect to the target (through its jump hop, shared with the other environments that go
        through it); a failure anywhere along the chain becomes this environment's one line."""
        try:
            client = yield from self._reach_steps(self.target, deadline, starting, self._leases)
        except Unreached as exc:
            raise self._unreached_error(exc, deadline) from None
        self._clients = [lease.client for lease in self._leases] + [client]

    def _reach_steps(self, target: SSHTarget, deadline: Deadline, starting: list[tuple[str, ...]],
                     leases: list[HopLease]) -> Steps[paramiko.SSHClient]:
        """Connect to `target`: TCP, or a direct-tcpip channel through its hop (a lease from HOPS,
        which joins `leases`); then the handshake. Failures are raised as Unreached(target, cause).

        Each server's login slot is taken before its TCP connect and joins `starting`; it is given
        back once that server has answered a channel open (the tunnel through a hop, the session on
        the target), because sshd counts a login as started until its post-authentication process
        runs, a little after the client has seen the authentication succeed. A hop connection that
        another environment made holds no slot of ours: there is nothing to give back."""
        try:
            server = startup_key(target)
            if target.jump is not None:
                lease = yield from self._hop_steps(target.jump, deadline, starting)
                leases.append(lease)
                if self._aborted:  # abort() may have looked at `leases` before this one joined
                    raise TransportError(f"{self.env_name}: connection to {self.target.label()} aborted")
                yield from STARTUPS.acquire_steps(server, deadline.at, self.spec.max_startups)
                starting.append(server)
                sock: Any = yield from self._tunnel_steps(lease.client, target, deadline)
                hop_server = startup_key(target.jump)
                if hop_server in starting:
                    starting.remove(hop_server)
                    STARTUPS.release(hop_server)
            else:
                yield from STARTUPS.acquire_steps(server, deadline.at, self.spec.max_startups)
                starting.append(server)
                sock = yield from tcp_connect_steps(target.hostname, target.port, deadline)
            return (yield from self._handshake_steps(target, sock, deadline))
        except (Unreached, TransportError):
            raise
        except Exception as exc:  # noqa: BLE001 - worded once, by _unreached_error
            raise Unreached(target, exc) from None

    def _hop_steps(self, hop: SSHTarget, deadline: Deadline, starting: list[tuple[str, ...]]) -> Steps[HopLease]:
        """A lease on the process's connection to `hop` (ssh_hops.py): made here when no environment
        has one or is making one, else shared; waiting for another environment's attempt ends with
        our own deadline."""
        key = hop_key(hop, self._known_hosts_files(), self.accept_new_host_key)

        def connect() -> Steps[tuple[paramiko.SSHClient, list[HopLease]]]:
            below: list[HopLease] = []  # the hop's own hop: held by the shared connection, not by us
            try:
                client = yield from self._reach_steps(hop, deadline, starting, below)
            except BaseException:
                for lease in reversed(below):
                    lease.release()
                raise
            return client, below

        try:
            return (yield from HOPS.lease_steps(key, connect, deadline.at))
        except TimeoutError as exc:  # our deadline passed while another environment was connecting to it
            raise Unreached(hop, exc) from None

    def _unreached_error(self, exc: Unreached, deadline: Deadline) -> TransportError:
        """The one line for a server of the chain that could not be reached (" via" its hop, if any)."""
        if exc.refused_key is not None:
            return self._host_key_error(exc.cause, exc.target, *exc.refused_key)
        via = f" via {exc.target.jump.label()}" if exc.target.jump is not None else ""
        reason = connect_failure_reason(exc.cause, deadline.total)
        return TransportError(f"{self.env_name}: cannot connect to {exc.target.label()}{via}: {reason}")

    @staticmethod
    def _tunnel_steps(hop: paramiko.SSHClient, target: SSHTarget, deadline: Deadline) -> Steps[paramiko.Channel]:
        """A direct-tcpip channel from the jump host to the target (ssh -W / ProxyJump)."""
        transport = hop.get_transport()
        assert transport is not None
        fields: list[str | int] = [target.hostname, target.port, "127.0.0.1", 0]
        return (yield from open_channel_steps(transport, "direct-tcpip", fields, deadline.at))

    def _handshake_steps(self, target: SSHTarget, sock: Any, deadline: Deadline) -> Steps[paramiko.SSHClient]:
        """SSH banner, key exchange, host key check and auth over `sock`, bounded by the deadline.

        What SSHClient.connect does, with its waits handed out: the banner and key exchange run in
        paramiko's reader thread (`start_client(event=...)`), and so do the public-key attempts
        (`auth_publickey(event=...)`, see auth_steps): a silent or slow server costs a timer.
        """
        client = paramiko.SSHClient()
        files = self._known_hosts_files()
        revoked = known_hosts_into(client.get_host_keys(), files, self.env_name)
        client.set_missing_host_key_policy(NewHostKeyPolicy(self.accept_new_host_key, files[-1], revoked))
        identities = [p for p in target.identity_files if os.path.exists(p)]
        name = target.host_key_alias or target.hostname
        known_name = known_hosts_name(name, target.port)
        watchdog = Watchdog(sock, deadline.remaining())
        try:
            with watchdog:
                ssh = transport_without_timer(sock)
                private: Any = client
                private._transport = ssh  # the client owns it from here: close() and get_transport() see it
                left = deadline.remaining()
                ssh.banner_timeout = ssh.auth_timeout = ssh.channel_timeout = left
                known = client.get_host_keys().get(known_name)
                if known is not None:
                    prefer_key_type(ssh, known.keys()[0])
                negotiated = Flag()
                ssh.start_client(event=negotiated)
                while not negotiated.is_set() and ssh.is_active():
                    if not (yield Signal(negotiated, deadline.at)) and not negotiated.is_set():
                        raise TimeoutError("deadline passed")
                if not ssh.is_active():
                    raise ssh.get_exception() or paramiko.SSHException("Negotiation failed.")
                server_key = ssh.get_remote_server_key()
                if known is None:
                    private._policy.missing_host_key(client, known_name, server_key)
                elif known.get(server_key.get_name()) != server_key:
                    ours = known.get(server_key.get_name()) or list(known.values())[0]
                    raise paramiko.BadHostKeyException(name, server_key, ours)
                yield from auth_steps(client, ssh, target.user, identities, deadline)
        except (UnknownHostKey, paramiko.BadHostKeyException) as exc:
            close_and_join(client)
            raise Unreached(target, exc, (revoked, files)) from None
        except BaseException:
            close_and_join(client)
            if watchdog.fired:
                raise TimeoutError("deadline passed") from None
            raise
        return client

    def _host_key_error(self, exc: Exception, target: SSHTarget, revoked: set[bytes], files: list[Path]) -> HostKeyError:
        """The one line for a host key that is unknown, @revoked, or not the one known_hosts has."""
        if isinstance(exc, UnknownHostKey):
            key_type, fp = exc.key.get_name(), fingerprint_sha256(exc.key.asbytes())
            if exc.key.asbytes() in revoked:
                return HostKeyError(f"{self.env_name}: the host key of {exc.name} ({key_type} {fp}) is marked "
                                    "@revoked in known_hosts; refusing to connect")
            return HostKeyError(unknown_key_message(self.env_name, exc.name, key_type, fp))
        assert isinstance(exc, paramiko.BadHostKeyException)
        expected = (exc.expected_key.get_name(), fingerprint_sha256(exc.expected_key.asbytes()))
        offered = (exc.key.get_name(), fingerprint_sha256(exc.key.asbytes()))
        return HostKeyError(changed_key_message(self.env_name, target.known_hosts_name, expected, offered,
                                                [str(p) for p in files]))

    def _known_hosts_files(self) -> list[Path]:
        """The user's known_hosts (from the spec) then driftctl's own, which is last: it gets new keys."""
        return [Path(os.path.expanduser(self.spec.known_hosts)), driftctl_known_hosts_path()]

    def close(self) -> None:
        with self._lock:
            run_blocking(self.close_steps())

    def close_steps(self) -> Steps[None]:
        """End the batch loop the way a finished snapshot should: EOF on its stdin, then wait (at most
        SESSION_EXIT_S) for the remote shell to exit and sshd to close the channel, so sshd has reaped
        the shell when the connection goes; then close every connection."""
        channel = self._channel
        if channel is not None and channel.active and not channel.closed and not self._aborted:
            try:
                channel.shutdown_write()
                yield from closed_steps(channel, time.monotonic() + SESSION_EXIT_S)
            except (OSError, EOFError, paramiko.SSHException):
                pass  # the connection went first: nothing left to end gracefully
        self._close_clients()

    def abort(self) -> None:
        """Ctrl-C: drop the connection now, from any thread, without waiting for the lock a running
        batch or connect holds. The remote watcher sees its stdin close and kills the batch's process
        group, which removes its temp folder; the batch waiting on it gets ConnectionLost, and the
        transport does not reconnect. A shared jump hop is only let go of: it closes when no other
        environment uses it (ssh_hops.py)."""
        self._aborted = True
        for lease in list(self._leases):  # the hop closes only if no other environment uses it
            try:
                lease.release(wait=False)
            except Exception:  # noqa: BLE001 - best effort while the program exits
                pass
        for client in self._own_clients():
            try:
                client.close()
            except Exception:  # noqa: BLE001 - best effort while the program exits
                pass

    def _close_clients(self) -> None:
        """Close every connection and wait (briefly) for paramiko's reader threads to end, so an
        environment's threads are gone before its worker takes the next one (the --jobs bound)."""
        self._drop_session()
        for client in reversed(self._own_clients()):
            close_and_join(client)
        for lease in reversed(self._leases):  # the last environment to let go of a hop closes it
            lease.release()
        self._clients, self._leases = [], []

    def _own_clients(self) -> list[paramiko.SSHClient]:
        """The connections this environment made for itself (not the shared hops it leases)."""
        shared = [lease.client for lease in self._leases]
        return [c for c in self._clients if all(c is not s for s in shared)]

    # -- streams to unix sockets on the target (the Docker Engine API without a process there) -----

    def stream_opener(self) -> StreamOpener:
        """The Engine API route of an SSH host: `open_unix_stream` over this connection."""
        return self.open_unix_stream

    def open_unix_stream(self, path: str, timeout: float) -> paramiko.Channel:
        """A `direct-streamlocal@openssh.com` channel to the unix socket `path` on the target (what
        `ssh -L local:/remote.sock` uses): a byte stream over the existing connection, with no
        process started on the target. Raises StreamRefused when the server does not open it
        (AllowStreamLocalForwarding no, no such socket, permission denied)."""
        self.open()
        client = self.client
        transport = client.get_transport() if client else None
        if transport is None:
            raise TransportError(f"{self.env_name}: not connected to {self.target.label()}")
        try:
            channel = open_streamlocal(transport, path, timeout)
        except paramiko.ChannelException as exc:
            raise StreamRefused(f"{path}: {exc.text or 'refused'}") from None
        except paramiko.SSHException as exc:
            raise self._lost(connect_failure_reason(exc, timeout)) from None
        channel.settimeout(timeout)
        return channel

    # -- batches -----------------------------------------------------------------------------------

    def run_batch(self, commands: Sequence[Command], timeout: float | None = None) -> list[CommandResult]:
        return run_blocking(self.batch_steps(commands, timeout))

    def batch_steps(self, commands: Sequence[Command], timeout: float | None = None) -> Steps[list[CommandResult]]:
        """run_batch with its waits yielded (see waits.py): the fleet scheduler's form of it."""
        if not commands:
            return []
        yield from self.open_steps()  # no-op while connected; reconnects once if the connection was dropped
        if self._aborted:  # aborted while connecting: the connection it just made goes unused
            raise TransportError(f"{self.env_name}: connection to {self.target.label()} aborted")
        marker = batch.new_marker()
        body = batch.build_script(commands, marker).encode("utf-8", "surrogateescape")
        script = f"{len(body)} {marker}\n".encode() + body
        limit = timeout or self.command_timeout
        stdout, stderr, status = yield from self._script_steps(script, limit, len(commands), marker)
        where = self.target.label()
        if status == MKTEMP_FAILED_STATUS:
            detail = last_line(stderr) or "mktemp failed"
            raise TransportError(f"{self.env_name}: cannot create a temporary directory on {where}: {detail}")
        try:
            return batch.parse_output(commands, stdout, marker)
        except batch.BatchParseError as exc:
            detail = f" ({last_line(stderr)})" if last_line(stderr) else ""
            raise TransportError(f"{self.env_name}: incomplete output from {where}: {exc}{detail}") from None

    def _session_steps(self, limit: float) -> Steps[paramiko.Channel]:
        """The channel that serves this connection's batches (REMOTE_COMMAND), opened on first use."""
        channel = self._channel
        if channel is not None and not channel.closed and not channel.eof_received and channel.active:
            return channel
        self._drop_session()
        client = self.client
        transport = client.get_transport() if client else None
        if transport is None:
            raise TransportError(f"{self.env_name}: not connected to {self.target.label()}")
        until = time.monotonic() + min(limit, self.spec.connect_timeout)
        try:
            channel = yield from open_channel_steps(transport, "session", [], until)
            yield from exec_steps(channel, REMOTE_COMMAND, until)
        except Exception as exc:  # noqa: BLE001
            raise self._lost(connect_failure_reason(exc, limit)) from None
        self._channel = channel
        return channel

    def _drop_session(self) -> None:
        channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()  # the remote watcher sees stdin close and ends whatever still runs

    def _script_steps(self, script: bytes, limit: float, count: int, marker: str) -> Steps[tuple[bytes, bytes, int]]:
        """Run one batch on the session channel; bytes out, bytes err, the batch's exit status."""
        deadline = time.monotonic() + limit
        channel = yield from self._session_steps(limit)
        try:
            return (yield from pump_steps(channel, script, marker, deadline, max_batch_bytes()))
        except TimeoutError:
            self._drop_session()
            raise TransportError(
                f"{self.env_name}: batch of {count} command(s) on {self.target.label()} "
                f"timed out after {limit:g}s"
            ) from None
        except ConnectionLost as exc:
            self._drop_session()
            raise self._lost(str(exc)) from None
        except OutputTooLarge as exc:
            self._drop_session()
            raise TransportError(f"{self.env_name}: output from {self.target.label()} {exc}") from None
        except paramiko.SSHException as exc:
            self._drop_session()
            raise self._lost(connect_failure_reason(exc, limit)) from None
        except BaseException:
            self._drop_session()  # interrupted mid-batch: the stream is no longer in step
            raise

    def _lost(self, reason: str) -> TransportError:
        return TransportError(f"{self.env_name}: connection to {self.target.label()} lost: {reason}")
