"""PayPal: an order from the guest page, webhooks checked with verify-webhook-signature,
capture on approval, refunds through its API. PayPal's REST API is a local server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from shipcaptaincrew.services.context import Context
from tests.provider_server import ProviderServer
from tests.web.conftest import Api
from tests.web.money_helpers import pay_form, provider_api

HEADERS = {
    "PAYPAL-AUTH-ALGO": "SHA256withRSA",
    "PAYPAL-CERT-URL": "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
    "PAYPAL-TRANSMISSION-ID": "tx-1",
    "PAYPAL-TRANSMISSION-SIG": "c2lnbmF0dXJl",
    "PAYPAL-TRANSMISSION-TIME": "2026-07-01T12:00:00Z",
}


@pytest.fixture(scope="module")
def paypal_api() -> Iterator[ProviderServer]:
    server = ProviderServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["asgi", "lambda"])
def shop(request: pytest.FixtureRequest, ctx: Context, paypal_api: ProviderServer) -> Iterator[Api]:
    paypal_api.reset()
    paypal_api.replies[("POST", "/v1/oauth2/token")] = (200, {"access_token": "A21-token"})
    paypal_api.replies[("POST", "/v1/notifications/verify-webhook-signature")] = (
        200,
        {"verification_status": "SUCCESS"},
    )
    api = provider_api(
        request,
        ctx,
        paypal_client_id="client-1",
        paypal_client_secret="secret-1",
        paypal_webhook_id="WH-1",
        paypal_api_url=paypal_api.url,
    )
    yield api
    api.client.close()


def _booking(shop: Api) -> tuple[str, str, str]:
    event = shop.event()
    patron = shop.patron(event["id"], "Pat Doe", "pat@example.com")
    return event["id"], patron["patron_id"], patron["guest_url"].rsplit("/", 1)[1]


def _capture(capture_id: str, ref: str, value: str = "45.00") -> dict[str, Any]:
    return {
        "id": capture_id,
        "status": "COMPLETED",
        "amount": {"currency_code": "USD", "value": value},
        "custom_id": ref,
    }


def _hook(shop: Api, event_type: str, resource: dict[str, Any], event_id: str = "WH-EV-1") -> Any:
    body = json.dumps({"id": event_id, "event_type": event_type, "resource": resource})
    headers = {**HEADERS, "Content-Type": "application/json"}
    return shop.client.post("/api/webhooks/paypal", content=body.encode(), headers=headers)


def test_pay_now_creates_an_order_and_sends_the_patron_to_approve_it(
    shop: Api, paypal_api: ProviderServer
) -> None:
    event_id, patron_id, token = _booking(shop)
    paypal_api.replies[("POST", "/v2/checkout/orders")] = (
        200,
        {
            "id": "ORDER-1",
            "status": "PAYER_ACTION_REQUIRED",
            "links": [{"rel": "payer-action", "href": "https://paypal.example/approve/ORDER-1"}],
        },
    )
    r = pay_form(shop, token, "paypal")
    assert (r.status_code, r.headers["location"]) == (303, "https://paypal.example/approve/ORDER-1")
    auth, order = paypal_api.seen
    assert (auth.method, auth.path, auth.body) == (
        "POST",
        "/v1/oauth2/token",
        b"grant_type=client_credentials",
    )
    assert (
        auth.headers["authorization"] == "Basic " + base64.b64encode(b"client-1:secret-1").decode()
    )
    assert (order.method, order.path) == ("POST", "/v2/checkout/orders")
    assert order.headers["authorization"] == "Bearer A21-token"
    assert order.headers["paypal-request-id"].startswith(f"order-{event_id}:{patron_id}-4500-")
    assert order.json() == {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "reference_id": patron_id,
                "custom_id": f"{event_id}:{patron_id}",
                "description": "Sunset Cruise",
                "amount": {"currency_code": "USD", "value": "45.00"},
            }
        ],
        "payment_source": {
            "paypal": {
                "email_address": "pat@example.com",
                "experience_context": {
                    "user_action": "PAY_NOW",
                    "return_url": f"http://testserver/g/{token}?paid=paypal",
                    "cancel_url": f"http://testserver/g/{token}",
                },
            }
        },
    }


def test_a_verified_capture_logs_one_payment_and_a_failed_check_changes_nothing(
    shop: Api, paypal_api: ProviderServer
) -> None:
    event_id, patron_id, _token = _booking(shop)
    resource = _capture("CAP-1", f"{event_id}:{patron_id}")
    paypal_api.replies[("POST", "/v1/notifications/verify-webhook-signature")] = (
        200,
        {"verification_status": "FAILURE"},
    )
    bad = _hook(shop, "PAYMENT.CAPTURE.COMPLETED", resource)
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "bad_signature")
    assert shop.ctx.store.list_payments(event_id) == []
    verify = paypal_api.seen[-1]
    assert verify.json() == {
        "auth_algo": "SHA256withRSA",
        "cert_url": "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
        "transmission_id": "tx-1",
        "transmission_sig": "c2lnbmF0dXJl",
        "transmission_time": "2026-07-01T12:00:00Z",
        "webhook_id": "WH-1",
        "webhook_event": {
            "id": "WH-EV-1",
            "event_type": "PAYMENT.CAPTURE.COMPLETED",
            "resource": resource,
        },
    }
    paypal_api.replies[("POST", "/v1/notifications/verify-webhook-signature")] = (
        200,
        {"verification_status": "SUCCESS"},
    )
    first = _hook(shop, "PAYMENT.CAPTURE.COMPLETED", resource)
    again = _hook(shop, "PAYMENT.CAPTURE.COMPLETED", resource)
    [payment] = shop.ctx.store.list_payments(event_id)
    assert (first.status_code, first.json()["recorded"]) == (200, [payment.id])
    assert again.json() == {"recorded": [], "repeated": ["CAP-1"], "kept": []}
    assert (payment.amount_cents, payment.method.value, payment.reference) == (
        4500,
        "paypal",
        "CAP-1",
    )
    assert (payment.logged_by, payment.logged_by_name) == ("paypal", "PayPal")
    booking = shop.ctx.store.get_booking(event_id, patron_id)
    assert booking is not None and booking.payment_cleared


def test_approval_captures_and_a_refund_goes_through_paypal(
    shop: Api, paypal_api: ProviderServer
) -> None:
    event_id, patron_id, _token = _booking(shop)
    ref = f"{event_id}:{patron_id}"
    paypal_api.replies[("POST", "/v2/checkout/orders/ORDER-1/capture")] = (
        201,
        {
            "id": "ORDER-1",
            "status": "COMPLETED",
            "purchase_units": [
                {"custom_id": ref, "payments": {"captures": [_capture("CAP-2", ref)]}}
            ],
        },
    )
    r = _hook(shop, "CHECKOUT.ORDER.APPROVED", {"id": "ORDER-1", "status": "APPROVED"})
    assert r.status_code == 200, r.text
    capture = paypal_api.seen[-1]
    assert (capture.path, capture.headers["paypal-request-id"]) == (
        "/v2/checkout/orders/ORDER-1/capture",
        "capture-ORDER-1",
    )
    [payment] = shop.ctx.store.list_payments(event_id)
    assert (payment.reference, payment.amount_cents) == ("CAP-2", 4500)
    paypal_api.replies[("POST", "/v2/payments/captures/CAP-2/refund")] = (
        201,
        {"id": "REF-1", "status": "PENDING"},
    )
    asked = shop.post(
        f"/api/payments/{payment.id}/refund", {"amount_cents": 1250, "reason": "Rain"}
    )
    assert (asked.status_code, asked.json()["provider_refund"]) == (202, "REF-1")
    refund_call = paypal_api.seen[-1]
    assert refund_call.headers["paypal-request-id"] == f"{payment.id}:0:1250"
    assert refund_call.json() == {
        "amount": {"value": "12.50", "currency_code": "USD"},
        "custom_id": ref,
        "note_to_payer": "Rain",
    }
    refunded = {
        "id": "REF-1",
        "status": "COMPLETED",
        "amount": {"currency_code": "USD", "value": "12.50"},
        "custom_id": ref,
        "note_to_payer": "Rain",
        "links": [{"rel": "up", "href": "https://api-m.paypal.com/v2/payments/captures/CAP-2"}],
    }
    done = _hook(shop, "PAYMENT.CAPTURE.REFUNDED", refunded, "WH-EV-2")
    assert done.status_code == 200, done.text
    history = shop.ctx.store.list_payments(event_id)
    assert [(p.amount_cents, p.reference, p.refund_of) for p in history] == [
        (4500, "CAP-2", None),
        (-1250, "REF-1", payment.id),
    ]
    booking = shop.ctx.store.get_booking(event_id, patron_id)
    assert booking is not None and (booking.amount_paid_cents, booking.payment_cleared) == (
        3250,
        False,
    )
