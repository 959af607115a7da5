"""Outbox rules: message statuses, retry backoff and what crew see. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from .models import Booking, BookingStatus, OutboxMessage

QUEUED = "queued"  # waiting for its next attempt (at ``next_attempt_at``)
SENDING = "sending"  # claimed by a worker until ``next_attempt_at`` (the lease)
SENT = "sent"
FAILED = "failed"  # gave up after MAX_ATTEMPTS; ``scc outbox retry`` queues it again
STATUSES = (QUEUED, SENDING, SENT, FAILED)
# Due once ``next_attempt_at`` has passed: waiting messages, and claims whose lease ran out.
DUE_STATUSES = (QUEUED, SENDING)
# What ``retry`` may queue again: never one being sent or already sent.
REQUEUEABLE = (QUEUED, FAILED)

RECEIPT = "payment_receipt"
VOID = "payment_void"
RECEIPT_KINDS = (RECEIPT, VOID)
SEAT_LINK = "seat_link"  # one person's own waiver signing link (domain/seats.py)
PAY_LINK = "pay_link"  # crew sent the patron their guest link to pay online
# Booking emails: each is built at delivery from the booking and event as they are then.
BOOKED = "booking_confirmed"  # booked (at once, or promoted from the waitlist)
WAITLISTED = "booking_waitlisted"
CANCELLED = "booking_cancelled"
EVENT_CANCELLED = "event_cancelled"  # to one patron of a cancelled event
LINK = "guest_link"  # crew sent the guest link again
REMINDER = "event_reminder"
# Not an email: on delivery it queues one EVENT_CANCELLED message per booked or waitlisted
# patron of the event (any number of them, where one transaction could not hold them all).
EVENT_CANCELLED_ALL = "event_cancelled_all"
BOOKING_KINDS = (BOOKED, WAITLISTED, CANCELLED, EVENT_CANCELLED, LINK, REMINDER)
SETTLED = "settlement"  # a party's one email of a settlement plan (domain/settlements.py)
# Not an email: on delivery it runs what is left of a stored settlement plan, so a run that
# stopped halfway is finished by the next sweep once its lease runs out.
SETTLEMENT_RUN = "settlement_run"
# Crew may send a booking's guest link again once this long has passed.
LINK_INTERVAL = timedelta(minutes=1)

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=2)
MAX_ERROR = 500


def retry_delay(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, ... capped at 1 h."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When to try again after ``attempts`` failed attempts; None once it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + retry_delay(attempts)


def is_due(m: OutboxMessage, now: datetime) -> bool:
    return m.status in DUE_STATUSES and m.next_attempt_at <= now


def claim_order(m: OutboxMessage) -> tuple[datetime, datetime, str]:
    """Due messages are claimed earliest ``next_attempt_at`` first, then oldest."""
    return (m.next_attempt_at, m.created_at, m.id)


# Which of a patron's messages is their latest (the one whose status crew see on the card):
# the greatest ``created_at``, then the greatest ``id``. Stores rank by these fields.
RECENCY = ("created_at", "id")


def latest_statuses(rows: Iterable[tuple[str | None, datetime, str, str]]) -> dict[str, str]:
    """Each patron's status of their latest message, from ``(patron_id, created_at, id,
    status)`` rows in any order; rows without a patron are left out."""
    latest: dict[str, tuple[datetime, str, str]] = {}
    for patron_id, created_at, message_id, status in rows:
        if not patron_id:
            continue
        seen = latest.get(patron_id)
        if seen is None or (created_at, message_id) > seen[:2]:
            latest[patron_id] = (created_at, message_id, status)
    return {patron_id: found[2] for patron_id, found in latest.items()}


def claimed(m: OutboxMessage, lease_until: datetime) -> OutboxMessage:
    """A due message as a worker holds it: ``sending`` until the lease runs out, one more
    attempt counted."""
    return dataclasses.replace(
        m, status=SENDING, attempts=m.attempts + 1, next_attempt_at=lease_until
    )


def requeued(m: OutboxMessage, now: datetime) -> OutboxMessage:
    """A failed or waiting message queued for delivery now with a fresh set of attempts
    (its last error kept)."""
    return dataclasses.replace(m, status=QUEUED, attempts=0, next_attempt_at=now)


def crew_status(status: str) -> str:
    """What crew see: a message being sent right now is still "queued"."""
    return QUEUED if status == SENDING else status


def dedup_key(payment_id: str, kind: str) -> str:
    return f"payment:{payment_id}:{'void' if kind == VOID else 'receipt'}"


def booking_key(event_id: str, patron_id: str, what: str) -> str:
    """The dedup key of a booking email: ``what`` names the change (one email per change)."""
    return f"booking:{event_id}:{patron_id}:{what}"


def admitted(m: OutboxMessage, booking: Booking) -> OutboxMessage:
    """A new booking's email as stored with the booking: the booking email, or the waitlist
    email when ``domain.bookings.admit`` put the booking on the waitlist."""
    if m.kind != BOOKED or booking.status != BookingStatus.WAITLISTED:
        return m
    key = booking_key(booking.event_id, booking.patron_id, "waitlisted")
    return dataclasses.replace(m, kind=WAITLISTED, dedup_key=key)


def link_again_at(sent: list[OutboxMessage], now: datetime) -> datetime | None:
    """When crew may send the guest link again, if not now (``sent``: its link messages)."""
    if not sent:
        return None
    at = max(m.created_at for m in sent) + LINK_INTERVAL
    return at if at > now else None


def link_key(event_id: str, patron_id: str, now: datetime) -> str:
    """One link message per booking per minute, even when two crew press at once."""
    return booking_key(event_id, patron_id, f"link:{now.strftime('%Y%m%d%H%M')}")


def short_error(text: str, *secrets: str) -> str:
    """An error for ``last_error``: one line, bounded, with any secret blanked out."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    line = " ".join(text.split())
    return line if len(line) <= MAX_ERROR else line[: MAX_ERROR - 1] + "\u2026"
