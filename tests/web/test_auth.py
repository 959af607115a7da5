"""Sign-in, sessions, cookie CSRF, throttling; every /api route needs a crew member."""

from __future__ import annotations

import re

import pytest

from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.web.route_table import route_table
from tests import factories as f


def test_login_returns_token_crew_and_secure_cookie(api) -> None:
    member = f.crew(api.ctx, Role.CAPTAIN, email="cap@example.org")
    r = api.client.post("/admin/login", json={"email": "CAP@example.org", "password": f.PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["crew"] == {
        "id": member.id,
        "name": "Captain Person",
        "email": "cap@example.org",
        "role": "captain",
    }
    assert body["csrf_header"] == "X-CSRF-Token"
    assert len(body["token"]) >= 40
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"scc_session={body['token']};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    stored = api.ctx.store.get_crew_by_email("cap@example.org")
    assert stored.password_hash.startswith("$argon2id$")
    assert f.PASSWORD not in stored.password_hash


def test_wrong_password_is_401_and_audited(api) -> None:
    f.crew(api.ctx, Role.CREW, email="deck@example.org")
    r = api.client.post("/admin/login", json={"email": "deck@example.org", "password": "nope"})
    assert r.status_code == 401
    assert r.json() == {
        "error": {"code": "unauthenticated", "message": "Wrong email or password.", "details": {}}
    }
    entries = api.ctx.store.list_audit(limit=5)
    assert entries[0].action == "login.failed"
    assert entries[0].subject == "deck@example.org"


def test_login_is_throttled_after_repeated_failures(api, clock) -> None:
    f.crew(api.ctx, Role.CREW, email="deck@example.org")
    for _ in range(5):
        r = api.client.post("/admin/login", json={"email": "deck@example.org", "password": "x"})
        assert r.status_code == 401
    r = api.client.post("/admin/login", json={"email": "deck@example.org", "password": f.PASSWORD})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "900"
    assert r.json()["error"]["code"] == "too_many_attempts"
    clock.advance(minutes=16)
    r = api.client.post("/admin/login", json={"email": "deck@example.org", "password": f.PASSWORD})
    assert r.status_code == 200


def test_cookie_writes_need_csrf_header(api) -> None:
    f.crew(api.ctx, Role.ADMIN, email="boss@example.org")
    client = api.client
    r = client.post("/admin/login", json={"email": "boss@example.org", "password": f.PASSWORD})
    csrf = r.json()["csrf_token"]
    body = {"title": "T", "starts_at": "2026-07-02T10:00:00Z", "price_cents": 100}
    assert client.get("/api/events").status_code == 200
    r = client.post("/api/events", json=body)
    assert r.status_code == 403
    assert r.json()["error"]["details"] == {"header": "X-CSRF-Token"}
    assert (
        client.post("/api/events", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    )
    assert api.ctx.store.list_events() == []
    r = client.post("/api/events", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
    assert client.get("/api/me").json()["csrf_token"] == csrf


def test_logout_ends_the_session(api) -> None:
    f.crew(api.ctx, Role.CREW, email="deck@example.org")
    token = api.client.post(
        "/admin/login", json={"email": "deck@example.org", "password": f.PASSWORD}
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/me", headers=bearer).status_code == 200
    r = api.client.post("/admin/logout", headers=bearer)
    assert r.status_code == 204
    assert 'scc_session=""' in r.headers["set-cookie"]
    assert api.client.get("/api/me", headers=bearer).status_code == 401


def test_expired_session_is_401(api, clock) -> None:
    api.tokens.everyone()
    clock.advance(days=31)
    r = api.get("/api/me")
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "Please sign in."


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_api_route_requires_a_crew_member(api) -> None:
    """Walk the app's routes: each /api route but health and ready answers 401 without
    credentials, and to a waiver kiosk's token (its own kind of credential: the kiosk has
    no /api route, only its /g/kiosk/ pages)."""
    event = api.post(
        "/api/events",
        {"title": "T", "starts_at": "2026-07-01T18:00:00Z", "price_cents": 0, "currency": "USD"},
    ).json()
    kiosk_token = api.post(f"/api/events/{event['id']}/kiosks").json()["token"]
    checked = []
    for route in route_table(api.client.app):
        if not route.path.startswith("/api"):
            continue
        assert not route.mount, route.path
        for method in route.methods - {"HEAD"}:
            r = api.client.request(
                method, _concrete(route.path), headers={"Authorization": "Bearer not-a-token"}
            )
            anonymous = api.client.request(method, _concrete(route.path))
            kiosk = api.client.request(
                method, _concrete(route.path), headers={"Authorization": f"Bearer {kiosk_token}"}
            )
            if route.path in ("/api/health", "/api/ready"):
                assert r.status_code == 200
                continue
            if route.path == "/api/webhooks/{provider}":
                # Providers sign their webhooks instead of signing in (tests/web/
                # test_webhooks_stripe.py): no provider here is configured, so nothing is read.
                assert (r.status_code, anonymous.status_code) == (422, 422)
                unset = api.client.post("/api/webhooks/stripe", content=b"{}")
                assert unset.status_code == 404, unset.text
                continue
            assert (r.status_code, anonymous.status_code) == (401, 401), (method, route.path)
            assert kiosk.status_code == 401, (method, route.path)
            assert anonymous.json()["error"]["code"] == "unauthenticated"
            checked.append((method, route.path))
    assert len(checked) >= 15
    assert ("POST", "/api/events/{event_id}/{patron_id}/payment") in checked
    assert ("POST", "/admin/logout") not in checked


def test_health_reveals_nothing(api) -> None:
    r = api.client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


@pytest.mark.parametrize("path,role", [("/api/crew", Role.CREW), ("/api/audit", Role.CREW)])
def test_manager_only_reads(api, path, role) -> None:
    assert api.get(path, role=role).status_code == 403
    assert api.get(path, role=Role.CAPTAIN).status_code == 200


def test_crew_management_by_role(api) -> None:
    new = {"name": "New Hand", "email": "new@example.org", "password": "long-enough-pw"}
    assert api.post("/api/crew", {**new, "role": "crew"}, role=Role.CREW).status_code == 403
    r = api.post("/api/crew", {**new, "role": "admin"}, role=Role.CAPTAIN)
    assert r.status_code == 403
    r = api.post("/api/crew", {**new, "role": "crew"}, role=Role.CAPTAIN)
    assert r.status_code == 201
    assert r.json()["role"] == "crew"
    r = api.post("/api/crew", {**new, "role": "crew"}, role=Role.ADMIN)
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate"
    emails = [c["email"] for c in api.get("/api/crew").json()["crew"]]
    assert "new@example.org" in emails
    login = api.client.post(
        "/admin/login", json={"email": "new@example.org", "password": "long-enough-pw"}
    )
    assert login.status_code == 200
