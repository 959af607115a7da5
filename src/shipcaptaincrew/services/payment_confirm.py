"""Production's "confirm paid" form of the payment route: the balance left, method not
recorded, through the same use case as every payment."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from ..domain.models import Booking, CrewMember, Payment, PaymentMethod
from .bookings import get_booking
from .context import Context
from .payments import Logged, PaymentRequest, _replay, log_payment


def confirm_paid(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    patron_id: str,
    reference: str = "",
    note: str = "",
    idempotency_key: str | None = None,
    occurred_at: datetime | None = None,
) -> Logged | tuple[Booking, list[Payment]]:
    """Production's "confirm paid": log a payment of the balance left with method
    ``unspecified`` (shown as "Not recorded"), exactly as ``log_payment`` logs any payment
    (60-second rule, idempotency key, audit entry, receipt email). On a booking already
    paid in full nothing is logged and its payment status is returned as ``payment_status``
    gives it (a replayed key still returns its payment)."""

    req = PaymentRequest(
        patron_id, None, PaymentMethod.UNSPECIFIED, reference, note, occurred_at=occurred_at
    )
    if idempotency_key:
        existing = ctx.store.get_payment_by_key(idempotency_key)
        if existing is not None:
            return _replay(ctx, existing, event_id, req)
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    if booking.payment_cleared:
        return booking, ctx.store.list_payments(event_id, patron_id)
    req = dataclasses.replace(req, amount_cents=booking.balance_cents)
    return log_payment(ctx, by=by, event_id=event_id, req=req, idempotency_key=idempotency_key)
