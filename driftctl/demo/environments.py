"""The sandbox's environments.yaml: three environments and the rules that name the seed's rows.

Why rules at all: driftctl reports raw differences (`telegram-bot: command`); the seed report speaks
of "Bot Mode" and "Service Discovery". `rules.components` turns the raw values into those rows, and
`rules.expected` says testnet-vs-production is intended. A user writes the same rules for their own
deployment, so the demo shows them in the file it leaves behind with `--keep`.
"""

from __future__ import annotations

import json
from typing import Any

RULES = """\
rules:
  components:
    bot_mode:
      title: Bot Mode
      path: compose.services.telegram-bot.command
      values: {"main_webhook|gunicorn": webhook, "main\\\\.py": polling}
      status: INCONSISTENT
      severity: critical
    service_discovery:
      title: Service Discovery
      path: compose.services.telegram-bot.environment.MARKET_DATA_URL
      status: MISMATCH
      severity: critical
    api_environment:
      title: API Environment
      path: compose.services.market-data.environment.EXCHANGE_ENV
      values: {testnet: testnet endpoints, production: production endpoints}
      status: MISMATCH
      severity: moderate
  expected:
    - component: api_environment
      pairs: [[local, aws], [github, aws]]
      reason: testnet endpoints for development, production endpoints on aws
    - component: "compose.services.*.mem_limit"
      pairs: [[local, aws], [github, aws]]
      reason: memory limits only on the t3.micro
    - component: compose.services.market-data.ports
      pairs: [[local, aws], [local, github]]
      reason: market-data is published on localhost for development only
"""


def _yaml_mapping(spec: dict[str, Any], indent: str = "    ") -> str:
    """JSON scalars are valid YAML: paths with odd characters stay quoted correctly."""
    return "".join(f"{indent}{key}: {json.dumps(value)}\n" for key, value in spec.items())


# Host and container facts would describe the machine running the demo, not the story's hosts: the
# sandbox's environments say so in their config, so `snapshot`, `plan` and `apply` all agree on it.
STORY_COLLECTORS = ["git", "compose", "env", "files", "code_health"]


def environments_yaml(aws_ssh: dict[str, Any] | None = None) -> str:
    """The config file; `aws_ssh` (an ssh environment entry) replaces the local-transport `aws`."""
    aws = aws_ssh or {"transport": "local", "path": "aws"}
    aws = {**aws, "role": "deployment", "compose_files": ["docker-compose.yml", "docker-compose.aws.yml"],
           "collectors": STORY_COLLECTORS}
    local = {"transport": "local", "path": "local", "compose_files": ["docker-compose.yml", "docker-compose.local.yml"],
             "collectors": STORY_COLLECTORS}
    github = {"transport": "git", "url": "github.git", "ref": "main"}
    return (
        "# driftctl demo: the seed incident rebuilt in a sandbox (see `driftctl demo --help`).\n"
        "version: 1\nenvironments:\n"
        f"  local:   # the developer's checkout (a folder of the sandbox)\n{_yaml_mapping(local)}"
        f"  aws:     # the production server (a folder of the sandbox{', reached over SSH' if aws_ssh else ''})\n"
        f"{_yaml_mapping(aws)}"
        f"  github:  # the origin repository (a bare repository of the sandbox)\n{_yaml_mapping(github)}"
        + RULES
    )
