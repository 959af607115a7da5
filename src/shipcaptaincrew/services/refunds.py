"""Refunds: money handed back against a payment (admins and captains).

A cash (or card, check, ...) refund is recorded at once: the crew member handed the money
back. A Stripe or PayPal refund is asked of the provider and recorded when its webhook
confirms it (``record_refund`` with the provider's actor), so the ledger only ever shows
money that really went back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..domain import outbox as ob
from ..domain import payments as pay
from ..domain import refunds as rules
from ..domain.errors import Conflict, DuplicateKey, NotFound
from ..domain.models import Actor, Booking, CrewMember, Payment
from ..storage.base import PaymentWrite
from . import audit
from .access import actor_of, require_manager
from .bookings import get_booking
from .context import Context, retry_stale
from .outbox import payment_message


@dataclass(frozen=True)
class Refunded:
    payment: Payment  # the payment money went back from
    refund: Payment | None  # the ledger entry; None while the provider has not confirmed
    booking: Booking
    requested: str = ""  # the provider's refund id, when asked of a provider
    created: bool = True


def _payment(ctx: Context, payment_id: str) -> Payment:
    payment = ctx.store.get_payment(payment_id)
    if payment is None:
        raise NotFound("No such payment.", {"payment_id": payment_id})
    return payment


def refund_payment(
    ctx: Context,
    *,
    by: CrewMember,
    payment_id: str,
    amount_cents: int,
    reason: str,
    idempotency_key: str | None = None,
) -> Refunded:
    """Refund ``amount_cents`` of a payment (admins and captains), never more than was paid
    less what was refunded already. Stripe and PayPal payments: asks the provider and
    writes a ``payment.refund_requested`` audit entry; the refund is recorded when the
    provider confirms. Other methods: records the refund at once (``record_refund``)."""
    require_manager(by)
    payment = _payment(ctx, payment_id)
    history = ctx.store.list_payments(payment.event_id, payment.patron_id)
    why = rules.check_refund(payment, history, amount_cents=amount_cents, reason=reason)
    if payment.method not in rules.PROVIDER_METHODS:
        return record_refund(
            ctx,
            by=actor_of(by),
            payment=payment,
            amount_cents=amount_cents,
            reason=why,
            key=idempotency_key,
        )
    provider = ctx.providers.get(payment.method.value)
    if provider is None:
        raise Conflict(
            f"{pay.method_label(payment.method)} is not set up here: refund it in its dashboard.",
            {"method": payment.method.value},
        )
    done = rules.refunded_cents(payment, history)
    requested = provider.refund(
        payment_reference=payment.reference,
        amount_cents=amount_cents,
        currency=payment.currency,
        idempotency_key=idempotency_key or f"{payment.id}:{done}:{amount_cents}",
        metadata={
            "event_id": payment.event_id,
            "patron_id": payment.patron_id,
            "payment_id": payment.id,
            "reason": why,
        },
    )
    ctx.store.add_audit(
        audit.entry(
            ctx,
            actor=actor_of(by),
            action="payment.refund_requested",
            subject=payment.id,
            event_id=payment.event_id,
            patron_id=payment.patron_id,
            data={"amount_cents": amount_cents, "reason": why, "refund": requested},
        )
    )
    booking = get_booking(ctx, event_id=payment.event_id, patron_id=payment.patron_id)
    return Refunded(payment, None, booking, requested=requested)


def record_refund(
    ctx: Context,
    *,
    by: Actor,
    payment: Payment,
    amount_cents: int,
    reason: str,
    reference: str = "",
    key: str | None = None,
    confirmed: bool = False,
) -> Refunded:
    """Write the refund entry, the re-settled booking, a ``payment.refunded`` audit entry
    and the patron's refund receipt email in one transaction, then hand the email to
    ``ctx.after_commit``. The store's booking version condition makes concurrent refunds
    retry against each other, so together they never pass what was paid. ``confirmed``
    (a provider's webhook): the money went back already, so it is recorded even past that.
    With ``key`` a repeat returns the first entry (created=False)."""

    def attempt() -> Refunded:
        booking = get_booking(ctx, event_id=payment.event_id, patron_id=payment.patron_id)
        if key and (done := ctx.store.get_payment_by_key(key)) is not None:
            return Refunded(payment, done, booking, created=False)
        history = ctx.store.list_payments(payment.event_id, payment.patron_id)
        current = next((p for p in history if p.id == payment.id), payment)
        if not confirmed:
            rules.check_refund(current, history, amount_cents=amount_cents, reason=reason)
        now = ctx.now()
        entry = rules.refund_entry(
            current,
            amount_cents=amount_cents,
            reason=reason,
            by=by,
            at=now,
            reference=reference,
            key=key,
        )
        settled = pay.settle(booking, [*history, entry], now=now)
        mail = payment_message(ctx, payment=entry, booking=settled, kind=ob.RECEIPT)
        note = audit.entry(
            ctx,
            actor=by,
            action="payment.refunded",
            subject=entry.id,
            event_id=payment.event_id,
            patron_id=payment.patron_id,
            data={
                "payment_id": payment.id,
                "refund_id": entry.id,
                "amount_cents": amount_cents,
                "reason": reason,
                "reference": reference,
                "amount_paid_cents": settled.amount_paid_cents,
                "payment_cleared": settled.payment_cleared,
            },
        )
        try:
            [stored] = ctx.store.add_payments(
                [PaymentWrite(entry, settled, booking.version)], [note], [mail]
            )
        except DuplicateKey:
            if key and ctx.store.get_payment_by_key(key):
                return attempt()
            raise
        ctx.after_commit([mail])
        return Refunded(payment, stored, dataclasses.replace(settled, version=booking.version + 1))

    return retry_stale(attempt)
