"""Booking emails through the outbox: booked, waitlisted, cancelled, event cancelled, the
guest link sent again, and reminders.

A use case makes the message here (``booking_message``) and hands it to the store write
that records the change. Delivery builds the email from the booking and event as they are
then (``build_booking_email``), as receipts are built from the payment.
"""

from __future__ import annotations

from email.message import EmailMessage

from ..domain import outbox as ob
from ..domain import reminders as rem
from ..domain.models import Booking, BookingStatus, Event, OutboxMessage, new_id
from ..notify import messages as mail
from ..notify.base import SendError
from .context import Context

# The outbox kind of each booking email -> what the email says.
SAYS = {
    ob.BOOKED: mail.BOOKED,
    ob.WAITLISTED: mail.WAITLISTED,
    ob.CANCELLED: mail.CANCELLED,
    ob.EVENT_CANCELLED: mail.EVENT_CANCELLED,
    ob.LINK: mail.LINK,
    ob.REMINDER: mail.REMINDER,
}
# The patrons a cancelled event writes to.
TOLD_OF_CANCELLED_EVENT = (BookingStatus.BOOKED, BookingStatus.WAITLISTED)


def booking_message(
    ctx: Context, *, booking: Booking, kind: str, key: str, payload: dict | None = None
) -> OutboxMessage:
    """An email of ``kind`` to the booking's patron, due now, deduplicated by ``key``.
    Writes nothing: pass it to the store write that records its cause."""
    now = ctx.now()
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=key,
        kind=kind,
        to=booking.patron_email,
        payload=payload or {},
        created_at=now,
        next_attempt_at=now,
        event_id=booking.event_id,
        patron_id=booking.patron_id,
    )


def booked_message(ctx: Context, booking: Booking) -> OutboxMessage:
    """The email of a new booking (the store makes it the waitlist email when the booking
    is waitlisted: ``domain.outbox.admitted``)."""
    key = ob.booking_key(booking.event_id, booking.patron_id, "booked")
    return booking_message(ctx, booking=booking, kind=ob.BOOKED, key=key)


def event_cancelled_message(ctx: Context, event: Event) -> OutboxMessage:
    """The message that, on delivery, queues the cancellation email of each booked and
    waitlisted patron of ``event`` (``expand``). Writes nothing."""
    now = ctx.now()
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=f"event:{event.id}:cancelled:{event.version}",
        kind=ob.EVENT_CANCELLED_ALL,
        to="",
        payload={},
        created_at=now,
        next_attempt_at=now,
        event_id=event.id,
    )


def expand(ctx: Context, message: OutboxMessage) -> list[OutboxMessage]:
    """Queue one EVENT_CANCELLED email per booked or waitlisted patron of the message's
    event (a dedup key per booking: a repeat queues nothing twice); the ones queued."""
    event_id = message.event_id or ""
    bookings = ctx.store.list_bookings(event_id)
    out = [
        booking_message(
            ctx,
            booking=b,
            kind=ob.EVENT_CANCELLED,
            key=ob.booking_key(b.event_id, b.patron_id, f"event-cancelled:{message.id}"),
        )
        for b in bookings
        if b.status in TOLD_OF_CANCELLED_EVENT
    ]
    return ctx.store.add_outbox(out)


def build_booking_email(ctx: Context, message: OutboxMessage) -> EmailMessage:
    """The MIME message for a booking email, from the current booking and event.
    Changes nothing."""
    booking = ctx.store.get_booking(message.event_id or "", message.patron_id or "")
    event = ctx.store.get_event(message.event_id or "")
    if booking is None or event is None:
        raise SendError("The booking of this message does not exist", permanent=True)
    # A reminder says what is missing now; what was missing when it was queued otherwise.
    missing = tuple(rem.missing(event, booking) or message.payload.get("missing", ()))
    return mail.compose_booking(
        mail.BookingEmail(
            kind=SAYS[message.kind],
            org_name=ctx.settings.org_name,
            patron_name=booking.patron_name,
            patron_email=message.to,
            event_id=event.id,
            event_title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            location=event.location,
            timezone=ctx.settings.timezone,
            party_size=booking.party_size,
            amount_due_cents=booking.amount_due_cents,
            balance_cents=0 if booking.payment_cleared else booking.balance_cents,
            currency=booking.currency,
            guest_url=f"{ctx.settings.public_url}/g/{booking.guest_token}",
            waiver_needed=rem.waiver_needed(event, booking),
            mail_from=ctx.settings.mail_from,
            reply_to=ctx.settings.mail_reply_to,
            message_id=message.id,
            created_at=message.created_at,
            missing=missing,
            event_timezone=event.timezone,
        )
    )
