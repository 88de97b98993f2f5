"""Run the real CLI entry point in-process (fast enough for hundreds of hostile cases) and judge the
result the way a user would: exit code, stderr lines, no traceback."""

from __future__ import annotations

import contextlib
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

from driftctl.cli.main import main

ALLOWED = {0, 1, 2, 3, 130}


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def invoke(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    """`driftctl ARGS` through cli.main with captured output; environment variables set for the call."""
    saved_env = {k: os.environ.get(k) for k in (env or {})}
    old_cwd = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    code = 0
    try:
        os.environ.update(env or {})
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.chdir(old_cwd)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Outcome(code, out.getvalue(), err.getvalue(), time.monotonic() - started)


def assert_clean_failure(run: Outcome, *, codes: set[int] = ALLOWED, max_lines: int = 1) -> None:
    """Exit code in `codes`, no traceback, and at most `max_lines` lines on stderr when it failed."""
    assert run.code in codes, (run.code, run.err[-2000:])
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err[-2000:]
    assert "unexpected" not in run.err, run.err
    if run.code != 0:
        assert 1 <= len(run.err_lines) <= max_lines, run.err_lines[:10]
