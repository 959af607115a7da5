"""Importing legacy events into a real SQLite store through the ordinary use cases."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shipcaptaincrew.domain.legacy import LegacyMapping
from shipcaptaincrew.domain.legacy_events import LegacyEvent, legacy_event
from shipcaptaincrew.domain.models import BookingStatus, PaymentMethod, WaiverKind
from shipcaptaincrew.services.context import Context
from shipcaptaincrew.services.legacy_import import import_legacy

ITEM = {
    "event_id": "2026-07-04-sunset",
    "title": "Sunset cruise",
    "date": "2026-07-04T18:00:00-04:00",
    "location": "Pier 3",
    "price": 45,
    "participants": [
        {"patron_id": "p1", "name": "Ann Lee", "email": "ann@example.com", "party_size": 2,
         "attendance": True, "waiver": True, "payment_cleared": True},
        {"patron_id": "p2", "name": "Bo Chen", "email": "bo@example.com", "waiver": True},
        {"patron_id": "p3", "name": "Cy Walk-in"},
    ],
}  # fmt: skip


def _events(item: dict = ITEM) -> list[LegacyEvent]:
    return [legacy_event(item, LegacyMapping(), ZoneInfo("America/New_York"))]


def _snapshot(ctx: Context) -> tuple:
    events = ctx.store.list_events()
    bookings = [b for e in events for b in ctx.store.list_bookings(e.id)]
    payments = [p for e in events for p in ctx.store.list_payments(e.id)]
    return events, bookings, payments, ctx.store.list_audit(limit=1000), ctx.store.list_outbox()


def test_import_creates_events_bookings_checkins_waivers_and_payments(ctx: Context) -> None:
    report = import_legacy(ctx, events=_events(), dry_run=False)
    assert (report.events, report.bookings, report.check_ins, report.waivers) == (1, 3, 1, 2)
    assert (report.payments, report.payments_cents, report.already) == (1, 9000, 0)
    assert report.problems == []
    assert report.no_email == [
        "2026-07-04-sunset/p3 (Cy Walk-in): 2026-07-04-sunset.p3@no-email.example"
    ]
    [event] = ctx.store.list_events()
    assert (event.legacy_id, event.title, event.location, event.price_cents) == (
        "2026-07-04-sunset", "Sunset cruise", "Pier 3", 4500,
    )  # fmt: skip
    assert event.starts_at == datetime(2026, 7, 4, 22, 0, tzinfo=UTC)
    ann, bo, cy = ctx.store.list_bookings(event.id)
    assert [b.legacy_id for b in (ann, bo, cy)] == ["p1", "p2", "p3"]
    assert (ann.party_size, ann.amount_due_cents, ann.amount_paid_cents) == (2, 9000, 9000)
    assert ann.payment_cleared and ann.checked_in and ann.checked_in_by == "importer"
    assert (ann.waiver_kind, ann.waiver_by) == (WaiverKind.PAPER, "importer")
    assert (bo.waiver_kind, bo.checked_in, bo.payment_cleared) == (WaiverKind.PAPER, False, False)
    assert (bo.balance_cents, cy.balance_cents) == (4500, 4500)
    assert cy.patron_email == "2026-07-04-sunset.p3@no-email.example"
    assert all(b.status == BookingStatus.BOOKED for b in (ann, bo, cy))
    [payment] = ctx.store.list_payments(event.id)
    assert (payment.method, payment.amount_cents, payment.logged_by) == (
        PaymentMethod.IMPORTED, 9000, "importer",
    )  # fmt: skip
    assert payment.reference == "2026-07-04-sunset/p1"
    assert payment.receipt_no == 1
    audit = ctx.store.list_audit(limit=100)
    assert {a.actor for a in audit} == {"system:importer"}
    assert {a.actor_name for a in audit} == {"Legacy import"}
    assert sorted(a.action for a in audit) == sorted(
        ["event.created", "booking.added", "booking.added", "booking.added",
         "attendance.checked_in", "waiver.paper_confirmed", "waiver.paper_confirmed",
         "payment.imported"]
    )  # fmt: skip
    assert ctx.store.list_outbox() == []  # no receipts for money paid before the move


def test_second_run_imports_nothing_twice_and_picks_up_what_changed(ctx: Context) -> None:
    import_legacy(ctx, events=_events(), dry_run=False)
    before = _snapshot(ctx)
    again = import_legacy(ctx, events=_events(), dry_run=False)
    assert (again.events, again.changed, again.already) == (0, 0, 1)
    assert again.lines[0].endswith("; nothing new")
    assert _snapshot(ctx) == before
    changed = {**ITEM, "participants": [
        *ITEM["participants"][:1],
        {**ITEM["participants"][1], "attendance": True, "payment_cleared": True},
        *ITEM["participants"][2:],
        {"patron_id": "p4", "name": "Di Late", "email": "di@example.com"},
    ]}  # fmt: skip
    third = import_legacy(ctx, events=_events(changed), dry_run=False)
    assert (third.events, third.bookings, third.check_ins, third.waivers, third.payments) == (
        0, 1, 1, 0, 1,
    )  # fmt: skip
    [event] = ctx.store.list_events()
    assert third.lines == [
        f"2026-07-04-sunset: already imported as {event.id}; "
        "added 1 bookings, 1 check-ins, 0 waivers, 1 payments"
    ]
    assert len(ctx.store.list_bookings(event.id)) == 4
    assert sum(p.amount_cents for p in ctx.store.list_payments(event.id)) == 13500


def test_dry_run_writes_nothing_and_says_what_it_would_do(ctx: Context) -> None:
    before = _snapshot(ctx)
    report = import_legacy(ctx, events=_events(), dry_run=True)
    assert _snapshot(ctx) == before
    assert report.lines == [
        "2026-07-04-sunset: would create event 'Sunset cruise' (2026-07-04) with "
        "3 bookings, 1 check-ins, 2 waivers, 1 payments"
    ]
    assert (report.events, report.payments_cents, len(report.no_email)) == (1, 9000, 1)
    import_legacy(ctx, events=_events(), dry_run=False)
    after = _snapshot(ctx)
    assert import_legacy(ctx, events=_events(), dry_run=True).changed == 0
    assert _snapshot(ctx) == after


def test_records_the_store_refuses_are_reported_and_the_rest_lands(ctx: Context) -> None:
    item = {**ITEM, "capacity": 2, "participants": [
        {"patron_id": "a", "name": "Ann", "email": "same@example.com", "party_size": 2},
        {"patron_id": "b", "name": "Ann's friend", "email": "SAME@example.com"},
        {"patron_id": "c", "name": "Late", "email": "late@example.com", "attendance": True},
    ]}  # fmt: skip
    report = import_legacy(ctx, events=_events(item), dry_run=False)
    assert report.problems == [
        ("2026-07-04-sunset/b", "not imported: same@example.com is already on this event"),
        ("2026-07-04-sunset/c", "not checked in: the booking is waitlisted"),
    ]
    [event] = ctx.store.list_events()
    statuses = {b.legacy_id: b.status for b in ctx.store.list_bookings(event.id)}
    assert statuses == {"a": BookingStatus.BOOKED, "c": BookingStatus.WAITLISTED}


def test_dynamodb_store_keeps_legacy_ids_so_a_second_run_adds_nothing(dynamo_ctx: Context) -> None:
    first = import_legacy(dynamo_ctx, events=_events(), dry_run=False)
    assert (first.events, first.bookings, first.payments) == (1, 3, 1)
    before = _snapshot(dynamo_ctx)
    [event] = before[0]
    assert event.legacy_id == "2026-07-04-sunset"
    assert {b.legacy_id for b in before[1]} == {"p1", "p2", "p3"}
    again = import_legacy(dynamo_ctx, events=_events(), dry_run=False)
    assert (again.changed, again.already) == (0, 1)
    assert _snapshot(dynamo_ctx) == before


def test_booking_emails_only_when_asked_and_never_to_a_placeholder(ctx: Context) -> None:
    import_legacy(ctx, events=_events(), dry_run=False)
    assert ctx.store.list_outbox() == []  # silent by default
    second = {**ITEM, "event_id": "2026-07-05-sunset", "date": "2026-07-05T18:00:00-04:00"}
    report = import_legacy(ctx, events=_events(second), dry_run=False, send_booking_emails=True)
    assert report.booking_emails is True
    mails = sorted((m.kind, m.to) for m in ctx.store.list_outbox())
    assert mails == [
        ("booking_confirmed", "ann@example.com"),
        ("booking_confirmed", "bo@example.com"),
    ]  # the walk-in without an email (a placeholder address) gets none
