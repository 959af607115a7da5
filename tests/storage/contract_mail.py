"""What every Store must do for booking emails and reminders. Mixed into StoreContract."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.errors import StaleWrite
from shipcaptaincrew.domain.models import BookingStatus, EventStatus, OutboxMessage, new_id
from shipcaptaincrew.storage.base import Store
from tests import factories as f
from tests.factories import T0


def _mail(b, kind: str = ob.BOOKED, key: str | None = None) -> OutboxMessage:
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=key or ob.booking_key(b.event_id, b.patron_id, "booked"),
        kind=kind,
        to=b.patron_email,
        payload={},
        created_at=T0,
        next_attempt_at=T0,
        event_id=b.event_id,
        patron_id=b.patron_id,
    )


def _event(store: Store, capacity: int | None = 10, starts=None):
    event = f.event_record(capacity=capacity)
    if starts is not None:
        event = dataclasses.replace(event, starts_at=starts, ends_at=starts + timedelta(hours=2))
    store.add_event(event, f.audit_entry("event.created", event.id))
    return event


def _book(store: Store, event, party_size: int = 1, outbox=()):
    patron = f.patron_record()
    booking = f.booking_record(event, patron, party_size)
    stored = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=booking,
        capacity=event.capacity,
        audit=f.audit_entry("booking.added"),
        outbox=[_mail(booking)] if outbox is None else outbox,
    )
    return stored


class MailContract:
    def test_a_booking_stores_its_email_the_waitlist_email_when_waitlisted(
        self, store: Store
    ) -> None:
        event = _event(store, capacity=2)
        booked = _book(store, event, 2, outbox=None)
        waitlisted = _book(store, event, 1, outbox=None)
        assert waitlisted.status == BookingStatus.WAITLISTED
        kinds = {(m.patron_id, m.kind, m.dedup_key) for m in store.list_outbox()}
        assert kinds == {
            (booked.patron_id, ob.BOOKED, f"booking:{event.id}:{booked.patron_id}:booked"),
            (
                waitlisted.patron_id,
                ob.WAITLISTED,
                f"booking:{event.id}:{waitlisted.patron_id}:waitlisted",
            ),
        }

    def test_booking_and_event_updates_store_their_emails_atomically(self, store: Store) -> None:
        event = _event(store, capacity=1)
        b = _book(store, event, 1)
        w = _book(store, event, 1)
        cancel = _mail(b, ob.CANCELLED, key="booking:cancel")
        store.update_booking(
            dataclasses.replace(b, status=BookingStatus.CANCELLED), 1, f.audit_entry(), [cancel]
        )
        with pytest.raises(StaleWrite):  # a stale write stores no email either
            store.update_booking(b, 1, f.audit_entry(), [_mail(b, ob.CANCELLED, key="x")])
        promoted = _mail(w, ob.BOOKED, key="booking:promoted")
        store.promote_booking(
            dataclasses.replace(w, status=BookingStatus.BOOKED),
            1,
            event.capacity,
            f.audit_entry(),
            [promoted],
        )
        fanout = dataclasses.replace(
            _mail(b, ob.EVENT_CANCELLED_ALL, key="event:cancelled"), patron_id=None, to=""
        )
        store.update_event(
            dataclasses.replace(event, status=EventStatus.CANCELLED), 1, f.audit_entry(), [fanout]
        )
        assert {m.id for m in store.list_outbox()} == {cancel.id, promoted.id, fanout.id}
        assert store.get_outbox(fanout.id) == fanout

    def test_add_outbox_skips_taken_keys_and_stores_audit_only_with_a_message(
        self, store: Store
    ) -> None:
        event = _event(store)
        b = _book(store, event)
        first = _mail(b, ob.LINK, key="link:1")
        entry = f.audit_entry("booking.link_sent", event.id, b.patron_id)
        assert store.add_outbox([first], [entry]) == [first]
        again = _mail(b, ob.LINK, key="link:1")
        refused = f.audit_entry("booking.link_sent", event.id, b.patron_id)
        assert store.add_outbox([again], [refused]) == []
        many = [_mail(b, ob.EVENT_CANCELLED, key=f"k:{n}") for n in range(45)]
        assert store.add_outbox([again, *many]) == many  # across more than one transaction
        assert store.get_outbox(again.id) is None
        audit_ids = [e.id for e in store.list_audit(patron_id=b.patron_id)]
        assert entry.id in audit_ids and refused.id not in audit_ids
        assert len(store.list_outbox(limit=100)) == 46

    def test_events_by_start_time(self, store: Store) -> None:
        base = T0 + timedelta(days=30)
        events = [_event(store, starts=base + timedelta(hours=h)) for h in (0, 1, 2, 3)]
        got = store.list_events_starting(after=base, until=base + timedelta(hours=2))
        assert [e.id for e in got] == [events[1].id, events[2].id]  # after < start <= until
        assert store.list_events_starting(after=base - timedelta(days=9), until=base) == [events[0]]

    def test_reminder_marks_once_per_offset(self, store: Store) -> None:
        event = _event(store)
        other = _event(store)
        b = _book(store, event)
        mail = _mail(b, ob.REMINDER, key="reminder:1")
        assert store.reminders_handled([event.id, other.id]) == {event.id: set(), other.id: set()}
        entry = f.audit_entry("reminders.queued", event.id)
        done = store.add_reminders(
            event_id=event.id, offsets=[2880, 180], at=T0, messages=[mail], audit=entry
        )
        assert done is True
        assert store.reminders_handled([event.id, other.id]) == {
            event.id: {2880, 180},
            other.id: set(),
        }
        assert [m.id for m in store.list_outbox()] == [mail.id]
        late = f.audit_entry("reminders.queued", event.id)
        repeat = _mail(b, ob.REMINDER, key="reminder:1")
        assert (
            store.add_reminders(
                event_id=event.id, offsets=[180], at=T0, messages=[repeat], audit=late
            )
            is False
        )
        assert [m.id for m in store.list_outbox()] == [mail.id]  # never twice
        assert late.id not in [e.id for e in store.list_audit(event_id=event.id)]
        assert store.add_reminders(
            event_id=other.id, offsets=[60], at=T0, messages=[], audit=f.audit_entry()
        )
        assert store.reminders_handled([other.id]) == {other.id: {60}}

    def test_reminder_opt_out_is_kept_on_the_booking(self, store: Store) -> None:
        event = _event(store)
        b = _book(store, event)
        stopped = dataclasses.replace(b, reminders_stopped_at=T0)
        store.update_booking(stopped, 1, f.audit_entry())
        assert store.get_booking(event.id, b.patron_id) == dataclasses.replace(stopped, version=2)
