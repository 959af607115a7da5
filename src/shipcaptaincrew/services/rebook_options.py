"""The departures one party could be rebooked on, as the console offers them."""

from __future__ import annotations

from ..domain.models import CrewMember
from .access import require_manager
from .bookings import get_booking
from .context import Context
from .events import get_event
from .settlements import Option, departures_with_room


def rebook_options(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> list[Option]:
    """Other scheduled departures with room for this party, nearest in time first (admins
    and captains). Changes nothing."""
    require_manager(by)
    event = get_event(ctx, event_id=event_id)
    booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
    return departures_with_room(ctx, event=event, party_size=booking.party_size)
