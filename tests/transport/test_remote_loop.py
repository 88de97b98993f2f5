"""The loop every SSH session runs (REMOTE_COMMAND), run here with the local /bin/sh on pipes: one
private folder per session holds each batch's script and captured output (mktemp once, not per
batch), and it goes when the session ends; without mktemp each batch makes its own, as before."""

from __future__ import annotations

import os
import select
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from driftctl.models import Command
from driftctl.transport.batch import build_script, parse_output
from driftctl.transport.ssh import REMOTE_COMMAND
from tests.fixtures.waiting import wait_until

MARK = "@@DRIFTCTL-0011223344556677@@"
WHERE = Command(("sh", "-c", 'readlink "/proc/$$/fd/1"', "sh"))  # the file its stdout is captured in


class Loop:
    def __init__(self, env: dict[str, str] | None = None, session: bool = False, shell: str = "/bin/sh"):
        # the login shell's part is `sh -c REMOTE_COMMAND`: here the loop's own process is the child;
        # `session`: it leads a session of its own, as under sshd; `shell`: the loop's /bin/sh
        argv = shlex.split(REMOTE_COMMAND)
        self.proc = subprocess.Popen([shell, *argv[1:]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=session)

    def send(self, commands: list[Command]) -> None:
        body = build_script(commands, MARK).encode()
        assert self.proc.stdin
        self.proc.stdin.write(f"{len(body)} {MARK}\n".encode() + body)
        self.proc.stdin.flush()

    def batch(self, commands: list[Command]) -> tuple[int, list]:
        self.send(commands)
        assert self.proc.stdout
        out = b""
        end = f"\n{MARK} E ".encode()
        while end not in out or not out.endswith(b"\n"):
            ready, _, _ = select.select([self.proc.stdout], [], [], 30)  # a bound, not a measurement
            assert ready, f"nothing for 30 s and no end line; so far: {out[-300:]!r}"
            chunk = self.proc.stdout.read1(65536)
            assert chunk, f"the loop ended: {self.proc.stderr.read() if self.proc.stderr else b''!r}"
            out += chunk
        status = int(out[out.rindex(end) + len(end):])
        return status, (parse_output(commands, out[:out.rindex(end)], MARK) if status == 0 else [])

    def close(self) -> int:
        assert self.proc.stdin
        self.proc.stdin.close()
        return self.proc.wait(timeout=30)


def test_one_private_folder_per_session_removed_at_its_end() -> None:
    loop = Loop()
    try:
        status, [first] = loop.batch([WHERE])
        assert status == 0
        folder = Path(first.text.strip()).parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        status, [again, echo] = loop.batch([WHERE, Command(("echo", "second"))])
        assert status == 0 and Path(again.text.strip()).parent == folder and echo.stdout == b"second\n"
    finally:
        assert loop.close() == 0
    assert not folder.exists()


def test_quick_batches_never_leave_the_loop_waiting() -> None:
    """dash's `wait` could miss a quick batch's exit when the loop had traps set (one session in 50
    hung until its timeout): the loop sets none, and every batch here answers."""
    for _ in range(60):
        loop = Loop(session=True)
        try:
            status, [echo] = loop.batch([Command(("echo", "ok"))])  # a deadline: the test's own timeout
            assert status == 0 and echo.stdout == b"ok\n"
        finally:
            assert loop.close() == 0


def test_without_mktemp_for_the_session_each_batch_makes_its_own(tmp_path: Path) -> None:
    # a mktemp that fails the session's three tries (tmpfs, temp folder, -t), then works (each batch's own)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    failed = tmp_path / "failed"
    fake = bin_dir / "mktemp"
    fake.write_text(f'#!/bin/sh\necho x >> {failed}\n[ "$(wc -l < {failed})" -gt 3 ] || exit 1\n'
                    'exec /usr/bin/mktemp "$@"\n')
    fake.chmod(0o755)
    loop = Loop(dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}"))
    try:
        folders = []
        for _ in range(2):
            status, [where, echo] = loop.batch([WHERE, Command(("echo", "ok"))])
            assert status == 0 and echo.stdout == b"ok\n"
            folders.append(Path(where.text.strip()).parent)
        assert failed.read_text().count("x") == 5 and folders[0] != folders[1]  # 3 failed, one per batch
        assert not any(f.exists() for f in folders)  # each batch removed its own
    finally:
        assert loop.close() == 0


@pytest.mark.parametrize("session", [True, False], ids=["session-leader", "setsid-per-batch"])
def test_stdin_closing_mid_batch_ends_the_batch_and_its_folder(tmp_path: Path, session: bool) -> None:
    """The controller closing the channel (Ctrl-C, a timeout) ends every process of the running batch,
    whether the loop leads its session (as under sshd: one group for all) or runs `setsid` per batch."""
    ready = tmp_path / "ready"
    os.mkfifo(ready)
    loop = Loop(session=session)
    loop.send([Command(("sh", "-c", f'sleep 300 & echo $! > {ready}.pid; echo "$(readlink /proc/$$/fd/1)" > {ready}; wait'))])
    with open(ready) as fifo:  # blocks until the batch runs: no guessing with sleeps
        folder = Path(fifo.read().strip()).parent
    sleeper = int(Path(f"{ready}.pid").read_text())  # written before the FIFO was
    assert loop.proc.stdin
    loop.proc.stdin.close()
    loop.proc.wait(timeout=30)
    assert wait_until(lambda: gone(sleeper), 30), "the batch's sleep outlived the channel"
    assert wait_until(lambda: not folder.exists(), 30), "the session's folder outlived it"


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def test_leading_its_session_the_loop_runs_batches_without_a_new_shell() -> None:
    """As under sshd: the batch is a subshell of the loop (no `sh` started per batch), and driftctl's
    own scripts in it still see none of the loop's or the batch's variables."""
    names = Command(("sh", "-c", "set | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\)=.*/\\1/p' | sort -u", "driftctl-names"))
    parent = Command(("sh", "-c", 'tr "\\0" " " < /proc/$PPID/cmdline'))  # the batch's shell
    alone = set(subprocess.run(list(names.argv), capture_output=True, text=True, check=True).stdout.split())
    for session, runs_sh in ((True, False), (False, True)):
        loop = Loop(session=session)
        try:
            status, [seen, batch_shell] = loop.batch([names, parent])
        finally:
            assert loop.close() == 0
        assert status == 0
        assert set(seen.text.split()) - alone <= {"OLDPWD"}, set(seen.text.split()) - alone
        assert batch_shell.text.startswith("/bin/sh /") == runs_sh, batch_shell.text  # `sh FILE DIR` or the loop


def test_the_session_folder_is_on_a_tmpfs_where_there_is_one(tmp_path: Path) -> None:
    """Files on a tmpfs cost no disk inode allocation: $XDG_RUNTIME_DIR first, then /dev/shm."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    for env, parent in ((dict(os.environ, XDG_RUNTIME_DIR=str(runtime)), runtime),
                        ({k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}, Path("/dev/shm"))):
        loop = Loop(env)
        try:
            status, [where] = loop.batch([WHERE])
        finally:
            assert loop.close() == 0
        assert status == 0 and Path(where.text.strip()).parent.parent == parent
        assert not Path(where.text.strip()).parent.exists()


@pytest.mark.parametrize("session", [True, False], ids=["session-leader", "setsid-per-batch"])
def test_a_busybox_sh_runs_the_loop(tmp_path: Path, session: bool) -> None:
    """Targets may have busybox's ash as /bin/sh: the loop, a read and an own script answer as with dash."""
    from driftctl.limits import read_file_command

    shell = tmp_path / "sh"
    shell.symlink_to(shutil.which("busybox") or "busybox")  # busybox picks its applet from the name
    (tmp_path / "a.txt").write_text("hello\n")
    cmds = [Command(("echo", "hi")), read_file_command(f"{tmp_path}/a.txt", str(tmp_path)),
            Command(("sh", "-c", 'echo "$#:$2"', "driftctl-args", "a", "b c")), WHERE]
    loop = Loop(session=session, shell=str(shell))
    try:
        for _ in range(2):
            status, [echo, read, own, where] = loop.batch(cmds)
            assert status == 0 and (echo.stdout, read.stdout, own.stdout) == (b"hi\n", b"hello\n", b"2:b c\n")
    finally:
        assert loop.close() == 0
    assert not Path(where.text.strip()).parent.exists()
