"""Check-in and paper waivers: what crew record at the gangway."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain import boarding
from ..domain import bookings as rules
from ..domain.errors import Conflict
from ..domain.models import AuditEntry, Booking, BookingStatus, CrewMember, WaiverKind, evolve
from ..domain.occurred import occurred_time, times
from .access import actor_of
from .bookings import Change, change_booking, get_booking, read_event_booking
from .context import Context
from .views import BookingView, booking_view


def _keyed(ctx: Context, event_id: str, patron_id: str, key: str | None) -> AuditEntry | None:
    """The patron's audit entry written by a request with this idempotency key, if any."""
    if not key:
        return None
    for entry in ctx.store.list_audit(event_id=event_id, patron_id=patron_id):
        if entry.data.get("idempotency_key") == key:
            return entry
    return None


def _replayed(entry: AuditEntry | None, action: str) -> bool:
    """True when ``entry`` (found by key) is this very request already applied; a Conflict
    when the key was used for another action."""
    if entry is None:
        return False
    if entry.action != action:
        raise Conflict(
            "This Idempotency-Key was used for a different action.", {"action": entry.action}
        )
    return True


def _extra(at: datetime, now: datetime, sent_at: datetime | None, key: str | None) -> Any:
    """Audit data for a request sent later (its two times) or with an idempotency key."""
    extra: dict[str, Any] = times(at, now) if sent_at is not None else {}
    if key:
        extra["idempotency_key"] = key
    return extra


def set_checked_in(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    patron_id: str,
    checked_in: bool,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
    board_anyway: str | None = None,
) -> BookingView:
    """Check a patron in (who and when) or undo it. Writes an audit entry when the state
    changes; repeating the same state changes nothing. ``occurred_at`` (an action taken
    offline) is kept as the check-in time and the audit entry records it with the time it
    was received; a repeated ``idempotency_key`` changes nothing. ``board_anyway`` is the
    reason crew give at the boarding gate for someone unpaid or without a waiver: it may
    not be blank, and the audit entry records it with what was missing."""
    reason = boarding.board_anyway_reason(board_anyway) if board_anyway is not None else None
    event, read, email = read_event_booking(ctx, event_id=event_id, patron_id=patron_id)
    rules.check_open(event)
    action = "attendance.checked_in" if checked_in else "attendance.undone"
    now = ctx.now()
    at = occurred_time(occurred_at, now=now, window_hours=ctx.settings.offline_window_hours)

    def decide(booking: Booking) -> Change | None:
        if _replayed(_keyed(ctx, event_id, patron_id, idempotency_key), action):
            return None
        if booking.status != BookingStatus.BOOKED:
            raise Conflict(
                f"This booking is {booking.status.value}.", {"status": booking.status.value}
            )
        if booking.checked_in == checked_in:
            return None
        previous = booking.checked_in_at.isoformat() if booking.checked_in_at else None
        gate = (
            {"board_anyway": reason, "missing": boarding.missing(booking)}
            if reason and checked_in
            else {}
        )
        return Change(
            evolve(
                booking,
                checked_in_at=at if checked_in else None,
                checked_in_by=by.id if checked_in else None,
            ),
            action,
            {
                "checked_in": checked_in,
                "previous_at": previous,
                **_extra(at, now, occurred_at, idempotency_key),
                **gate,
            },
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide, read=read
    )
    return BookingView(booking, email)  # no email sent here: the status read with the booking


def confirm_paper_waiver(
    ctx: Context,
    *,
    by: CrewMember,
    event_id: str,
    patron_id: str,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> BookingView:
    """Record that crew collected a signed paper waiver. Writes an audit entry; a booking
    whose waiver is already on file is returned unchanged. ``occurred_at`` and
    ``idempotency_key`` work as for ``set_checked_in``."""
    event, read, email = read_event_booking(ctx, event_id=event_id, patron_id=patron_id)
    rules.check_open(event)
    action = "waiver.paper_confirmed"
    now = ctx.now()
    at = occurred_time(occurred_at, now=now, window_hours=ctx.settings.offline_window_hours)

    def decide(booking: Booking) -> Change | None:
        if _replayed(_keyed(ctx, event_id, patron_id, idempotency_key), action):
            return None
        rules.check_active(booking)
        if booking.waiver_signed:
            return None
        return Change(
            evolve(booking, waiver_kind=WaiverKind.PAPER, waiver_at=at, waiver_by=by.id),
            action,
            {"kind": "paper", **_extra(at, now, occurred_at, idempotency_key)},
        )

    booking = change_booking(
        ctx, actor=actor_of(by), event_id=event_id, patron_id=patron_id, decide=decide, read=read
    )
    return BookingView(booking, email)  # no email sent here: the status read with the booking


def waiver_status(ctx: Context, *, event_id: str, patron_id: str) -> BookingView:
    """The booking (its waiver fields) with its receipt email status. Changes nothing."""
    return booking_view(ctx, get_booking(ctx, event_id=event_id, patron_id=patron_id))
