"""Reading one booking and changing it safely: the helper every booking use case shares.

A change reads the booking, decides its new state (a pure decision, often a domain rule),
and stores it with the version it read and an audit entry, in one store write. When
another phone changed the booking in between, the store refuses the write (StaleWrite)
and the change is read and decided again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import outbox as ob
from ..domain import refusals
from ..domain.errors import NotFound
from ..domain.models import Actor, AuditEntry, Booking, Event, OutboxMessage, evolve
from . import audit
from .context import Context, retry_stale
from .events import get_event

# Stores the new booking state with the version it was read at and the audit entry.
Write = Callable[[Booking, int, AuditEntry], None]


@dataclass(frozen=True)
class Change:
    """What a use case decided for a booking: its new state and what the audit says."""

    booking: Booking
    action: str
    data: dict[str, Any] = field(default_factory=dict)
    write: Write | None = None  # another store write than ``update_booking``
    outbox: Sequence[OutboxMessage] = ()  # emails ``update_booking`` stores with the change


def get_booking(ctx: Context, *, event_id: str, patron_id: str) -> Booking:
    """The booking, or NotFound (unknown event, or patron not on it). Changes nothing."""
    booking = ctx.store.get_booking(event_id, patron_id)
    if booking is None:
        get_event(ctx, event_id=event_id)
        raise not_on_event(event_id, patron_id)
    return booking


def read_event_booking(
    ctx: Context, *, event_id: str, patron_id: str
) -> tuple[Event, Booking | None, str | None]:
    """The event, the patron's booking on it (None: not on it) and its receipt email's
    status as crew see it (``views.BookingView``) in one read, or NotFound (unknown
    event). Changes nothing."""
    found = ctx.store.get_event_booking(event_id, patron_id, ob.RECEIPT_KINDS)
    if found is None:
        raise refusals.no_such_event(event_id)
    event, booking, email = found
    return event, booking, None if email is None else ob.crew_status(email)


def not_on_event(event_id: str, patron_id: str) -> NotFound:
    return NotFound(
        "This patron is not on the event.", {"event_id": event_id, "patron_id": patron_id}
    )


def change_booking(
    ctx: Context,
    *,
    actor: Actor,
    event_id: str,
    patron_id: str,
    decide: Callable[[Booking], Change | None],
    read: Booking | None = None,
) -> Booking:
    """Read the booking, let ``decide`` return its change (None: nothing to change, and
    nothing is written), and store it with an audit entry by ``actor`` in one write,
    retrying from a fresh read when another writer got there first. Returns the booking
    as stored (the current one when nothing changed). ``read``: the booking as the caller
    just read it, taken instead of the first read."""
    first = [read] if read is not None else []

    def attempt() -> Booking:
        current = first.pop() if first else get_booking(ctx, event_id=event_id, patron_id=patron_id)
        change = decide(current)
        if change is None:
            return current
        entry = audit.entry(
            ctx,
            actor=actor,
            action=change.action,
            subject=f"{event_id}/{patron_id}",
            event_id=event_id,
            patron_id=patron_id,
            data=change.data,
        )
        if change.write is not None:
            change.write(change.booking, current.version, entry)
        else:
            ctx.store.update_booking(change.booking, current.version, entry, change.outbox)
        return evolve(change.booking, version=current.version + 1)

    return retry_stale(attempt)
