"""Alerts on change only, against loopback stubs of the Telegram Bot API, a Slack webhook and a plain
webhook: the first drift sends, an unchanged run sends nothing, a fix sends "resolved"; deliveries
are retried on 5xx, bounded by their timeout, and never carry a secret or a fingerprint."""

from __future__ import annotations

import json

import pytest

from tests.helpers import driftctl
from tests.history.conftest import SECRET_MARK
from tests.history.stubs import Stub

TOKEN = "123456:AAtelegram-token-for-tests-only-xxxxxxxx"


@pytest.fixture
def stub():
    s = Stub().start()
    yield s
    s.stop()


def telegram(stub: Stub, **extra) -> dict:
    return {"type": "telegram", "token_env": "DRIFTCTL_TELEGRAM_TOKEN", "chat_id": "-100123", "api_url": stub.url,
            "backoff": 0, **extra}


def run(project, *args: str):
    return driftctl(*args, cwd=project.root, env={"DRIFTCTL_TELEGRAM_TOKEN": TOKEN, "DRIFTCTL_SLACK_WEBHOOK": "",
                                                 "DRIFTCTL_WEBHOOK_URL": ""}, timeout=60)


def assert_clean(stub: Stub) -> None:
    for seen in stub.requests:
        body = seen.body.decode()
        assert SECRET_MARK not in body and "fp:" not in body and TOKEN not in body


def test_check_notify_sends_on_new_drift_nothing_when_unchanged_and_resolution(project, stub) -> None:
    project.configure(notify=[telegram(stub)])
    project.set_env("prod", log_level="debug", token="prod-only")

    first = run(project, "check", "--notify")
    assert first.code == 1, first.err
    assert len(stub.requests) == 1 and stub.requests[0].path == f"/bot{TOKEN}/sendMessage"
    message = stub.requests[0].json()
    assert message["chat_id"] == "-100123" and message["parse_mode"] == "HTML"
    assert "env.env.LOG_LEVEL" in message["text"] and "new" in message["text"]
    assert len(message["text"]) <= 4096

    again = run(project, "check", "--notify")
    assert again.code == 1 and len(stub.requests) == 1  # nothing changed: nothing sent

    project.set_env("prod")
    fixed = run(project, "check", "--notify")
    assert fixed.code == 0, fixed.err
    assert len(stub.requests) == 2
    text = stub.requests[1].json()["text"]
    assert "Resolved" in text and "env.env.LOG_LEVEL" in text
    assert_clean(stub)
    assert TOKEN not in first.err + first.out + fixed.err + fixed.out


def test_watch_once_posts_to_slack_and_webhook(project, stub) -> None:
    hook = Stub().start()
    try:
        project.configure(notify=[{"type": "slack", "webhook_url_env": "SLACK_URL", "backoff": 0},
                                  {"type": "webhook", "url_env": "HOOK_URL", "backoff": 0}])
        project.set_env("prod", log_level="<b>debug</b>")
        result = driftctl("watch", "--once", cwd=project.root,
                          env={"SLACK_URL": stub.url + "/services/T/B/X", "HOOK_URL": hook.url + "/drift"}, timeout=60)
        assert result.code == 1, result.err
        assert [r.path for r in stub.requests] == ["/services/T/B/X"]
        assert "env.env.LOG_LEVEL" in stub.requests[0].json()["text"]
        change_set = hook.requests[0].json()
        assert change_set["schema"] == "driftctl.notify/v1"
        assert "env.env.LOG_LEVEL" in [f["component"] for f in change_set["new"]]
        assert "<b>" not in json.dumps(change_set)  # values never travel, so no markup either
        assert_clean(stub)
        assert_clean(hook)
    finally:
        hook.stop()


def test_server_errors_are_retried_with_backoff(project) -> None:
    flaky = Stub(script=[500, 502]).start()
    try:
        project.configure(notify=[telegram(flaky, retries=3)])
        project.set_env("prod", log_level="debug")
        result = run(project, "check", "--notify")
        assert result.code == 1
        assert len(flaky.requests) == 3 and "not delivered" not in result.err
    finally:
        flaky.stop()


def test_a_hanging_channel_is_bounded_and_reported_in_one_line(project) -> None:
    hang = Stub(hang=True).start()
    try:
        project.configure(notify=[telegram(hang, retries=0, timeout=0.5)])
        project.set_env("prod", log_level="debug")
        result = run(project, "check", "--notify")
        assert result.code == 1  # the check's own exit code, unchanged by the failed delivery
        lines = [line for line in result.err.splitlines() if "notify" in line]
        assert lines == ["warning: notify telegram: not delivered: timed out after 1 attempt"] or (
            len(lines) == 1 and "timed out" in lines[0])
        assert TOKEN not in result.err and hang.url not in result.err
        # not delivered: the next run tries again
        hang.hang = False
        assert run(project, "check", "--notify").code == 1 and len(hang.requests) == 2
    finally:
        hang.stop()


def test_missing_token_is_one_line_and_notify_needs_channels(project, stub) -> None:
    project.configure(notify=[telegram(stub)])
    project.set_env("prod", log_level="debug")
    result = driftctl("check", "--notify", cwd=project.root, env={"DRIFTCTL_TELEGRAM_TOKEN": ""})
    assert result.code == 1 and "$DRIFTCTL_TELEGRAM_TOKEN is not set" in result.err and not stub.requests
    project.configure()
    bare = driftctl("check", "--notify", cwd=project.root)
    assert bare.code == 2 and "notify:" in bare.err


def test_watch_survives_an_unreachable_environment_and_stops_on_ctrl_c(project, stub) -> None:
    import signal
    import subprocess
    import sys

    import yaml

    project.configure(notify=[telegram(stub)])
    doc = yaml.safe_load((project.root / "environments.yaml").read_text())
    doc["environments"]["ghost"] = {"transport": "local", "path": "no-such-checkout", "collectors": ["git", "env"]}
    (project.root / "environments.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    project.set_env("prod", log_level="debug")
    env = {**__import__("os").environ, "DRIFTCTL_TELEGRAM_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "driftctl", "watch", "--every", "1h", "--format", "json"],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        first = json.loads(proc.stdout.readline())  # blocks until the first round is reported
        assert "ghost" in json.dumps(first)  # the unreachable environment is named, the round still ran
        assert len(stub.requests) == 1  # and the drift between the others was still sent
        proc.send_signal(signal.SIGINT)  # the watch is now waiting for the next round
        assert proc.wait(timeout=30) == 130
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
