"""Loopback stand-ins for the Telegram Bot API, a Slack incoming webhook and a plain webhook.

Each records the requests it gets; `script` lists the status codes to answer in turn (then 200);
`hang` makes it accept a request and never answer (until the test ends), to prove the timeout.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    path: str
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Stub:
    script: list[int] = field(default_factory=list)
    hang: bool = False
    requests: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Stub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                stub.requests.append(Seen(self.path, body))
                if stub.hang:
                    stub.release.wait(30)
                    return
                code = stub.script.pop(0) if stub.script else 200
                answer = b'{"ok": true, "result": {}}' if code == 200 else b'{"ok": false}'
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # shutdown() waits for the serve loop to look at its flag: every 0.5 s by default, each stop waited it
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
