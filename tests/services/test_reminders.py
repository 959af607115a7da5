"""Reminders from the sweep with a fake clock, delivered to a real SMTP server: exactly the
due ones, once each; none for a signed and paid booking, after opt-out, or after the start."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import PaymentMethod, Role
from shipcaptaincrew.notify.smtp import SmtpSender
from shipcaptaincrew.services import attendance, payments, reminders, roster, waiver_templates
from shipcaptaincrew.services.payments import PaymentRequest
from tests import factories as f
from tests.mailserver import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def party(ctx, smtp, clock):
    """An event 50 hours away (waiver required, $45 a place) and five bookings."""
    admin = f.crew(ctx, Role.ADMIN)
    template = waiver_templates.create_template(ctx, by=admin, name="Boat", text="At own risk.")
    start = clock.now + timedelta(hours=50)
    event = f.event(ctx, admin, starts_at=start, capacity=4, waiver_template_id=template.id)
    book = {
        name: f.booking(ctx, admin, event.id, name=name, email=f"{name}@example.com")
        for name in ("due", "ready", "stopped", "cancelled")
    }
    book["waiting"] = f.booking(ctx, admin, event.id, name="waiting", email="waiting@x.org")
    assert book["waiting"].status.value == "waitlisted"
    ready = book["ready"]
    attendance.confirm_paper_waiver(ctx, by=admin, event_id=event.id, patron_id=ready.patron_id)
    req = PaymentRequest(patron_id=ready.patron_id, amount_cents=4500, method=PaymentMethod.CASH)
    payments.log_payment(ctx, by=admin, event_id=event.id, req=req)
    reminders.stop_reminders(ctx, token=book["stopped"].guest_token)
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=book["cancelled"].patron_id)
    sender = SmtpSender(host="127.0.0.1", port=smtp.port, security="none", timeout=5)
    for m in ctx.store.list_outbox():  # the receipt and the cancellation: not reminders
        assert m.kind in (ob.RECEIPT, ob.CANCELLED)
    return event, book, sender


def _reminders(ctx) -> list:
    return sorted(
        (m.to, m.payload["offset"]) for m in ctx.store.list_outbox() if m.kind == ob.REMINDER
    )


def test_each_due_reminder_once_saying_what_is_missing(ctx, party, clock, smtp) -> None:
    event, book, sender = party
    assert reminders.send_reminders(ctx).queued == 0  # 50 h before: no window open yet
    clock.now = event.starts_at - timedelta(hours=48)
    first = reminders.send_reminders(ctx)
    assert (first.events, first.queued) == (1, 1)
    assert _reminders(ctx) == [("due@example.com", "48h")]
    assert reminders.send_reminders(ctx).queued == 0  # never twice
    clock.advance(hours=44, minutes=59)  # 3 h 1 min before
    assert reminders.send_reminders(ctx).queued == 0
    clock.advance(minutes=1)
    reminders_report, delivery = reminders.sweep(ctx, sender)
    # both reminders, the receipt and the cancellation
    assert (reminders_report.queued, delivery.sent) == (1, 4)
    assert _reminders(ctx) == [("due@example.com", "3h"), ("due@example.com", "48h")]
    clock.now = event.starts_at
    assert reminders.send_reminders(ctx).queued == 0  # never after the start
    assert reminders.sweep(ctx, sender)[1].sent == 0

    mails = [r.message for r in smtp.wait_for(4) if r.rcpt_tos == ["due@example.com"]]
    assert [m["Subject"] for m in mails] == ["Reminder: Sunset Cruise, Fri 03 Jul 14:00"] * 2
    text = mails[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Before you board, please:\n  - sign your waiver\n  - pay the balance of $45.00" in text
    assert f"http://testserver/g/{book['due'].guest_token}" in text
    entries = [e for e in ctx.store.list_audit(event_id=event.id) if e.action == "reminders.queued"]
    assert [e.data for e in entries] == [
        {"offsets": ["3h"], "queued": 1},
        {"offsets": ["48h"], "queued": 1},
    ]


def test_a_late_event_gets_only_the_nearest_reminder(ctx, party, clock) -> None:
    event, _book, _sender = party
    clock.now = event.starts_at - timedelta(hours=2)  # both windows open, none handled
    assert reminders.send_reminders(ctx).queued == 1
    assert _reminders(ctx) == [("due@example.com", "3h")]
    assert ctx.store.reminders_handled([event.id]) == {event.id: {2880, 180}}
    assert reminders.send_reminders(ctx).queued == 0


def test_only_what_is_missing_is_asked(ctx, party, clock, smtp) -> None:
    event, book, sender = party
    due = book["due"]
    admin = f.crew(ctx, Role.ADMIN, "boss@example.org")
    attendance.confirm_paper_waiver(ctx, by=admin, event_id=event.id, patron_id=due.patron_id)
    clock.now = event.starts_at - timedelta(hours=3)
    assert reminders.sweep(ctx, sender)[1].sent == 3
    [mail] = [r.message for r in smtp.wait_for(3) if r.rcpt_tos == ["due@example.com"]]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Before you board, please:\n  - pay the balance of $45.00\n" in text
    assert "sign your waiver" not in text


def test_reminders_off_sends_none(ctx, party, clock) -> None:
    import dataclasses

    event, _book, _sender = party
    ctx.settings = dataclasses.replace(ctx.settings, reminder_offsets=())
    clock.now = event.starts_at - timedelta(hours=1)
    assert reminders.send_reminders(ctx).queued == 0
    assert ctx.store.reminders_handled([event.id]) == {event.id: set()}
