"""The loop every SSH session runs (REMOTE_COMMAND), run here with the local /bin/sh on pipes: one
private folder per session holds each batch's script and captured output (mktemp once, not per
batch), and it goes when the session ends; without mktemp each batch makes its own, as before."""

from __future__ import annotations

import os
import shlex
import signal
import stat
import subprocess
from pathlib import Path

from driftctl.models import Command
from driftctl.transport.batch import build_script, parse_output
from driftctl.transport.ssh import REMOTE_COMMAND

MARK = "@@DRIFTCTL-0011223344556677@@"
WHERE = Command(("sh", "-c", 'readlink "/proc/$$/fd/1"', "sh"))  # the file its stdout is captured in


class Loop:
    def __init__(self, env: dict[str, str] | None = None):
        # the login shell's part is `sh -c REMOTE_COMMAND`: here the loop's own process is the child
        self.proc = subprocess.Popen(shlex.split(REMOTE_COMMAND), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)

    def batch(self, commands: list[Command]) -> tuple[int, list]:
        body = build_script(commands, MARK).encode()
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{len(body)} {MARK}\n".encode() + body)
        self.proc.stdin.flush()
        out = b""
        end = f"\n{MARK} E ".encode()
        while end not in out or not out.endswith(b"\n"):
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


def test_a_signalled_session_removes_its_folder() -> None:
    loop = Loop()
    status, [first] = loop.batch([WHERE])
    folder = Path(first.text.strip()).parent
    assert status == 0 and folder.is_dir()
    loop.proc.send_signal(signal.SIGTERM)
    assert loop.proc.wait(timeout=30) == 143
    assert not folder.exists()


def test_without_mktemp_for_the_session_each_batch_makes_its_own(tmp_path: Path) -> None:
    # a mktemp that fails once (the session's), then works (each batch's own)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    failed = tmp_path / "failed-once"
    fake = bin_dir / "mktemp"
    fake.write_text(f'#!/bin/sh\nif [ ! -e {failed} ]; then : > {failed}; exit 1; fi\nexec /usr/bin/mktemp "$@"\n')
    fake.chmod(0o755)
    loop = Loop(dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}"))
    try:
        folders = []
        for _ in range(2):
            status, [where, echo] = loop.batch([WHERE, Command(("echo", "ok"))])
            assert status == 0 and echo.stdout == b"ok\n"
            folders.append(Path(where.text.strip()).parent)
        assert failed.exists() and folders[0] != folders[1]
        assert not any(f.exists() for f in folders)  # each batch removed its own
    finally:
        assert loop.close() == 0
