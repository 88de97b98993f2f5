"""The host collector reads /etc/os-release, /proc/meminfo and /proc/uptime with shell builtins
(`text_lines_command`) instead of a `cat` each: the parsers must get what `cat` gave them, stand-alone
and inside an SSH batch (where the script runs without a second shell), and the reads stay bounded."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from driftctl.collectors.host import parse_meminfo, parse_os_release, parse_uptime, text_lines_command
from driftctl.transport.batch import build_script, parse_output

MARK = "@@DRIFTCTL-00112233445566aa@@"
OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n  ID=debian \\ x\n\nLAST=1'


def batch(commands):
    proc = subprocess.run(["/bin/sh", "-s"], input=build_script(commands, MARK).encode(), capture_output=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return parse_output(commands, proc.stdout, MARK)


@pytest.mark.parametrize("shell", ["/bin/sh", "busybox"])
def test_lines_are_cats_output_with_a_final_newline(tmp_path: Path, shell: str) -> None:
    path = tmp_path / "os-release"
    path.write_text(OS_RELEASE)
    cmd = text_lines_command(str(path))
    argv = ["busybox", "sh", *cmd.argv[1:]] if shell == "busybox" else ["/bin/sh", *cmd.argv[1:]]
    alone = subprocess.run(argv, capture_output=True, timeout=30)
    assert alone.returncode == 0 and alone.stdout == (OS_RELEASE + "\n").encode()
    [in_batch] = batch([cmd])
    assert in_batch.exit_status == 0 and in_batch.stdout == alone.stdout
    assert parse_os_release(in_batch.text) == "Debian GNU/Linux 12 (bookworm)"


def test_proc_files_parse_as_with_cat() -> None:
    meminfo, uptime = batch([text_lines_command("/proc/meminfo", until="MemAvailable:"),
                             text_lines_command("/proc/uptime", limit=1)])
    full = Path("/proc/meminfo").read_text()
    keys = [line.split(":")[0] for line in meminfo.text.splitlines()]
    assert keys == [line.split(":")[0] for line in full.splitlines()][:len(keys)]  # (values move)
    assert meminfo.text.splitlines()[-1].startswith("MemAvailable:")  # stops there: 3 lines, not 50
    assert parse_meminfo(meminfo.text)["total_mb"] == parse_meminfo(full)["total_mb"]
    assert parse_uptime(uptime.text) is not None and uptime.text.count("\n") == 1


def test_bounded_and_failing_like_cat(tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.write_text("".join(f"line {i}\n" for i in range(2000)))
    capped, missing = batch([text_lines_command(str(many), limit=5), text_lines_command(str(tmp_path / "none"))])
    assert capped.stdout == b"".join(f"line {i}\n".encode() for i in range(5))
    assert missing.exit_status != 0 and missing.stdout == b""


def test_uname_from_proc_is_unames_output(tmp_path: Path) -> None:
    from driftctl.collectors.host import parse_uname, uname_command

    cmd = uname_command()
    [in_batch] = batch([cmd])
    assert in_batch.stdout == subprocess.run(["uname", "-snrm"], capture_output=True, check=True).stdout
    assert parse_uname(in_batch.text) is not None
    # where the kernel has no /proc/sys/kernel/arch (before 6.1), `uname` answers: same bytes
    fallback = cmd.argv[2].replace("k=/proc/sys/kernel", f"k={tmp_path}")
    alone = subprocess.run(["/bin/sh", "-c", fallback, "driftctl-uname"], capture_output=True, check=True)
    assert alone.stdout == in_batch.stdout
