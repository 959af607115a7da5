"""The PaymentProvider protocol: what the services need from Stripe or PayPal.

Adapters turn the provider's API into these calls and its webhooks into ``ProviderMoney``
records; they decide nothing about bookings. Errors: ``BadSignature`` for a webhook that does
not verify (nothing may change), ``ProviderFailed`` when the provider refuses or cannot be
reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from ..domain.online import Checkout, ProviderMoney


class PaymentProvider(Protocol):
    name: str  # "stripe" or "paypal": the payment method its payments are logged with

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
        """Where to send the patron to pay ``amount_cents`` for the booking ``booking_ref``."""
        ...

    def refund(
        self,
        *,
        payment_reference: str,
        amount_cents: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> str:
        """Ask the provider to give back ``amount_cents`` of a payment; the refund's id. The
        refund is recorded when the provider's webhook confirms it."""
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[ProviderMoney]:
        """The completed payments and refunds a verified webhook reports ([] for other
        events); ``BadSignature`` when it does not verify."""
        ...
