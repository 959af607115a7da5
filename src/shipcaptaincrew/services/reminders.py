"""Reminders before each event, run by the same sweep that delivers email.

A sweep reads the events starting within the largest offset (one query) and the reminder
windows already handled for them (one more); only for an event whose window has opened
and was not handled does it read that event's bookings. So a sweep every minute reads no
booking at all on most minutes. The rules (which windows, who, what is missing) are in
``domain/reminders.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from ..domain import outbox as ob
from ..domain import reminders as rules
from ..domain.models import SYSTEM, Actor, ActorKind, Booking
from ..notify.base import Sender
from . import audit
from .booking_mail import booking_message
from .bookings import Change, change_booking
from .context import Context
from .outbox import DeliveryReport, deliver_due
from .waivers import booking_for_token


@dataclass
class ReminderReport:
    events: int = 0  # events whose reminder window was handled
    queued: int = 0  # reminder emails queued


def send_reminders(ctx: Context, *, now: datetime | None = None) -> ReminderReport:
    """Queue the reminders due at ``now`` (the context's clock by default): for each event
    with a reminder window open and not handled, one reminder per booking that
    ``rules.wants_reminder``; marks the window handled with an audit entry by the system."""
    now = now or ctx.now()
    offsets = ctx.settings.reminder_offsets
    report = ReminderReport()
    if not offsets:
        return report
    events = ctx.store.list_events_starting(after=now, until=now + rules.horizon(offsets))
    handled = ctx.store.reminders_handled([e.id for e in events])
    for event in events:
        send, mark = rules.windows(event, offsets, handled[event.id], now)
        if not mark:
            continue
        bookings = ctx.store.list_bookings(event.id) if send is not None else []
        messages = [
            booking_message(
                ctx,
                booking=b,
                kind=ob.REMINDER,
                key=rules.dedup_key(b.event_id, b.patron_id, send),
                payload={"offset": rules.label(send), "missing": rules.missing(event, b)},
            )
            for b in bookings
            if send is not None and rules.wants_reminder(event, b, now)
        ]
        entry = audit.entry(
            ctx,
            actor=SYSTEM,
            action="reminders.queued",
            subject=event.id,
            event_id=event.id,
            data={"offsets": [rules.label(o) for o in mark], "queued": len(messages)},
        )
        done = ctx.store.add_reminders(
            event_id=event.id, offsets=mark, at=now, messages=messages, audit=entry
        )
        if done:
            report.events += 1
            report.queued += len(messages)
    return report


def sweep(
    ctx: Context, sender: Sender, *, now: datetime | None = None, limit: int = 100
) -> tuple[ReminderReport, DeliveryReport]:
    """One round of the background sweep: queue the reminders due, then deliver what is
    due (reminders included)."""
    reminders = send_reminders(ctx, now=now)
    return reminders, deliver_due(ctx, sender, now=now, limit=limit)


def stop_reminders(ctx: Context, *, token: str) -> Booking:
    """The patron behind ``token`` asks for no more reminders (receipts and booking emails
    still come). Writes an audit entry by the guest; nothing when already stopped."""
    booking = booking_for_token(ctx, token=token)
    guest = Actor(ActorKind.GUEST, booking.patron_id, booking.patron_name)

    def decide(b: Booking) -> Change | None:
        if b.reminders_stopped_at is not None:
            return None
        return Change(
            dataclasses.replace(b, reminders_stopped_at=ctx.now()), "booking.reminders_stopped"
        )

    return change_booking(
        ctx, actor=guest, event_id=booking.event_id, patron_id=booking.patron_id, decide=decide
    )
