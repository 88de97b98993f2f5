"""Connecting to an SSH server within one deadline: name lookup, TCP connect, the watchdog that bounds
paramiko's handshake, public-key authentication, and closing a connection without leaving a thread.

Why a module of its own: these are the waits of a connection attempt, and each is made to cost a
timer rather than a thread, so a fleet of hundreds of environments stays within --jobs threads.
Names are looked up by at most RESOLVER_THREADS shared threads, every attempt's deadline is watched
by one shared watchdog thread, the TCP connect is non-blocking, and paramiko's key exchange and
public-key attempts run in its reader thread while the caller yields a wait (see waits.py). The
transport (driftctl/transport/ssh.py) strings them together: a hop at a time for ProxyJump.
`connect_failure_reason` words any failure the way `ssh` would, without secrets.
"""

from __future__ import annotations

import errno
import heapq
import os
import queue
import socket
import threading
import time
from typing import Any

from driftctl.transport.paramiko_lib import paramiko  # imported only when an ssh environment is used
from driftctl.transport.ssh_hostkeys import CACHE_MAX, cache_lock, file_identity
from driftctl.transport.startups import StartupQueueTimeout
from driftctl.transport.waits import Flag, Signal, Steps, Writable, run_blocking

READER_EXIT_S = 2.0  # how long close() waits for paramiko's reader thread to notice the closed socket


# --------------------------------------------------------------------------------------------------
# Why a connection failed, in one line
# --------------------------------------------------------------------------------------------------


def connect_failure_reason(exc: BaseException, timeout: float) -> str:
    """A short, secret-free reason for a failed connection, in the words of `ssh` where possible."""
    if isinstance(exc, paramiko.PasswordRequiredException):
        return "the identity file is encrypted (load it into ssh-agent)"
    if isinstance(exc, paramiko.AuthenticationException):
        return "authentication failed"
    if isinstance(exc, paramiko.ChannelException):
        return f"the jump host could not open a tunnel ({exc.text or 'connect failed'})"
    if isinstance(exc, socket.gaierror):
        return "cannot resolve host name"
    if isinstance(exc, StartupQueueTimeout):
        return f"timed out after {timeout:g}s {exc}"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return "no route to host" if exc.errno == errno.EHOSTUNREACH else "network is unreachable"
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    if isinstance(exc, EOFError):
        return "the server closed the connection"
    if "protocol banner" in str(exc):
        return "no SSH banner from the server (not an SSH server, or it closed the connection)"
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return first_line[:200]


# --------------------------------------------------------------------------------------------------
# Deadline-bounded socket helpers
# --------------------------------------------------------------------------------------------------


class Deadline:
    """A point in time shared by every step of one connection attempt."""

    def __init__(self, seconds: float):
        self.total = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        return left


RESOLVER_THREADS = 4
_lookups: queue.SimpleQueue = queue.SimpleQueue()
_resolvers: list[threading.Thread] = []
_resolvers_lock = threading.Lock()


def _resolver() -> None:
    while True:
        host, port, box, done = _lookups.get()
        try:
            box["value"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc
        done.set()


def _resolve(host: str, port: int, timeout: float) -> list[tuple]:
    return run_blocking(_resolve_steps(host, port, time.monotonic() + timeout))


def _resolve_steps(host: str, port: int, until: float) -> Steps[list[tuple]]:
    """getaddrinfo by `until` (it has no timeout of its own). A numeric address needs no lookup
    and no thread; names go to at most RESOLVER_THREADS daemon threads shared by every connection, so
    a fleet's lookups add a small constant, not a thread per environment."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        pass
    with _resolvers_lock:
        if len(_resolvers) < RESOLVER_THREADS:
            worker = threading.Thread(target=_resolver, daemon=True, name="driftctl-resolve")
            worker.start()
            _resolvers.append(worker)
    box: dict[str, Any] = {}
    done = Flag()
    _lookups.put((host, port, box, done))
    while not done.is_set():
        if time.monotonic() >= until or not (yield Signal(done, until)):
            raise TimeoutError("name resolution timed out")
    if "error" in box:
        raise box["error"]
    return box["value"]


def tcp_connect(host: str, port: int, deadline: Deadline) -> socket.socket:
    return run_blocking(tcp_connect_steps(host, port, deadline))


def tcp_connect_steps(host: str, port: int, deadline: Deadline) -> Steps[socket.socket]:
    """Connect to the first address of `host` that answers, all within the deadline. The connect is
    non-blocking: a port that never answers costs a timer, not a thread."""
    deadline.remaining()
    infos = yield from _resolve_steps(host, port, deadline.at)
    last: BaseException = OSError(errno.EHOSTUNREACH, "no address")
    for family, kind, proto, _name, addr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(addr)
            if code in (errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK):
                if not (yield Writable(sock, deadline.at)):
                    raise TimeoutError("timed out")
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            sock.setblocking(True)
            # Small request/response packets (channel open, exit status) would otherwise wait ~40 ms
            # on Nagle + delayed ACK each; OpenSSH sets this too.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except BaseException as exc:
            sock.close()
            if not isinstance(exc, OSError):
                raise
            last = exc
            if isinstance(exc, socket.timeout):
                break
    raise last


class _Watchdogs:
    """One daemon thread for every connection attempt's deadline (a Timer thread each would add a
    thread per environment in flight): closes the registered socket or channel when its time passes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._count = 0
        self._thread: threading.Thread | None = None

    def arm(self, dog: Watchdog, seconds: float) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._heap, (time.monotonic() + seconds, self._count, dog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True, name="driftctl-watchdog")
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, dog = self._heap[0]
                left = at - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                heapq.heappop(self._heap)
            dog.fire()


_WATCHDOGS = _Watchdogs()


class Watchdog:
    """Closes a socket or channel when the deadline passes, aborting whatever paramiko waits on.

    paramiko's banner, kex and auth timeouts apply one after another; this bounds their sum.
    """

    def __init__(self, closeable: Any, seconds: float):
        self.fired = False
        self.cancelled = False
        self._closeable = closeable
        self._seconds = max(0.0, seconds)
        self._lock = threading.Lock()

    def fire(self) -> None:
        with self._lock:
            if self.cancelled:
                return
            self.fired = True
        try:
            self._closeable.close()
        except Exception:  # noqa: BLE001 - best effort; the connect will fail either way
            pass

    def __enter__(self) -> Watchdog:
        _WATCHDOGS.arm(self, self._seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.cancelled = True  # stays in the heap until its time: a few bytes, no thread


# --------------------------------------------------------------------------------------------------
# Handshake, authentication and closing, with paramiko's waits yielded
# --------------------------------------------------------------------------------------------------


# Identity files every connection of a fleet reads, kept by their identity (see _identity_key and
# ssh_hostkeys.known_hosts_into, whose lock and bound this cache shares)
_identity_keys: dict[tuple, Any] = {}  # -> the PKey, or why the file is not a key of that kind


def auth_steps(client: paramiko.SSHClient, ssh: paramiko.Transport, user: str, identities: list[str],
                deadline: Deadline) -> Steps[None]:
    """SSHClient._auth's public-key search as we call it (the given identity files, else the default
    ~/.ssh/id_* files; the agent's keys in between), each attempt a yielded wait: the identity files
    (each tried as RSA, ECDSA, Ed25519, as paramiko does), then the agent, then the default files.
    Raises the last failure, as paramiko does (an encrypted key says so)."""
    private: Any = client
    saved: BaseException | None = None
    kinds: tuple[Any, ...] = (paramiko.RSAKey, paramiko.ECDSAKey, paramiko.Ed25519Key)
    for filename in identities:
        for kind in kinds:
            try:
                key = _identity_key(client, filename, kind)
            except paramiko.SSHException as exc:
                saved = exc
                continue
            try:
                if (yield from _publickey_steps(ssh, user, key, deadline)):
                    return
            except paramiko.SSHException as exc:
                saved = exc
            break
    if private._agent is None:
        private._agent = paramiko.Agent()
    for key in private._agent.get_keys():
        try:
            if (yield from _publickey_steps(ssh, user, key, deadline)):
                return
        except paramiko.SSHException as exc:
            saved = exc
    defaults = [] if identities else _default_identities(kinds)
    for kind, filename in defaults:
        try:
            key = _identity_key(client, filename, kind)
            if (yield from _publickey_steps(ssh, user, key, deadline)):
                return
        except (paramiko.SSHException, OSError) as exc:
            saved = exc
    raise saved or paramiko.SSHException("No authentication methods available")


def _identity_key(client: paramiko.SSHClient, filename: str, kind: Any) -> paramiko.PKey:
    """paramiko's `_key_from_filepath(filename, kind)` (the key, with its `-cert.pub` certificate if
    there is one), read once while the files stay the same instead of once per environment of a
    fleet, and so is the answer that the file is not a key of `kind` (each identity file is tried
    as RSA, ECDSA, Ed25519). An encrypted key or an unreadable file is not kept: asked again."""
    private: Any = client
    key_path = filename.removesuffix("-cert.pub")
    identity = (filename, kind.__name__, file_identity(key_path), file_identity(key_path + "-cert.pub"))
    if identity[2] is None:
        return private._key_from_filepath(filename, kind, None)
    with cache_lock:
        kept = _identity_keys.get(identity)
    if isinstance(kept, str):
        raise paramiko.SSHException(kept)
    if kept is not None:
        return kept
    try:
        kept = private._key_from_filepath(filename, kind, None)
    except paramiko.SSHException as exc:
        if type(exc) is not paramiko.SSHException:  # PasswordRequiredException and the like: not kept
            raise
        kept = str(exc)
    with cache_lock:
        if len(_identity_keys) >= CACHE_MAX:
            _identity_keys.clear()
        _identity_keys[identity] = kept
    if isinstance(kept, str):
        raise paramiko.SSHException(kept)
    return kept


def _default_identities(kinds: tuple[Any, ...]) -> list[tuple[Any, str]]:
    """~/.ssh/id_{rsa,ecdsa,ed25519} (and ~/ssh/...), with their certificates: paramiko's look_for_keys."""
    found = []
    for kind, name in zip(kinds, ("rsa", "ecdsa", "ed25519")):
        for directory in (".ssh", "ssh"):
            path = os.path.expanduser(f"~/{directory}/id_{name}")
            if os.path.isfile(path):
                found.append((kind, path))
                if os.path.isfile(path + "-cert.pub"):
                    found.append((kind, path + "-cert.pub"))
    return found


def _publickey_steps(ssh: paramiko.Transport, user: str, key: paramiko.PKey, deadline: Deadline) -> Steps[bool]:
    """One public-key attempt: True when authenticated, False when only partly (the server wants
    more, e.g. a password: not something driftctl can give); a refusal raises as paramiko does."""
    answered = Flag()
    ssh.auth_publickey(user, key, event=answered)  # returns at once; paramiko's reader does the rest
    while not answered.is_set() and ssh.is_active():
        if not (yield Signal(answered, deadline.at)) and not answered.is_set():
            raise TimeoutError("deadline passed")
    handler: Any = ssh.auth_handler
    return not handler.wait_for_response(answered)  # the event is set: this only reads the outcome


def prefer_key_type(ssh: paramiko.Transport, known_type: str) -> None:
    """Ask first for the host key type known_hosts already has (what SSHClient.connect does), so a
    host with several keys offers the one that can be checked."""
    if known_type == "ssh-rsa":
        offered = ssh.get_security_options().key_types
        known_type = next((t for t in ("rsa-sha2-512", "rsa-sha2-256") if t in offered), known_type)
    options = ssh.get_security_options()
    options.key_types = [known_type] + [t for t in options.key_types if t != known_type]


def transport_without_timer(sock: Any, **kwargs: Any) -> paramiko.Transport:
    """paramiko's Transport, minus the Timer thread its packetizer starts for every key exchange:
    the connection's deadline is already watched (`Watchdog`), and a thread per connecting
    environment would break the --jobs bound on threads."""
    transport = paramiko.Transport(sock, **kwargs)
    transport.packetizer.start_handshake = _no_handshake_timer  # type: ignore[method-assign,assignment]
    return transport


def _no_handshake_timer(_timeout: float) -> None:
    return None


def close_and_join(client: paramiko.SSHClient) -> None:
    """Close a connection and wait (briefly) for paramiko's reader thread to notice, so a closed or
    failed connection holds no thread once its worker moves on."""
    reader = client.get_transport()
    if reader is not None:
        try:  # wakes the reader's recv() at once; close() alone leaves it to its 0.1 s poll
            reader.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
    client.close()
    if reader is not None and reader.ident is not None and reader is not threading.current_thread():
        reader.join(READER_EXIT_S)  # (a transport that failed before start_client has no thread)
