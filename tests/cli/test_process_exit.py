"""The command line's exit (driftctl/process_exit.py): the status and every byte of output survive,
atexit work still runs, and the interpreter's teardown is skipped.

Each case runs a real interpreter. A module-level object whose `__del__` writes to stderr shows whether
the teardown ran: only the teardown frees it. The control case (the same program exiting normally)
shows the marker appears when teardown runs, so the assertion can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROGRAM = textwrap.dedent("""
    import sys, tempfile
    from pathlib import Path
    from driftctl import process_exit

    class Marker:
        def __del__(self):
            sys.stderr.write("torn down\\n")

    marker = Marker()  # freed only by the interpreter's teardown
    folder = tempfile.TemporaryDirectory()  # removed by an atexit finalizer, which must still run
    Path(sys.argv[2]).write_text(folder.name)

    def main():
        sys.stdout.write("x" * 1000)  # still in the buffer at exit
        sys.exit(int(sys.argv[3]))

    if sys.argv[1] == "run":
        process_exit.run(main)
    else:
        main()
""")


def _run(tmp_path: Path, how: str, status: int) -> tuple[subprocess.CompletedProcess, Path]:
    record = tmp_path / f"{how}-{status}.txt"
    proc = subprocess.run([sys.executable, "-c", PROGRAM, how, str(record), str(status)],
                          capture_output=True, text=True, timeout=60, env=_buffered())
    return proc, Path(record.read_text())


def _buffered() -> dict[str, str]:
    """This machine's environment with stdout block-buffered, as a command's is in a pipe."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


def test_run_keeps_status_output_and_atexit_work_and_skips_teardown(tmp_path: Path) -> None:
    for status in (0, 3):
        proc, folder = _run(tmp_path, "run", status)
        assert proc.returncode == status, proc.stderr
        assert proc.stdout == "x" * 1000
        assert not folder.exists()  # tempfile's atexit finalizer ran before the exit
        assert "torn down" not in proc.stderr


def test_without_run_the_teardown_runs(tmp_path: Path) -> None:
    proc, folder = _run(tmp_path, "plain", 3)
    assert proc.returncode == 3
    assert proc.stdout == "x" * 1000
    assert not folder.exists()
    assert "torn down" in proc.stderr


def test_a_library_user_exits_as_usual(tmp_path: Path) -> None:
    """Importing driftctl arms the callback; without `run` it leaves the exit alone."""
    code = "import driftctl.api, sys\nclass M:\n    def __del__(self): sys.stderr.write('torn down')\nm = M()\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == "torn down"


def test_a_reader_that_closed_the_pipe_gives_the_interpreters_status() -> None:
    """stdout's last flush fails (EPIPE): status 120, as the interpreter exits when it cannot flush."""
    code = textwrap.dedent("""
        import os, sys
        from driftctl import process_exit
        r, w = os.pipe()
        os.dup2(w, 1)
        os.close(r)  # nobody will read: the flush at exit fails with EPIPE
        def main():
            sys.stdout.write("lost")
            sys.exit(0)
        process_exit.run(main)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=_buffered())
    assert proc.returncode == 120, proc.stderr
