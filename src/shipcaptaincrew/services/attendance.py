"""Check-in and paper waivers: what crew record at the gangway."""

from __future__ import annotations

import dataclasses

from ..domain import bookings as rules
from ..domain.errors import Conflict
from ..domain.models import Booking, BookingStatus, CrewMember, WaiverKind
from .access import actor_of
from .bookings import Change, change_booking, get_booking
from .context import Context
from .events import get_event
from .views import BookingView, booking_view


def set_checked_in(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str, checked_in: bool
) -> BookingView:
    """Check a patron in (who and when) or undo it. Writes an audit entry when the state
    changes; repeating the same state changes nothing."""
    rules.check_open(get_event(ctx, event_id=event_id))

    def decide(booking: Booking) -> Change | None:
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(
                f"This booking is {booking.status.value}.", {"status": booking.status.value}
            )
        if booking.checked_in == checked_in:
            return None
        now = ctx.now()
        previous = booking.checked_in_at.isoformat() if booking.checked_in_at else None
        return Change(
            dataclasses.replace(
                booking,
                checked_in_at=now if checked_in else None,
                checked_in_by=by.id if checked_in else None,
            ),
            "attendance.checked_in" if checked_in else "attendance.undone",
            {"checked_in": checked_in, "previous_at": previous},
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide
    )
    return booking_view(ctx, booking)


def confirm_paper_waiver(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str
) -> BookingView:
    """Record that crew collected a signed paper waiver. Writes an audit entry; a booking
    whose waiver is already on file is returned unchanged."""
    rules.check_open(get_event(ctx, event_id=event_id))

    def decide(booking: Booking) -> Change | None:
        rules.check_active(booking)
        if booking.waiver_signed:
            return None
        return Change(
            dataclasses.replace(
                booking, waiver_kind=WaiverKind.PAPER, waiver_at=ctx.now(), waiver_by=by.id
            ),
            "waiver.paper_confirmed",
            {"kind": "paper"},
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide
    )
    return booking_view(ctx, booking)


def waiver_status(ctx: Context, *, event_id: str, patron_id: str) -> BookingView:
    """The booking (its waiver fields) with its receipt email status. Changes nothing."""
    return booking_view(ctx, get_booking(ctx, event_id=event_id, patron_id=patron_id))
