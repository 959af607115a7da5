"""Headers every response carries (HSTS over https, X-Request-ID) and the request log."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from shipcaptaincrew.web.app import create_app
from tests.conftest import make_settings

HSTS = "max-age=63072000; includeSubDomains"
PATHS = ["/api/health", "/api/events", "/g/not-a-token", "/docs", "/openapi.json", "/nope"]


def _client(tmp_path, sqlite_store, **env: str) -> TestClient:
    settings = make_settings(tmp_path, **env)
    return TestClient(create_app(settings, store=sqlite_store))


@pytest.mark.parametrize("path", PATHS)
def test_hsts_on_every_response_when_the_public_url_is_https(tmp_path, sqlite_store, path) -> None:
    client = _client(tmp_path, sqlite_store, SCC_PUBLIC_URL="https://harbour.example")
    r = client.get(path)
    assert r.headers["strict-transport-security"] == HSTS, r.status_code
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", PATHS)
def test_no_hsts_over_plain_http(tmp_path, sqlite_store, path) -> None:
    r = _client(tmp_path, sqlite_store).get(path)
    assert "strict-transport-security" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"


def test_hsts_on_a_refused_body_too(tmp_path, sqlite_store) -> None:
    client = _client(tmp_path, sqlite_store, SCC_PUBLIC_URL="https://harbour.example")
    r = client.post("/admin/login", content=b"x" * 300_000)
    assert r.status_code == 413
    assert r.headers["strict-transport-security"] == HSTS


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


def test_one_json_line_per_request_with_its_id(tmp_path, sqlite_store, capsys) -> None:
    client = _client(tmp_path, sqlite_store, SCC_LOG_FORMAT="json")

    @client.app.get("/api/_probe", include_in_schema=False)
    def probe() -> dict:
        logging.getLogger("shipcaptaincrew.probe").info("inside the request")
        return {}

    routes = client.app.router.routes
    routes.insert(0, routes.pop())  # before the console mounted at "/"
    capsys.readouterr()
    r = client.get("/api/health?email=pat@example.com&token=s3cret")
    assert r.status_code == 200
    rid = r.headers["x-request-id"]
    assert len(rid) == 32 and int(rid, 16) >= 0
    [line] = _lines(capsys)
    assert line["request_id"] == rid
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/health", 200)
    assert line["message"] == f"GET /api/health 200 {line['duration_ms']:.1f} ms"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0

    r = client.get("/api/_probe", headers={"X-Request-ID": "dock-7f3a9c21"})
    assert r.headers["x-request-id"] == "dock-7f3a9c21"
    inner, outer = _lines(capsys)
    assert (inner["message"], inner["request_id"]) == ("inside the request", "dock-7f3a9c21")
    assert (outer["path"], outer["status"], outer["request_id"]) == (
        "/api/_probe",
        200,
        "dock-7f3a9c21",
    )

    r = client.get("/api/health", headers={"X-Request-ID": "bad id\nforged line"})
    assert r.headers["x-request-id"] != "bad id\nforged line"
    assert [x["request_id"] for x in _lines(capsys)] == [r.headers["x-request-id"]]


def test_guest_tokens_never_reach_the_log(tmp_path, sqlite_store, capsys) -> None:
    client = _client(tmp_path, sqlite_store, SCC_LOG_FORMAT="json")
    capsys.readouterr()
    client.get("/g/secret-guest-token-123/waiver?x=1")
    [line] = _lines(capsys)
    assert (line["path"], line["status"]) == ("/g/-/waiver", 404)
    assert "secret-guest-token" not in json.dumps(line)


def test_text_lines_carry_the_request_id(tmp_path, sqlite_store, capsys) -> None:
    client = _client(tmp_path, sqlite_store)
    capsys.readouterr()
    r = client.get("/api/health")
    [line] = capsys.readouterr().err.splitlines()
    rid = r.headers["x-request-id"]
    assert line.endswith(
        f" INFO shipcaptaincrew.request [{rid}] GET /api/health 200 " + line.split()[-2] + " ms"
    )


def test_an_unhandled_error_is_logged_with_the_request_id(tmp_path, sqlite_store, capsys) -> None:
    settings = make_settings(tmp_path, SCC_LOG_FORMAT="json")
    app = create_app(settings, store=sqlite_store)

    @app.get("/api/_boom", include_in_schema=False)
    def boom() -> dict:
        raise RuntimeError("boom")

    app.router.routes.insert(0, app.router.routes.pop())  # before the console mounted at "/"
    client = TestClient(app, raise_server_exceptions=False)
    capsys.readouterr()
    r = client.get("/api/_boom", headers={"X-Request-ID": "dock-boom-0001"})
    assert r.status_code == 500
    request, error = _lines(capsys)
    assert (request["path"], request["status"], request["request_id"]) == (
        "/api/_boom",
        500,
        "dock-boom-0001",
    )
    assert (error["message"], error["request_id"]) == (
        "unhandled error: RuntimeError",
        "dock-boom-0001",
    )
    assert "RuntimeError: boom" in error["exception"]
