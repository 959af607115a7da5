"""Reminders before an event: when they are due, who gets one and what it says. Pure.

Each offset (``SCC_REMINDER_OFFSETS``, default 48 h and 3 h before the start) opens a
reminder window at ``starts_at - offset``. A sweep sends each window once per event: it
marks the offsets it handled, so an event is never reminded twice for one offset. When a
sweep finds several windows open and unhandled (the event was created late, or the sweep
did not run), only the nearest one is sent and the others are marked as handled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from .errors import Invalid
from .models import Booking, BookingStatus, Event, EventStatus

DEFAULT_OFFSETS = "48h,3h"
MAX_OFFSETS = 6
MAX_OFFSET = timedelta(days=30)
_UNITS = {"m": 1, "h": 60, "d": 24 * 60}

WAIVER = "waiver"
BALANCE = "balance"


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"48h,3h"`` -> (2880, 180): minutes before the start, largest first. Invalid when
    a part is not a whole number of minutes (m), hours (h) or days (d), not more than 0,
    over 30 days, repeated, or there are more than six. Empty text: no reminders."""
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    minutes = []
    for part in parts:
        found = re.fullmatch(r"(\d{1,5})([mhd])", part)
        if not found:
            raise Invalid("Reminder offsets are like 48h,3h (m, h or d).", {"offset": part})
        value = int(found.group(1)) * _UNITS[found.group(2)]
        if not 0 < value <= MAX_OFFSET.total_seconds() // 60:
            raise Invalid("A reminder offset must be more than 0 and at most 30 days.")
        minutes.append(value)
    if len(set(minutes)) != len(minutes) or len(minutes) > MAX_OFFSETS:
        raise Invalid(f"Reminder offsets must differ, at most {MAX_OFFSETS} of them.")
    return tuple(sorted(minutes, reverse=True))


def label(minutes: int) -> str:
    """2880 -> "48h", 90 -> "90m"."""
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def horizon(offsets: Sequence[int]) -> timedelta:
    """How far ahead a sweep looks: events starting within the largest offset."""
    return timedelta(minutes=max(offsets, default=0))


def windows(
    event: Event, offsets: Iterable[int], handled: set[int], now: datetime
) -> tuple[int | None, list[int]]:
    """(the offset to send now or None, the offsets to mark handled) for ``event``: the
    windows open at ``now`` (after ``starts_at - offset``, before the start) not handled
    yet; only the nearest of them is sent. Nothing for an event that is not scheduled."""
    if event.status != EventStatus.SCHEDULED or now >= event.starts_at:
        return None, []
    opened = [
        o for o in offsets if o not in handled and event.starts_at - timedelta(minutes=o) <= now
    ]
    return (min(opened) if opened else None), sorted(opened, reverse=True)


def waiver_needed(event: Event, booking: Booking) -> bool:
    """The event asks for an online waiver and this booking has none yet."""
    return event.waiver_template_id is not None and not booking.waiver_signed


def missing(event: Event, booking: Booking) -> list[str]:
    """What the patron still has to do before boarding: ``WAIVER``, ``BALANCE``."""
    out = []
    if waiver_needed(event, booking):
        out.append(WAIVER)
    if booking.balance_cents > 0 and not booking.payment_cleared:
        out.append(BALANCE)
    return out


def wants_reminder(event: Event, booking: Booking, now: datetime) -> bool:
    """A booked patron who has not stopped reminders, with something missing, before the
    start. Never a cancelled or waitlisted booking."""
    return (
        booking.status == BookingStatus.BOOKED
        and booking.reminders_stopped_at is None
        and now < event.starts_at
        and bool(missing(event, booking))
    )


def dedup_key(event_id: str, patron_id: str, minutes: int) -> str:
    return f"reminder:{event_id}:{patron_id}:{label(minutes)}"
