"""Crew API for waiver templates, event templates and the signed-waiver PDF."""

import hashlib
import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services import waivers
from shipcaptaincrew.web.app import create_app
from tests import factories as f
from tests import waiver_factories as w
from tests.web.conftest import both_backends, client_for


@pytest.fixture(params=["asgi", "lambda"])
def ctx(request, ctx):
    return both_backends(request, ctx)


@pytest.fixture
def app(ctx, clock):
    return create_app(ctx.settings, store=ctx.store, clock=clock)


def _client(app, ctx, role: Role = Role.ADMIN) -> TestClient:
    member = f.crew(ctx, role)
    client = client_for(app, ctx)
    r = client.post("/admin/login", json={"email": member.email, "password": f.PASSWORD})
    client.headers["Authorization"] = f"Bearer {r.json()['token']}"
    return client


def test_template_crud_and_versions(app, ctx) -> None:
    client = _client(app, ctx)
    r = client.post("/api/waiver-templates", json={"name": "Std", "text": "One"})
    assert r.status_code == 201
    v1 = r.json()
    assert {k: v1[k] for k in ("name", "version", "text")} == {
        "name": "Std",
        "version": 1,
        "text": "One",
    }
    assert v1["sha256"] == hashlib.sha256(b"One").hexdigest()
    r = client.put(f"/api/waiver-templates/{v1['id']}", json={"text": "Two"})
    assert r.status_code == 200
    v2 = r.json()
    assert (v2["id"], v2["version"], v2["text"]) == (v1["id"], 2, "Two")
    assert client.get("/api/waiver-templates").json() == {"templates": [v2]}
    assert client.get(f"/api/waiver-templates/{v1['id']}/versions").json() == {"versions": [v1, v2]}


def test_template_errors(app, ctx) -> None:
    client = _client(app, ctx)
    r = client.post("/api/waiver-templates", json={"name": "Std"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid"
    r = client.post("/api/waiver-templates", json={"name": "Std", "text": "   "})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "The waiver text must be 1 to 50000 characters."
    r = client.put("/api/waiver-templates/wvt_nope", json={"text": "x"})
    assert r.status_code == 404
    assert r.json() == {
        "error": {
            "code": "not_found",
            "message": "No such waiver template.",
            "details": {"template_id": "wvt_nope"},
        }
    }
    assert client.get("/api/waiver-templates/wvt_nope/versions").status_code == 404
    r = client.post(
        "/api/waiver-templates", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    deckhand = _client(app, ctx, Role.CREW)
    r = deckhand.post("/api/waiver-templates", json={"name": "Std", "text": "x"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert deckhand.get("/api/waiver-templates").status_code == 200
    assert TestClient(app).get("/api/waiver-templates").status_code == 401


def test_event_waiver_template_field(app, ctx) -> None:
    client = _client(app, ctx)
    t = client.post("/api/waiver-templates", json={"name": "Std", "text": "x"}).json()
    body = {"title": "Cruise", "starts_at": "2026-07-02T10:00:00+00:00", "price_cents": 100}
    r = client.post("/api/events", json={**body, "waiver_template_id": "wvt_nope"})
    assert r.status_code == 422
    assert r.json()["error"]["details"] == {"waiver_template_id": "wvt_nope"}
    r = client.post("/api/events", json={**body, "waiver_template_id": t["id"]})
    assert r.status_code == 201
    event = r.json()
    assert event["waiver_template_id"] == t["id"]
    r = client.patch(f"/api/events/{event['id']}", json={"waiver_template_id": None})
    assert r.status_code == 200
    assert r.json()["waiver_template_id"] is None
    r = client.patch(f"/api/events/{event['id']}", json={"waiver_template_id": t["id"]})
    assert r.json()["waiver_template_id"] == t["id"]


def test_crew_downloads_signed_waiver_pdf(app, ctx) -> None:
    client = _client(app, ctx)
    admin = f.crew(ctx)
    t = client.post("/api/waiver-templates", json={"name": "Std", "text": w.WAIVER_TEXT}).json()
    event = f.event(ctx, admin, waiver_template_id=t["id"])
    booking = f.booking(ctx, admin, event.id, name="Pat Doe")
    url = f"/api/events/{event.id}/{booking.patron_id}/waiver.pdf"
    r = client.get(url)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "There is no electronic waiver for this booking."
    template = ctx.store.get_waiver_template(t["id"])
    req = waivers.SignRequest(t["id"], 1, t["sha256"], "Pat Doe", w.png())
    waivers.sign_waiver(ctx, booking=booking, req=req, ip="198.51.100.7", user_agent="UA/1")
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert f"SHA-256 of text: {template.sha256}" in text
    assert "Typed name: Pat Doe" in text
    roster = client.get(f"/api/events/{event.id}/roster").json()["roster"]
    assert [(b["waiver_signed"], b["waiver_kind"]) for b in roster] == [(True, "electronic")]
    assert client.get(f"/api/events/{event.id}/pat_nope/waiver.pdf").status_code == 404
    assert TestClient(app).get(url).status_code == 401
