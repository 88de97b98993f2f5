"""Secret detection by design: names, token formats, credentials in URLs, taint, partial redaction.

Pure functions on strings and documents; the canary test (test_canaries.py) runs the whole CLI.
"""

from __future__ import annotations

import pytest

from driftctl import secrets
from driftctl.secrets import (
    fingerprint,
    is_fingerprint,
    is_secret_name,
    looks_secret,
    redact_tree,
    scrub_document,
    scrub_text,
    secret_values,
    set_policy,
)


@pytest.fixture(autouse=True)
def _default_policy():
    set_policy()
    yield
    set_policy()


@pytest.mark.parametrize("name", [
    "DB_PASSWORD", "APP_PASSPHRASE", "BACKUP_PASSPHRASE", "CONN_STR", "SQL_CONNECTION_STRING", "COOKIE_SIGNING",
    "MASTER_PW", "REDIS_PW", "SENTRY_DSN", "GOOGLE_CREDENTIALS", "AWS_CREDENTIAL", "BASIC_AUTH", "PRIVATE",
    "JWT_SIGNING", "PASSWORD_SALT", "dbPassword", "apiKey", "x-api-key", "TELEGRAM_BOT_TOKEN", "STRIPE_SECRET",
    "SLACK_WEBHOOK_URL", "OTP_SEED", "HMAC", "mysqlrootpassword", "GITHUB_PAT_TOKEN", "com.example.auth-token",
])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    "BOT_MODE", "EXCHANGE_ENV", "MARKET_DATA_URL", "GIT_AUTHOR_NAME", "KEYBOARD", "MONKEY_COUNT", "DB_PASSWORD_FILE",
    "TOKEN_TTL", "LOG_LEVEL", "PORT", "com.docker.compose.service", "",
])
def test_plain_names(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize("value", [
    "123456789:AAFakeTelegramTokenForTests_abcdefgh",  # Telegram bot token (35 after the colon)
    "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE",
    "ghp_" + "a1B2c3D4e5" * 4, "gho_" + "Z9y8X7w6V5" * 4, "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "xoxb-123456789012-abcdefghijklmnop", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
    "sk_live_" + "a1b2c3d4e5f6g7h8", "rk_live_" + "a1b2c3d4e5f6g7h8", "AIza" + "SyD-abcdefghijklmnopqrstuvwxyz012345",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    "0123456789abcdef0123456789abcdef01234567",  # 40-hex token
    "Zq8vN3kLp0Xw7Rt2Yb5Hc9Jm4Df6Gs1A",  # random-looking
    "postgres://app:s3cr3t@db:5432/app", "https://api.example.com/v1?password=abc123", "https://x.io/hook?sig=abc",
])
def test_secret_values_whatever_their_name(value: str) -> None:
    assert looks_secret("INNOCENT", value)


@pytest.mark.parametrize("value", [
    "polling", "python main.py --mode webhook", "/home/ubuntu/Crypto-Assistant/services/market-data2",
    "http://market-data:8001", "unified_OI_aggregator_v2", "sha256:" + "ab12" * 16, "2026-11-30T22:00:00Z",
    "redis://cache:6379/0", fingerprint("already"),
])
def test_plain_values(value: str) -> None:
    assert not looks_secret("INNOCENT", value)


@pytest.mark.parametrize(("text", "secret"), [
    ("--password=hunter2xyz", "hunter2xyz"),
    ("mysqladmin --password hunter2xyz ping", "hunter2xyz"),
    ("sh -c 'DB_PASSWORD=hunter2xyz ./run'", "hunter2xyz"),
    ("curl -H 'Authorization: Bearer abcdefghijklmnop123' http://x", "abcdefghijklmnop123"),
    ("curl -H 'X-Api-Key: k3y-value-42' http://x", "k3y-value-42"),
    ("wget https://h/x?a=1&token=tok-123-abc&b=2", "tok-123-abc"),
    ("notify https://hooks.slack.com/services/T0/B0/SLACKSECRETabc now", "T0/B0/SLACKSECRETabc"),
    ("git clone https://deploy:pa55word@git.example.com/r.git", "pa55word"),
    ('{"api_secret": "v4lue-in-json"}', "v4lue-in-json"),
])
def test_only_the_secret_part_of_a_longer_string_is_replaced(text: str, secret: str) -> None:
    out = scrub_text(text)
    assert secret not in out
    assert fingerprint(secret) in out
    assert out.replace(fingerprint(secret), secret) == text  # everything else kept as written


def test_argument_vectors_hide_the_value_after_a_secret_flag() -> None:
    argv = ["app", "--db-password", "plain-looking", "--port", "8000"]
    assert redact_tree(argv) == ["app", "--db-password", fingerprint("plain-looking"), "--port", "8000"]


def test_taint_a_value_interpolated_from_a_secret_is_secret() -> None:
    env = {"DB_PASSWORD": "correct horse", "FROM_ENV": "correct horse", "DSN": "u:correct horse@db"}
    known = secret_values(env)
    out = redact_tree({"environment": env, "command": ["run", "--opt=correct horse"]}, known)
    assert out["environment"] == {k: fingerprint(v) for k, v in env.items()}
    assert out["command"] == ["run", f"--opt={fingerprint('correct horse')}"]


def test_taint_from_a_longer_string_is_its_secret_part_so_both_places_agree() -> None:
    """`command: [bot, --token=${BOT_TOKEN}]` next to `BOT_TOKEN` in .env (the untuned incident
    chat-bot-dotenv-secrets-three-hosts): the argument keeps `--token=` and carries the same
    fingerprint as the variable, so the two can be compared and counted as one fact."""
    token = "7012345678:AAF-" + "devDev" * 6
    service = {"command": ["node", "bot.js", f"--token={token}"], "environment": {"BOT_TOKEN": token}}
    assert secret_values(service["command"]) == {token}
    out = redact_tree(service, secret_values(service))
    assert out["command"] == ["node", "bot.js", f"--token={fingerprint(token)}"]
    assert out["environment"]["BOT_TOKEN"] == fingerprint(token)
    url = "postgres://app:hunter2@db/app"  # no part is a secret on its own: the whole value still taints
    assert secret_values({"DATABASE_URL": url}) == {url}


def test_every_field_of_a_service_is_redacted() -> None:
    service = {
        "command": ["serve", "--api-token=tok-xyz-123"],
        "build": {"args": {"NPM_TOKEN": "npm-tok-1", "VERSION": "1.2"}},
        "labels": {"com.example.webhook": "https://hooks.slack.com/services/T1/B1/abc", "tier": "web"},
        "healthcheck": {"test": ["CMD-SHELL", "curl -f http://localhost/?key=h3alth-key"]},
        "x-notes": {"deploy": "PASSWORD=xnotes-pw"},
    }
    text = repr(redact_tree(service))
    for secret in ("tok-xyz-123", "npm-tok-1", "T1/B1/abc", "h3alth-key", "xnotes-pw"):
        assert secret not in text
    assert "'1.2'" in text and "'web'" in text


def test_rules_force_and_allow_names_and_values() -> None:
    assert not looks_secret("LICENSE", "community")
    set_policy(secret=["LICENSE", "*_PIN"], not_secret=["PUBLIC_KEY*", "0123456789abcdef0123456789abcdef01234567"])
    assert looks_secret("license", "community") and looks_secret("CARD_PIN", "1234")
    assert not looks_secret("PUBLIC_KEY_URL", "https://keys.example.com/pub")
    assert not looks_secret("BUILD", "0123456789abcdef0123456789abcdef01234567")
    assert redact_tree({"X": ["--card-pin", "1234"]}) == {"X": ["--card-pin", fingerprint("1234")]}


def test_fingerprints_are_stable_and_redaction_is_idempotent() -> None:
    text = "run --password=hunter2xyz https://u:p4ss@h/x?token=t0k"
    once = scrub_text(text)
    assert scrub_text(once) == once and scrub_document({"a": [once]}) == {"a": [once]}
    assert is_fingerprint(fingerprint("x")) and fingerprint("x") == fingerprint("x")


def test_the_safety_net_keeps_commit_ids_and_prose() -> None:
    doc = {"head": "0123456789abcdef0123456789abcdef01234567", "subject": "auth: fix login",
           "remote": "https://x:ghp_" + "a1B2c3D4e5" * 4 + "@github.com/o/r.git"}
    out = scrub_document(doc)
    assert out["head"] == doc["head"] and out["subject"] == doc["subject"]
    assert "ghp_" not in out["remote"] and out["remote"].endswith("@github.com/o/r.git")


def test_a_text_found_clean_is_not_scanned_again_until_the_rules_change(monkeypatch) -> None:
    """A fleet's snapshots repeat their strings: a clean one is scanned once per policy. Texts with a
    secret are scanned every time (their fingerprints follow the key), and so is any text scrubbed
    with known secret values (taint)."""
    scans: list[str] = []
    real = secrets._scrub_text
    monkeypatch.setattr(secrets, "_scrub_text", lambda text, known, thorough: scans.append(text) or real(text, known, thorough))
    clean = "docker compose -f compose.yml config --format json  # card_pin=8641 x"
    assert [scrub_text(clean, thorough=False) for _ in range(3)] == [clean] * 3
    assert scans == [clean]
    assert scrub_text(clean) == clean and len(scans) == 2  # `thorough` is a scan of its own

    assert scrub_text(clean, ["8641xx", "x8641"]) == clean and len(scans) == 3  # known values: scanned
    assert scrub_text("say hunter2-horse", ["hunter2-horse"]) == f"say {fingerprint('hunter2-horse')}"

    set_policy(secret=["*_PIN"])  # new rules: the clean text is scanned again, and now it is not clean
    assert scrub_text(clean, thorough=False) == clean.replace("8641", fingerprint("8641"))

    dirty = "https://u:p4ssw0rd@h/x"
    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY", "11" * 32)
    first = scrub_text(dirty)
    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY", "22" * 32)
    assert scrub_text(dirty) == dirty.replace("p4ssw0rd", fingerprint("p4ssw0rd")) != first


def test_module_keeps_its_key_outside_reports(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY_FILE", str(tmp_path / "k"))
    assert secrets.key_file() == tmp_path / "k"


def test_the_secrets_section_of_environments_yaml_installs_the_rules(tmp_path) -> None:
    from driftctl.config import load_config

    path = tmp_path / "environments.yaml"
    path.write_text("version: 1\nenvironments:\n  local: {transport: local}\n"
                    "secrets:\n  secret: ['*_PIN']\n  not_secret: [API_KEY_ID]\n")
    cfg = load_config(str(path))
    assert cfg.secrets.secret == ["*_PIN"]
    assert looks_secret("DOOR_PIN", "1234") and not looks_secret("API_KEY_ID", "key-17")
    assert redact_tree({"env": {"DOOR_PIN": "1234", "API_KEY_ID": "key-17"}}) == \
        {"env": {"DOOR_PIN": fingerprint("1234"), "API_KEY_ID": "key-17"}}


def test_config_errors_never_quote_a_credential(tmp_path) -> None:
    from driftctl.config import load_config
    from driftctl.errors import ConfigError

    token = "ghp_" + "a1B2c3D4e5" * 4
    path = tmp_path / "environments.yaml"
    path.write_text(f"version: 1\nenvironments:\n  x: {{transport: ssh, host: h, path: /p, port: {token}}}\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert token not in info.value.message and "environments.x.port" in info.value.message


def test_secret_file_kinds_are_the_fnmatch_patterns_in_one_pattern() -> None:
    import fnmatch

    from driftctl.collectors import files

    names = [".env", ".env.prod", "prod.env", "x.ENV", "a.env.bak", "server.pem", "tls.key", "key.pub", "id_rsa",
             "id_rsa.pub", "ID_RSA", "id_ed25519_sk", "id_ecdsa", "a.p12", "b.pfx", "c.jks", "x.keystore", "v.kdbx",
             ".netrc", ".pgpass", ".npmrc", ".pypirc", ".htpasswd", "vpn.ovpn", "env", "main.py", "README.md",
             "a\nb.env", "a.env\n", ".envrc", "key", "pem", "docker-compose.yml", "[x].key", "*.env"]
    kinds = {name for name in names if any(fnmatch.fnmatch(name, p) for p in files.SECRET_FILES)}
    assert {name for name in names if files._SECRET_FILE.match(name)} == kinds
    assert {"x.ENV", "ID_RSA", "main.py", "a.env\n"}.isdisjoint(kinds) and {".env", "a\nb.env", "id_rsa.pub"} <= kinds
    assert all(files.is_secret_file(f"dir/{name}") for name in kinds)


@pytest.mark.parametrize(("path", "secret"), [
    ("config/db_password.txt", True), ("credentials.json", True), ("deploy/api-token", True), (".npmrc", True),
    ("keys/server.pfx", True), (".env.example", False), ("services/market-data/main.py", False),
    ("docker-compose.yml", False),
])
def test_secret_files_get_a_keyed_fingerprint_instead_of_a_plain_hash(path: str, secret: bool) -> None:
    from driftctl.collectors.files import is_secret_file, summarize

    assert is_secret_file(path) is secret
    info = summarize({path: {"size": 7, "sha256": "ab" * 32}}, None, tracked=True)["files"][path]
    assert ("sha256" in info) is not secret and ("fingerprint" in info) is secret


def test_the_memory_of_clean_texts_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(secrets, "_CLEAN_CHARS", 1000)
    monkeypatch.setattr(secrets, "_CLEAN_MAX", 50)
    for i in range(400):
        assert scrub_text(f"plain text number {i} " + "x" * (i % 40), thorough=False).startswith("plain")
        assert len(secrets._clean) <= 50 and sum(len(t) for t, _ in secrets._clean) <= 1000 + 1024
