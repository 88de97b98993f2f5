"""batch.py: the script builder and the frame parser. Pure, except a few runs of the script by /bin/sh."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from driftctl.models import Command, CommandResult
from driftctl.transport.batch import (
    MISSING_CWD_STATUS,
    BatchParseError,
    build_script,
    new_marker,
    parse_output,
)

MARK = "@@DRIFTCTL-0123456789abcdef@@"
NASTY = "a b 'single' \"double\" $(touch /tmp/pwned) `id` ; rm -rf / & | > < \\ \n second line\t* ? ~ #"


def frame(index: int, status: int, out: bytes, err: bytes, mark: str = MARK) -> bytes:
    return f"{mark} {index} {status} {len(out)} {len(err)}\n".encode() + out + err


def run_script(commands: list[Command], marker: str = MARK) -> list[CommandResult]:
    """Run a built script the way SSHTransport does (script on stdin of `sh -s`), locally."""
    proc = subprocess.run(
        ["/bin/sh", "-s"], input=build_script(commands, marker).encode(), capture_output=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    return parse_output(commands, proc.stdout, marker)


class TestParseOutput:
    def test_frames_split_exactly(self):
        cmds = [Command(("a",)), Command(("b",)), Command(("c",))]
        out = frame(0, 0, b"one\n", b"") + frame(1, 3, b"", b"err\n") + frame(2, 0, b"\x00\xff\n", b"\x00")
        results = parse_output(cmds, out, MARK)
        assert [(r.exit_status, r.stdout, r.stderr) for r in results] == [
            (0, b"one\n", b""),
            (3, b"", b"err\n"),
            (0, b"\x00\xff\n", b"\x00"),
        ]
        assert [r.command for r in results] == cmds

    def test_output_that_contains_the_marker_is_not_split(self):
        tricky = f"{MARK} 1 0 0 0\n".encode() * 3
        cmds = [Command(("a",)), Command(("b",))]
        results = parse_output(cmds, frame(0, 0, tricky, tricky) + frame(1, 0, b"x", b""), MARK)
        assert results[0].stdout == tricky and results[0].stderr == tricky
        assert results[1].stdout == b"x"

    def test_noise_before_the_first_frame_is_ignored(self):
        # A chatty login shell (motd, .bashrc) may print before the script starts.
        results = parse_output([Command(("a",))], b"Welcome!\n" + frame(0, 0, b"ok", b""), MARK)
        assert results[0].stdout == b"ok"

    def test_every_truncation_is_detected(self):
        cmds = [Command(("a",)), Command(("b",))]
        full = frame(0, 0, b"hello\n", b"warn\n") + frame(1, 1, b"bye\n", b"")
        for cut in range(len(full)):
            with pytest.raises(BatchParseError):
                parse_output(cmds, full[:cut], MARK)
        assert len(parse_output(cmds, full, MARK)) == 2

    @pytest.mark.parametrize(
        "header",
        [f"{MARK} 0 x 1 1\n", f"{MARK} 0 0\n", f"{MARK}\n"],
    )
    def test_garbled_header(self, header):
        with pytest.raises(BatchParseError, match="bad header"):
            parse_output([Command(("a",))], header.encode() + b"xx", MARK)

    def test_frames_out_of_order(self):
        with pytest.raises(BatchParseError, match="expected command 0"):
            parse_output([Command(("a",))], frame(1, 0, b"", b""), MARK)

    def test_no_commands_no_output(self):
        assert parse_output([], b"", MARK) == []


class TestBuildScript:
    def test_every_argument_is_quoted(self):
        script = build_script([Command(("printf", "%s", NASTY), cwd="/tmp/it's here")], MARK)
        assert "exec printf %s 'a b '\"'\"'single" in script
        assert "cd -- '/tmp/it'\"'\"'s here'" in script

    def test_markers_are_unique_per_batch(self):
        assert new_marker() != new_marker()
        assert new_marker().startswith("@@DRIFTCTL-")

    def test_script_fails_with_97_when_no_temp_dir(self, tmp_path):
        script = build_script([Command(("true",))], MARK)
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path / "missing")}
        proc = subprocess.run(["/bin/sh", "-s"], input=script.encode(), capture_output=True, env=env)
        assert proc.returncode == 97


class TestScriptUnderSh:
    """The script's contract, checked by running it with the local /bin/sh (no SSH needed)."""

    def test_argument_arrives_verbatim(self):
        [result] = run_script([Command(("printf", "%s", NASTY))])
        assert result.stdout == NASTY.encode()
        assert result.exit_status == 0

    def test_binary_and_nul_bytes(self):
        data = bytes(range(256)) * 4
        [result] = run_script([Command(("printf", "%b", "".join(f"\\0{b:o}" for b in data)))])
        assert result.stdout == data

    def test_missing_cwd_matches_local_transport(self):
        [result] = run_script([Command(("pwd",), cwd="/no/such dir")])
        assert result.exit_status == MISSING_CWD_STATUS
        assert result.stderr == b"cd: /no/such dir: No such file or directory\n"

    def test_commands_do_not_read_the_script(self):
        # `cat` with no file would swallow the rest of the script if stdin were inherited.
        results = run_script([Command(("cat",)), Command(("echo", "still here"))])
        assert results[0].stdout == b"" and results[1].stdout == b"still here\n"

    def test_statuses_and_streams_per_command(self):
        results = run_script(
            [
                Command(("sh", "-c", "echo out; echo err >&2; exit 5")),
                Command(("true",)),
                Command(("definitely-not-a-command-xyz",)),
            ]
        )
        assert [(r.exit_status, r.stdout) for r in results[:2]] == [(5, b"out\n"), (0, b"")]
        assert results[0].stderr == b"err\n"
        assert results[2].exit_status == 127

    def test_temp_dir_is_removed(self, tmp_path):
        script = build_script([Command(("true",))], MARK)
        env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)}
        subprocess.run(["/bin/sh", "-s"], input=script.encode(), capture_output=True, env=env, check=True)
        assert list(tmp_path.iterdir()) == []

    def test_a_terminated_script_stops_instead_of_running_on_without_its_temp_dir(self, tmp_path):
        after = tmp_path / "after"
        ready = tmp_path / "ready"
        os.mkfifo(ready)
        first = Command(("sh", "-c", 'echo ready > "$1"; exec sleep 1', "sh", str(ready)))
        script = build_script([first, Command(("touch", str(after)))], MARK)
        proc = subprocess.Popen(["/bin/sh", "-s"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        proc.stdin.write(script.encode())
        proc.stdin.close()
        with open(ready) as fifo:  # blocks until the first command runs: no guessing with sleeps
            assert fifo.read() == "ready\n"
        proc.send_signal(signal.SIGTERM)  # the trap runs once the running child returns
        assert proc.wait(timeout=10) == 143
        proc.stdout.close()
        assert not after.exists()
