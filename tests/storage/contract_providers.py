"""What every Store does with refunds and provider transactions."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import refunds
from shipcaptaincrew.domain.errors import DuplicateKey, StaleWrite
from shipcaptaincrew.domain.models import STRIPE
from shipcaptaincrew.domain.online import PARKED, UNMATCHED, ProviderTransaction
from shipcaptaincrew.storage.base import PaymentWrite, Store
from tests import factories as f
from tests.factories import T0


def _paid(store: Store):
    event = f.event_record()
    store.add_event(event, f.audit_entry("event.created", event.id))
    patron = f.patron_record()
    booking = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron),
        capacity=event.capacity,
        audit=f.audit_entry("booking.added"),
    )
    payment = f.payment_record(booking, 4500)
    paid = dataclasses.replace(booking, amount_paid_cents=4500, payment_cleared=True)
    [stored] = store.add_payments([PaymentWrite(payment, paid, 1)], [f.audit_entry()])
    return dataclasses.replace(paid, version=2), stored


def _txn(ref: str, parent: str, minutes: int, status: str = PARKED) -> ProviderTransaction:
    return ProviderTransaction(
        id=f"stripe:{ref}",
        provider="stripe",
        kind="refund" if status == PARKED else "payment",
        reference=ref,
        parent_reference=parent,
        amount_cents=1000,
        currency="USD",
        status=status,
        reason="no payment yet",
        received_at=T0 + timedelta(minutes=minutes),
        provider_event=f"evt_{ref}",
    )


class ProvidersContract:
    def test_refund_is_a_payment_entry_that_settles_the_booking(self, store: Store) -> None:
        booking, payment = _paid(store)
        refund = refunds.refund_entry(
            payment, amount_cents=1500, reason="rain", by=STRIPE, at=T0, key="stripe:re_1"
        )
        settled = dataclasses.replace(booking, amount_paid_cents=3000, payment_cleared=False)
        [stored] = store.add_payments([PaymentWrite(refund, settled, 2)], [f.audit_entry()])
        assert stored.refund_of == payment.id
        assert stored.amount_cents == -1500
        assert stored.receipt_no == payment.receipt_no + 1  # type: ignore[operator]
        assert store.get_payment_by_key("stripe:re_1") == stored
        assert store.list_payments(booking.event_id, booking.patron_id) == [payment, stored]
        after = store.get_booking(booking.event_id, booking.patron_id)
        assert after is not None
        assert (after.amount_paid_cents, after.payment_cleared, after.version) == (3000, False, 3)

    def test_two_refunds_read_at_one_version_only_one_lands(self, store: Store) -> None:
        booking, payment = _paid(store)

        def write(cents: int) -> PaymentWrite:
            entry = refunds.refund_entry(payment, amount_cents=cents, reason="x", by=STRIPE, at=T0)
            left = dataclasses.replace(booking, amount_paid_cents=4500 - cents)
            return PaymentWrite(entry, left, booking.version)

        store.add_payments([write(4000)], [f.audit_entry()])
        with pytest.raises(StaleWrite):
            store.add_payments([write(4000)], [f.audit_entry("lost")])
        history = store.list_payments(booking.event_id, booking.patron_id)
        assert [p.amount_cents for p in history] == [4500, -4000]
        assert refunds.refundable_cents(payment, history) == 500

    def test_provider_transactions_unique_and_listed_by_parent(self, store: Store) -> None:
        late = _txn("re_2", "pi_1", 5)
        early = _txn("re_1", "pi_1", 1)
        other = _txn("pi_9", "pi_9", 3, UNMATCHED)
        for txn in (late, early, other):
            store.add_provider_transaction(txn, f.audit_entry("provider.parked"))
        with pytest.raises(DuplicateKey):
            store.add_provider_transaction(
                dataclasses.replace(late, amount_cents=1), f.audit_entry("again")
            )
        assert store.list_provider_transactions(parent_reference="pi_1") == [early, late]
        assert store.list_provider_transactions(parent_reference="pi_9") == [other]
        assert store.list_provider_transactions(parent_reference="pi_none") == []
        assert store.list_provider_transactions() == [early, other, late]
        assert [e.action for e in store.list_audit()].count("again") == 0

    def test_a_lone_outbox_message_and_its_audit_land_together_once(self, store: Store) -> None:
        from shipcaptaincrew.domain.models import OutboxMessage

        message = OutboxMessage(
            id="msg_1",
            dedup_key="pay_link:evt:pat:0:2026-07-01",
            kind="pay_link",
            to="pat@example.com",
            payload={"amount_cents": 4500},
            created_at=T0,
            next_attempt_at=T0,
        )
        store.add_outbox_message(message, f.audit_entry("payment.link_sent"))
        with pytest.raises(DuplicateKey):
            store.add_outbox_message(
                dataclasses.replace(message, id="msg_2"), f.audit_entry("again")
            )
        assert store.list_outbox() == [message]
        assert [e.action for e in store.list_audit()] == ["payment.link_sent"]
