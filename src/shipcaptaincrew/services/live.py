"""Live sync: what changed on an event's roster since a phone last looked.

Every change to a roster writes an audit entry for its event, so the id of the event's
newest audit entry is its change marker: reading it is one small indexed read (SQL: the
``(event_id, seq)`` index; DynamoDB: one item from GSI1), which is all an unchanged poll
costs. It works the same with several server processes and on Lambda.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.models import AuditEntry
from .bookings import get_booking
from .context import Context
from .events import get_event
from .roster import credit_held
from .views import BookingView, booking_view

NO_CHANGES = "none"  # the marker of an event nothing has been recorded for
WINDOW = 200  # how far back a cursor is looked for; older phones reload the whole roster


@dataclass(frozen=True)
class Changes:
    cursor: str
    bookings: list[BookingView]
    reload: bool = False  # the event itself changed, or the cursor is too old: reload
    # The credit each changed booking's patron can spend now, for those who hold some:
    # credit is the patron's, outside the booking, and a payment from it changes both.
    credit: dict[str, int] = field(default_factory=dict)


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
    """The bookings changed since the marker ``since`` with their patrons' credit, or None
    when nothing changed (one read). An event-level change or a cursor not among the last
    entries asks the phone to reload the roster. Changes nothing."""
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
    if not views:
        return Changes(cursor, views)
    credit = credit_held(ctx, currency=views[0].booking.currency, patron_ids=patrons)
    return Changes(cursor, views, credit=credit)


def reads_are_local(ctx: Context) -> bool:
    """Whether the store answers from this machine (``Store.local``): a read of a booking
    or two then costs less than the roster made afresh, not a round trip each."""
    return ctx.store.local


def _read_back(
    ctx: Context, *, event_id: str, limits: Sequence[int], found: Callable[[AuditEntry], bool]
) -> tuple[list[AuditEntry], int | None]:
    """The event's last ``limits[0]`` entries, newest first, then, when none is ``found``
    and there are more, its last ``limits[1]`` and so on (a read each); with where the
    first ``found`` one is among them (None: nowhere)."""
    entries: list[AuditEntry] = []
    for limit in limits:
        entries = ctx.store.list_audit(event_id=event_id, limit=limit)
        at = next((i for i, entry in enumerate(entries) if found(entry)), None)
        if at is not None or len(entries) < limit:
            return entries, at
    return entries, None


def changed_since(
    ctx: Context, *, event_id: str, since: str, limits: Sequence[int]
) -> list[AuditEntry] | None:
    """The event's entries after the entry ``since``, newest first, among its last
    ``limits[0]``, then, when ``since`` is not among them, its last ``limits[1]`` and so on
    (a read each). None when one of them changed the event itself, or when ``since`` is not
    among the last ``limits[-1]``. Changes nothing."""
    entries, at = _read_back(
        ctx,
        event_id=event_id,
        limits=limits,
        found=lambda entry: entry.id == since or entry.patron_id is None,
    )
    return entries[:at] if at is not None and entries[at].id == since else None


def settled(
    ctx: Context, *, event_id: str, settle: timedelta, limits: Sequence[int]
) -> tuple[str | None, list[AuditEntry]]:
    """``split_settled`` of the event's last ``limits[0]`` entries, then, when none of them
    is ``settle`` old and there are more, of its last ``limits[1]`` and so on (a read
    each; the settled entry is most often among the first few). Changes nothing."""
    now = ctx.now()
    entries, _ = _read_back(
        ctx, event_id=event_id, limits=limits, found=lambda entry: now - entry.at >= settle
    )
    return split_settled(entries, now=now, settle=settle)


def split_settled(
    entries: list[AuditEntry], *, now: datetime, settle: timedelta
) -> tuple[str | None, list[AuditEntry]]:
    """The newest of ``entries`` (newest first) written at least ``settle`` ago, and the
    entries newer than it (all of them when none is that old): every change before that
    one has committed (no write stays open that long), so what is read now holds them all;
    a younger one may have committed after a newer one."""
    for i, entry in enumerate(entries):
        if now - entry.at >= settle:
            return entry.id, entries[:i]
    return None, entries
