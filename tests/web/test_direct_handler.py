"""``direct_handler``: a route of a plain shape answers every request exactly as FastAPI's
own handler does (status, headers and body, byte for byte), the app's busiest routes are
served by it, and anything it does not serve goes to FastAPI's."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Annotated, Any

import fastapi.routing
import pytest
from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    Request,
    Response,
)
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shipcaptaincrew.web import errors
from shipcaptaincrew.web.app import _site
from shipcaptaincrew.web.deferred_route import DeferredRoute
from shipcaptaincrew.web.direct_handler import eligible


class Mark(BaseModel):
    checked_in: bool
    occurred_at: datetime | None = None
    note: str | None = Field(default=None, max_length=5)


class Marked(BaseModel):
    item: str
    other: str
    checked_in: bool
    occurred_at: datetime | None
    note: str | None
    key: str | None
    who: str


class Pay(BaseModel):
    cents: int = 0
    replay: bool = False


async def sign_in(request: Request) -> str:
    token = request.headers.get("authorization", "")
    if token != "Bearer ok":
        raise HTTPException(401, "Please sign in.")
    request.state.who = "ada"
    return "ada"


async def who(request: Request) -> str:
    return str(request.state.who)


Key = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=10)]


def _router(route_class: type[APIRoute], overrides_from: Any = None) -> APIRouter:
    router = APIRouter(
        route_class=route_class,
        dependencies=[Depends(sign_in)],
        dependency_overrides_provider=overrides_from,
    )

    @router.post("/items/{item}/{other}/mark", response_model=Marked)
    async def mark(
        item: str,
        other: str,
        body: Mark,
        request: Request,
        name: Annotated[str, Depends(who)],
        idempotency_key: Key = None,
    ) -> Marked:
        return Marked.model_construct(
            item=item,
            other=other,
            checked_in=body.checked_in,
            occurred_at=body.occurred_at,
            note=body.note,
            key=idempotency_key,
            who=name + request.method,
        )

    @router.post("/pay/{n}", response_model=Pay, status_code=201)
    async def pay(n: int, response: Response, body: Pay | None = None) -> Any:
        body = body or Pay()
        if body.replay:
            response.status_code = 200
            response.headers["X-Replay"] = "yes"
        if body.cents < 0:
            return JSONResponse({"refused": n}, status_code=409)
        return {"cents": body.cents + n, "replay": body.replay, "extra": "dropped"}

    @router.post("/quiet", status_code=204, response_model=None)
    async def quiet(x_note: Annotated[str | None, Header()] = None) -> None:
        if x_note == "boom":
            raise HTTPException(418, "boom")

    @router.get("/since/{n}")
    async def since(
        n: int,
        since: Annotated[str, Query(min_length=1, max_length=4)],
        limit: int = 10,
    ) -> dict[str, Any]:
        return {"n": n, "since": since, "limit": limit}

    @router.get("/dump/{n}", response_model=Pay, response_model_exclude_defaults=True)
    async def dump(n: int) -> Pay:
        return Pay(cents=n)

    return router


def _app(route_class: type[APIRoute]) -> FastAPI:
    """The routes in the app's own list, as the app keeps its own (``declared_again``)."""
    app = FastAPI()
    errors.install(app)
    app.router.routes.extend(_router(route_class).routes)
    return app


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths FastAPI's own handler served (for routes built after this)."""
    calls: list[str] = []
    build = fastapi.routing.get_request_handler

    def counted(*args: Any, **kwargs: Any) -> Any:
        handler = build(*args, **kwargs)

        async def handle(request: Request) -> Response:
            calls.append(request.url.path)
            return await handler(request)

        return handle

    monkeypatch.setattr(fastapi.routing, "get_request_handler", counted)
    return calls


OK = {"Authorization": "Bearer ok"}
JSON = {**OK, "Content-Type": "application/json"}
# method, path, headers, body, and whether the direct handler serves it (else FastAPI's)
REQUESTS: list[tuple[str, str, dict[str, str], bytes, bool]] = [
    ("POST", "/items/a/b/mark", JSON, b'{"checked_in": true}', True),
    (
        "POST",
        "/items/a/b/mark",
        JSON,
        b'{"checked_in": "yes", "occurred_at": "2030-01-02T03:04:05Z"}',
        True,
    ),
    (
        "POST",
        "/items/a/b/mark",
        {**JSON, "Idempotency-Key": "k1"},
        b'{"checked_in": false, "x": 1}',
        True,
    ),
    ("POST", "/items/a/b/mark", {**JSON, "Idempotency-Key": ""}, b'{"checked_in": true}', False),
    (
        "POST",
        "/items/a/b/mark",
        {**JSON, "Idempotency-Key": "k" * 11},
        b'{"checked_in": true}',
        False,
    ),
    ("POST", "/items/a/b/mark", JSON, b'{"checked_in": 3}', False),
    ("POST", "/items/a/b/mark", JSON, b'{"note": "far too long"}', False),
    ("POST", "/items/a/b/mark", JSON, b'{"checked_in": tru', False),
    ("POST", "/items/a/b/mark", JSON, b"[]", False),
    ("POST", "/items/a/b/mark", JSON, b"null", False),
    ("POST", "/items/a/b/mark", JSON, b"", False),
    (
        "POST",
        "/items/a/b/mark",
        {**OK, "Content-Type": "text/plain"},
        b'{"checked_in": true}',
        False,
    ),
    (
        "POST",
        "/items/a/b/mark",
        {**OK, "Content-Type": "application/json; charset=utf-8"},
        b'{"checked_in": true}',
        False,
    ),
    (
        "POST",
        "/items/a/b/mark",
        {**OK, "Content-Type": "application/merge+json"},
        b'{"checked_in": true}',
        False,
    ),
    ("POST", "/items/a/b/mark", OK, b'{"checked_in": true}', False),
    (
        "POST",
        "/items/a/b/mark",
        {"Content-Type": "application/json"},
        b'{"checked_in": true}',
        True,
    ),
    ("POST", "/items/a/b/mark", {"Content-Type": "application/json"}, b'{"checked_in": 3}', False),
    ("POST", "/items/a/b/mark", {"Content-Type": "application/json"}, b"{", False),
    ("POST", "/pay/7", JSON, b'{"cents": 5}', True),
    ("POST", "/pay/7", JSON, b'{"cents": 5, "replay": true}', True),
    ("POST", "/pay/7", JSON, b'{"cents": -1}', True),
    ("POST", "/pay/7", JSON, b"", True),
    ("POST", "/pay/7", JSON, b"null", True),
    ("POST", "/pay/seven", JSON, b'{"cents": 5}', False),
    ("POST", "/pay/7", JSON, b'{"cents": "many"}', False),
    ("POST", "/quiet", OK, b"", True),
    ("POST", "/quiet", {**OK, "X-Note": "boom"}, b"", True),
    ("GET", "/since/1?since=ab", OK, b"", True),
    ("GET", "/since/1?since=ab&limit=3&other=x", OK, b"", True),
    ("GET", "/since/1?since=ab&since=cd", OK, b"", True),
    ("GET", "/since/1?since=", OK, b"", False),
    ("GET", "/since/1?since=abcde", OK, b"", False),
    ("GET", "/since/1", OK, b"", False),
    ("GET", "/since/1?since=ab&limit=many", OK, b"", False),
    ("GET", "/since/1?since=ab", {}, b"", True),
    ("GET", "/dump/0", OK, b"", True),
    ("GET", "/dump/3", OK, b"", True),
    ("GET", "/dump/x", OK, b"", False),
]


@pytest.mark.parametrize(("method", "url", "headers", "body", "direct"), REQUESTS)
def test_a_request_gets_the_answer_fastapi_gives(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    direct: bool,
    handed_over: list[str],
) -> None:
    answers = []
    for route_class in (APIRoute, DeferredRoute):
        handed_over.clear()
        with TestClient(_app(route_class)) as client:
            r = client.request(method, url, headers=headers, content=body)
        answers.append((r.status_code, sorted(r.headers.items()), r.content))
    assert answers[1] == answers[0]
    # FastAPI's handler served the second only where the direct one hands a request over
    assert handed_over == ([] if direct else [url.partition("?")[0]])


def test_a_client_gone_before_its_body_gets_the_answer_fastapi_gives(
    handed_over: list[str],
) -> None:
    async def call(app: FastAPI) -> list[dict[str, Any]]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/pay/7",
            "raw_path": b"/pay/7",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"authorization", b"Bearer ok"), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return sent

    answers = []
    for route_class in (APIRoute, DeferredRoute):
        handed_over.clear()
        # a thread of its own: the browser tests may leave an event loop running in this one
        with ThreadPoolExecutor(1) as pool:
            answers.append(pool.submit(asyncio.run, call(_app(route_class))).result())
    assert answers[1] == answers[0]
    assert answers[0][0]["status"] == 400
    assert handed_over == ["/pay/7"]  # the direct handler handed it over


def test_the_routes_above_are_served_directly_and_other_shapes_are_not() -> None:
    served = {r.path: eligible(r) for r in _router(APIRoute).routes if isinstance(r, APIRoute)}
    assert served == {
        "/items/{item}/{other}/mark": True,
        "/pay/{n}": True,
        "/quiet": True,
        "/since/{n}": True,
        "/dump/{n}": True,
    }
    router = APIRouter()

    @router.get("/sync")
    def sync() -> dict[str, int]:
        return {}

    @router.get("/query")
    async def query(q: Annotated[list[int] | None, Query()] = None) -> dict[str, int]:
        return {}

    @router.get("/threaded", dependencies=[Depends(lambda: None)])
    async def threaded() -> dict[str, int]:
        return {}

    @router.get("/headers")
    async def headers(x: Annotated[list[str] | None, Header()] = None) -> dict[str, int]:
        return {}

    assert [r.path for r in router.routes if isinstance(r, APIRoute) and eligible(r)] == []


def test_the_busiest_routes_of_the_app_are_served_directly() -> None:
    first, rest = _site()
    direct = {
        (next(iter(r.methods)), r.path)
        for r in (*first, *rest)
        if isinstance(r, APIRoute) and eligible(r)
    }
    assert {
        ("POST", "/api/events/{event_id}/{patron_id}/attendance"),
        ("POST", "/api/events/{event_id}/{patron_id}/payment"),
        ("GET", "/api/events/{event_id}/roster"),
        ("GET", "/api/health"),
        ("GET", "/api/events/{event_id}/changes"),
    } <= direct


def test_dependency_overrides_are_honoured(handed_over: list[str]) -> None:
    """An app whose routes take its dependency overrides: while it has any, its requests
    are FastAPI's to serve (the direct handler names its dependencies as declared)."""
    app = FastAPI()
    errors.install(app)
    app.router.routes.extend(_router(DeferredRoute, overrides_from=app).routes)

    async def everyone(request: Request) -> str:
        request.state.who = "bo"
        return "bo"

    with TestClient(app) as client:
        assert client.post("/items/a/b/mark", json={"checked_in": True}).status_code == 401
        assert handed_over == []
        app.dependency_overrides[sign_in] = everyone
        r = client.post("/items/a/b/mark", json={"checked_in": True})
    assert r.status_code == 200
    assert r.json()["who"] == "boPOST"
    assert handed_over == ["/items/a/b/mark"]
