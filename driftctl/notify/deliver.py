"""Deliver one message per channel over HTTP: bounded by a timeout, retried with backoff, and
failing with one line that names the channel, never its token or URL (both are credentials)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from driftctl.notify import messages
from driftctl.notify.changes import ChangeSet
from driftctl.notify.settings import SlackChannel, TelegramChannel, WebhookChannel

USER_AGENT = "driftctl-notify"


class DeliveryError(Exception):
    """One line, safe to print: no URL, no token, no response body."""


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes


def build_request(channel: TelegramChannel | SlackChannel | WebhookChannel, changes: ChangeSet,
                  environ: dict[str, str] | None = None) -> Request:
    """The HTTP request for a channel; the credential is read from the environment variable it names."""
    env = os.environ if environ is None else environ
    if isinstance(channel, TelegramChannel):
        token = _credential(env, channel.token_env)
        body = {"chat_id": channel.chat_id, "text": messages.telegram_text(changes), "parse_mode": "HTML",
                "disable_web_page_preview": True}
        return Request(f"{channel.api_url.rstrip('/')}/bot{token}/sendMessage", json.dumps(body).encode())
    if isinstance(channel, SlackChannel):
        return Request(_credential(env, channel.webhook_url_env), json.dumps({"text": messages.slack_text(changes)}).encode())
    return Request(_credential(env, channel.url_env), messages.webhook_body(changes))


def send(request: Request, *, timeout: float, retries: int, backoff: float,
         sleep: Callable[[float], None] = time.sleep) -> None:
    """POST the body; retry on network errors, 429 and 5xx; DeliveryError when every attempt failed."""
    last = "no attempt made"
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * (2 ** (attempt - 1)))
        try:
            req = urllib.request.Request(request.url, data=request.body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the scheme is checked in settings
                payload = resp.read(65536)
            _check_answer(payload)
            return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code != 429 and exc.code < 500:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "timed out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "connection failed"
        except DeliveryError as exc:
            last = str(exc)
            break
    raise DeliveryError(f"{last} after {attempt + 1} attempt{'s' if attempt else ''}")


def _check_answer(payload: bytes) -> None:
    """Telegram answers 200 with `{"ok": false}` on some errors; Slack answers `ok`; webhooks anything."""
    try:
        doc = json.loads(payload or b"null")
    except ValueError:
        return
    if isinstance(doc, dict) and doc.get("ok") is False:
        raise DeliveryError("the API refused the message")


def _credential(env: os._Environ[str] | dict[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise DeliveryError(f"${name} is not set")
    return value
