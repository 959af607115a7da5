"""Other departures with room: what the console proposes for a weather call or a
rebooking, and what a patron may choose on the guest page."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain import settlements as rules
from ..domain.models import BookingStatus, CrewMember, Event, EventStatus
from .access import require_manager
from .bookings import get_booking
from .context import Context
from .events import get_event

MAX_OPTIONS = 8


@dataclass(frozen=True)
class Option:
    event: Event
    room: int | None


def departures(ctx: Context, event: Event) -> list[tuple[Event, int]]:
    """Other scheduled departures in the event's currency that have not started, soonest
    first, with the places booked on each."""
    now = ctx.now()
    found = [
        e
        for e in ctx.store.list_events()
        if e.id != event.id
        and e.status == EventStatus.SCHEDULED
        and e.currency == event.currency
        and e.starts_at > now
    ]
    found.sort(key=lambda e: (abs((e.starts_at - event.starts_at).total_seconds()), e.id))
    booked = ctx.store.list_bookings_for_events([e.id for e in found])
    held = {
        e.id: sum(b.party_size for b in booked[e.id] if b.status == BookingStatus.BOOKED)
        for e in found
    }
    return [(e, held[e.id]) for e in found]


def departures_with_room(
    ctx: Context, *, event: Event, party_size: int, exclude: frozenset[str] = frozenset()
) -> list[Option]:
    """The departures a party of ``party_size`` from ``event`` could move to, nearest in
    time first (at most ``MAX_OPTIONS``). Changes nothing."""
    out = []
    for e, held in departures(ctx, event):
        room = rules.room(e, held)
        if e.id not in exclude and (room is None or room >= party_size):
            out.append(Option(e, room))
    return out[:MAX_OPTIONS]


def rebook_options(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> list[Option]:
    """Other scheduled departures with room for this party, nearest in time first (admins
    and captains). Changes nothing."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    return departures_with_room(ctx, event=event, party_size=booking.party_size)
