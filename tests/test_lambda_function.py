"""lambda_handler as AWS calls it: Function URL events (payload 2.0) on DynamoDB, built from
the environment on the first event, and the scheduled outbox event."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pypdf import PdfReader

from shipcaptaincrew import lambda_function
from shipcaptaincrew.domain.models import Role, new_id
from shipcaptaincrew.storage.dynamodb import DynamoStore
from tests import factories as f
from tests.conftest import Clock
from tests.lambda_client import function_url_event, in_thread, response_of
from tests.moto_server import MotoServer


class Env:
    def __init__(self, ctx: Any, token: str) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.token = token

    def call(self, method: str, path: str, **kw: Any) -> tuple[int, dict[str, Any], Any]:
        result = in_thread(
            lambda: lambda_function.lambda_handler(function_url_event(method, path, **kw), None)
        )
        status, headers, body = response_of(result)
        return status, result, body

    def bearer(self, **extra: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}", **extra}


@pytest.fixture
def env(moto: MotoServer, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    url = moto.url(new_id("scc"))
    store = DynamoStore.from_url(url)
    store.init_schema()
    for name, value in {
        "SCC_DATABASE_URL": url,
        "SCC_SECRET_KEY": "lambda-secret-key-0123456789",
        "SCC_PUBLIC_URL": "https://d111111abcdef8.cloudfront.net",
        "SCC_VAR_DIR": str(tmp_path / "var"),
        "SCC_MAIL_AFTER_COMMIT": "false",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(lambda_function, "_handler", None)  # a cold start
    from shipcaptaincrew.config import Settings
    from shipcaptaincrew.services.context import Context

    ctx = Context(store=store, settings=Settings.from_env(), clock=Clock(datetime.now(UTC)))
    admin = f.crew(ctx, Role.ADMIN, email="boss@example.org")
    yield Env(ctx, f.session_for(ctx, admin))
    store.close()


def _event_body(**kw: Any) -> dict[str, Any]:
    return {
        "title": "Harbour Tour",
        "starts_at": "2026-07-02T10:00:00+00:00",
        "price_cents": 3000,
        "currency": "USD",
        **kw,
    }


def test_get_health(env: Env) -> None:
    status, result, body = env.call("GET", "/api/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    assert result["isBase64Encoded"] is False
    assert result["headers"]["content-type"] == "application/json"


def test_post_json_then_get_with_query_string(env: Env) -> None:
    payload = json.dumps(_event_body()).encode()
    status, _r, body = env.call(
        "POST",
        "/api/events",
        headers=env.bearer(**{"content-type": "application/json"}),
        body=payload,
    )
    assert status == 201
    event = json.loads(body)
    assert (event["title"], event["price_cents"]) == ("Harbour Tour", 3000)
    assert env.store.get_event(event["id"]).title == "Harbour Tour"
    status, _r, body = env.call(
        "GET", "/api/audit", query=f"event_id={event['id']}&limit=1", headers=env.bearer()
    )
    assert status == 200
    entries = json.loads(body)["entries"]
    assert [e["action"] for e in entries] == ["event.created"]


def test_base64_encoded_request_body(env: Env) -> None:
    event = function_url_event(
        "POST",
        "/api/events",
        headers=env.bearer(**{"content-type": "application/json"}),
        body=json.dumps(_event_body(title="Encoded")).encode(),
    )
    event["body"] = base64.b64encode(event["body"].encode()).decode()
    event["isBase64Encoded"] = True
    result = in_thread(lambda: lambda_function.lambda_handler(event, None))
    assert result["statusCode"] == 201
    assert json.loads(result["body"])["title"] == "Encoded"


def test_cookie_login_sets_cookie_and_cookie_authenticates(env: Env) -> None:
    status, result, body = env.call(
        "POST",
        "/admin/login",
        headers={"content-type": "application/json"},
        body=json.dumps({"email": "boss@example.org", "password": f.PASSWORD}).encode(),
    )
    assert status == 200
    token = json.loads(body)["token"]
    [cookie] = result["cookies"]
    assert cookie.startswith(f"scc_session={token};")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie  # the public URL is https
    assert "set-cookie" not in result["headers"]
    status, _r, body = env.call("GET", "/api/me", cookies=[f"scc_session={token}", "other=1"])
    assert status == 200
    assert json.loads(body)["crew"]["email"] == "boss@example.org"


def test_errors_keep_the_json_shape(env: Env) -> None:
    status, _r, body = env.call("GET", "/api/events/evt_missing", headers=env.bearer())
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"
    status, _r, body = env.call(
        "POST",
        "/api/events",
        headers=env.bearer(**{"content-type": "application/json"}),
        body=b"{not json",
    )
    assert status == 400
    error = json.loads(body)["error"]
    assert (error["code"], error["message"]) == (
        "malformed_json",
        "The request body is not valid JSON.",
    )
    status, _r, body = env.call("GET", "/api/events")
    assert status == 401
    assert json.loads(body)["error"]["code"] == "unauthenticated"


def test_scheduled_event_delivers_due_outbox_messages(env: Env, tmp_path) -> None:
    admin = env.store.get_crew_by_email("boss@example.org")
    event = f.event(env.ctx, admin)
    booking = f.booking(env.ctx, admin, event.id, name="Pat Doe", email="pat@example.com")
    status, _r, _b = env.call(
        "POST",
        f"/api/events/{event.id}/{booking.patron_id}/payment",
        headers=env.bearer(**{"content-type": "application/json"}),
        body=b'{"amount_cents": 4500, "method": "cash"}',
    )
    assert status == 201
    [queued] = env.store.list_outbox(status="queued")
    assert queued.to == "pat@example.com"
    scheduled = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-07-01T12:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/scc-outbox"],
        "detail": {},
    }
    result = lambda_function.lambda_handler(scheduled, None)
    assert result == {
        "delivered": 1,
        "claimed": 1,
        "sent": 1,
        "retrying": 0,
        "failed": 0,
        "lost": 0,
        "reminders_queued": 0,
    }
    assert env.store.get_outbox(queued.id).status == "sent"
    assert lambda_function.lambda_handler(scheduled, None)["claimed"] == 0


def test_binary_pdf_comes_back_base64_encoded(env: Env) -> None:
    from shipcaptaincrew.services import waiver_templates, waivers
    from tests import waiver_factories as w

    admin = env.store.get_crew_by_email("boss@example.org")
    template = waiver_templates.create_template(env.ctx, by=admin, name="Std", text=w.WAIVER_TEXT)
    event = f.event(env.ctx, admin, waiver_template_id=template.id)
    booking = f.booking(env.ctx, admin, event.id, name="Pat Doe")
    req = waivers.SignRequest(template.id, 1, template.sha256, "Pat Doe", w.png())
    waivers.sign_waiver(env.ctx, booking=booking, req=req, ip="198.51.100.7", user_agent="UA/1")
    path = f"/api/events/{event.id}/{booking.patron_id}/waiver.pdf"
    status, result, body = env.call("GET", path, headers=env.bearer())
    assert status == 200
    assert result["isBase64Encoded"] is True
    assert result["headers"]["content-type"] == "application/pdf"
    assert body.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Typed name: Pat Doe" in text
    assert f"SHA-256 of text: {template.sha256}" in text


def test_lambda_does_not_stream_live_sync_and_polls_with_304(env: Env) -> None:
    payload = json.dumps(_event_body()).encode()
    headers = env.bearer(**{"content-type": "application/json"})
    status, _r, body = env.call("POST", "/api/events", headers=headers, body=payload)
    event_id = json.loads(body)["id"]
    status, _r, body = env.call("GET", f"/api/events/{event_id}/live", headers=env.bearer())
    assert status == 404
    assert json.loads(body)["error"]["message"] == (
        "Live updates are not streamed here: poll the roster's changes instead."
    )
    status, result, body = env.call("GET", f"/api/events/{event_id}/roster", headers=env.bearer())
    assert status == 200
    etag = result["headers"]["etag"]
    status, result, body = env.call(
        "GET", f"/api/events/{event_id}/roster", headers=env.bearer(**{"if-none-match": etag})
    )
    assert (status, body, result["headers"]["etag"]) == (304, b"", etag)
