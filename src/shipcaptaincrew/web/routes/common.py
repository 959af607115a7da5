"""Helpers shared by the routers: documented error responses and output mapping."""

from __future__ import annotations

from typing import Any

from ...domain.models import Event, Payment, RosterCounts
from ...services.views import BookingView
from ..errors import ErrorOut
from ..schemas import BookingOut, CountsOut, EventOut, PaymentOut

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in {
        400: "Malformed request (e.g. invalid JSON)",
        401: "Not signed in",
        403: "Not allowed for this role, or missing CSRF token",
        404: "Unknown event, patron, payment or route",
        409: "Conflicts with the current state (duplicate payment, cancelled event, ...)",
        413: "Request body too large",
        422: "Invalid fields",
        429: "Too many attempts",
    }.items()
}


def counts_out(c: RosterCounts) -> CountsOut:
    return CountsOut(**c.__dict__)


def event_out(e: Event, counts: RosterCounts | None = None) -> EventOut:
    return EventOut(
        id=e.id,
        title=e.title,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        location=e.location,
        capacity=e.capacity,
        price_cents=e.price_cents,
        currency=e.currency,
        status=e.status,
        waiver_template_id=e.waiver_template_id,
        timezone=e.timezone,
        counts=counts_out(counts) if counts else None,
    )


def payment_out(p: Payment) -> PaymentOut:
    return PaymentOut(
        id=p.id,
        event_id=p.event_id,
        patron_id=p.patron_id,
        amount_cents=p.amount_cents,
        currency=p.currency,
        method=p.method,
        reference=p.reference,
        note=p.note,
        logged_by=p.logged_by_name,
        logged_by_id=p.logged_by,
        logged_at=p.logged_at,
        receipt_no=p.receipt_no,
        voided=p.voided,
        voided_at=p.voided_at,
        voided_by=p.voided_by,
        void_reason=p.void_reason,
        refund_of=p.refund_of,
    )


def booking_out(view: BookingView, public_url: str) -> BookingOut:
    return BookingOut.of(view.booking, public_url, view.receipt_email)
