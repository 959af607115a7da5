"""What every Store reads for logging a payment: the event, the booking and its payments."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from shipcaptaincrew.storage.base import PaymentState, PaymentWrite, Store
from tests import factories as f
from tests.factories import T0


class PaymentStateContract:
    def test_payment_state_is_the_event_the_booking_and_its_payments(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        bookings = []
        for name in ("Pat", "Sam"):
            patron = f.patron_record(name=name)
            bookings.append(
                store.add_booking(
                    patron=patron,
                    new_patron=True,
                    booking=f.booking_record(event, patron),
                    capacity=event.capacity,
                    audit=f.audit_entry("booking.added"),
                )
            )
        pat, sam = bookings
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
