"""The reminder sweep over 10,000 bookings: time and store reads per sweep.

Seeds a fresh SQLite file with 100 events (one every 7 hours over the next 29 days) of 100
bookings each (half of them with something missing), then runs the sweep once a minute on
a fake clock for a simulated day and prints: the time and SQL statements of a quiet sweep
(no reminder window opens), of a sweep that opens one event's window, and the day's
totals, with the bookings read against the 14.4 million a sweep reading every booking
every minute would read.

    PYTHONPATH=src .venv/bin/python bench/reminders.py [--events 100] [--per-event 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shipcaptaincrew.config import Settings
from shipcaptaincrew.domain.models import BookingStatus, EventStatus, new_guest_token, new_id
from shipcaptaincrew.services import reminders
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.storage import schema as t
from shipcaptaincrew.storage.sql import SqlStore

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def seed(store: SqlStore, events: int, per_event: int) -> None:
    """Rows written in bulk (the sweep is measured, not the seeding)."""
    event_rows, patron_rows, booking_rows = [], [], []
    for e in range(events):
        event_id = new_id("evt")
        starts = NOW + timedelta(hours=7 * e + 1)
        event_rows.append(
            {
                "id": event_id,
                "title": f"Trip {e}",
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=2),
                "location": "Pier",
                "capacity": None,
                "price_cents": 4500,
                "currency": "USD",
                "status": EventStatus.SCHEDULED.value,
                "waiver_template_id": None,
                "created_at": NOW,
                "updated_at": NOW,
                "version": 1,
            }
        )
        for i in range(per_event):
            patron_id = new_id("pat")
            email = f"{patron_id}@example.com"
            patron_rows.append(
                {"id": patron_id, "name": f"P {i}", "email": email, "phone": "", "created_at": NOW}
            )
            paid = i % 2 == 0
            booking_rows.append(
                {
                    "event_id": event_id,
                    "patron_id": patron_id,
                    "patron_name": f"P {i}",
                    "patron_email": email,
                    "patron_phone": "",
                    "party_size": 1,
                    "amount_due_cents": 4500,
                    "currency": "USD",
                    "status": BookingStatus.BOOKED.value,
                    "guest_token": new_guest_token(),
                    "created_at": NOW,
                    "amount_paid_cents": 4500 if paid else 0,
                    "payment_cleared": paid,
                    "cleared_at": NOW if paid else None,
                    "version": 1,
                }
            )
    with store.engine.begin() as conn:
        conn.execute(t.events.insert(), event_rows)
        conn.execute(t.patrons.insert(), patron_rows)
        conn.execute(t.bookings.insert(), booking_rows)


class Meter:
    """SQL statements run, and bookings the sweep read (through list_bookings)."""

    def __init__(self, store: SqlStore) -> None:
        self.statements = 0
        self.bookings_read = 0
        sa.event.listen(store.engine, "before_cursor_execute", self._count)
        original = store.list_bookings

        def list_bookings(event_id: str) -> Any:
            found = original(event_id)
            self.bookings_read += len(found)
            return found

        store.list_bookings = list_bookings  # type: ignore[method-assign]

    def _count(self, *_args: Any) -> None:
        self.statements += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--per-event", type=int, default=100)
    args = parser.parse_args()
    total = args.events * args.per_event
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SCC_VAR_DIR": tmp, "SCC_SECRET_KEY": "bench-secret-key-0123456789"}
        settings = Settings.from_env(env)
        store = SqlStore(settings.database_url)
        store.init_schema()
        seed(store, args.events, args.per_event)
        clock = Clock()
        ctx = Context(store=store, settings=settings, clock=clock)
        meter = Meter(store)

        # The first sweep handles every window already open (the events of the next 48 h).
        start = time.perf_counter()
        first = reminders.send_reminders(ctx)
        first_ms = (time.perf_counter() - start) * 1000
        first_sql = meter.statements
        first_read = meter.bookings_read

        quiet, opening = [], []
        day_start_sql, day_start_read = meter.statements, meter.bookings_read
        queued = 0
        for _minute in range(24 * 60):
            clock.now += timedelta(minutes=1)
            before = meter.statements
            start = time.perf_counter()
            report = reminders.send_reminders(ctx)
            took = (time.perf_counter() - start) * 1000
            queued += report.queued
            (opening if report.events else quiet).append((took, meter.statements - before))
        day_sql = meter.statements - day_start_sql
        day_read = meter.bookings_read - day_start_read
        store.close()

    def median(rows: list[tuple[float, int]], i: int) -> float:
        values = sorted(r[i] for r in rows)
        return values[len(values) // 2] if values else 0.0

    print(f"reminder sweep over {total} bookings ({args.events} events), SQLite:")
    print(
        f"  first sweep (windows already open): {first_ms:.0f} ms, {first_sql} SQL statements, "
        f"{first_read} bookings read, {first.queued} reminders queued"
    )
    print(
        f"  quiet sweep (no window opens): {median(quiet, 0):.2f} ms median, "
        f"{median(quiet, 1):.0f} SQL statements, 0 bookings read"
    )
    print(
        f"  sweep opening one event's window: {median(opening, 0):.1f} ms median, "
        f"{median(opening, 1):.0f} SQL statements"
    )
    print(
        f"  one simulated day (1440 sweeps): {len(opening)} windows opened, {queued} reminders "
        f"queued, {day_sql} SQL statements, {day_read} bookings read "
        f"(reading every booking every minute: {total * 1440})"
    )


if __name__ == "__main__":
    main()
