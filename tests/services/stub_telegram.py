"""A Bot API stand-in on 127.0.0.1: enough of getMe/getUpdates/sendMessage for python-telegram-bot.

``getUpdates`` hands out the queued updates once (honouring ``offset``) and then
long-polls: it waits on an event with the request's own timeout (capped at one second)
and answers ``[]``, like the real API. ``sendMessage`` calls are recorded and
:attr:`StubTelegram.message_sent` is set, so a test waits on that event, not on time.
"""

from __future__ import annotations

import asyncio
import json
from types import TracebackType
from typing import Any

from aiohttp import web

BOT_USER = {"id": 700001, "is_bot": True, "first_name": "Stub", "username": "stub_market_bot"}
CHAT = {"id": 4242, "type": "private", "first_name": "Ops"}
USER = {"id": 4242, "is_bot": False, "first_name": "Ops"}


def command_update(update_id: int, text: str) -> dict[str, Any]:
    """A private-chat message update whose first word is a bot command."""
    command_length = len(text.split()[0])
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id * 10,
            "date": 1736899200,
            "chat": CHAT,
            "from": USER,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": command_length}],
        },
    }


class StubTelegram:
    """Serves ``/bot<token>/<method>``; refuses any other token with 401 like Telegram."""

    def __init__(self, token: str, updates: list[dict[str, Any]]) -> None:
        self.token = token
        self.updates = updates
        self.calls: list[str] = []
        self.sent: list[dict[str, Any]] = []
        self.message_sent = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def __aenter__(self) -> StubTelegram:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/bot"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        self.calls.append(method)
        params = await _params(request)
        if method == "getMe":
            return _ok(BOT_USER)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "sendMessage":
            self.sent.append(params)
            self.message_sent.set()
            message = {"message_id": 9000 + len(self.sent), "date": 1736899201, "chat": CHAT, "from": BOT_USER}
            return _ok(message | {"text": params.get("text", "")})
        return _ok(True)  # deleteWebhook, setMyCommands, close, ...

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        pending = [u for u in self.updates if u["update_id"] >= offset]
        if pending:
            return pending
        wait = min(float(params.get("timeout") or 0), 1.0)
        try:
            await asyncio.wait_for(self._closing.wait(), wait)
        except asyncio.TimeoutError:
            pass
        return []


async def _params(request: web.Request) -> dict[str, Any]:
    """PTB posts form fields (non-strings JSON-encoded); accept JSON bodies and query strings too."""
    if request.content_type == "application/json":
        return dict(await request.json())
    params: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        params.update(await request.post())
    return {k: v for k, v in params.items() if isinstance(v, str)}


def _ok(result: Any) -> web.Response:
    return web.Response(text=json.dumps({"ok": True, "result": result}), content_type="application/json")
