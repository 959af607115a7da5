"""Stripe: Checkout from the guest page, signed webhooks, refunds through Stripe's API.

Stripe's API is a local server (tests/provider_server.py) the official library is pointed
at; webhooks are signed with the library's own scheme and a test secret."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.services.context import Context
from tests.provider_server import ProviderServer
from tests.web.conftest import Api
from tests.web.money_helpers import (
    STRIPE_KEY,
    STRIPE_SECRET,
    pay_form,
    post_stripe,
    provider_api,
    refund_event,
    session_completed,
    stripe_signature,
)


@pytest.fixture(scope="module")
def stripe_api() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["asgi", "lambda"])
def shop(request: pytest.FixtureRequest, ctx: Context, stripe_api: ProviderServer) -> Iterator[Api]:
    stripe_api.reset()
    api = provider_api(
        request,
        ctx,
        stripe_secret_key=STRIPE_KEY,
        stripe_webhook_secret=STRIPE_SECRET,
        stripe_api_url=stripe_api.url,
    )
    yield api
    api.client.close()


def _booking(shop: Api) -> tuple[str, str, str]:
    event = shop.event()
    patron = shop.patron(event["id"], "Pat Doe", "pat@example.com")
    return event["id"], patron["patron_id"], patron["guest_url"].rsplit("/", 1)[1]


def _payment_mails(shop: Api) -> list:
    """The outbox without the booking email every new patron gets."""
    return [m for m in shop.ctx.store.list_outbox() if m.kind not in ob.BOOKING_KINDS]


def _status(shop: Api, event_id: str, patron_id: str) -> dict[str, Any]:
    r = shop.get(f"/api/events/{event_id}/{patron_id}/payment")
    assert r.status_code == 200, r.text
    return r.json()


def _ledger(shop: Api, event_id: str, patron_id: str) -> list[tuple[int, str, str, str]]:
    return [
        (p["amount_cents"], p["method"], p["reference"], p["logged_by"])
        for p in _status(shop, event_id, patron_id)["payments"]
    ]


def test_pay_now_opens_a_checkout_session_for_the_balance(
    shop: Api, stripe_api: ProviderServer
) -> None:
    event_id, patron_id, token = _booking(shop)
    stripe_api.replies[("POST", "/v1/checkout/sessions")] = (
        200,
        {"id": "cs_test_1", "object": "checkout.session", "url": "https://pay.example/cs_test_1"},
    )
    r = pay_form(shop, token)
    assert (r.status_code, r.headers["location"]) == (303, "https://pay.example/cs_test_1")
    [sent] = stripe_api.seen
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["authorization"] == f"Bearer {STRIPE_KEY}"
    form = sent.form()
    expires = int(form.pop("expires_at"))
    now = shop.ctx.now().timestamp()
    assert 0 < expires - now <= 24 * 3600
    assert form == {
        "mode": "payment",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "usd",
        "line_items[0][price_data][unit_amount]": "4500",
        "line_items[0][price_data][product_data][name]": "Sunset Cruise",
        "client_reference_id": f"{event_id}:{patron_id}",
        "metadata[event_id]": event_id,
        "metadata[patron_id]": patron_id,
        "payment_intent_data[metadata][event_id]": event_id,
        "payment_intent_data[metadata][patron_id]": patron_id,
        "customer_email": "pat@example.com",
        "success_url": f"http://testserver/g/{token}?paid=stripe",
        "cancel_url": f"http://testserver/g/{token}",
    }
    [entry] = [e for e in shop.ctx.store.list_audit() if e.action == "payment.checkout_started"]
    assert (entry.actor, entry.subject) == (f"guest:{patron_id}", "cs_test_1")


def test_a_paid_booking_offers_no_pay_now(shop: Api) -> None:
    event_id, patron_id, token = _booking(shop)
    r = shop.post(
        f"/api/events/{event_id}/{patron_id}/payment", {"amount_cents": 4500, "method": "cash"}
    )
    assert r.status_code == 201, r.text
    page = shop.client.get(f"/g/{token}")
    assert page.status_code == 200
    assert "Pay now" not in page.text


def test_a_valid_webhook_logs_one_payment_with_receipt_and_email(shop: Api) -> None:
    event_id, patron_id, _token = _booking(shop)
    payload = session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}")
    r = post_stripe(shop, payload)
    assert r.status_code == 200, r.text
    [payment] = shop.ctx.store.list_payments(event_id, patron_id)
    assert r.json() == {"recorded": [payment.id], "repeated": [], "kept": []}
    assert (payment.amount_cents, payment.method.value, payment.reference) == (
        4500,
        "stripe",
        "pi_1",
    )
    assert (payment.logged_by, payment.logged_by_name, payment.receipt_no) == (
        "stripe",
        "Stripe",
        1,
    )
    status = _status(shop, event_id, patron_id)
    assert (status["payment_cleared"], status["amount_paid_cents"]) == (True, 4500)
    [entry] = [e for e in shop.ctx.store.list_audit() if e.action == "payment.logged"]
    assert (entry.actor, entry.actor_name) == ("provider:stripe", "Stripe")
    [mail] = _payment_mails(shop)
    assert (mail.kind, mail.to, mail.payload["payment_id"]) == (
        "payment_receipt",
        "pat@example.com",
        payment.id,
    )


def test_an_unverified_webhook_is_a_400_and_changes_nothing(shop: Api) -> None:
    event_id, patron_id, _token = _booking(shop)
    payload = session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}")
    audit_before = len(shop.ctx.store.list_audit())
    cases = {
        "tampered body": (payload.replace(b"4500", b"9900"), stripe_signature(payload)),
        "wrong secret": (payload, stripe_signature(payload, "whsec_someone_else")),
        "stale timestamp": (payload, stripe_signature(payload, at=int(time.time()) - 301)),
        "no signature": (payload, "t=1"),
    }
    for case, (body, signature) in cases.items():
        r = post_stripe(shop, body, signature)
        assert r.status_code == 400, case
        assert r.json()["error"] == {
            "code": "bad_signature",
            "message": "The Stripe signature does not verify.",
            "details": {},
        }, case
    assert shop.ctx.store.list_payments(event_id) == []
    assert len(shop.ctx.store.list_audit()) == audit_before
    assert _payment_mails(shop) == []
    assert post_stripe(shop, payload).status_code == 200  # the same event, signed: accepted


def test_the_same_event_twice_is_one_payment(shop: Api) -> None:
    event_id, patron_id, _token = _booking(shop)
    payload = session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}")
    first = post_stripe(shop, payload)
    again = post_stripe(shop, payload)
    assert (first.status_code, again.status_code) == (200, 200)
    [payment] = shop.ctx.store.list_payments(event_id)
    assert again.json() == {"recorded": [], "repeated": ["pi_1"], "kept": []}
    assert len(_payment_mails(shop)) == 1
    assert first.json()["recorded"] == [payment.id]


def test_a_refund_before_its_payment_settles_when_the_payment_arrives(shop: Api) -> None:
    event_id, patron_id, _token = _booking(shop)
    meta = {"event_id": event_id, "patron_id": patron_id, "reason": "rain"}
    early = post_stripe(shop, refund_event("evt_2", "re_1", "pi_1", 1500, meta))
    assert (early.status_code, early.json()) == (
        200,
        {"recorded": [], "repeated": [], "kept": ["re_1"]},
    )
    assert shop.ctx.store.list_payments(event_id) == []
    paid = post_stripe(shop, session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}"))
    assert paid.status_code == 200, paid.text
    assert len(paid.json()["recorded"]) == 2
    assert _ledger(shop, event_id, patron_id) == [
        (4500, "stripe", "pi_1", "Stripe"),
        (-1500, "stripe", "re_1", "Stripe"),
    ]
    status = _status(shop, event_id, patron_id)
    assert (status["amount_paid_cents"], status["balance_cents"], status["payment_cleared"]) == (
        3000,
        1500,
        False,
    )
    # the refund's own webhook again, now that it is on the ledger: nothing more
    again = post_stripe(shop, refund_event("evt_2", "re_1", "pi_1", 1500, meta))
    assert again.json() == {"recorded": [], "repeated": ["re_1"], "kept": []}
    assert len(shop.ctx.store.list_payments(event_id)) == 2


def test_a_payment_that_matches_no_booking_is_kept_unmatched(shop: Api) -> None:
    event_id, _patron_id, _token = _booking(shop)
    r = post_stripe(shop, session_completed("evt_9", "pi_9", f"{event_id}:pat_nobody"))
    assert (r.status_code, r.json()) == (200, {"recorded": [], "repeated": [], "kept": ["pi_9"]})
    [txn] = shop.ctx.store.list_provider_transactions(parent_reference="pi_9")
    assert (txn.status, txn.kind, txn.amount_cents, txn.reason) == (
        "unmatched",
        "payment",
        4500,
        "This patron is not on the event.",
    )
    assert shop.ctx.store.list_payments(event_id) == []


def test_refunding_a_stripe_payment_asks_stripe_and_records_on_its_webhook(
    shop: Api, stripe_api: ProviderServer
) -> None:
    event_id, patron_id, _token = _booking(shop)
    post_stripe(shop, session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}"))
    [payment] = shop.ctx.store.list_payments(event_id)
    stripe_api.replies[("POST", "/v1/refunds")] = (
        200,
        {"id": "re_7", "object": "refund", "status": "pending", "amount": 2000},
    )
    body = {"amount_cents": 2000, "reason": "Left early"}
    crew = shop.post(f"/api/payments/{payment.id}/refund", body, role=Role.CREW)
    assert crew.status_code == 403
    r = shop.post(f"/api/payments/{payment.id}/refund", body, role=Role.CAPTAIN)
    assert r.status_code == 202, r.text
    assert (r.json()["status"], r.json()["refund"], r.json()["provider_refund"]) == (
        "requested",
        None,
        "re_7",
    )
    [sent] = stripe_api.seen
    assert (sent.method, sent.path) == ("POST", "/v1/refunds")
    assert sent.headers["idempotency-key"] == f"{payment.id}:0:2000"
    assert sent.form() == {
        "payment_intent": "pi_1",
        "amount": "2000",
        "metadata[event_id]": event_id,
        "metadata[patron_id]": patron_id,
        "metadata[payment_id]": payment.id,
        "metadata[reason]": "Left early",
    }
    assert len(shop.ctx.store.list_payments(event_id)) == 1  # not until Stripe confirms
    meta = {"event_id": event_id, "patron_id": patron_id, "reason": "Left early"}
    done = post_stripe(shop, refund_event("evt_3", "re_7", "pi_1", 2000, meta))
    assert done.status_code == 200
    assert _ledger(shop, event_id, patron_id) == [
        (4500, "stripe", "pi_1", "Stripe"),
        (-2000, "stripe", "re_7", "Stripe"),
    ]
    refund = shop.ctx.store.get_payment_by_key("stripe:re_7")
    assert refund is not None and (refund.refund_of, refund.note) == (payment.id, "Left early")
    status = _status(shop, event_id, patron_id)
    assert (status["amount_paid_cents"], status["payment_cleared"]) == (2500, False)
    mails = sorted((m.kind, m.payload["payment_id"]) for m in _payment_mails(shop))
    assert mails == sorted([("payment_receipt", payment.id), ("payment_receipt", refund.id)])


def test_stripe_refusing_a_refund_is_a_502_and_records_nothing(
    shop: Api, stripe_api: ProviderServer
) -> None:
    event_id, patron_id, _token = _booking(shop)
    post_stripe(shop, session_completed("evt_1", "pi_1", f"{event_id}:{patron_id}"))
    [payment] = shop.ctx.store.list_payments(event_id)
    stripe_api.replies[("POST", "/v1/refunds")] = (
        400,
        {"error": {"type": "invalid_request_error", "message": "Charge already refunded."}},
    )
    r = shop.post(f"/api/payments/{payment.id}/refund", {"amount_cents": 100, "reason": "x"})
    assert r.status_code == 502
    assert r.json()["error"]["code"] == "provider_failed"
    assert len(shop.ctx.store.list_payments(event_id)) == 1
    assert not [e for e in shop.ctx.store.list_audit() if e.action.startswith("payment.refund")]


def test_crew_email_a_pay_link_once_per_balance_and_day(shop: Api) -> None:
    from shipcaptaincrew.services.outbox import build_email

    event_id, patron_id, token = _booking(shop)
    path = f"/api/events/{event_id}/{patron_id}/pay-link"
    r = shop.post(path, role=Role.CREW)
    assert (r.status_code, r.json()["balance_cents"]) == (202, 4500)
    again = shop.post(path, role=Role.CREW)
    assert (again.status_code, again.json()["error"]["message"]) == (
        409,
        "A pay link for this balance was already sent today.",
    )
    [message] = _payment_mails(shop)
    assert (message.kind, message.to) == ("pay_link", "pat@example.com")
    mail = build_email(shop.ctx, message)
    assert mail["Subject"] == "Pay online for Sunset Cruise"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "$45.00 is still to pay for Sunset Cruise" in text
    assert f"http://testserver/g/{token}" in text
    [entry] = [e for e in shop.ctx.store.list_audit() if e.action == "payment.link_sent"]
    assert entry.subject == message.id


def test_no_pay_link_without_a_provider(api: Api) -> None:
    event = api.event()
    patron = api.patron(event["id"])
    r = api.post(f"/api/events/{event['id']}/{patron['patron_id']}/pay-link")
    assert (r.status_code, r.json()["error"]["message"]) == (
        409,
        "Paying online is not set up here.",
    )
    page = api.client.get(patron["guest_url"].replace("http://testserver", ""))
    assert page.status_code == 200 and "Pay now" not in page.text
