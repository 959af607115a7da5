"""The crew account lifecycle over HTTP: own password, resets, roles, deactivation,
sessions, sign out everywhere, unlocking sign-in. Each runs in-process on SQLite and
through the Lambda handler on DynamoDB."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from shipcaptaincrew.domain import accounts as rules
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.web.app import create_app
from tests import factories as f


def _member(api, role: Role = Role.CREW, email: str = "deck@example.org"):
    member = f.crew_fast(api.ctx, role, email)
    return member, f.session_for(api.ctx, member)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _last_audit(api):
    return api.ctx.store.list_audit(limit=1)[0]


def test_change_own_password_ends_other_sessions(api) -> None:
    member, here = _member(api)
    there = f.session_for(api.ctx, member)
    body = {"current_password": "wrong-one", "password": "a-brand-new-phrase"}
    r = api.client.post("/api/me/password", json=body, headers=_bearer(here))
    assert r.status_code == 422
    assert r.json() == {
        "error": {
            "code": "invalid",
            "message": "Your current password is wrong.",
            "details": {"field": "current_password"},
        }
    }
    body = {"current_password": f.PASSWORD, "password": "password1234"}
    r = api.client.post("/api/me/password", json=body, headers=_bearer(here))
    assert r.status_code == 422
    assert r.json()["error"]["message"].startswith("This password is too common")
    assert api.client.get("/api/me", headers=_bearer(there)).status_code == 200
    body = {"current_password": f.PASSWORD, "password": "a-brand-new-phrase"}
    r = api.client.post("/api/me/password", json=body, headers=_bearer(here))
    assert r.status_code == 204
    assert api.client.get("/api/me", headers=_bearer(here)).status_code == 200
    assert api.client.get("/api/me", headers=_bearer(there)).status_code == 401
    entry = _last_audit(api)
    assert (entry.action, entry.actor) == ("crew.password_changed", f"crew:{member.id}")


def test_reset_forces_a_new_password_before_anything_else(api) -> None:
    member, token = _member(api)
    r = api.post(f"/api/crew/{member.id}/password-reset")
    assert r.status_code == 200
    body = r.json()
    temporary = body["temporary_password"]
    assert len(temporary) == 16
    assert body["crew"]["must_change_password"] is True
    assert api.client.get("/api/me", headers=_bearer(token)).status_code == 401
    entry = _last_audit(api)
    assert (entry.action, entry.subject, entry.data) == ("crew.password_reset", member.id, {})
    assert temporary not in repr(entry)
    login = api.client.post(
        "/admin/login", json={"email": "deck@example.org", "password": temporary}
    )
    assert login.status_code == 200
    assert login.json()["must_change_password"] is True
    fresh = _bearer(login.json()["token"])
    r = api.client.get("/api/events", headers=fresh)
    assert r.status_code == 403
    assert r.json()["error"] == {
        "code": "forbidden",
        "message": "Choose a new password before anything else.",
        "details": {"must_change_password": True},
    }
    assert api.client.get("/api/me", headers=fresh).json()["must_change_password"] is True
    body = {"current_password": temporary, "password": "a-brand-new-phrase"}
    assert api.client.post("/api/me/password", json=body, headers=fresh).status_code == 204
    assert api.client.get("/api/events", headers=fresh).status_code == 200


def test_roles_change_by_admins_only(api) -> None:
    member, _ = _member(api)
    r = api.post(f"/api/crew/{member.id}/role", {"role": "captain"}, role=Role.CAPTAIN)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == "Only an admin can change a role."
    assert api.ctx.store.get_crew(member.id).role == Role.CREW
    r = api.post(f"/api/crew/{member.id}/role", {"role": "captain"})
    assert r.status_code == 200
    assert r.json() == {
        "id": member.id,
        "name": "Crew Person",
        "email": "deck@example.org",
        "role": "captain",
        "active": True,
        "must_change_password": False,
    }
    entry = _last_audit(api)
    assert (entry.action, entry.data) == ("crew.role_changed", {"from": "crew", "to": "captain"})
    r = api.post(f"/api/crew/{member.id}/role", {"role": "owner"})
    assert r.status_code == 422
    assert api.post("/api/crew/crw_nobody/role", {"role": "crew"}).status_code == 404


def test_deactivation_ends_sessions_at_once_and_refuses_sign_in(api) -> None:
    api.tokens.everyone()
    member, token = _member(api)
    admin = api.ctx.store.get_crew_by_email("admin@example.org")
    r = api.post(f"/api/crew/{admin.id}/deactivate", role=Role.CAPTAIN)
    assert r.status_code == 403
    r = api.post(f"/api/crew/{admin.id}/deactivate")
    assert r.status_code == 403
    assert r.json()["error"]["message"].startswith("You cannot deactivate or reactivate your own")
    r = api.post(f"/api/crew/{member.id}/deactivate", role=Role.CAPTAIN)
    assert r.status_code == 200
    assert r.json()["active"] is False
    assert api.client.get("/api/me", headers=_bearer(token)).status_code == 401
    assert api.ctx.store.list_sessions(member.id) == []
    login = {"email": "deck@example.org", "password": f.PASSWORD}
    r = api.client.post("/admin/login", json=login)
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "This account is deactivated; ask an admin."
    r = api.post(f"/api/crew/{member.id}/reactivate", role=Role.CAPTAIN)
    assert r.status_code == 200
    assert r.json()["active"] is True
    assert api.client.post("/admin/login", json=login).status_code == 200
    actions = [e.action for e in api.ctx.store.list_audit(limit=5)]
    assert actions[:2] == ["login", "crew.reactivated"]
    assert "crew.deactivated" in actions


def test_admins_see_and_end_sessions(api) -> None:
    member, first = _member(api)
    second = f.session_for(api.ctx, member)
    api.client.get("/api/me", headers=_bearer(second))
    r = api.get(f"/api/crew/{member.id}/sessions")
    assert r.status_code == 200
    sessions = r.json()["sessions"]
    assert len(sessions) == 2
    assert {s["current"] for s in sessions} == {False}
    used = [s for s in sessions if s["last_used_at"]]
    assert len(used) == 1
    assert used[0]["address"] != ""
    assert api.get(f"/api/crew/{member.id}/sessions", role=Role.CREW).status_code == 403
    own = api.client.get(f"/api/crew/{member.id}/sessions", headers=_bearer(first))
    assert [s["current"] for s in own.json()["sessions"]].count(True) == 1
    path = f"/api/crew/{member.id}/sessions/{used[0]['id']}"
    assert api.client.delete(path, headers=api.headers()).status_code == 204
    assert api.client.get("/api/me", headers=_bearer(second)).status_code == 401
    assert api.client.get("/api/me", headers=_bearer(first)).status_code == 200
    assert api.client.delete(path, headers=api.headers()).status_code == 404
    entry = _last_audit(api)
    assert (entry.action, entry.data) == ("crew.session_ended", {"session_id": used[0]["id"]})


def test_sign_out_everywhere(api) -> None:
    member, first = _member(api)
    second = f.session_for(api.ctx, member)
    r = api.client.post("/api/me/sign-out-everywhere", headers=_bearer(first))
    assert r.status_code == 204
    for token in (first, second):
        assert api.client.get("/api/me", headers=_bearer(token)).status_code == 401
    assert _last_audit(api).action == "crew.signed_out_everywhere"


def test_admins_unlock_sign_in(api) -> None:
    _member(api)
    wrong = {"email": "deck@example.org", "password": "not-the-one"}
    assert api.client.post("/admin/login", json=wrong).status_code == 401
    address = _last_audit(api).data["ip"]  # as the app sees this client
    for _ in range(rules.PAIR_LIMIT - 1):
        slots = rules.attempt_slots("deck@example.org", address, api.ctx.now())
        assert api.ctx.store.take_login_attempt(slots) is None
    login = {"email": "deck@example.org", "password": f.PASSWORD}
    r = api.client.post("/admin/login", json=login)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_attempts"
    body = {"email": "deck@example.org"}
    assert api.post("/api/crew/unlock", body, role=Role.CAPTAIN).status_code == 403
    r = api.post("/api/crew/unlock", body)
    assert r.status_code == 200
    assert r.json() == {"cleared": rules.PAIR_LIMIT}
    assert _last_audit(api).action == "crew.unlocked"
    assert api.client.post("/admin/login", json=login).status_code == 200
    r = api.post("/api/crew/unlock", {})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "Name an account's email or an address to unlock."


def test_hundred_parallel_sign_ins_judge_at_most_five(ctx) -> None:
    """The review's reproduction against the in-process app on SQLite."""
    app = create_app(ctx.settings, store=ctx.store, clock=ctx.clock)
    f.crew_fast(ctx, Role.ADMIN, "boss@example.org")
    with TestClient(app) as client, ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(
            pool.map(
                lambda i: (
                    client.post(
                        "/admin/login", json={"email": "boss@example.org", "password": f"g-{i}"}
                    ).status_code
                ),
                range(100),
            )
        )
    assert (statuses.count(401), statuses.count(429)) == (5, 95)
    failed = [e for e in ctx.store.list_audit(limit=500) if e.action == "login.failed"]
    assert len(failed) == 5
