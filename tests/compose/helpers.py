"""Shared bits of the compose tests: where the fixtures are and how to run the real docker-compose."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.fixtures.compose_binary import compose_binary

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROJECTS = HERE / "projects"
DOCKER_COMPOSE = compose_binary()


def clean_env(**extra: str) -> dict[str, str]:
    """The test process environment without COMPOSE_* variables, which would change the result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env.update(extra)
    return env


def docker_compose_config(project_dir: Path, files: list[str], env: dict[str, str],
                          options: list[str] | None = None) -> tuple[int, dict | None, str]:
    """(exit status, model or None, stderr) of `docker-compose -f ... [options] config --format json`."""
    args = [a for f in files for a in ("-f", f)] + list(options or [])
    proc = subprocess.run(
        [DOCKER_COMPOSE, *args, "config", "--format", "json"],
        cwd=project_dir, env=env, capture_output=True, text=True, timeout=60,
    )
    try:
        model = json.loads(proc.stdout) if proc.returncode == 0 else None
    except ValueError:  # this wrapper exits 0 on some validation errors, printing only to stderr
        return 1, None, proc.stderr
    return proc.returncode, model, proc.stderr
