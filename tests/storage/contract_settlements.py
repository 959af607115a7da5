"""What every Store does with credit entries, settlement plans and ledger writes."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import credits as ledger
from shipcaptaincrew.domain import settlements as plans
from shipcaptaincrew.domain.errors import Conflict, DuplicateKey, StaleWrite
from shipcaptaincrew.domain.models import BookingStatus, EventStatus, PaymentMethod, new_id
from shipcaptaincrew.storage.base import LedgerWrite, Store
from tests import factories as f
from tests.factories import T0


def _issued(patron_id: str, seq: int, cents: int = 3000) -> ledger.CreditEntry:
    return ledger.issue(
        [],
        patron_id=patron_id,
        amount_cents=cents,
        currency="USD",
        at=T0,
        expires_at=T0 + timedelta(days=30),
        by="crew:c1",
        seq=seq,
    )


def _booked(store: Store, capacity: int | None = 10):
    event = dataclasses.replace(f.event_record(), capacity=capacity)
    store.add_event(event, f.audit_entry("event.created", event.id))
    patron = f.patron_record()
    booking = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron),
        capacity=event.capacity,
        audit=f.audit_entry("booking.added"),
    )
    return event, booking


def _plan(event_id: str, patron_id: str) -> plans.Plan:
    step = plans.Step(patron_id, "Ann", 2, "booked", plans.CREDIT)
    return plans.Plan(
        id=new_id("pln"),
        event_id=event_id,
        kind=plans.CANCEL,
        reason="Gale",
        message="Sorry",
        created_at=T0,
        created_by="crew:c1",
        created_by_name="Cap",
        steps=(step,),
        credit_expires_at=T0 + timedelta(days=365),
    )


class SettlementsContract:
    def test_credit_entries_are_listed_by_number_and_a_taken_number_is_stale(
        self, store: Store
    ) -> None:
        first, second = _issued("pat_1", 1), _issued("pat_1", 2, 500)
        store.commit_ledger(LedgerWrite(credits=[second], audit=[f.audit_entry()]))
        store.commit_ledger(LedgerWrite(credits=[first]))
        assert store.list_credits("pat_1") == [first, second]
        assert store.list_credits("pat_2") == []
        with pytest.raises(StaleWrite):
            store.commit_ledger(LedgerWrite(credits=[_issued("pat_1", 2, 700)]))
        assert store.list_credits("pat_1") == [first, second]

    def test_many_patrons_credit_is_read_at_once_by_number(self, store: Store) -> None:
        first, second = _issued("pat_1", 1), _issued("pat_1", 2, 500)
        other = _issued("pat_3", 1, 700)
        store.commit_ledger(LedgerWrite(credits=[first, other]))
        store.commit_ledger(LedgerWrite(credits=[second]))
        crowd = [f"pat_x{i:03d}" for i in range(150)]  # more than one read's worth
        store.commit_ledger(LedgerWrite(credits=[_issued(crowd[-1], 1, 900)]))
        found = store.list_credits_of(["pat_3", "pat_2", "pat_1", "pat_1", *crowd])
        assert found == {"pat_1": [first, second], "pat_3": [other], crowd[-1]: found[crowd[-1]]}
        assert [e.amount_cents for e in found[crowd[-1]]] == [900]
        assert store.list_credits_of([]) == {}

    def test_concurrent_uses_never_take_the_balance_below_zero(self, store: Store) -> None:
        store.commit_ledger(LedgerWrite(credits=[_issued("pat_1", 1, 3000)]))

        def spend(_: int) -> str:
            for _try in range(20):
                entries = store.list_credits("pat_1")
                try:
                    use = ledger.use(
                        entries,
                        patron_id="pat_1",
                        amount_cents=1000,
                        currency="USD",
                        at=T0,
                        by="crew:c1",
                        event_id="evt_1",
                        payment_id=new_id("pay"),
                    )
                except Conflict:
                    return "refused"
                try:
                    store.commit_ledger(LedgerWrite(credits=[use]))
                    return "spent"
                except StaleWrite:
                    continue
            return "gave up"

        with ThreadPoolExecutor(6) as pool:
            results = sorted(pool.map(spend, range(6)))
        assert results == ["refused"] * 3 + ["spent"] * 3
        assert ledger.balance(store.list_credits("pat_1"), "USD", T0) == 0

    def test_a_plan_is_stored_then_each_write_needs_its_version(self, store: Store) -> None:
        event, booking = _booked(store)
        plan = _plan(event.id, booking.patron_id)
        cancelled = dataclasses.replace(event, status=EventStatus.CANCELLED)
        store.commit_ledger(LedgerWrite(event=(cancelled, 1), plan=plan, audit=[f.audit_entry()]))
        assert store.get_plan(event.id, plan.id) == plan
        assert store.get_event(event.id) == dataclasses.replace(cancelled, version=2)
        with pytest.raises(DuplicateKey):
            store.commit_ledger(LedgerWrite(plan=plan))
        step = dataclasses.replace(plan.steps[0], state=plans.DONE, outcome={"credited": 0})
        done = plans.with_step(plan, step, now=T0)
        gone = plans.cancelled(booking, T0)
        store.commit_ledger(
            LedgerWrite(
                bookings=[(gone, 1)],
                credits=[_issued(booking.patron_id, 1)],
                plan=done,
                plan_version=1,
                audit=[f.audit_entry()],
            )
        )
        assert store.get_plan(event.id, plan.id) == dataclasses.replace(done, version=2)
        assert store.list_plans(event.id) == [dataclasses.replace(done, version=2)]
        assert store.get_booking(event.id, booking.patron_id).status == BookingStatus.CANCELLED
        # A second run of the same step reads version 1: refused, nothing written.
        with pytest.raises(StaleWrite):
            store.commit_ledger(
                LedgerWrite(credits=[_issued(booking.patron_id, 2)], plan=done, plan_version=1)
            )
        assert len(store.list_credits(booking.patron_id)) == 1

    def test_a_moved_booking_lands_only_where_it_fits(self, store: Store) -> None:
        event, booking = _booked(store)
        target = dataclasses.replace(f.event_record(), capacity=booking.party_size)
        store.add_event(target, f.audit_entry("event.created", target.id))
        moved = plans.moved_booking(
            booking, target, token=new_id("tok"), now=T0, reprice=False, keep_waivers=True
        )
        pay = dataclasses.replace(
            f.payment_record(moved, 1000), method=PaymentMethod.CREDIT, event_id=target.id
        )
        settled = dataclasses.replace(moved, amount_paid_cents=1000)
        [stored] = store.commit_ledger(
            LedgerWrite(
                bookings=[(plans.cancelled(booking, T0), 1)],
                new_booking=settled,
                capacity=target.capacity,
                payments=[pay],
            )
        )
        assert stored.receipt_no is not None
        assert store.get_booking(target.id, booking.patron_id) == settled
        assert store.list_payments(target.id) == [stored]
        with pytest.raises(DuplicateKey):
            store.commit_ledger(LedgerWrite(new_booking=settled, capacity=None))
        other = dataclasses.replace(settled, patron_id="pat_other", guest_token=new_id("tok"))
        with pytest.raises(Conflict):
            store.commit_ledger(LedgerWrite(new_booking=other, capacity=target.capacity))
        assert store.get_booking(target.id, "pat_other") is None
