"""Fingerprint keys: a snapshot names the key that made its fingerprints; fingerprints made under
different keys are UNKNOWN (one explanatory line), never MISMATCH; one key can be shared (file or CI
secret). Real snapshots of a real checkout through the entry point."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.helpers import driftctl, write_config

TOKEN = "123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0"


@pytest.fixture
def checkout(git_repo):
    repo = git_repo("app")
    repo.commit({"docker-compose.yml": "services:\n  bot:\n    image: bot:1\n", ".gitignore": ".env\nreports/\n"}, "init")
    (repo.path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nMODE=polling\n")
    write_config(repo.path / "environments.yaml", {"local": {"transport": "local", "path": "."}})
    return repo


def key_file(path, key: bytes):
    path.write_text(key.hex() + "\n")
    return str(path)


def snapshot_to(checkout, out, env: dict) -> dict:
    run = driftctl("snapshot", "local", "--format", "json", cwd=checkout.path, env=env)
    assert run.code == 0, run.err
    doc = json.loads(run.out)[0]
    out.write_text(json.dumps(doc))
    return doc


def token_row(doc: dict) -> dict:
    return next(r for r in doc["rows"] if r["component"] == "env.env.TELEGRAM_BOT_TOKEN")


def test_different_keys_give_unknown_with_one_line(checkout, tmp_path) -> None:
    laptop = {"DRIFTCTL_FINGERPRINT_KEY_FILE": key_file(tmp_path / "laptop.key", secrets.token_bytes(32))}
    ci = {"DRIFTCTL_FINGERPRINT_KEY_FILE": key_file(tmp_path / "ci.key", secrets.token_bytes(32))}
    a = snapshot_to(checkout, tmp_path / "a.json", laptop)
    b = snapshot_to(checkout, tmp_path / "b.json", ci)
    assert a["fingerprint_key"] != b["fingerprint_key"] and len(a["fingerprint_key"]) == 12
    run = driftctl("diff", "--snapshot", str(tmp_path / "a.json"), "--snapshot", str(tmp_path / "b.json"),
                   "--format", "json", "--show-in-sync", cwd=tmp_path)
    assert run.code == 0, run.out + run.err  # nothing is known to differ
    doc = json.loads(run.out)
    row = token_row(doc)
    assert row["status"] == "UNKNOWN" and row["severity"] == "none"
    assert any("different keys" in d for d in row["details"])
    assert not [r for r in doc["rows"] if r["status"] == "MISMATCH"]
    notes = [line for line in run.err.splitlines() if "different keys" in line]
    assert len(notes) == 1 and "DRIFTCTL_FINGERPRINT_KEY_FILE" in notes[0] and TOKEN not in run.err


def test_one_shared_key_compares_and_finds_a_changed_secret(checkout, tmp_path) -> None:
    key = secrets.token_bytes(32)
    laptop = {"DRIFTCTL_FINGERPRINT_KEY_FILE": key_file(tmp_path / "laptop.key", key)}
    ci = {"DRIFTCTL_FINGERPRINT_KEY": key.hex(), "DRIFTCTL_FINGERPRINT_KEY_FILE": str(tmp_path / "unused.key")}
    a = snapshot_to(checkout, tmp_path / "a.json", laptop)
    b = snapshot_to(checkout, tmp_path / "b.json", ci)
    assert a["fingerprint_key"] == b["fingerprint_key"]
    files = ["--snapshot", str(tmp_path / "a.json"), "--snapshot", str(tmp_path / "b.json")]
    same = json.loads(driftctl("diff", *files, "--format", "json", "--show-in-sync", cwd=tmp_path).out)
    assert token_row(same)["status"] == "IN_SYNC"
    (checkout.path / ".env").write_text("TELEGRAM_BOT_TOKEN=987654321:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0\n"
                                        "MODE=polling\n")
    snapshot_to(checkout, tmp_path / "b.json", ci)
    run = driftctl("diff", *files, "--format", "json", cwd=tmp_path)
    assert run.code == 1
    assert token_row(json.loads(run.out))["status"] == "MISMATCH"
    assert "different keys" not in run.err
