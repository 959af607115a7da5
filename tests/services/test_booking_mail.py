"""Booking emails through the outbox to a real SMTP server: booked (with the guest link and
an .ics), waitlisted then promoted, cancelled, a cancelled event; the guest link sent again
(once a minute) and as a QR code."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.errors import Conflict
from shipcaptaincrew.domain.models import Role
from shipcaptaincrew.notify.smtp import SmtpSender
from shipcaptaincrew.services import events, guest_link, outbox, roster, waiver_templates
from tests import factories as f
from tests.mailserver import SmtpServer


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def setup(ctx, smtp):
    committed: list = []
    ctx.after_commit = committed.extend
    admin = f.crew(ctx, Role.ADMIN)
    template = waiver_templates.create_template(ctx, by=admin, name="Boat", text="At own risk.")
    event = f.event(ctx, admin, capacity=2, waiver_template_id=template.id, location="Pier 3")
    sender = SmtpSender(host="127.0.0.1", port=smtp.port, security="none", timeout=5)
    return ctx, admin, event, sender, committed


def _deliver(ctx, sender) -> int:
    return outbox.deliver_due(ctx, sender).sent


def _book(ctx, admin, event, email: str, party: int = 1, name: str = "Łukasz Żółć"):
    return roster.add_patron(
        ctx, by=admin, event_id=event.id, name=name, email=email, party_size=party
    )


def _ics(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "event.ics"
    return Calendar.from_ical(part.get_content())


def test_a_booking_emails_the_link_and_an_ics_once(setup, smtp) -> None:
    ctx, admin, event, sender, committed = setup
    booking = _book(ctx, admin, event, "lukasz@example.com", party=2)
    [m] = ctx.store.list_outbox()
    assert committed == [m]
    assert (m.kind, m.to, m.dedup_key) == (
        ob.BOOKED,
        "lukasz@example.com",
        f"booking:{event.id}:{booking.patron_id}:booked",
    )
    assert _deliver(ctx, sender) == 1
    assert _deliver(ctx, sender) == 0  # exactly once
    [received] = smtp.wait_for(1)
    msg = received.message
    assert received.rcpt_tos == ["lukasz@example.com"]
    assert msg["Subject"] == "You're booked: Sunset Cruise, Wed 01 Jul 15:00"
    text = msg.get_body(("plain",)).get_content()
    link = f"http://testserver/g/{booking.guest_token}"
    assert "Hello Łukasz Żółć," in text
    assert "When:   Wednesday 01 July 2026, 15:00 UTC" in text
    assert "Where:  Pier 3" in text
    assert "Party:  2" in text
    assert "Amount: $90.00 ($90.00 still to pay)" in text
    assert "Please sign your waiver before you come" in text
    assert link in text
    html = msg.get_body(("html",)).get_content()
    assert f'<a href="{link}">' in html
    [vevent] = _ics(msg).walk("VEVENT")
    assert vevent.decoded("dtstart") == event.starts_at
    assert vevent.decoded("dtend") == event.ends_at
    assert str(vevent["summary"]) == "Sunset Cruise"
    assert str(vevent["status"]) == "CONFIRMED"


def test_waitlisted_then_promoted_gets_the_waitlist_then_the_booking_email(setup, smtp) -> None:
    ctx, admin, event, sender, _ = setup
    _book(ctx, admin, event, "first@example.com", party=2)
    waiting = _book(ctx, admin, event, "wait@example.com", name="Σωκράτης")
    assert _deliver(ctx, sender) == 2
    got = {r.rcpt_tos[0]: r.message["Subject"] for r in smtp.wait_for(2)}
    assert got["wait@example.com"] == "You're on the waitlist: Sunset Cruise, Wed 01 Jul 15:00"
    waited = [r.message for r in smtp.received if r.rcpt_tos == ["wait@example.com"]][0]
    assert _ics_free(waited)
    first = ctx.store.get_patron_by_email("first@example.com")
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=first.id)
    roster.promote_booking(ctx, by=admin, event_id=event.id, patron_id=waiting.patron_id)
    assert _deliver(ctx, sender) == 2
    subjects = sorted((r.rcpt_tos[0], r.message["Subject"]) for r in smtp.wait_for(4)[2:])
    assert subjects == [
        ("first@example.com", "Booking cancelled: Sunset Cruise, Wed 01 Jul 15:00"),
        ("wait@example.com", "You're booked: Sunset Cruise, Wed 01 Jul 15:00"),
    ]
    assert _deliver(ctx, sender) == 0


def _ics_free(message) -> bool:
    return not any(p.get_content_type() == "text/calendar" for p in message.iter_attachments())


def test_a_cancelled_booking_emails_once(setup, smtp) -> None:
    ctx, admin, event, sender, _ = setup
    b = _book(ctx, admin, event, "pat@example.com")
    _deliver(ctx, sender)
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=b.patron_id)
    with pytest.raises(Conflict):
        roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=b.patron_id)
    assert _deliver(ctx, sender) == 1
    [_, cancelled] = smtp.wait_for(2)
    text = cancelled.message.get_body(("plain",)).get_content()
    assert "Your booking on Sunset Cruise with ShipCaptainCrew Demo Co. is cancelled." in text
    assert b.guest_token not in text
    [vevent] = _ics(cancelled.message).walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED"
    assert _deliver(ctx, sender) == 0


def test_a_cancelled_event_emails_each_booked_and_waitlisted_patron_once(setup, smtp) -> None:
    ctx, admin, event, sender, _ = setup
    _book(ctx, admin, event, "a@example.com", party=2)
    _book(ctx, admin, event, "w@example.com")  # waitlisted
    gone = _book(ctx, admin, event, "c@example.com")  # waitlisted, then cancelled
    roster.cancel_booking(ctx, by=admin, event_id=event.id, patron_id=gone.patron_id)
    assert _deliver(ctx, sender) == 4
    events.update_event(ctx, by=admin, event_id=event.id, changes={"status": "cancelled"})
    assert _deliver(ctx, sender) == 1  # the fan-out message: it queues one email per patron
    assert len(smtp.received) == 4
    assert _deliver(ctx, sender) == 2
    assert _deliver(ctx, sender) == 0
    tail = smtp.wait_for(6)[4:]
    assert sorted((r.rcpt_tos[0], r.message["Subject"]) for r in tail) == [
        ("a@example.com", "Event cancelled: Sunset Cruise, Wed 01 Jul 15:00"),
        ("w@example.com", "Event cancelled: Sunset Cruise, Wed 01 Jul 15:00"),
    ]
    kinds = sorted(m.kind for m in ctx.store.list_outbox() if m.status == ob.SENT)
    assert kinds.count(ob.EVENT_CANCELLED) == 2
    assert kinds.count(ob.EVENT_CANCELLED_ALL) == 1


def test_send_link_at_most_once_a_minute_and_as_a_qr_code(setup, smtp, clock) -> None:
    ctx, admin, event, sender, committed = setup
    crew = f.crew(ctx, Role.CREW, "crew@example.org")
    b = f.booking(ctx, admin, event.id, email="pat@example.com")
    first = guest_link.send_link(ctx, by=crew, event_id=event.id, patron_id=b.patron_id)
    assert committed[-1] == first
    clock.advance(seconds=59)
    with pytest.raises(Conflict) as refused:
        guest_link.send_link(ctx, by=crew, event_id=event.id, patron_id=b.patron_id)
    assert refused.value.details == {"retry_at": "2026-07-01T12:01:00+00:00"}
    assert refused.value.message == (
        "The guest link was just sent; it can be sent again at 2026-07-01T12:01:00+00:00."
    )
    clock.advance(seconds=1)
    second = guest_link.send_link(ctx, by=crew, event_id=event.id, patron_id=b.patron_id)
    assert _deliver(ctx, sender) == 2
    received = smtp.wait_for(2)
    assert {r.message["Subject"] for r in received} == {
        "Your booking: Sunset Cruise, Wed 01 Jul 15:00"
    }
    assert (
        f"http://testserver/g/{b.guest_token}"
        in received[0].message.get_body(("plain",)).get_content()
    )
    actions = [e.action for e in ctx.store.list_audit(patron_id=b.patron_id)]
    assert actions[:2] == ["email.sent", "email.sent"]
    assert actions.count("booking.link_sent") == 2
    assert {first.id, second.id} == {m.id for m in ctx.store.list_outbox() if m.kind == ob.LINK}

    svg = guest_link.link_qr_svg(ctx, by=crew, event_id=event.id, patron_id=b.patron_id)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>Guest link</title>" in svg
    assert "<script" not in svg


def test_the_event_time_zone_is_shown_beside_the_organisations(ctx, smtp) -> None:
    admin = f.crew(ctx, Role.ADMIN)
    event = f.event(ctx, admin, timezone="Europe/Oslo")
    assert event.timezone == "Europe/Oslo"
    _book(ctx, admin, event, "oslo@example.com")
    sender = SmtpSender(host="127.0.0.1", port=smtp.port, security="none", timeout=5)
    assert _deliver(ctx, sender) == 1
    [received] = smtp.wait_for(1)
    text = received.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "  When:   Wednesday 01 July 2026, 15:00 UTC\n"
        "          (Wednesday 01 July 2026, 17:00 CEST where the event is)\n"
    ) in text
