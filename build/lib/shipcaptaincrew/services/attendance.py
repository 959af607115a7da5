"""Check-in and paper waivers: what crew record at the gangway."""

from __future__ import annotations

import dataclasses

from ..domain import bookings as rules
from ..domain.errors import Conflict
from ..domain.models import Booking, BookingStatus, CrewMember, WaiverKind
from . import audit
from .auth import actor_of
from .context import Context, retry_stale
from .events import get_event
from .roster import get_booking


def set_checked_in(
    ctx: Context, *, by: CrewMember, event_id: str, patron_id: str, checked_in: bool
) -> Booking:
    """Check a patron in (who and when) or undo it. Writes an audit entry when the state
    changes; repeating the same state changes nothing."""
    rules.check_open(get_event(ctx, event_id=event_id))

    def attempt() -> Booking:
        booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(
                f"This booking is {booking.status.value}.", {"status": booking.status.value}
            )
        if booking.checked_in == checked_in:
            return booking
        now = ctx.now()
        updated = dataclasses.replace(
            booking,
            checked_in_at=now if checked_in else None,
            checked_in_by=by.id if checked_in else None,
        )
        previous = booking.checked_in_at.isoformat() if booking.checked_in_at else None
        ctx.store.update_booking(
            updated,
            booking.version,
            audit.entry(
                ctx,
                actor=actor_of(by),
                action="attendance.checked_in" if checked_in else "attendance.undone",
                subject=f"{event_id}/{patron_id}",
                event_id=event_id,
                patron_id=patron_id,
                data={"checked_in": checked_in, "previous_at": previous},
            ),
        )
        return dataclasses.replace(updated, version=booking.version + 1)

    return retry_stale(attempt)


def confirm_paper_waiver(ctx: Context, *, by: CrewMember, event_id: str, patron_id: str) -> Booking:
    """Record that crew collected a signed paper waiver. Writes an audit entry; a booking
    whose waiver is already on file is returned unchanged."""
    rules.check_open(get_event(ctx, event_id=event_id))

    def attempt() -> Booking:
        booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
        rules.check_active(booking)
        if booking.waiver_signed:
            return booking
        updated = dataclasses.replace(
            booking, waiver_kind=WaiverKind.PAPER, waiver_at=ctx.now(), waiver_by=by.id
        )
        ctx.store.update_booking(
            updated,
            booking.version,
            audit.entry(
                ctx,
                actor=actor_of(by),
                action="waiver.paper_confirmed",
                subject=f"{event_id}/{patron_id}",
                event_id=event_id,
                patron_id=patron_id,
                data={"kind": "paper"},
            ),
        )
        return dataclasses.replace(updated, version=booking.version + 1)

    return retry_stale(attempt)
