"""The OpenAPI schema declares the bearer scheme wherever a route needs a crew member."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shipcaptaincrew.web.app import create_app
from tests.conftest import make_settings


def test_every_signed_in_operation_declares_bearer(tmp_path, sqlite_store) -> None:
    client = TestClient(create_app(make_settings(tmp_path), store=sqlite_store))
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The token from POST /admin/login.",
        }
    }
    declared = {
        (method.upper(), path): op.get("security")
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    }
    assert declared[("GET", "/api/health")] is None
    assert declared[("GET", "/api/ready")] is None
    assert declared[("POST", "/admin/login")] is None
    signed_in = {k: v for k, v in declared.items() if k[1].startswith("/api/") and v}
    assert all(v == [{"bearer": []}] for v in signed_in.values())
    assert len(signed_in) >= 25
    assert ("POST", "/api/events/{event_id}/{patron_id}/payment") in signed_in
    unauthenticated = {k for k, v in declared.items() if k[1].startswith("/api/") and not v}
    assert unauthenticated == {("GET", "/api/health"), ("GET", "/api/ready")}
