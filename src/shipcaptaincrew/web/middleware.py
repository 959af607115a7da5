"""ASGI middleware: request log and id, request body limit and security headers, in one layer."""

from __future__ import annotations

import json
import logging
import os
import re
import time

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
# Header names this layer sets: the app's own of these names are replaced, not repeated.
_OURS = frozenset(name for name, _ in [*SECURITY_HEADERS, HSTS, (b"x-request-id", b"")])


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


class Edge:
    """What every HTTP request meets first, in one layer (one wrapper of ``send``): its id,
    its log line, the security headers and the request body limit.

    The id is the client's X-Request-ID when it is a plain token of 8-64 characters, else a
    new one; it is sent back in X-Request-ID and is on every log line written while the
    request runs. One line is logged per request (method, path without its query string and
    with credentials masked, status, duration). Every response gets the security headers
    (HSTS with ``hsts``) and /api and /admin answers ``Cache-Control: no-store``. Request
    bodies over ``limit`` bytes are refused with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, *, limit: int, hsts: bool = False) -> None:
        self.app = app
        self.limit = limit
        security = [*SECURITY_HEADERS, HSTS] if hsts else SECURITY_HEADERS
        # The headers added to every response, built once: others of these names are dropped.
        self.headers = tuple(security)
        self.api_headers = (*security, (b"cache-control", b"no-store"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        declared: bytes | None = None
        streamed = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                rid = value.decode("latin-1")
            elif name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                streamed = True
        if not (rid and _CLIENT_ID.fullmatch(rid)):
            # 128 random bits as 32 hex digits, as uuid4().hex gives (less 6 fixed bits),
            # without building a UUID (a few microseconds of every request).
            rid = os.urandom(16).hex()
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500
        added = [
            *(self.api_headers if scope["path"].startswith(("/api/", "/admin/")) else self.headers),
            (b"x-request-id", rid.encode()),
        ]

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    h for h in message.get("headers", ()) if h[0].lower() not in _OURS
                ] + added
            await send(message)

        try:
            if declared is not None or streamed or scope["method"] not in ("GET", "HEAD"):
                await self._limited(scope, receive, send_with_headers, declared)
            else:  # HTTP/1.1: no Content-Length and no Transfer-Encoding is no body
                await self.app(scope, receive, send_with_headers)
        except Exception:
            # The id stays set: the error handler outside this middleware logs with it.
            _log_request(scope, status, start)
            raise
        _log_request(scope, status, start)
        request_id.reset(token)

    async def _limited(
        self, scope: Scope, receive: Receive, send: Send, declared: bytes | None
    ) -> None:
        """The app with the request body held to ``self.limit``: a larger declared length
        is refused at once, an undeclared (chunked) body is read up to the limit before the
        app sees it."""
        if declared is not None:
            try:
                too_large = int(declared) > self.limit
            except ValueError:
                too_large = True
            if too_large:
                await self._reject(send)
                return
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


def _log_request(scope: Scope, status: int, start: float) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    ms = round((time.perf_counter() - start) * 1000, 1)
    path = _logged_path(scope["path"])
    fields = {"method": scope["method"], "path": path, "status": status, "duration_ms": ms}
    # log.info() without its search of the stack for the caller: the line's origin is known.
    record = log.makeRecord(
        log.name,
        logging.INFO,
        __file__,
        _LOG_LINE,
        "%s %s %s %.1f ms",
        (scope["method"], path, status, ms),
        None,
        "_log_request",
        fields,
    )
    log.handle(record)


_LOG_LINE = _log_request.__code__.co_firstlineno
