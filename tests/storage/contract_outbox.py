"""What every Store must do with the outbox. Mixed into StoreContract (contract.py)."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import OutboxMessage, new_id
from shipcaptaincrew.storage.base import PaymentWrite, Store
from tests import factories as f
from tests.factories import T0

LEASE = T0 + timedelta(minutes=2)


def _message(b, n: int = 0, kind: str = ob.RECEIPT, at=T0) -> OutboxMessage:
    return OutboxMessage(
        id=new_id("msg"),
        dedup_key=f"test:{new_id('k')}",
        kind=kind,
        to=b.patron_email,
        payload={"payment_id": f"pay_{n}", "n": n},
        created_at=at + timedelta(seconds=n),
        next_attempt_at=at + timedelta(seconds=n),
        event_id=b.event_id,
        patron_id=b.patron_id,
    )


def _with_messages(store: Store, count: int, **kw) -> list[OutboxMessage]:
    """An event with one booking and one payment whose transaction wrote ``count`` messages."""
    event = f.event_record()
    store.add_event(event, f.audit_entry())
    patron = f.patron_record()
    b = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron),
        capacity=None,
        audit=f.audit_entry(),
    )
    messages = [_message(b, n, **kw) for n in range(count)]
    store.add_payments([PaymentWrite(f.payment_record(b, 100), b, 1)], [f.audit_entry()], messages)
    return messages


class OutboxContract:
    def test_outbox_round_trip_and_listing(self, store: Store) -> None:
        messages = _with_messages(store, 3)
        assert store.get_outbox(messages[0].id) == messages[0]
        assert store.get_outbox("msg_missing") is None
        assert store.list_outbox() == messages[::-1]
        assert store.list_outbox(limit=2) == messages[:0:-1]
        assert store.list_outbox(status=ob.SENT) == []
        assert store.list_outbox(status=ob.QUEUED) == messages[::-1]

    def test_list_outbox_for_event_filters_by_event_and_kind(self, store: Store) -> None:
        mine = _with_messages(store, 2)
        _with_messages(store, 1)
        found = store.list_outbox_for_event(mine[0].event_id, [ob.RECEIPT, ob.VOID])
        assert sorted(found, key=lambda m: m.id) == sorted(mine, key=lambda m: m.id)
        assert store.list_outbox_for_event(mine[0].event_id, [ob.VOID]) == []
        assert store.list_outbox_for_event("evt_missing", [ob.RECEIPT]) == []
        mine_only = store.list_outbox_for_event(
            mine[0].event_id, [ob.RECEIPT], patron_id=mine[0].patron_id
        )
        assert sorted(m.id for m in mine_only) == sorted(m.id for m in mine)
        assert store.list_outbox_for_event(mine[0].event_id, [ob.RECEIPT], "pat_other") == []

    def test_claim_takes_due_messages_and_holds_them_for_the_lease(self, store: Store) -> None:
        m0, m1, m2 = _with_messages(store, 3)
        claimed = store.claim_outbox(now=T0 + timedelta(seconds=1), lease_until=LEASE, limit=10)
        assert claimed == [
            dataclasses.replace(m, status=ob.SENDING, attempts=1, next_attempt_at=LEASE)
            for m in (m0, m1)
        ]
        assert store.get_outbox(m0.id) == claimed[0]
        later = T0 + timedelta(minutes=1)
        assert store.claim_outbox(now=later, lease_until=LEASE, limit=10) == [
            dataclasses.replace(m2, status=ob.SENDING, attempts=1, next_attempt_at=LEASE)
        ]
        assert store.claim_outbox(now=later, lease_until=LEASE, limit=10) == []
        # A worker that died: its lease runs out and another worker claims the message again.
        again = store.claim_outbox(now=LEASE, lease_until=LEASE + timedelta(minutes=2), limit=1)
        assert [(m.id, m.attempts) for m in again] == [(m0.id, 2)]

    def test_claim_only_the_given_ids(self, store: Store) -> None:
        m0, m1 = _with_messages(store, 2)
        claimed = store.claim_outbox(
            now=T0 + timedelta(hours=1), lease_until=LEASE, limit=10, ids=[m1.id, "msg_other"]
        )
        assert [m.id for m in claimed] == [m1.id]
        assert store.get_outbox(m0.id) == m0

    def test_concurrent_claims_never_hand_out_a_message_twice(self, store: Store) -> None:
        messages = _with_messages(store, 30)
        now = T0 + timedelta(hours=1)

        def claim(_i: int) -> list[str]:
            got: list[str] = []
            while batch := store.claim_outbox(
                now=now, lease_until=now + timedelta(minutes=2), limit=3
            ):
                got += [m.id for m in batch]
            return got

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(claim, range(6)))
        every = [mid for got in results for mid in got]
        assert sorted(every) == sorted(m.id for m in messages)
        assert {m.attempts for m in store.list_outbox(limit=100)} == {1}

    def test_finish_records_the_outcome_for_the_claim_holder_only(self, store: Store) -> None:
        [m] = _with_messages(store, 1)
        [claimed] = store.claim_outbox(now=T0, lease_until=LEASE, limit=1)
        sent = dataclasses.replace(claimed, status=ob.SENT, sent_at=T0 + timedelta(seconds=5))
        entry = f.audit_entry("email.sent")
        assert store.finish_outbox(sent, entry) is True
        assert store.get_outbox(m.id) == sent
        assert entry in store.list_audit()
        late = f.audit_entry("email.sent")
        assert store.finish_outbox(sent, late) is False
        assert late not in store.list_audit()

    def test_finish_after_losing_the_lease_writes_nothing(self, store: Store) -> None:
        [m] = _with_messages(store, 1)
        [first] = store.claim_outbox(now=T0, lease_until=LEASE, limit=1)
        [second] = store.claim_outbox(now=LEASE, lease_until=LEASE + timedelta(minutes=2), limit=1)
        retry = dataclasses.replace(
            first, status=ob.QUEUED, last_error="timeout", next_attempt_at=LEASE
        )
        lost = f.audit_entry("email.deferred")
        assert store.finish_outbox(retry, lost) is False
        assert store.get_outbox(m.id) == second
        assert lost not in store.list_audit()
        failed = dataclasses.replace(second, status=ob.FAILED, last_error="refused")
        assert store.finish_outbox(failed, f.audit_entry()) is True
        assert store.get_outbox(m.id) == failed

    def test_requeue_failed_or_queued_but_never_sent(self, store: Store) -> None:
        m0, m1 = _with_messages(store, 2)
        [c0, c1] = store.claim_outbox(now=T0 + timedelta(seconds=1), lease_until=LEASE, limit=2)
        store.finish_outbox(
            dataclasses.replace(c0, status=ob.FAILED, last_error="550 no such user"),
            f.audit_entry(),
        )
        store.finish_outbox(dataclasses.replace(c1, status=ob.SENT, sent_at=T0), f.audit_entry())
        later = T0 + timedelta(hours=3)
        entry = f.audit_entry("email.requeued")
        again = store.requeue_outbox(m0.id, now=later, audit=entry)
        assert again == dataclasses.replace(
            m0, status=ob.QUEUED, attempts=0, next_attempt_at=later, last_error="550 no such user"
        )
        assert store.get_outbox(m0.id) == again
        assert entry in store.list_audit()
        assert store.requeue_outbox(m0.id, now=later, audit=f.audit_entry()) == again
        assert store.requeue_outbox(m1.id, now=later, audit=f.audit_entry()) is None
        assert store.get_outbox(m1.id).status == ob.SENT
        assert store.requeue_outbox("msg_missing", now=later, audit=f.audit_entry()) is None
