"""Receipts: the PDF for one payment, for crew and for the patron's guest page."""

from __future__ import annotations

from ..domain import payments as pay
from ..domain.errors import NotFound
from ..domain.models import Booking, Event, Payment
from ..receipts.pdf import ReceiptData, render_receipt
from .bookings import get_booking
from .context import Context
from .events import get_event


def receipt_data(
    ctx: Context, payment: Payment, booking: Booking | None = None, event: Event | None = None
) -> ReceiptData:
    """What the receipt for ``payment`` says (reads its event and booking unless given;
    NotFound when one does not exist). Changes nothing."""
    event = event or get_event(ctx, event_id=payment.event_id)
    booking = booking or get_booking(ctx, event_id=payment.event_id, patron_id=payment.patron_id)
    return ReceiptData(
        org_name=ctx.settings.org_name,
        receipt_no=payment.receipt_no or 0,
        patron_name=booking.patron_name,
        patron_email=booking.patron_email,
        event_title=event.title,
        event_starts_at=event.starts_at,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        method=pay.method_label(payment.method),
        reference=payment.reference,
        logged_by=payment.logged_by_name,
        logged_at=payment.logged_at,
        timezone=ctx.settings.timezone,
        voided_at=payment.voided_at,
        void_reason=payment.void_reason,
    )


def render(ctx: Context, data: ReceiptData) -> bytes:
    return render_receipt(data, font_path=ctx.settings.receipt_font)


def receipt_pdf(ctx: Context, *, payment_id: str, booking: Booking | None = None) -> bytes:
    """The receipt PDF for a payment ("VOID" on voided ones). With ``booking`` (a guest
    page) the payment must belong to it, else NotFound, as for an unknown payment.
    Changes nothing."""
    payment = ctx.store.get_payment(payment_id)
    if payment is None or (
        booking is not None
        and (payment.event_id, payment.patron_id) != (booking.event_id, booking.patron_id)
    ):
        raise NotFound("No such payment.", {"payment_id": payment_id})
    return render(ctx, receipt_data(ctx, payment, booking))


def receipt_filename(payment_id: str, receipt_no: int | None) -> str:
    return f"receipt-{receipt_no or payment_id}.pdf"
