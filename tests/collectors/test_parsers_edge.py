"""Edge cases of the pure parsers that recorded fixtures do not cover."""

from __future__ import annotations

import io
import tarfile

from driftctl.collectors.files import is_secret_file, parse_sha256sum, parse_tar, parse_wc, summarize
from driftctl.collectors.git import parse_graph, parse_status
from driftctl.collectors.host import parse_df, parse_meminfo


def test_status_rename_consumes_source_entry() -> None:
    out = "R  new.py\x00old.py\x00?? extra.txt\x00 M changed.py\x00"
    assert parse_status(out) == {"modified": ["changed.py", "new.py"], "untracked": ["extra.txt"]}


def test_sha256sum_escaped_names() -> None:
    digest = "a" * 64
    assert parse_sha256sum(f"\\{digest}  we\\\\ird\\nname\n{digest}  plain\n") == {"we\\ird\nname": digest, "plain": digest}


def test_wc_keeps_a_file_named_total_when_alone() -> None:
    assert parse_wc("5 total\n") == {"total": 5}


def test_memory_percent_uses_available() -> None:
    mem = parse_meminfo("MemTotal: 925696 kB\nMemFree: 50000 kB\nMemAvailable: 259195 kB\n")
    assert mem["total_mb"] == 904 and mem["used_percent"] == 72.0


def test_df_reports_percent_of_usable_space() -> None:
    out = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/root 8000000 6000000 2000000 75% /\n"
    assert parse_df(out)["used_percent"] == 75.0


def test_graph_roots_have_no_parents() -> None:
    assert parse_graph("b a\na\n") == {"b": ["a"], "a": []}


def test_tar_inventory_and_secret_files_fingerprinted() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("app.py", b"print(1)\n"), (".env", b"TOKEN=hunter2hunter2\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = summarize(parse_tar(buf.getvalue()), None, tracked=True)
    assert data["files"]["app.py"]["size"] == 9
    assert "sha256" not in data["files"][".env"] and data["files"][".env"]["fingerprint"].startswith("fp:")
    assert is_secret_file("prod.env") and not is_secret_file(".env.example")


def test_fingerprint_ignores_nested_volatile_keys() -> None:
    from driftctl.snapshot import content_fingerprint

    class Fake:
        name = "containers"
        volatile = frozenset({"containers[].memory_usage", "containers[].started_at"})

    def snap(usage: int, image: str) -> dict:
        data = {"containers": [{"name": "bot", "image": image, "memory_usage": usage, "started_at": str(usage)}]}
        return {"environment": "aws", "collectors": {"containers": {"status": "ok", "data": data}}}

    assert content_fingerprint(snap(1, "bot:1"), [Fake()]) == content_fingerprint(snap(2, "bot:1"), [Fake()])
    assert content_fingerprint(snap(1, "bot:1"), [Fake()]) != content_fingerprint(snap(1, "bot:2"), [Fake()])


def test_fingerprint_key_created_once_under_concurrency(tmp_path, monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from driftctl import secrets

    monkeypatch.setenv("DRIFTCTL_FINGERPRINT_KEY_FILE", str(tmp_path / "k" / "fingerprint.key"))
    secrets._key.cache_clear()
    with ThreadPoolExecutor(8) as pool:
        prints = set(pool.map(lambda _: secrets.fingerprint("same value"), range(16)))
    secrets._key.cache_clear()
    assert len(prints) == 1 and prints == {secrets.fingerprint("same value")}
    assert oct((tmp_path / "k" / "fingerprint.key").stat().st_mode & 0o777) == "0o600"


def test_credentials_in_urls_are_fingerprinted() -> None:
    from driftctl.collectors.git import parse_remotes
    from driftctl.models import Command
    from driftctl.secrets import redact_url

    token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
    remotes = parse_remotes(f"origin\thttps://deploy:{token}@github.com/x/y.git (fetch)\n"
                            f"mirror\thttps://{token}@github.com/x/y.git (fetch)\n"
                            "plain\thttps://alice@github.com/x/y.git (fetch)\n")
    assert token not in str(remotes)
    assert remotes["origin"].startswith("https://deploy:fp:") and remotes["mirror"].startswith("https://fp:")
    assert remotes["plain"] == "https://alice@github.com/x/y.git"
    assert token not in Command(("git", "ls-remote", f"https://x:{token}@github.com/x/y.git")).display()
    assert redact_url("git@github.com:x/y.git") == "git@github.com:x/y.git"


def test_reference_differences_pin_the_variable() -> None:
    from driftctl.collectors.compose import reference_differences

    ours = {"bot": {"image": "bot:1", "environment": {"A": "1", "TAG": "1"}, "ports": [{"target": 80, "published": "8080"}]}}
    theirs = {"bot": {"image": "bot:1", "environment": {"A": "1", "TAG": "2"}, "ports": [{"target": "80", "published": 8080}]},
              "extra": {"image": "x"}}
    assert reference_differences(ours, theirs) == ["extra (only in docker compose config)", "bot.environment.TAG"]
