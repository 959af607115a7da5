"""What every Store must do for ``latest_outbox_status``: one status per patron, the latest
message's. Mixed into StoreContract (contract.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from shipcaptaincrew.domain import outbox as ob
from shipcaptaincrew.domain.models import OutboxMessage
from shipcaptaincrew.storage.base import PaymentWrite, Store
from tests import factories as f
from tests.factories import T0


def _msg(b, seconds: int, kind: str = ob.RECEIPT, msg_id: str | None = None) -> OutboxMessage:
    n = f"{b.patron_id}-{seconds}-{kind}-{msg_id}"
    return OutboxMessage(
        id=msg_id or f"msg_{seconds:04d}_{kind}_{b.patron_id[-6:]}",
        dedup_key=f"test:{n}",
        kind=kind,
        to=b.patron_email,
        payload={"n": n},
        created_at=T0 + timedelta(seconds=seconds),
        next_attempt_at=T0 + timedelta(seconds=seconds),
        event_id=b.event_id,
        patron_id=b.patron_id,
    )


def _booked(store: Store, event) -> object:
    patron = f.patron_record()
    return store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron),
        capacity=None,
        audit=f.audit_entry(),
    )


def _write(store: Store, b, messages: list[OutboxMessage]) -> None:
    store.add_payments([PaymentWrite(f.payment_record(b, 100), b, 1)], [f.audit_entry()], messages)


class OutboxLatestContract:
    def test_latest_outbox_status_is_each_patrons_newest_message(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry())
        ann, bob, cy = _booked(store, event), _booked(store, event), _booked(store, event)
        other_event = f.event_record()
        store.add_event(other_event, f.audit_entry())
        elsewhere = _booked(store, other_event)
        # Ann: three receipts, the newest written first; it was then sent.
        _write(store, ann, [_msg(ann, 30), _msg(ann, 10), _msg(ann, 20)])
        # Bob: a receipt, then a later void and a later reminder (a kind not asked for).
        _write(store, bob, [_msg(bob, 5), _msg(bob, 7, ob.VOID), _msg(bob, 9, "reminder")])
        # Cy: two messages at the same instant; the greater id is the latest.
        _write(store, cy, [_msg(cy, 3, msg_id="msg_b"), _msg(cy, 3, msg_id="msg_a")])
        _write(store, elsewhere, [_msg(elsewhere, 50)])
        newest = store.claim_outbox(
            now=T0 + timedelta(minutes=1),
            lease_until=T0 + timedelta(minutes=2),
            limit=1,
            ids=[f"msg_0030_{ob.RECEIPT}_{ann.patron_id[-6:]}"],
        )[0]
        assert store.finish_outbox(
            dataclasses.replace(newest, status=ob.SENT, sent_at=T0 + timedelta(minutes=1)),
            f.audit_entry(),
        )
        kinds = [ob.RECEIPT, ob.VOID]
        assert store.latest_outbox_status(event.id, kinds) == {
            ann.patron_id: ob.SENT,
            bob.patron_id: ob.QUEUED,
            cy.patron_id: ob.QUEUED,
        }
        # The void is Bob's latest of these kinds: fail it and it is what his status says.
        void = store.claim_outbox(
            now=T0 + timedelta(minutes=1),
            lease_until=T0 + timedelta(minutes=2),
            limit=1,
            ids=[f"msg_0007_{ob.VOID}_{bob.patron_id[-6:]}"],
        )[0]
        assert store.finish_outbox(dataclasses.replace(void, status=ob.FAILED), f.audit_entry())
        assert store.latest_outbox_status(event.id, kinds)[bob.patron_id] == ob.FAILED
        assert store.latest_outbox_status(event.id, [ob.RECEIPT])[bob.patron_id] == ob.QUEUED
        # Cy's latest is msg_b: claim it alone and the status follows it, not msg_a.
        store.claim_outbox(
            now=T0 + timedelta(minutes=1),
            lease_until=T0 + timedelta(minutes=2),
            limit=1,
            ids=["msg_b"],
        )
        assert store.latest_outbox_status(event.id, kinds, cy.patron_id) == {
            cy.patron_id: ob.SENDING
        }
        assert store.latest_outbox_status(event.id, kinds, ann.patron_id) == {
            ann.patron_id: ob.SENT
        }
        assert store.latest_outbox_status(event.id, kinds, "pat_missing") == {}
        assert store.latest_outbox_status(event.id, ["reminder"]) == {bob.patron_id: ob.QUEUED}
        assert store.latest_outbox_status("evt_missing", kinds) == {}
        assert store.latest_outbox_status(other_event.id, kinds) == {elsewhere.patron_id: ob.QUEUED}
