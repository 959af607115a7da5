"""Live sync: what changed on an event's roster since a phone last looked.

Every change to a roster writes an audit entry for its event, so the id of the event's
newest audit entry is its change marker: reading it is one small indexed read (SQL: the
``(event_id, seq)`` index; DynamoDB: one item from GSI1), which is all an unchanged poll
costs. It works the same with several server processes and on Lambda.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.models import AuditEntry
from .bookings import get_booking
from .context import Context
from .events import get_event
from .views import BookingView, booking_view

NO_CHANGES = "none"  # the marker of an event nothing has been recorded for
WINDOW = 200  # how far back a cursor is looked for; older phones reload the whole roster


@dataclass(frozen=True)
class Changes:
    cursor: str
    bookings: list[BookingView]
    reload: bool = False  # the event itself changed, or the cursor is too old: reload


def newest(ctx: Context, *, event_id: str) -> AuditEntry | None:
    """The event's newest audit entry (its id is the change marker), if any. Changes
    nothing."""
    entries = ctx.store.list_audit(event_id=event_id, limit=1)
    return entries[0] if entries else None


def marker(ctx: Context, *, event_id: str) -> str:
    """The event's change marker (its newest audit entry's id). Changes nothing."""
    entry = newest(ctx, event_id=event_id)
    return entry.id if entry else NO_CHANGES


def changes(ctx: Context, *, event_id: str, since: str) -> Changes | None:
    """The bookings changed since the marker ``since``, or None when nothing changed (one
    read). An event-level change or a cursor not among the last entries asks the phone
    to reload the roster. Changes nothing."""
    current = marker(ctx, event_id=event_id)
    if current == NO_CHANGES:
        get_event(ctx, event_id=event_id)  # an unknown event is NotFound, not "unchanged"
    if current == since:
        return None
    entries = ctx.store.list_audit(event_id=event_id, limit=WINDOW)
    patrons: list[str] = []
    for entry in entries:
        if entry.id == since:
            break
        if entry.patron_id is None:
            return Changes(entries[0].id, [], reload=True)
        if entry.patron_id not in patrons:
            patrons.append(entry.patron_id)
    else:
        if since != NO_CHANGES or len(entries) == WINDOW:
            return Changes(entries[0].id if entries else current, [], reload=True)
    cursor = entries[0].id if entries else current
    # Each changed booking once, in the order of its latest change.
    views = [
        booking_view(ctx, get_booking(ctx, event_id=event_id, patron_id=p))
        for p in reversed(patrons)
    ]
    return Changes(cursor, views)
