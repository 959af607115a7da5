"""Payments made online through a provider (Stripe, PayPal): the records and rules that do
not depend on which provider it is.

A provider's payment is logged as any payment is (``services/payments.log_payment``) with
the idempotency key ``{provider}:{provider id}``: that key is the record that the provider's
payment was processed, stored in the same transaction as the payment, so a repeated
webhook delivery replays instead of paying twice. What cannot be put on a booking (no such
booking, a refund whose payment has not arrived yet, a payment the booking refuses) is kept
as a ``ProviderTransaction``, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import Invalid
from .models import PAYPAL, STRIPE, Actor, ActorKind

CHECKOUT_TTL_S = 23 * 3600  # Stripe allows 30 minutes to 24 hours
UNMATCHED = "unmatched"  # a payment no booking could take
PARKED = "parked"  # a refund that arrived before its payment
KINDS = ("payment", "refund")

ACTORS = {"stripe": STRIPE, "paypal": PAYPAL}


def provider_actor(provider: str) -> Actor:
    return ACTORS[provider]


def guest_actor(patron_id: str, name: str) -> Actor:
    return Actor(ActorKind.GUEST, patron_id, name)


def provider_key(provider: str, reference: str) -> str:
    """The idempotency key of the ledger entry for a provider's payment or refund."""
    return f"{provider}:{reference}"


def booking_reference(event_id: str, patron_id: str) -> str:
    """What a provider carries back to us to name the booking (Stripe's
    ``client_reference_id``, PayPal's ``custom_id``)."""
    return f"{event_id}:{patron_id}"


def parse_booking_reference(value: str | None) -> tuple[str, str] | None:
    event_id, sep, patron_id = (value or "").partition(":")
    if not (sep and event_id and patron_id) or ":" in patron_id:
        return None
    return event_id, patron_id


@dataclass(frozen=True)
class ProviderTransaction:
    """Money a provider reports that is not (yet) on a booking's ledger."""

    id: str  # provider_key(provider, reference)
    provider: str
    kind: str  # payment | refund
    reference: str  # the provider's payment or refund id
    parent_reference: str  # the payment a refund belongs to; a payment's own reference
    amount_cents: int
    currency: str
    status: str  # UNMATCHED or PARKED
    reason: str
    received_at: datetime
    provider_event: str = ""
    event_id: str | None = None
    patron_id: str | None = None


@dataclass(frozen=True)
class ProviderMoney:
    """A provider's completed payment or refund, as its webhook reports it."""

    provider: str
    kind: str  # payment | refund
    reference: str
    parent_reference: str
    amount_cents: int
    currency: str
    provider_event: str
    booking: tuple[str, str] | None = None
    reason: str = ""


@dataclass(frozen=True)
class Checkout:
    """Where to send the patron to pay, and the provider's id for it."""

    provider: str
    url: str
    reference: str


def check_amount_to_pay(balance_cents: int) -> int:
    if balance_cents <= 0:
        raise Invalid("Nothing is left to pay on this booking.", {"balance_cents": balance_cents})
    return balance_cents


def money_of(txn: ProviderTransaction) -> ProviderMoney:
    """A kept transaction as the webhook reported it, to apply it now."""
    booking = (txn.event_id, txn.patron_id) if txn.event_id and txn.patron_id else None
    return ProviderMoney(
        provider=txn.provider,
        kind=txn.kind,
        reference=txn.reference,
        parent_reference=txn.parent_reference,
        amount_cents=txn.amount_cents,
        currency=txn.currency,
        provider_event=txn.provider_event,
        booking=booking,
        reason=txn.reason if txn.status != PARKED else "",
    )
