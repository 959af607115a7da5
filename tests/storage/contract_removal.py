"""Removing the demo organisation on every backend: an event with everything under it, and
a crew account with its sessions; nothing else is touched. Mixed into StoreContract."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain.errors import NotFound
from shipcaptaincrew.domain.models import Session, WaiverKind
from shipcaptaincrew.storage.base import LedgerWrite, PaymentWrite, Store
from tests import factories as f
from tests import waiver_factories as w
from tests.factories import T0
from tests.storage.contract_outbox import _message
from tests.storage.contract_seats import _kiosk
from tests.storage.contract_settlements import _issued, _plan


def _booked(store: Store, event, patron=None, new: bool = True):
    patron = patron or f.patron_record()
    booking = store.add_booking(
        patron=patron,
        new_patron=new,
        booking=f.booking_record(event, patron),
        capacity=None,
        audit=f.audit_entry("booking.added", event.id, patron.id),
    )
    return patron, booking


class RemovalContract:
    def test_delete_event_data_takes_everything_under_the_event_only(self, store: Store):
        event, kept = f.event_record(), f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        store.add_event(kept, f.audit_entry("event.created", kept.id))
        patron, booking = _booked(store, event)
        shared, _ = _booked(store, event)
        _booked(store, kept, shared, new=False)
        payment = f.payment_record(booking, 4500, key="demo-key")
        paid = dataclasses.replace(booking, amount_paid_cents=4500, payment_cleared=True)
        store.add_payments([PaymentWrite(payment, paid, 1)], [f.audit_entry()], [_message(booking)])
        template = w.template_record()
        store.add_waiver_template(template, f.audit_entry())
        booking = store.get_booking(event.id, patron.id)
        sig = w.signature_record(booking, template)
        signed = dataclasses.replace(
            booking, waiver_kind=WaiverKind.ELECTRONIC, waiver_signature_id=sig.id, waiver_at=T0
        )
        store.add_waiver_signature(sig, signed, booking.version, f.audit_entry("w", event.id))
        kiosk = _kiosk(event.id)
        store.add_kiosk(kiosk, f.audit_entry("kiosk.started", event.id))
        plan = _plan(event.id, patron.id)
        store.commit_ledger(LedgerWrite(plan=plan, credits=[_issued(patron.id, 1)]))
        store.commit_ledger(LedgerWrite(credits=[_issued(shared.id, 1)]))
        kept_audit = store.list_audit(event_id=kept.id)
        entry = f.audit_entry("demo.removed")

        store.delete_event_data(event.id, [patron.id], entry)

        assert store.get_event(event.id) is None
        assert store.list_bookings(event.id) == []
        assert store.get_payment(payment.id) is None
        assert store.get_payment_by_key("demo-key") is None
        assert store.get_waiver_signature(sig.id) is None
        assert store.get_kiosk_by_token(kiosk.token_hash) is None
        assert store.list_outbox_for_event(event.id, ["receipt"]) == []
        assert store.list_audit(event_id=event.id) == []
        assert (store.list_plans(event.id), store.list_credits(patron.id)) == ([], [])
        assert list(store.list_credits_of([patron.id, shared.id])) == [shared.id]
        assert [c.amount_cents for c in store.list_credits(shared.id)] == [3000]
        assert store.get_patron(patron.id) is None
        assert store.get_patron_by_email(patron.email) is None
        assert store.list_audit(limit=1) == [entry]
        # what other events hold stays
        assert store.get_event(kept.id) == kept
        assert [b.patron_id for b in store.list_bookings(kept.id)] == [shared.id]
        assert store.get_patron(shared.id) == shared
        assert store.list_audit(event_id=kept.id) == kept_audit
        assert store.get_waiver_template(template.id) == template
        # the freed email and idempotency key can be used again
        _booked(store, kept, dataclasses.replace(patron, id="pat_again"))
        with pytest.raises(NotFound):
            store.delete_event_data(event.id, [], f.audit_entry())

    def test_delete_crew_with_sessions(self, store: Store) -> None:
        ann, bob = f.crew_record("ann@example.org"), f.crew_record("bob@example.org")
        store.add_crew(ann, f.audit_entry())
        store.add_crew(bob, f.audit_entry())
        mine = Session("a" * 64, ann.id, "csrf", T0, T0 + timedelta(hours=1))
        theirs = Session("b" * 64, bob.id, "csrf", T0, T0 + timedelta(hours=1))
        store.add_session(mine, f.audit_entry())
        store.add_session(theirs, f.audit_entry())
        entry = f.audit_entry("crew.deleted")
        store.delete_crew(ann.id, entry)
        assert store.get_crew(ann.id) is None
        assert store.get_crew_by_email("ann@example.org") is None
        assert store.get_session(mine.token_hash) is None
        assert store.list_crew() == [bob]
        assert store.get_session(theirs.token_hash) == theirs
        assert store.list_audit(limit=1) == [entry]
        store.add_crew(f.crew_record("ann@example.org"), f.audit_entry())
        with pytest.raises(NotFound):
            store.delete_crew(ann.id, f.audit_entry())
