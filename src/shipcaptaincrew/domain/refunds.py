"""Rules for refunds: money handed back against one payment.

A refund is a ledger entry of its own (a ``Payment`` with a negative amount and
``refund_of`` naming the payment), so the booking's balance, ``payment_cleared`` and
receipts follow from ``payments.settle`` unchanged. A void says an entry was a mistake;
a refund says money went back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from .errors import Conflict, Invalid
from .models import Actor, Payment, PaymentMethod, new_id
from .money import check_amount
from .payments import MAX_TEXT

PROVIDER_METHODS = (PaymentMethod.STRIPE, PaymentMethod.PAYPAL)


def refunded_cents(payment: Payment, history: Iterable[Payment]) -> int:
    """What has been refunded of ``payment`` so far (refunds that are not voided)."""
    return -sum(p.amount_cents for p in history if p.refund_of == payment.id and not p.voided)


def refundable_cents(payment: Payment, history: Iterable[Payment]) -> int:
    return max(payment.amount_cents - refunded_cents(payment, history), 0)


def check_refund(
    payment: Payment, history: Iterable[Payment], *, amount_cents: int, reason: str
) -> str:
    """The reason, stripped, when ``amount_cents`` may be refunded of ``payment``; else
    Invalid or Conflict. Never more than was paid less what was already refunded."""
    reason = reason.strip()
    if not reason:
        raise Invalid("A reason is required to refund a payment.", {"reason": reason})
    if len(reason) > MAX_TEXT:
        raise Invalid(f"The reason is longer than {MAX_TEXT} characters.", {"reason": len(reason)})
    check_amount(amount_cents)
    if payment.is_refund:
        raise Conflict("A refund cannot be refunded.", {"payment_id": payment.id})
    if payment.voided:
        raise Conflict("This payment is voided.", {"payment_id": payment.id})
    left = refundable_cents(payment, history)
    if amount_cents > left:
        raise Conflict(
            f"Only {left} cents of this payment can still be refunded.",
            {"amount_cents": amount_cents, "refundable_cents": left, "payment_id": payment.id},
        )
    return reason


def check_voidable(payment: Payment, history: Iterable[Payment]) -> None:
    """A payment whose refunds stand cannot be voided (the ledger would give back money
    that was never taken): void its refunds first."""
    if not payment.is_refund and refunded_cents(payment, history) > 0:
        raise Conflict(
            "This payment has refunds: void them first.",
            {"payment_id": payment.id, "refunded_cents": refunded_cents(payment, history)},
        )


def refund_entry(
    payment: Payment,
    *,
    amount_cents: int,
    reason: str,
    by: Actor,
    at: datetime,
    reference: str = "",
    key: str | None = None,
) -> Payment:
    """The ledger entry for ``amount_cents`` handed back of ``payment``."""
    return replace(
        payment,
        id=new_id("pay"),
        amount_cents=-amount_cents,
        reference=reference,
        note=reason,
        logged_by=by.id,
        logged_by_name=by.name,
        logged_at=at,
        idempotency_key=key,
        receipt_no=None,
        voided_at=None,
        voided_by=None,
        void_reason=None,
        refund_of=payment.id,
    )
