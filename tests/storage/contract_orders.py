"""Every ordering a Store's lists promise (storage/base.py), on every backend. Mixed into
StoreContract (contract.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from shipcaptaincrew.domain.models import BookingStatus
from shipcaptaincrew.storage.base import PaymentWrite, Store
from tests import factories as f
from tests import waiver_factories as w
from tests.factories import T0


def _add_event(store: Store, days: int):
    event = dataclasses.replace(f.event_record(), starts_at=T0 + timedelta(days=days))
    store.add_event(event, f.audit_entry())
    return event


def _book(store: Store, event, name: str, capacity: int | None = None):
    patron = f.patron_record(name=name)
    return store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron),
        capacity=capacity,
        audit=f.audit_entry(),
    )


class OrderingContract:
    def test_list_crew_by_name_then_id(self, store: Store) -> None:
        members = [
            dataclasses.replace(f.crew_record(f"{n}@example.org"), id=i, name=name)
            for n, (i, name) in enumerate(
                [("crw_b", "Zed"), ("crw_c", "Amy"), ("crw_a", "Amy"), ("crw_d", "Bo")]
            )
        ]
        for m in members:
            store.add_crew(m, f.audit_entry())
        assert [m.id for m in store.list_crew()] == ["crw_a", "crw_c", "crw_d", "crw_b"]

    def test_list_events_by_start_then_id(self, store: Store) -> None:
        later = _add_event(store, 3)
        first = _add_event(store, 1)
        same = [
            dataclasses.replace(f.event_record(), id=i, starts_at=T0 + timedelta(days=2))
            for i in ("evt_b", "evt_a")
        ]
        for e in same:
            store.add_event(e, f.audit_entry())
        assert [e.id for e in store.list_events()] == [first.id, "evt_a", "evt_b", later.id]

    def test_list_bookings_by_name_then_patron_id_every_status(self, store: Store) -> None:
        event = _add_event(store, 1)
        zed = _book(store, event, "Zed", capacity=1)
        amy = _book(store, event, "Amy", capacity=1)  # no room: waitlisted
        bo = _book(store, event, "Bo", capacity=None)
        assert amy.status == BookingStatus.WAITLISTED
        listed = store.list_bookings(event.id)
        assert [b.patron_id for b in listed] == [amy.patron_id, bo.patron_id, zed.patron_id]
        other = _add_event(store, 2)
        assert store.list_bookings_for_events([event.id, other.id, "evt_none"]) == {
            event.id: listed,
            other.id: [],
            "evt_none": [],
        }
        assert store.list_bookings_for_events([]) == {}

    def test_list_payments_by_logged_at_then_receipt_number(self, store: Store) -> None:
        event = _add_event(store, 1)
        patron = f.patron_record()
        b = dataclasses.replace(f.booking_record(event, patron), amount_due_cents=9000)
        b = store.add_booking(
            patron=patron,
            new_patron=True,
            booking=b,
            capacity=None,
            audit=f.audit_entry(),
        )
        late = f.payment_record(b, 100, at=T0 + timedelta(minutes=5))
        early = f.payment_record(b, 200, at=T0)
        twin = f.payment_record(b, 300, at=T0)
        store.add_payments([PaymentWrite(late, b, 1)], [f.audit_entry()])
        store.add_payments([PaymentWrite(early, b, 2)], [f.audit_entry()])
        store.add_payments([PaymentWrite(twin, b, 3)], [f.audit_entry()])
        listed = store.list_payments(event.id, b.patron_id)
        assert [p.id for p in listed] == [early.id, twin.id, late.id]
        assert [p.receipt_no for p in listed] == [2, 3, 1]
        assert [p.id for p in store.list_payments(event.id)] == [early.id, twin.id, late.id]

    def test_list_waiver_templates_by_name_then_id_and_versions_oldest_first(
        self, store: Store
    ) -> None:
        zeta = w.template_record(name="Zeta", text="z")
        alpha_b = w.template_record("wvt_b", name="Alpha", text="b")
        alpha_a = w.template_record("wvt_a", name="Alpha", text="a")
        for t in (zeta, alpha_b, alpha_a):
            store.add_waiver_template(t, f.audit_entry())
        v2 = w.template_record(zeta.id, version=2, name="Zeta", text="z2")
        store.add_waiver_template(v2, f.audit_entry())
        assert [(t.id, t.version) for t in store.list_waiver_templates()] == [
            ("wvt_a", 1),
            ("wvt_b", 1),
            (zeta.id, 2),
        ]
        assert [t.version for t in store.list_waiver_template_versions(zeta.id)] == [1, 2]
