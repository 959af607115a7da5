"""An httpx client whose requests become Lambda Function URL events (payload format 2.0).

Each request is turned into the event AWS would deliver, handed to a Function URL handler,
and the handler's answer is turned back into an httpx response, so tests written against
FastAPI's TestClient run unchanged through Lambda. Each thread gets its own handler, as
concurrent requests in production land on separate Lambda instances.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

import httpx

from shipcaptaincrew.lambda_function import TEXT_MIME_TYPES, make_handler

URL_DOMAIN = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"


def _is_text(content_type: str) -> bool:
    return any(t in content_type for t in TEXT_MIME_TYPES)


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def function_url_event(
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: bytes = b"",
) -> dict[str, Any]:
    """The event a Function URL delivers for this request (as CloudFront forwards it)."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    headers.pop("cookie", None)  # Function URLs move cookies to their own field
    headers["host"] = URL_DOMAIN
    headers.setdefault("x-forwarded-proto", "https")
    headers.setdefault("x-forwarded-for", "203.0.113.7")
    binary = bool(body) and not (_is_text(headers.get("content-type", "")) and _utf8(body))
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": URL_DOMAIN.split(".")[0],
            "domainName": URL_DOMAIN,
            "domainPrefix": URL_DOMAIN.split(".")[0],
            "http": {
                "method": method.upper(),
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": headers.get("user-agent", "test"),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": binary,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        params: dict[str, str] = {}
        for k, v in parse_qsl(query, keep_blank_values=True):
            params[k] = f"{params[k]},{v}" if k in params else v
        event["queryStringParameters"] = params
    if body:
        event["body"] = base64.b64encode(body).decode() if binary else body.decode()
    return event


def response_of(result: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (Set-Cookie from ``cookies``) and body bytes of a handler result."""
    raw = result.get("body", "")
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    headers = list(result.get("headers", {}).items())
    headers += [("set-cookie", c) for c in result.get("cookies", [])]
    return int(result["statusCode"]), headers, body


_INSTANCE = ThreadPoolExecutor(1, thread_name_prefix="lambda-instance")


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` on one long-lived thread, as one Lambda instance serves its invocations
    (and with no event loop of the caller's: a test process may run one, e.g. Playwright)."""
    return _INSTANCE.submit(fn).result()


class LambdaTransport(httpx.BaseTransport):
    def __init__(self, make: Callable[[], Callable[..., dict[str, Any]]]) -> None:
        self._make = make
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(8, thread_name_prefix="lambda")

    def _handler(self) -> Callable[..., dict[str, Any]]:
        handler = getattr(self._local, "handler", None)
        if handler is None:
            handler = self._local.handler = self._make()
        return handler

    def close(self) -> None:
        self._pool.shutdown()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        cookie = request.headers.get("cookie")
        event = function_url_event(
            request.method,
            request.url.path,
            query=request.url.query.decode(),
            headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
            cookies=cookie.split("; ") if cookie else None,
            body=request.read(),
        )
        result = self._pool.submit(lambda: self._handler()(event, None)).result()
        status, headers, body = response_of(result)
        return httpx.Response(status, headers=headers, content=body, request=request)


class LambdaClient(httpx.Client):
    """A drop-in for TestClient that goes through a Function URL handler of ``app``."""

    def __init__(self, app: Any) -> None:
        super().__init__(
            transport=LambdaTransport(lambda: make_handler(app)), base_url="http://testserver"
        )
        self.app = app
