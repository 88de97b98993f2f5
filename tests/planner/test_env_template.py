"""The env-config step's `${VAR:-default}` rewrite, run with the real sed and grep on compose files and
checked by the real Docker Compose binary: every form becomes exactly one template that Compose
accepts and resolves to the default (and to the host's value when it has one), and the verify
command passes only for that result."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from driftctl.planner.deploy import template_command, template_verify
from tests.fixtures.compose_binary import compose_binary

VAR, DEFAULT = "UPSTREAM_URL", "http://feeder:8080/v1?a=1&b=2"
FORMS = {
    "list": "      - UPSTREAM_URL=http://localhost:8080\n",
    "list-quoted": "      - \"UPSTREAM_URL=http://localhost:8080\"\n",
    "list-single-quoted": "      - 'UPSTREAM_URL=http://localhost:8080'\n",
    "mapping": "      UPSTREAM_URL: http://localhost:8080\n",
    "mapping-quoted": "      UPSTREAM_URL: \"http://localhost:8080\"\n",
    "mapping-quoted-key": "      \"UPSTREAM_URL\": http://localhost:8080\n",
    "mapping-trailing-space": "      UPSTREAM_URL: http://localhost:8080  \n",
}


def compose_text(line: str) -> str:
    kind = "      - OTHER=1\n" if line.lstrip().startswith("-") else "      OTHER: \"1\"\n"
    return ("services:\n  bot:\n    image: bot:1\n    environment:\n" + kind + line +
            "  feeder:\n    image: feeder:1\n    environment:\n      UPSTREAM_URL_EXTRA: keep-me\n")


def resolved(folder: Path, env: dict[str, str]) -> dict:
    run = subprocess.run([compose_binary(), "-f", "compose.yml", "config", "--format", "json"], cwd=folder,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)["services"]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_becomes_one_template_compose_accepts(tmp_path: Path, form: str) -> None:
    path = tmp_path / "compose.yml"
    path.write_text(compose_text(FORMS[form]))
    subprocess.run(template_command(VAR, DEFAULT, str(path)), check=True, timeout=30)
    text = path.read_text()
    assert text.count("${UPSTREAM_URL:-") == 1, text  # one template, never one nested in another
    assert subprocess.run(template_verify(VAR, DEFAULT, str(path)), timeout=30).returncode == 0
    base = {"PATH": "/usr/bin:/bin"}
    assert resolved(tmp_path, base)["bot"]["environment"]["UPSTREAM_URL"] == DEFAULT
    assert resolved(tmp_path, {**base, VAR: "http://aws:9"})["bot"]["environment"]["UPSTREAM_URL"] == "http://aws:9"
    assert resolved(tmp_path, base)["feeder"]["environment"] == {"UPSTREAM_URL_EXTRA": "keep-me"}


def test_a_value_it_cannot_recognise_is_left_alone_and_verify_fails(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    original = compose_text("      UPSTREAM_URL: http://localhost:8080 # the laptop\n")
    path.write_text(original)
    subprocess.run(template_command(VAR, DEFAULT, str(path)), check=True, timeout=30)
    assert path.read_text() == original
    assert subprocess.run(template_verify(VAR, DEFAULT, str(path)), timeout=30).returncode == 1


def test_verify_refuses_a_nested_template(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    path.write_text(compose_text("      - UPSTREAM_URL=${UPSTREAM_URL:${UPSTREAM_URL:-" + DEFAULT + "}\n"))
    assert subprocess.run(template_verify(VAR, DEFAULT, str(path)), timeout=30).returncode == 1
