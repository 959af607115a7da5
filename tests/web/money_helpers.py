"""Apps with a payment provider pointed at a local stand-in server, and Stripe's signing."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from typing import Any

import pytest
import stripe
from fastapi.testclient import TestClient

from shipcaptaincrew.services.context import Context
from shipcaptaincrew.web.app import create_app
from tests.lambda_client import LambdaClient
from tests.web.conftest import Api, Tokens

STRIPE_KEY = "sk_test_local"
STRIPE_SECRET = "whsec_test_secret"


def provider_api(request: pytest.FixtureRequest, ctx: Context, **settings: str) -> Api:
    """An ``Api`` (as tests/web/conftest.py builds it) whose app has ``settings`` too."""
    if request.param == "lambda":
        ctx = request.getfixturevalue("dynamo_ctx")
    merged = dataclasses.replace(ctx.settings, mail_after_commit=False, **settings)
    app = create_app(merged, store=ctx.store, clock=ctx.clock)
    ctx = app.state.ctx
    client: Any = TestClient(app) if request.param == "asgi" else LambdaClient(app)
    return Api(client, ctx, Tokens(ctx))


def stripe_signature(payload: bytes, secret: str = STRIPE_SECRET, at: int | None = None) -> str:
    """The Stripe-Signature header, made with the library's own scheme."""
    stamp = int(time.time()) if at is None else at
    mac = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload.decode()}", secret)
    return f"t={stamp},{stripe.WebhookSignature.EXPECTED_SCHEME}={mac}"


def stripe_event(event_id: str, kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}
    ).encode()


def session_completed(
    event_id: str, pi: str, booking_ref: str, amount: int = 4500, currency: str = "usd"
) -> bytes:
    return stripe_event(
        event_id,
        "checkout.session.completed",
        {
            "id": f"cs_{pi}",
            "object": "checkout.session",
            "payment_status": "paid",
            "payment_intent": pi,
            "amount_total": amount,
            "currency": currency,
            "client_reference_id": booking_ref,
        },
    )


def refund_event(
    event_id: str, refund_id: str, pi: str, amount: int, meta: dict[str, str] | None = None
) -> bytes:
    return stripe_event(
        event_id,
        "refund.updated",
        {
            "id": refund_id,
            "object": "refund",
            "status": "succeeded",
            "payment_intent": pi,
            "amount": amount,
            "currency": "usd",
            "metadata": meta or {},
        },
    )


def post_stripe(api: Api, payload: bytes, signature: str | None = None) -> Any:
    headers = {
        "Stripe-Signature": signature or stripe_signature(payload),
        "Content-Type": "application/json",
    }
    return api.client.post("/api/webhooks/stripe", content=payload, headers=headers)


def pay_form(api: Api, token: str, provider: str = "") -> Any:
    page = api.client.get(f"/g/{token}")
    assert page.status_code == 200, page.text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert form_token is not None, "no Pay now form"
    body = f"form_token={form_token.group(1)}" + (f"&provider={provider}" if provider else "")
    return api.client.post(
        f"/g/{token}/pay",
        content=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "http://testserver",
            "Sec-Fetch-Site": "same-origin",
        },
        follow_redirects=False,
    )
