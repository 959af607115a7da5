"""A local HTTP server standing in for a payment provider's API (Stripe, PayPal): it records
every request exactly as the client library sent it and answers from a table the test sets."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        """A form-encoded body (Stripe's) as a flat dict of its bracketed keys."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ProviderServer:
    """Answers ``(method, path)`` from ``replies`` (status, JSON); 404 otherwise. ``answer``,
    when set, answers every request instead (a test that needs a reply per request)."""

    replies: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)
    answer: Callable[[Seen], tuple[int, Any]] | None = None
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def start(self) -> ProviderServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                seen = Seen(self.command, path, headers, body)
                owner.seen.append(seen)
                status, reply = (
                    owner.answer(seen)
                    if owner.answer
                    else owner.replies.get(
                        (self.command, path), (404, {"error": {"message": "no such route"}})
                    )
                )
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll: stop() waits for it (0.5 s by default).
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def reset(self) -> None:
        self.answer = None
        self.replies.clear()
        self.seen.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
