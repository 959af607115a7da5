"""What the use cases answer with beyond a record: each is everything one response needs,
so a route makes one call."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import outbox as ob
from ..domain.models import Booking, Event, RosterCounts
from .context import Context


@dataclass(frozen=True)
class BookingView:
    booking: Booking
    receipt_email: str | None = None  # the patron's latest receipt email (queued/sent/failed)


@dataclass(frozen=True)
class EventView:
    event: Event
    counts: RosterCounts
    roster: list[BookingView] | None = None  # only when asked for


@dataclass(frozen=True)
class RosterView:
    event: Event
    counts: RosterCounts
    bookings: list[BookingView]
    credits: dict[str, int]  # patron id -> credit spendable now in the event's currency (> 0)


def receipt_email_status(
    ctx: Context, *, event_id: str, patron_id: str | None = None
) -> dict[str, str]:
    """Each patron's (or only ``patron_id``'s) latest receipt or correction email status on
    the event (queued / sent / failed), in one read. Changes nothing."""
    latest = ctx.store.latest_outbox_status(event_id, ob.RECEIPT_KINDS, patron_id)
    return {pid: ob.crew_status(status) for pid, status in latest.items()}


def booking_view(ctx: Context, booking: Booking) -> BookingView:
    """The booking with its receipt email status (one read). Changes nothing."""
    emails = receipt_email_status(ctx, event_id=booking.event_id, patron_id=booking.patron_id)
    return BookingView(booking, emails.get(booking.patron_id))
