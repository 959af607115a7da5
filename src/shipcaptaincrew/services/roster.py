"""The roster: patrons on an event, adding and cancelling bookings."""

from __future__ import annotations

import dataclasses

from ..domain import bookings as rules
from ..domain.errors import Conflict, DuplicateKey, Invalid, NotFound
from ..domain.models import (
    Booking,
    BookingStatus,
    CrewMember,
    Event,
    Patron,
    new_guest_token,
    new_id,
)
from . import audit
from .auth import actor_of, require_manager
from .context import Context, retry_stale
from .events import get_event


def get_booking(ctx: Context, *, event_id: str, patron_id: str) -> Booking:
    """The booking, or NotFound (unknown event, or patron not on it). Changes nothing."""
    booking = ctx.store.get_booking(event_id, patron_id)
    if booking is None:
        get_event(ctx, event_id=event_id)
        raise NotFound(
            "This patron is not on the event.", {"event_id": event_id, "patron_id": patron_id}
        )
    return booking


def roster(ctx: Context, *, event_id: str) -> tuple[Event, list[Booking]]:
    """The event and its bookings, by name. Changes nothing."""
    event = get_event(ctx, event_id=event_id)
    return event, ctx.store.list_bookings(event_id)


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
) -> Booking:
    """Book a patron onto the event (admins and captains). An existing patron is matched by
    email, case-insensitively. The booking is waitlisted when the party does not fit the
    capacity. Amount due is the event price times the party size. Writes an audit entry.
    ``legacy_id`` is the booking's id in the system it is imported from (kept on it)."""
    require_manager(by)
    name, email, phone = name.strip(), email.strip().lower(), phone.strip()
    if not name:
        raise Invalid("The patron needs a name.", {"name": name})
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise Invalid("That email address does not look right.", {"email": email})
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
            raise DuplicateKey(
                "This patron is already on the event.", {"patron_id": patron.id, "email": email}
            )
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
        try:
            return ctx.store.add_booking(
                patron=patron, new_patron=new, booking=booking, capacity=event.capacity, audit=entry
            )
        except DuplicateKey:
            if not new:
                raise
            # Another request added this email at the same moment: book that patron.
    raise DuplicateKey("This patron is already on the event.", {"email": email})


def promote_booking(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> Booking:
    """Book a waitlisted patron onto the event (admins and captains), if the party fits
    the places left; Conflict when it does not or the booking is not waitlisted. Writes
    an audit entry."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    rules.check_open(event)

    def attempt() -> Booking:
        booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
        if booking.status != BookingStatus.WAITLISTED:
            raise Conflict(
                f"This booking is {booking.status.value}, not waitlisted.",
                {"status": booking.status.value},
            )
        promoted = dataclasses.replace(booking, status=BookingStatus.BOOKED)
        entry = audit.entry(
            ctx,
            actor=actor_of(by),
            action="booking.promoted",
            subject=f"{event_id}/{patron_id}",
            event_id=event_id,
            patron_id=patron_id,
            data={"from": "waitlisted", "party_size": booking.party_size},
        )
        ctx.store.promote_booking(promoted, booking.version, event.capacity, entry)
        return dataclasses.replace(promoted, version=booking.version + 1)

    return retry_stale(attempt)


def cancel_booking(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str, reason: str = ""
) -> Booking:
    """Cancel a booking (admins and captains). Payments stay as they are; void them
    separately if money is returned. Writes an audit entry."""
    require_manager(by)

    def attempt() -> Booking:
        booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
        rules.check_active(booking)
        updated = dataclasses.replace(
            booking, status=BookingStatus.CANCELLED, cancelled_at=ctx.now()
        )
        ctx.store.update_booking(
            updated,
            booking.version,
            audit.entry(
                ctx,
                actor=actor_of(by),
                action="booking.cancelled",
                subject=f"{event_id}/{patron_id}",
                event_id=event_id,
                patron_id=patron_id,
                data={"reason": reason.strip(), "from": booking.status.value},
            ),
        )
        return dataclasses.replace(updated, version=booking.version + 1)

    return retry_stale(attempt)
