"""The incident report as real repositories: a `local` checkout on main and an `aws` checkout on
aws-deployment reached through a real sshd, with production's manual fixes left uncommitted.

- base: telegram-bot runs `python main.py` with MARKET_DATA_URL=http://crypto-market-data:8001
- main: switches the bot to webhook mode (`gunicorn main_webhook:app`)
- aws-deployment: service discovery `http://market-data:8001`
- the aws host: the "working" provider files untracked, one provider modified, nothing committed
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.fixtures.forkrun import run_driftctl
from tests.fixtures.gitrepos import GitRepo, clone

REPO_ROOT = Path(__file__).resolve().parents[2]

COMPOSE = """services:
  telegram-bot:
    build: ./services/telegram-bot
    command: {command}
    environment:
      - MARKET_DATA_URL={url}
  market-data:
    build: ./services/market-data
"""
AGGREGATOR = (
    "from gateio_oi_provider_working import GateIOOIProviderWorking\n"
    "from bitget_oi_provider_working import BitgetOIProviderWorking\n"
)
WORKING = {
    "services/market-data/gateio_oi_provider_working.py": "class GateIOOIProviderWorking:\n    pass\n",
    "services/market-data/bitget_oi_provider_working.py": "class BitgetOIProviderWorking:\n    pass\n",
}
MODIFIED = {"services/market-data/gateio_oi_provider.py": "class GateIOOIProvider:\n    timeout = 30  # hotfix on the host\n"}


@dataclass
class Scenario:
    ops: Path  # folder of environments.yaml (and reports/)
    config: Path
    local: GitRepo
    aws: GitRepo
    origin: Path
    main_head: str
    aws_head: str

    def driftctl(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
        """Run the CLI as a user would (stdin not a terminal), from the ops folder."""
        # PYTHONPATH: the code under test, also for the `driftctl` that plan steps call (not whatever is installed)
        path = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env = dict(os.environ, DRIFTCTL_CONFIG=str(self.config), COLUMNS="200", PYTHONPATH=path)
        return run_driftctl(args, cwd=self.ops, env=env, input=input, timeout=300)


def build(tmp_path: Path, sshd) -> Scenario:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = clone(origin, tmp_path / "seed")
    seed.git("checkout", "-q", "-b", "main")
    seed.commit({
        "docker-compose.yml": COMPOSE.format(command="python main.py", url="http://crypto-market-data:8001"),
        "services/market-data/unified_oi_aggregator.py": AGGREGATOR,
        "services/market-data/gateio_oi_provider.py": "class GateIOOIProvider:\n    timeout = 10\n",
        "services/market-data/bitget_oi_provider.py": "class BitgetOIProvider:\n    pass\n",
        "services/telegram-bot/main.py": "print('polling')\n",
        ".gitignore": ".env\n",
    }, "base")
    seed.git("push", "-q", "origin", "main")
    seed.checkout("aws-deployment", create=True)
    seed.commit({"docker-compose.yml": COMPOSE.format(command="python main.py", url="http://market-data:8001")}, "aws: service discovery")
    aws_head = seed.head()
    seed.git("push", "-q", "origin", "aws-deployment")
    seed.checkout("main")
    seed.commit({"docker-compose.yml": COMPOSE.format(command="gunicorn main_webhook:app", url="http://crypto-market-data:8001")},
                "webhook mode")
    main_head = seed.head()
    seed.git("push", "-q", "origin", "main")

    local = clone(origin, tmp_path / "local" / "crypto-assistant")
    aws = clone(origin, tmp_path / "aws-host" / "crypto-assistant", branch="aws-deployment")
    aws.write({**WORKING, **MODIFIED})
    ops = tmp_path / "ops"
    ops.mkdir()
    config = ops / "environments.yaml"
    config.write_text(yaml.safe_dump({
        "version": 1,
        "environments": {
            "local": {"transport": "local", "path": str(local.path), "compose_files": ["docker-compose.yml"]},
            "aws": sshd.env_spec(str(aws.path), compose_files=["docker-compose.yml"]),
        },
    }))
    return Scenario(ops, config, local, aws, origin, main_head, aws_head)


def tree_state(root: Path, *, ignore_index: bool = False) -> dict[str, tuple[bytes, int]]:
    """Every file under root (including .git) with its bytes and mtime: to prove nothing changed.

    `ignore_index`: leave out `.git/index`, which `git status` in the snapshot collectors refreshes
    opportunistically (stat cache only; tracked content, refs and work tree are still compared).
    """
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if p.is_symlink() or (ignore_index and p.relative_to(root) == Path(".git/index")):
                continue
            out[str(p.relative_to(root))] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out
