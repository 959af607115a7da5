"""Headcount: persons of each party aboard and back, and the captain's passenger list."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ..domain import headcount as rules
from ..domain.models import Booking, CrewMember, Event, EventStatus
from ..domain.occurred import occurred_time, times
from ..receipts.passengers_pdf import PassengerList, PassengerRow, render_passengers
from . import events
from .access import actor_of
from .bookings import Change, change_booking
from .context import Context
from .events import get_event
from .views import BookingView, booking_view


def set_headcount(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    patron_id: str,
    aboard: int,
    returned: int,
    occurred_at: datetime | None = None,
) -> BookingView:
    """Set how many of the party are aboard and how many are back. Writes an audit entry
    (``headcount.changed``, with the counts before) when a count changes; ``occurred_at``
    (taken offline) is recorded with the time it was received."""
    get_event(ctx, event_id=event_id)
    now = ctx.now()
    at = occurred_time(occurred_at, now=now, window_hours=ctx.settings.offline_window_hours)

    def decide(booking: Booking) -> Change | None:
        rules.check_headcount(booking, aboard=aboard, returned=returned)
        if (booking.aboard, booking.returned) == (aboard, returned):
            return None
        data = {
            "aboard": aboard,
            "returned": returned,
            "previous": {"aboard": booking.aboard, "returned": booking.returned},
            **(times(at, now) if occurred_at is not None else {}),
        }
        return Change(
            dataclasses.replace(booking, aboard=aboard, returned=returned),
            "headcount.changed",
            data,
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide
    )
    return booking_view(ctx, booking)


@dataclass(frozen=True)
class Party:
    booking: Booking
    notes: tuple[str, ...]  # see domain.headcount.emergency_notes

    @property
    def still_out(self) -> int:
        return rules.still_out(self.booking)


@dataclass(frozen=True)
class Passengers:
    event: Event
    generated_at: datetime
    parties: list[Party]  # those who went aboard, by name
    aboard: int
    returned: int
    still_out: int

    @property
    def out_first(self) -> list[Party]:
        """The parties with someone still out first, then the others; by name in each."""
        return sorted(self.parties, key=lambda p: p.still_out == 0)


def passengers(ctx: Context, *, event_id: str) -> Passengers:
    """Who went aboard (parties with their counts and emergency notes) and the totals,
    timestamped now. Changes nothing."""
    event = get_event(ctx, event_id=event_id)
    bookings = ctx.store.list_bookings(event_id)
    aboard, returned, out = rules.totals(bookings)
    went = sorted((b for b in bookings if b.aboard), key=lambda b: b.patron_name.casefold())
    parties = [Party(b, rules.emergency_notes(b)) for b in went]
    return Passengers(event, ctx.now(), parties, aboard, returned, out)


def passenger_pdf(ctx: Context, *, event_id: str) -> bytes:
    """The passenger list as a PDF (those still out first). Changes nothing."""
    found = passengers(ctx, event_id=event_id)
    data = PassengerList(
        org_name=ctx.settings.org_name,
        event_title=found.event.title,
        event_starts_at=found.event.starts_at,
        generated_at=found.generated_at,
        timezone=ctx.settings.timezone,
        rows=[
            PassengerRow(
                p.booking.patron_name,
                p.booking.patron_phone,
                p.booking.party_size,
                p.booking.aboard,
                p.booking.returned,
                p.notes,
            )
            for p in found.parties
        ],
    )
    return render_passengers(data, font_path=ctx.settings.receipt_font)


def close_event(
    ctx: Context, *, by: CrewMember, event_id: str, reason: str = ""
) -> events.EventView:
    """Mark the event done (admins and captains). While someone is still out a reason is
    required, and the audit entry keeps it with the number still out."""
    return events.update_event(
        ctx, by=by, event_id=event_id, changes={"status": EventStatus.DONE}, close_reason=reason
    )
