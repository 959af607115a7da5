"""Stripe through the official ``stripe`` library: Checkout Sessions, refunds, webhooks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import stripe

from ..domain.errors import BadSignature, ProviderFailed
from ..domain.online import Checkout, ProviderMoney, parse_booking_reference

TOLERANCE_S = 300
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUND_EVENTS = ("refund.created", "refund.updated", "charge.refund.updated")


class StripeProvider:
    name = "stripe"

    def __init__(self, *, secret_key: str, webhook_secret: str, api_url: str) -> None:
        self._webhook_secret = webhook_secret
        self._client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_url}, max_network_retries=1
        )

    def create_checkout(
        self,
        *,
        amount_cents: int,
        currency: str,
        booking_ref: str,
        event_id: str,
        patron_id: str,
        title: str,
        email: str,
        return_url: str,
        expires_at: datetime,
    ) -> Checkout:
        meta = {"event_id": event_id, "patron_id": patron_id}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount_cents,
                        "product_data": {"name": title},
                    },
                }
            ],
            "client_reference_id": booking_ref,
            "metadata": meta,
            "payment_intent_data": {"metadata": meta},
            "customer_email": email,
            "success_url": f"{return_url}?paid=stripe",
            "cancel_url": return_url,
            "expires_at": int(expires_at.timestamp()),
        }
        try:
            session = self._client.v1.checkout.sessions.create(params=params)  # type: ignore[arg-type]
        except stripe.StripeError as err:
            why = err.user_message or err
            raise ProviderFailed(f"Stripe refused the checkout: {why}") from None
        return Checkout("stripe", str(session.url), str(session.id))

    def refund(
        self,
        *,
        payment_reference: str,
        amount_cents: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> str:
        params: dict[str, Any] = {
            "payment_intent": payment_reference,
            "amount": amount_cents,
            "metadata": dict(metadata),
        }
        try:
            refund = self._client.v1.refunds.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as err:
            raise ProviderFailed(f"Stripe refused the refund: {err.user_message or err}") from None
        return str(refund.id)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[ProviderMoney]:
        try:
            stripe.WebhookSignature.verify_header(
                body.decode("utf-8"),
                headers.get("stripe-signature") or "",
                self._webhook_secret,
                TOLERANCE_S,
            )
            event = json.loads(body)
        except (stripe.SignatureVerificationError, ValueError):
            raise BadSignature("The Stripe signature does not verify.") from None
        return _money(event) if isinstance(event, dict) else []


def _money(event: dict[str, Any]) -> list[ProviderMoney]:
    kind = event.get("type")
    obj = (event.get("data") or {}).get("object") or {}
    meta = obj.get("metadata") or {}
    if kind in PAID_EVENTS and obj.get("payment_status") == "paid" and obj.get("payment_intent"):
        return [
            ProviderMoney(
                provider="stripe",
                kind="payment",
                reference=str(obj["payment_intent"]),
                parent_reference=str(obj["payment_intent"]),
                amount_cents=int(obj.get("amount_total") or 0),
                currency=str(obj.get("currency") or "").upper(),
                provider_event=str(event.get("id") or ""),
                booking=parse_booking_reference(obj.get("client_reference_id")),
            )
        ]
    if kind in REFUND_EVENTS and obj.get("status") == "succeeded" and obj.get("payment_intent"):
        ref = parse_booking_reference(f"{meta.get('event_id', '')}:{meta.get('patron_id', '')}")
        return [
            ProviderMoney(
                provider="stripe",
                kind="refund",
                reference=str(obj["id"]),
                parent_reference=str(obj["payment_intent"]),
                amount_cents=int(obj.get("amount") or 0),
                currency=str(obj.get("currency") or "").upper(),
                provider_event=str(event.get("id") or ""),
                booking=ref,
                reason=str(meta.get("reason") or obj.get("reason") or ""),
            )
        ]
    return []
