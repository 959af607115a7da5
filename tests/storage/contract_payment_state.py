"""What every Store reads for logging a payment (the event, the booking and its payments) and
for a receipt (the payment, its booking and its event)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.storage.base import PaymentState, PaymentWrite, Store
from tests import factories as f
from tests.factories import T0
from tests.storage.contract_outbox_latest import _msg


class PaymentStateContract:
    def test_payment_state_is_the_event_the_booking_and_its_payments(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        pat, sam = (f.stored_booking(store, event, f.patron_record(name=n)) for n in ("Pat", "Sam"))
        assert store.get_payment_state(event.id, pat.patron_id) == PaymentState(event, pat, [])
        late = f.payment_record(pat, 1000, at=T0 + timedelta(minutes=5))
        early = f.payment_record(pat, 500, key="k-early")
        other = f.payment_record(sam, 4500)
        [late] = store.add_payments([PaymentWrite(late, pat, 1)], [f.audit_entry()])
        pat = dataclasses.replace(pat, version=2)
        [early] = store.add_payments([PaymentWrite(early, pat, 2)], [f.audit_entry()])
        store.add_payments([PaymentWrite(other, sam, 1)], [f.audit_entry()])
        state = store.get_payment_state(event.id, pat.patron_id)
        assert state == PaymentState(event, dataclasses.replace(pat, version=3), [early, late])
        assert (early.receipt_no, late.receipt_no) == (2, 1)

    def test_payment_state_of_a_missing_event_or_booking(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        assert store.get_payment_state(event.id, "pat_missing") == PaymentState(event, None, [])
        assert store.get_payment_state("evt_missing", "pat_missing") is None

    def test_event_booking_is_the_event_and_the_booking(self, store: Store) -> None:
        event, other = f.event_record(), f.event_record(capacity=None)
        for e in (event, other):
            store.add_event(e, f.audit_entry("event.created", e.id))
        pat = f.stored_booking(store, event, f.patron_record(name="Pat"))
        sam = f.stored_booking(store, other, f.patron_record(name="Sam"))
        [paid] = store.add_payments(
            [PaymentWrite(f.payment_record(pat, 1000), pat, 1)], [f.audit_entry()]
        )
        pat = dataclasses.replace(pat, version=2)
        kinds = [ob.RECEIPT, ob.VOID]
        assert store.get_event_booking(event.id, pat.patron_id, kinds) == (event, pat, None)
        assert store.get_event_booking(other.id, sam.patron_id, kinds) == (other, sam, None)
        # Sam is on the other event only; nobody is on a missing one
        assert store.get_event_booking(event.id, sam.patron_id, kinds) == (event, None, None)
        assert store.get_event_booking("evt_missing", pat.patron_id, kinds) is None
        assert paid.receipt_no == 1

    def test_event_booking_comes_with_the_status_of_its_latest_message_of_the_kinds(
        self, store: Store
    ) -> None:
        """As ``latest_outbox_status`` ranks them: the newest of the kinds asked for, of
        this patron on this event only."""
        event, other = f.event_record(), f.event_record()
        for e in (event, other):
            store.add_event(e, f.audit_entry("event.created", e.id))
        patron = f.patron_record(name="Pat")
        pat = f.stored_booking(store, event, patron)
        sam = f.stored_booking(store, event, f.patron_record(name="Sam"))
        f.stored_booking(store, other, patron, new_patron=False)
        messages = [
            _msg(pat, 10, ob.RECEIPT, "msg_a"),
            _msg(pat, 20, ob.VOID, "msg_b"),
            _msg(pat, 30, "reminder", "msg_c"),
            _msg(sam, 10, ob.RECEIPT, "msg_d"),
        ]
        store.add_payments(
            [PaymentWrite(f.payment_record(pat, 1000), pat, 1)], [f.audit_entry()], messages
        )
        pat = dataclasses.replace(pat, version=2)
        [void] = store.claim_outbox(
            now=T0 + timedelta(minutes=1),
            lease_until=T0 + timedelta(minutes=2),
            limit=1,
            ids=["msg_b"],
        )
        assert store.finish_outbox(dataclasses.replace(void, status=ob.FAILED), f.audit_entry())
        kinds = [ob.RECEIPT, ob.VOID]
        assert store.get_event_booking(event.id, pat.patron_id, kinds) == (event, pat, ob.FAILED)
        assert store.get_event_booking(event.id, pat.patron_id, [ob.RECEIPT]) == (
            event,
            pat,
            ob.QUEUED,
        )
        assert store.get_event_booking(event.id, pat.patron_id, ["reminder", *kinds])[2] == (
            ob.QUEUED
        )
        assert store.get_event_booking(event.id, sam.patron_id, kinds) == (event, sam, ob.QUEUED)
        assert store.get_event_booking(event.id, sam.patron_id, [ob.VOID]) == (event, sam, None)
        assert store.get_event_booking(event.id, pat.patron_id, []) == (event, pat, None)
        # Pat's booking on the other event has no message of its own
        assert store.get_event_booking(other.id, pat.patron_id, kinds)[2] is None

    def test_receipt_records_are_the_payment_its_booking_and_its_event(self, store: Store) -> None:
        # Pat is on two events and Sam on the first: each payment gets its own booking
        # and its own event
        cruise, sail = f.event_record(), f.event_record(capacity=None)
        pat, sam = f.patron_record(name="Pat"), f.patron_record(name="Sam")
        for event in (cruise, sail):
            store.add_event(event, f.audit_entry("event.created", event.id))
        booked = [
            f.stored_booking(store, event, patron, new_patron=new)
            for event, patron, new in ((cruise, pat, True), (sail, pat, False), (cruise, sam, True))
        ]
        writes = [PaymentWrite(f.payment_record(b, 1000 + i), b, 1) for i, b in enumerate(booked)]
        stored = store.add_payments(writes, [f.audit_entry()])
        first = stored[0]
        voided = dataclasses.replace(first, voided_at=T0, voided_by="crw_2", void_reason="wrong")
        store.void_payment(first, PaymentWrite(voided, writes[0].booking, 2), f.audit_entry())
        stored[0] = voided
        now = [dataclasses.replace(b, version=v) for b, v in zip(booked, (3, 2, 2), strict=True)]
        for payment, booking, event in zip(stored, now, (cruise, sail, cruise), strict=True):
            assert store.get_receipt_records(payment.id) == (payment, booking, event)
            assert (payment, booking, event) == (
                store.get_payment(payment.id),
                store.get_booking(payment.event_id, payment.patron_id),
                store.get_event(payment.event_id),
            )
        assert store.get_receipt_records("pay_missing") is None
