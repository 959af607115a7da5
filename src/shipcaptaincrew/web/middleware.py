"""ASGI middleware: request log and id, request body limit and security headers."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import request_id

log = logging.getLogger("shipcaptaincrew.request")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)

SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Two years, subdomains too: the value hstspreload.org asks for. Sent only when the public
# URL is https (a browser ignores it over http, and a plain-http demo must stay reachable).
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
_SECURITY_NAMES = frozenset(name for name, _ in [*SECURITY_HEADERS, HSTS])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    h for h in message.get("headers", []) if h[0].lower() not in _SECURITY_NAMES
                ]
                message["headers"] = headers + self.headers
                if scope["path"].startswith(("/api/", "/admin/")):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _too_large_body(limit: int) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": f"The request body is over {limit} bytes.",
                "details": {"limit": limit},
            }
        }
    ).encode()


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _reject(self, send: Send) -> None:
        body = _too_large_body(self.limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = self.limit + 1
                if declared > self.limit:
                    await self._reject(send)
                    return
        # Undeclared (chunked) bodies are read up to the limit before the app sees them.
        chunks: list[bytes] = []
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, receive, send)  # disconnect: let the app see it
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await self._reject(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def _logged_path(path: str) -> str:
    """The path as logged: a guest link's token, a kiosk's token and a seat link's secret
    (credentials) are masked."""
    if path.startswith(("/g/kiosk/", "/g/seat/")):
        parts = path.split("/")
        secret_at = 3 if parts[2] == "kiosk" else 6
        if len(parts) > secret_at:
            parts[secret_at] = "-"
        return "/".join(parts)
    if path.startswith("/g/"):
        _, _, rest = path[3:].partition("/")
        return "/g/-" + ("/" + rest if rest else "")
    return path


class RequestLog:
    """One log line per request (method, path without its query string, status, duration,
    request id). The id is the client's X-Request-ID when it is a plain token of 8-64
    characters, else a new one; it is sent back in X-Request-ID and is on every log line
    written while the request runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = ""
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                sent = value.decode("latin-1")
        rid = sent if sent and _CLIENT_ID.fullmatch(sent) else uuid.uuid4().hex
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"),
                    (b"x-request-id", rid.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The id stays set: the error handler outside this middleware logs with it.
            _log_request(scope, status, start)
            raise
        _log_request(scope, status, start)
        request_id.reset(token)


def _log_request(scope: Scope, status: int, start: float) -> None:
    ms = round((time.perf_counter() - start) * 1000, 1)
    path = _logged_path(scope["path"])
    fields = {"method": scope["method"], "path": path, "status": status, "duration_ms": ms}
    log.info("%s %s %s %.1f ms", scope["method"], path, status, ms, extra=fields)
