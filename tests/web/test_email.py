"""Patron emails through the API with a real SMTP server (aiosmtpd) behind the app."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from fastapi.testclient import TestClient

from shipcaptaincrew.bootstrap import build_sender
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services import outbox
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage.sql import SqlStore
from shipcaptaincrew.web.app import create_app
from tests import factories as f
from tests.conftest import make_settings
from tests.mailserver import SmtpServer
from tests.server import free_port


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def app_env(tmp_path, clock, port) -> Iterator[tuple]:
    settings = make_settings(
        tmp_path,
        SCC_MAIL_BACKEND="smtp",
        SCC_SMTP_HOST="127.0.0.1",
        SCC_SMTP_PORT=str(port),
        SCC_SMTP_SECURITY="none",
        SCC_SMTP_TIMEOUT="5",
        SCC_MAIL_FROM="Harbour Co <boats@harbour.example>",
        SCC_ORG_NAME="Harbour Co.",
    )
    store = SqlStore(settings.database_url)
    store.init_schema()
    app = create_app(settings, store=store, clock=clock)
    ctx: Context = app.state.ctx
    admin = f.crew(ctx, Role.ADMIN, email="admin@harbour.example")
    event = f.event(ctx, admin)
    zoe = f.booking(ctx, admin, event.id, name="Zoë <b>O'Brien</b>", email="zoe@example.com")
    ben = f.booking(ctx, admin, event.id, name="Ben Okafor", email="ben@example.com")
    client = TestClient(app)
    token = client.post(
        "/admin/login", json={"email": "admin@harbour.example", "password": f.PASSWORD}
    ).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    yield client, app, event, zoe, ben
    app.state.mail.close()
    store.close()


@pytest.fixture
def smtp(port) -> Iterator[SmtpServer]:
    server = SmtpServer(port=port).start()
    yield server
    server.stop()


def _pay(client, event, booking, amount=4500, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/events/{event.id}/{booking.patron_id}/payment",
        json={"amount_cents": amount, "method": "card", "reference": "T-1"},
        headers=headers,
    )


def test_logging_a_payment_mails_the_patron_once_with_the_receipt(app_env, smtp) -> None:
    client, app, event, zoe, _ben = app_env
    r = _pay(client, event, zoe)
    assert r.status_code == 201
    receipt_no = r.json()["payment"]["receipt_no"]
    app.state.mail.drain()
    [got] = smtp.wait_for(1)
    assert got.rcpt_tos == ["zoe@example.com"]
    assert got.mail_from == "boats@harbour.example"
    msg = got.message
    assert msg["Subject"] == f"Payment received: receipt {receipt_no} for Sunset Cruise"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Hello Zoë <b>O'Brien</b>," in text
    assert "<p>Hello Zoë &lt;b&gt;O&#39;Brien&lt;/b&gt;,</p>" in html
    [pdf] = list(msg.iter_attachments())
    page = pypdf.PdfReader(io.BytesIO(pdf.get_content())).pages[0].extract_text()
    assert f"Receipt no. {receipt_no}" in page
    assert "Amount $45.00 (USD)" in page
    assert "Received from Zoë <b>O'Brien</b>" in page
    roster = client.get(f"/api/events/{event.id}/roster").json()["roster"]
    assert {b["name"]: b["receipt_email"] for b in roster} == {
        "Ben Okafor": None,
        "Zoë <b>O'Brien</b>": "sent",
    }
    assert len(smtp.received) == 1


def test_mail_server_down_payments_succeed_and_are_delivered_once_later(
    app_env, port, clock
) -> None:
    client, app, event, zoe, ben = app_env
    assert _pay(client, event, zoe, 2000).status_code == 201
    assert _pay(client, event, ben, 4500, key="k-ben").status_code == 201
    assert _pay(client, event, ben, 4500, key="k-ben").status_code == 200  # replay
    app.state.mail.drain()
    listed = client.get("/api/outbox").json()["messages"]
    assert [
        (m["to"], m["status"], m["attempts"]) for m in sorted(listed, key=lambda m: m["to"])
    ] == [
        ("ben@example.com", "queued", 1),
        ("zoe@example.com", "queued", 1),
    ]
    assert all(m["last_error"].startswith(f"SMTP 127.0.0.1:{port}: Connection") for m in listed)
    roster = client.get(f"/api/events/{event.id}/roster").json()["roster"]
    assert [b["receipt_email"] for b in roster] == ["queued", "queued"]

    server = SmtpServer(port=port).start()
    try:
        ctx = app.state.ctx
        clock.advance(minutes=1)
        report = outbox.deliver_due(ctx, build_sender(ctx.settings))
        assert (report.claimed, report.sent) == (2, 2)
        assert outbox.deliver_due(ctx, build_sender(ctx.settings)).claimed == 0
        received = server.wait_for(2)
        assert sorted(r.rcpt_tos[0] for r in received) == ["ben@example.com", "zoe@example.com"]
        assert len(server.received) == 2
    finally:
        server.stop()
    statuses = {m["to"]: m["status"] for m in client.get("/api/outbox").json()["messages"]}
    assert statuses == {"ben@example.com": "sent", "zoe@example.com": "sent"}
    assert client.get("/api/outbox?status=sent").json()["messages"][0]["status"] == "sent"
    assert client.get("/api/outbox?status=queued").json() == {"messages": []}


def test_same_idempotency_key_twice_sends_one_email(app_env, smtp) -> None:
    client, app, event, zoe, _ben = app_env
    first = _pay(client, event, zoe, key="same-key")
    second = _pay(client, event, zoe, key="same-key")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["payment"] == second.json()["payment"]
    app.state.mail.drain()
    assert len(smtp.wait_for(1)) == 1
    report = outbox.deliver_due(app.state.ctx, build_sender(app.state.ctx.settings))
    assert report.claimed == 0
    assert len(smtp.received) == 1


def test_crew_download_the_receipt_pdf(app_env, smtp) -> None:
    client, app, event, zoe, _ben = app_env
    payment = _pay(client, event, zoe).json()["payment"]
    r = client.get(f"/api/payments/{payment['id']}/receipt.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="receipt-{payment["id"]}.pdf"'
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert f"Receipt no. {payment['receipt_no']}" in text
    missing = client.get("/api/payments/pay_missing/receipt.pdf")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "code": "not_found",
            "message": "No such payment.",
            "details": {"payment_id": "pay_missing"},
        }
    }
    anonymous = TestClient(app).get(f"/api/payments/{payment['id']}/receipt.pdf")
    assert anonymous.status_code == 401


def test_outbox_is_for_admins_and_retry_refuses_sent_messages(app_env, smtp) -> None:
    client, app, event, zoe, _ben = app_env
    _pay(client, event, zoe)
    app.state.mail.drain()
    [m] = client.get("/api/outbox").json()["messages"]
    assert (m["status"], m["attempts"], m["last_error"], m["kind"]) == (
        "sent",
        1,
        None,
        "payment_receipt",
    )
    r = client.post(f"/api/outbox/{m['id']}/retry")
    assert r.status_code == 409
    assert r.json()["error"]["details"] == {"message_id": m["id"], "status": "sent"}
    ctx = app.state.ctx
    f.crew(ctx, Role.CAPTAIN, email="cap@harbour.example")
    captain = TestClient(app)
    token = captain.post(
        "/admin/login", json={"email": "cap@harbour.example", "password": f.PASSWORD}
    ).json()["token"]
    r = captain.get("/api/outbox", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/outbox?status=bogus").status_code == 422
