"""The roster: patrons on an event, adding and cancelling bookings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..domain import bookings as rules
from ..domain import credits as ledger
from ..domain import outbox as ob
from ..domain import refusals
from ..domain.errors import Conflict, DuplicateKey
from ..domain.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CrewMember,
    OutboxMessage,
    Patron,
    new_guest_token,
    new_id,
)
from ..domain.text import clean_line
from . import audit
from .access import actor_of, require_manager
from .addresses import normalise_email
from .booking_mail import booked_message, booking_message
from .bookings import Change, change_booking
from .context import Context
from .events import get_event
from .views import BookingView, RosterView, booking_view, receipt_email_status

MAX_NAME, MAX_PHONE = 200, 40


def roster(ctx: Context, *, event_id: str) -> RosterView:
    """The event, its counts and its bookings by name, each with its receipt email status,
    and the credit its patrons hold (one read for all of them). Changes nothing."""
    event = get_event(ctx, event_id=event_id)
    bookings = ctx.store.list_bookings(event_id)
    emails = receipt_email_status(ctx, event_id=event_id)
    return RosterView(
        event,
        rules.count(bookings),
        [BookingView(b, emails.get(b.patron_id)) for b in bookings],
        credit_held(ctx, currency=event.currency, patron_ids=[b.patron_id for b in bookings]),
    )


def credit_held(ctx: Context, *, currency: str, patron_ids: Sequence[str]) -> dict[str, int]:
    """The credit each of ``patron_ids`` can spend now in ``currency``, for those who hold
    some (one read for all of them). Changes nothing."""
    held = ctx.store.list_credits_of(patron_ids)
    now = ctx.now()
    return {
        p: cents for p, entries in held.items() if (cents := ledger.balance(entries, currency, now))
    }


def add_patron(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    name: str,
    email: str,
    phone: str = "",
    party_size: int = 1,
    legacy_id: str | None = None,
    email_patron: bool = True,
) -> Booking:
    """Book a patron onto the event (admins and captains). An existing patron is matched by
    email, case-insensitively. The booking is waitlisted when the party does not fit the
    capacity. Amount due is the event price times the party size. Writes an audit entry
    and, with ``email_patron``, queues the booking (or waitlist) email in the same write.
    ``legacy_id`` is the booking's id in the system it is imported from (kept on it)."""
    require_manager(by)
    name = clean_line(name, "name", limit=MAX_NAME)
    email = normalise_email(email)
    phone = clean_line(phone, "phone", limit=MAX_PHONE, required=False)
    rules.check_party_size(party_size)
    event = get_event(ctx, event_id=event_id)
    rules.check_open(event)
    for _ in range(3):
        patron = ctx.store.get_patron_by_email(email)
        new = patron is None
        if patron is None:
            patron = Patron(
                id=new_id("pat"), name=name, email=email, phone=phone, created_at=ctx.now()
            )
        elif ctx.store.get_booking(event_id, patron.id) is not None:
            raise refusals.patron_already_booked(patron.id, email)
        booking = Booking(
            event_id=event_id,
            patron_id=patron.id,
            patron_name=patron.name,
            patron_email=patron.email,
            patron_phone=phone or patron.phone,
            party_size=party_size,
            amount_due_cents=event.price_cents * party_size,
            currency=event.currency,
            status=BookingStatus.BOOKED,
            guest_token=new_guest_token(),
            created_at=ctx.now(),
            payment_cleared=event.price_cents == 0,
            cleared_at=ctx.now() if event.price_cents == 0 else None,
            legacy_id=legacy_id,
        )
        entry = audit.entry(
            ctx,
            actor=actor_of(by),
            action="booking.added",
            subject=f"{event_id}/{patron.id}",
            event_id=event_id,
            patron_id=patron.id,
            data={
                "name": patron.name,
                "email": email,
                "party_size": party_size,
                "amount_due_cents": booking.amount_due_cents,
                **({"legacy_id": legacy_id} if legacy_id is not None else {}),
            },
        )
        mails = [booked_message(ctx, booking)] if email_patron else []
        try:
            stored = ctx.store.add_booking(
                patron=patron,
                new_patron=new,
                booking=booking,
                capacity=event.capacity,
                audit=entry,
                outbox=mails,
            )
        except DuplicateKey:
            if not new:
                raise
            # Another request added this email at the same moment: book that patron.
            continue
        ctx.after_commit([ob.admitted(m, stored) for m in mails])
        return stored
    raise refusals.patron_already_booked(booking.patron_id, email)


def promote_booking(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> BookingView:
    """Book a waitlisted patron onto the event (admins and captains), if the party fits
    the places left; Conflict when it does not or the booking is not waitlisted. Writes
    an audit entry and queues the booking email in the same write."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    rules.check_open(event)
    mails: list[OutboxMessage] = []

    def promote(booking: Booking, version: int, entry: AuditEntry) -> None:
        key = ob.booking_key(booking.event_id, booking.patron_id, f"promoted:{version}")
        mails[:] = [booking_message(ctx, booking=booking, kind=ob.BOOKED, key=key)]
        ctx.store.promote_booking(booking, version, event.capacity, entry, mails)

    def decide(booking: Booking) -> Change:
        if booking.status != BookingStatus.WAITLISTED:
            raise Conflict(
                f"This booking is {booking.status.value}, not waitlisted.",
                {"status": booking.status.value},
            )
        return Change(
            dataclasses.replace(booking, status=BookingStatus.BOOKED),
            "booking.promoted",
            {"from": "waitlisted", "party_size": booking.party_size},
            write=promote,
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide
    )
    ctx.after_commit(mails)
    return booking_view(ctx, booking)


def cancel_booking(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str, reason: str = ""
) -> BookingView:
    """Cancel a booking (admins and captains). Payments stay as they are; void them
    separately if money is returned. Writes an audit entry and queues the cancellation
    email in the same write."""
    require_manager(by)
    mails: list[OutboxMessage] = []

    def decide(booking: Booking) -> Change:
        rules.check_active(booking)
        key = ob.booking_key(booking.event_id, booking.patron_id, f"cancelled:{booking.version}")
        mails[:] = [booking_message(ctx, booking=booking, kind=ob.CANCELLED, key=key)]
        return Change(
            dataclasses.replace(booking, status=BookingStatus.CANCELLED, cancelled_at=ctx.now()),
            "booking.cancelled",
            {"reason": reason.strip(), "from": booking.status.value},
            outbox=mails,
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide
    )
    ctx.after_commit(mails)
    return booking_view(ctx, booking)
