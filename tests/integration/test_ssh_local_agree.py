"""An `ssh` environment and a `local` environment on the same directory see the same facts.

The SSH side goes through a real OpenSSH sshd on loopback; both sides run the same collectors.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import all_text_under, driftctl, write_config

pytestmark = pytest.mark.integration

SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZqq"


@pytest.fixture
def checkout(git_repo):
    repo = git_repo("crypto-assistant")
    repo.commit({
        "docker-compose.yml": (
            "services:\n  bot:\n    image: bot:1\n    command: python main.py\n    env_file: [.env]\n"
            "    environment:\n      MARKET_DATA_URL: ${MARKET_DATA_URL:-http://market-data:8001}\n"
        ),
        "services/bot/main.py": "import os\n",
        ".gitignore": ".env\nreports/\nenvironments.yaml\n",
    }, "initial")
    repo.commit({"services/bot/feature.py": "X = 1\n"}, "feature")
    (repo.path / ".env").write_text(f"BOT_API_KEY={SECRET}\nMODE=polling\n")
    (repo.path / "services/bot/hotfix_working.py").write_text("# made on the server\n")
    (repo.path / "services/bot/main.py").write_text("import os\nimport sys\n")
    return repo


def test_ssh_and_local_snapshots_agree(checkout, sshd) -> None:
    write_config(checkout.path / "environments.yaml", {
        "local": {"transport": "local", "path": str(checkout.path)},
        "remote": sshd.env_spec(str(checkout.path)),
    })
    logins_before = sshd.accepted_logins()
    run = driftctl("snapshot", "--format", "json", cwd=checkout.path)
    assert run.code == 0, run.err
    local, remote = json.loads(run.out)
    assert remote["transport"] == "ssh" and remote["complete"], remote
    for collector in ("git", "compose", "env", "files"):
        assert remote["collectors"][collector]["status"] == "ok"
        assert remote["collectors"][collector]["data"] == local["collectors"][collector]["data"], collector
    assert local["collectors"]["files"]["data"]["changed"] == {
        "services/bot/hotfix_working.py": "untracked", "services/bot/main.py": "modified",
    }
    # one SSH connection for the whole environment, however many commands the collectors ran
    assert sshd.accepted_logins() - logins_before == 1
    assert SECRET not in run.out + run.err + all_text_under(checkout.path / "reports")


def test_unknown_host_key_refused_until_accepted(checkout, sshd, tmp_path) -> None:
    spec = sshd.env_spec(str(checkout.path), known_hosts=str(tmp_path / "empty_known_hosts"))
    write_config(checkout.path / "environments.yaml", {"remote": spec})
    refused = driftctl("snapshot", "remote", cwd=checkout.path)
    assert refused.code == 3
    assert "SHA256:" in refused.err and "--accept-new-host-key" in refused.err and "Traceback" not in refused.err
    accepted = driftctl("snapshot", "remote", "--accept-new-host-key", cwd=checkout.path)
    assert accepted.code == 0, accepted.err
    again = driftctl("snapshot", "remote", cwd=checkout.path)
    assert again.code == 0, again.err
