"""SSH channels on an open connection: opening one, starting the remote loop on it, feeding it a batch
and reading the output back, and waiting for it to close.

Why a module of its own: this is the part of the SSH transport that talks paramiko's channel
protocol directly. paramiko's own `open_channel` and `exec_command` block a thread until the server
answers; these functions send the same messages and yield the wait instead (see waits.py), so the
fleet scheduler can keep many environments waiting at once. `pump_steps` is the one loop that
writes a batch's script and drains stdout and stderr together until the batch's end line, so no
side can fill its window and stall the others. The transport (driftctl/transport/ssh.py) owns the
session channel and the loop it runs (REMOTE_COMMAND); ConnectionLost and OutputTooLarge are what
pump_steps raises for it to word.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from driftctl.transport.paramiko_lib import paramiko  # imported only when an ssh environment is used
from driftctl.transport.waits import Flag, Readable, Signal, Steps, run_blocking

_CHUNK = 1 << 20


# --------------------------------------------------------------------------------------------------
# Channels: open, exec, wait for the close
# --------------------------------------------------------------------------------------------------


def open_streamlocal(ssh: paramiko.Transport, path: str, timeout: float) -> paramiko.Channel:
    """Open a `direct-streamlocal@openssh.com` channel (OpenSSH's PROTOCOL, section 2.4): the socket
    path and two reserved fields. A refusal raises ChannelException, no answer SSHException."""
    return run_blocking(open_channel_steps(ssh, "direct-streamlocal@openssh.com", [path, "", 0],
                                           time.monotonic() + timeout))


def open_channel_steps(ssh: paramiko.Transport, kind: str, fields: Sequence[str | int],
                       until: float) -> Steps[paramiko.Channel]:
    """Open a channel of `kind` with the kind's own fields (strings and uint32s, in order), waiting
    for the answer as a Flag (see waits.py) instead of a blocked thread.

    paramiko's `open_channel` knows the fields of the TCP kinds only and blocks until the answer;
    this builds the same CHANNEL_OPEN message and registers the same event it would: the reply sets
    it, a refusal (CHANNEL_OPEN_FAILURE) leaves no channel and an exception behind.
    """
    from paramiko.channel import Channel
    from paramiko.common import cMSG_CHANNEL_OPEN
    from paramiko.message import Message

    transport: Any = ssh  # private parts of paramiko's Transport, which its type stubs leave out
    if not transport.active:
        raise paramiko.SSHException("SSH session not active")
    answered = Flag()
    with transport.lock:
        window = transport._sanitize_window_size(None)
        packet = transport._sanitize_packet_size(None)
        chanid = transport._next_channel()
        m = Message()
        m.add_byte(cMSG_CHANNEL_OPEN)
        m.add_string(kind)
        m.add_int(chanid)
        m.add_int(window)
        m.add_int(packet)
        for field in fields:
            if isinstance(field, int):
                m.add_int(field)
            else:
                m.add_string(field)
        chan: Any = (TunnelChannel if kind == "direct-tcpip" else Channel)(chanid)
        chan.event = Flag()  # set by paramiko when a request on the channel is answered (exec_steps)
        transport._channels.put(chanid, chan)
        transport.channel_events[chanid] = answered
        transport.channels_seen[chanid] = True
        chan._set_transport(transport)
        chan._set_window(window, packet)
    transport._send_user_message(m)
    while not answered.is_set() and transport.active:
        if not (yield Signal(answered, until)) and not answered.is_set():
            raise paramiko.SSHException(f"timed out opening a {kind} channel")
    if not transport.active:
        raise transport.get_exception() or paramiko.SSHException("the connection closed")
    opened = transport._channels.get(chanid)
    if opened is not None:
        return opened
    raise transport.get_exception() or paramiko.ChannelException(2, "refused")


class TunnelChannel(paramiko.Channel):
    """A direct-tcpip channel that another SSH connection runs through (ProxyJump): it sends nothing
    after its CHANNEL_CLOSE.

    paramiko builds a channel's data, window-adjust and EOF messages under the channel's lock but
    sends them after releasing it, so one can leave after the close that another thread sent (the
    tunnelled connection's reader and the thread closing it race at every close). OpenSSH frees the
    channel once both closes are through and disconnects a client that then sends data on it: with
    one hop connection shared by a fleet, that would drop every other environment's tunnel. Here
    every message of the channel is sent under one more lock, after a last look at `closed`."""

    def __init__(self, chanid: int):
        super().__init__(chanid)
        self._sending = threading.Lock()

    def _send(self, s: bytes, m: Any) -> int:
        """paramiko's _send, with the message sent under `_sending` only while the channel is open."""
        private: Any = self
        with private.lock:
            if self.closed:
                raise OSError("Socket is closed")
            size = private._wait_for_send_window(len(s))
            if size == 0:
                return 0  # eof or similar
            m.add_string(s[:size])
        with self._sending:
            if self.closed:
                raise OSError("Socket is closed")
            private.transport._send_user_message(m)
        return size

    def recv(self, nbytes: int) -> bytes:
        """paramiko's recv, with the window adjust sent under `_sending` only while the channel is open."""
        from paramiko.buffered_pipe import PipeTimeout
        from paramiko.common import cMSG_CHANNEL_WINDOW_ADJUST
        from paramiko.message import Message

        private: Any = self
        try:
            out: bytes = private.in_buffer.read(nbytes, self.timeout)
        except PipeTimeout:
            raise TimeoutError() from None  # socket.timeout, as paramiko raises
        with self._sending:
            ack = private._check_add_window(len(out))  # 0 once closed
            if ack > 0:
                m = Message()
                m.add_byte(cMSG_CHANNEL_WINDOW_ADJUST)
                m.add_int(private.remote_chanid)
                m.add_int(ack)
                private.transport._send_user_message(m)
        return out

    def close(self) -> None:
        with self._sending:
            super().close()

    def shutdown(self, how: int) -> None:
        with self._sending:
            super().shutdown(how)

    def _handle_close(self, m: Any) -> None:  # the server's close, answered from the hop's reader
        with self._sending:
            super()._handle_close(m)  # type: ignore[misc]


def exec_steps(channel: paramiko.Channel, command: str, until: float) -> Steps[None]:
    """Channel.exec_command with the wait for the server's answer yielded (the channel must come from
    open_channel_steps, whose channel event is a Flag)."""
    from paramiko.common import cMSG_CHANNEL_REQUEST
    from paramiko.message import Message

    chan: Any = channel
    if chan.closed or not chan.active:
        raise paramiko.SSHException("Channel is not open")
    m = Message()
    m.add_byte(cMSG_CHANNEL_REQUEST)
    m.add_int(chan.remote_chanid)
    m.add_string("exec")
    m.add_boolean(True)
    m.add_string(command)
    chan._event_pending()
    chan.transport._send_user_message(m)
    while not chan.event.is_set():
        if not (yield Signal(chan.event, until)) and not chan.event.is_set():
            raise paramiko.SSHException("timed out starting the remote shell")
    if not chan.event_ready:
        raise chan.transport.get_exception() or paramiko.SSHException("Channel closed.")


def closed_steps(channel: paramiko.Channel, until: float) -> Steps[None]:
    """Until the server closes `channel` (or `until`), dropping whatever output is left meanwhile.

    Two waits, because of how paramiko signals: until the remote side's EOF, the channel's descriptor
    says when output arrives; from its EOF on, paramiko keeps that descriptor readable for good, so
    waiting on it would wake at once, again and again, until the close. From there the wait is on
    the channel's event (a Flag from open_channel_steps), which paramiko sets when the channel closes.
    """
    chan: Any = channel
    while not channel.closed and time.monotonic() < until:
        if channel.eof_received and isinstance(chan.event, Flag):
            chan.event.clear()  # set by the exec answer; no request is pending on a closing channel
            if not channel.closed:  # (a close before the clear set it first: the test above sees it)
                yield Signal(chan.event, until)
        else:
            yield Readable(channel, until)
        while channel.recv_ready():
            channel.recv(_CHUNK)
        while channel.recv_stderr_ready():
            channel.recv_stderr(_CHUNK)


# --------------------------------------------------------------------------------------------------
# One batch through the session channel
# --------------------------------------------------------------------------------------------------


class ConnectionLost(Exception):
    """The SSH connection died while a batch was running."""


class OutputTooLarge(Exception):
    """A batch printed more than the cap (a hostile or broken target)."""


def max_batch_bytes() -> int:
    """The most one batch may print (stdout + stderr): `DRIFTCTL_MAX_BATCH_BYTES`, default 1 GiB."""
    from driftctl.limits import limit

    return limit("batch")


def pump_batch(channel: paramiko.Channel, script: bytes, marker: str, deadline: float,
               cap: int) -> tuple[bytes, bytes, int]:
    return run_blocking(pump_steps(channel, script, marker, deadline, cap))


def pump_steps(channel: paramiko.Channel, script: bytes, marker: str, deadline: float,
               cap: int) -> Steps[tuple[bytes, bytes, int]]:
    """Feed `script` to stdin while draining stdout and stderr until the batch's end line
    (`MARKER E STATUS`, the last thing the remote loop prints before it waits for the next batch).

    One loop does all three so no side can fill its window and stall the others (a large script plus
    a chatty command would otherwise deadlock). Raises TimeoutError, ConnectionLost or OutputTooLarge.
    """
    out, err = bytearray(), bytearray()
    end = f"{marker} E ".encode()
    sent = 0
    while True:
        if sent < len(script) and channel.send_ready():
            sent += channel.send(script[sent : sent + 32768])
        while channel.recv_stderr_ready():
            err += channel.recv_stderr(_CHUNK)
        if channel.recv_ready():
            out += channel.recv(_CHUNK)
            status = _end_status(out, end)
            if status is not None:
                while channel.recv_stderr_ready():
                    err += channel.recv_stderr(_CHUNK)
                return bytes(out[: out.rfind(end) - 1]), bytes(err), status
        if len(out) + len(err) > cap:
            raise OutputTooLarge(f"is larger than {cap} bytes (raise DRIFTCTL_MAX_BATCH_BYTES to accept it)")
        if not (channel.recv_ready() or channel.recv_stderr_ready()):
            if channel.eof_received or channel.closed:
                transport = channel.get_transport()
                if not (transport and transport.is_active()):
                    raise ConnectionLost("the connection closed")
                raise ConnectionLost(f"the remote shell ended ({last_line(bytes(err)) or 'no end line'})")
            transport = channel.get_transport()
            if not (transport and transport.is_active()):
                raise ConnectionLost("the connection closed")
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError()
        # a finite wait: while the script is still going out (the window may reopen with no input),
        # and to notice a connection that died without a word
        yield Readable(channel, time.monotonic() + min(left, 0.01 if sent < len(script) else 0.5))


def _end_status(out: bytearray, end: bytes) -> int | None:
    """The status if `out` ends with the end line `\\nMARKER E STATUS\\n`, else None."""
    if not out.endswith(b"\n"):
        return None
    at = out.rfind(end, max(0, len(out) - len(end) - 16))
    if at < 1 or out[at - 1 : at] != b"\n":
        return None
    digits = out[at + len(end) : -1]
    return int(digits) if digits.isdigit() else None


def last_line(data: bytes) -> str:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    return lines[-1][:200] if lines else ""
