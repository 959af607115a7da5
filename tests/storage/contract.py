"""What every Store must do. Each backend's test file subclasses StoreContract and
supplies a ``store`` fixture; nothing here knows which backend it runs on."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shipcaptaincrew.domain.errors import Conflict, DuplicateKey, NotFound, StaleWrite
from shipcaptaincrew.domain.models import (
    BookingStatus,
    Session,
    WaiverKind,
)
from shipcaptaincrew.storage.base import PaymentWrite, Store
from tests import factories as f
from tests import waiver_factories as w
from tests.factories import T0
from tests.storage.contract_accounts import AccountsContract
from tests.storage.contract_cashup import CashupContract
from tests.storage.contract_mail import MailContract
from tests.storage.contract_orders import OrderingContract
from tests.storage.contract_outbox import OutboxContract
from tests.storage.contract_outbox_latest import OutboxLatestContract
from tests.storage.contract_payment_state import PaymentStateContract
from tests.storage.contract_providers import ProvidersContract
from tests.storage.contract_removal import RemovalContract
from tests.storage.contract_seats import SeatsContract
from tests.storage.contract_settlements import SettlementsContract


def _event_with_booking(store: Store, party_size: int = 1, capacity: int | None = 10):
    event = f.event_record(capacity=capacity)
    store.add_event(event, f.audit_entry("event.created", event.id))
    patron = f.patron_record()
    booking = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron, party_size),
        capacity=event.capacity,
        audit=f.audit_entry("booking.added"),
    )
    return event, patron, booking


class StoreContract(
    AccountsContract,
    RemovalContract,
    OutboxContract,
    OutboxLatestContract,
    OrderingContract,
    SeatsContract,
    ProvidersContract,
    CashupContract,
    MailContract,
    SettlementsContract,
    PaymentStateContract,
):
    # -- crew and sessions -------------------------------------------------------------
    def test_crew_round_trip_and_unique_email(self, store: Store) -> None:
        member = f.crew_record("ann@example.org")
        store.add_crew(member, f.audit_entry("crew.created"))
        assert store.get_crew(member.id) == member
        assert store.get_crew_by_email("ann@example.org") == member
        assert store.list_crew() == [member]
        with pytest.raises(DuplicateKey):
            store.add_crew(f.crew_record("ann@example.org"), f.audit_entry())
        assert store.get_crew("crw_missing") is None

    def test_sessions(self, store: Store) -> None:
        member = f.crew_record()
        store.add_crew(member, f.audit_entry())
        session = Session("h" * 64, member.id, "csrf", T0, T0 + timedelta(hours=12))
        store.add_session(session, f.audit_entry("login"))
        assert store.get_session("h" * 64) == session
        assert store.get_signed_in("h" * 64) == (session, member)
        assert store.get_signed_in("x" * 64) is None
        store.delete_session("h" * 64, f.audit_entry("logout"))
        assert store.get_signed_in("h" * 64) is None
        assert store.get_session("h" * 64) is None

    # -- events ------------------------------------------------------------------------
    def test_event_round_trip_and_versioned_update(self, store: Store) -> None:
        event = f.event_record()
        store.add_event(event, f.audit_entry("event.created", event.id))
        assert store.get_event(event.id) == event
        changed = dataclasses.replace(event, title="Renamed")
        store.update_event(changed, 1, f.audit_entry("event.updated", event.id))
        assert store.get_event(event.id) == dataclasses.replace(changed, version=2)
        with pytest.raises(StaleWrite):
            store.update_event(dataclasses.replace(event, title="Lost"), 1, f.audit_entry())
        assert store.get_event(event.id).title == "Renamed"
        assert [e.id for e in store.list_events()] == [event.id]

    # -- bookings ----------------------------------------------------------------------
    def test_booking_round_trip(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store, party_size=2)
        assert booking.status == BookingStatus.BOOKED
        assert store.get_booking(event.id, patron.id) == booking
        assert store.get_booking_by_token(booking.guest_token) == booking
        assert store.get_patron(patron.id) == patron
        assert store.get_patron_by_email(patron.email) == patron
        assert store.list_bookings(event.id) == [booking]
        assert store.get_booking(event.id, "pat_missing") is None
        assert store.get_booking_by_token("nope") is None

    def test_same_patron_twice_on_an_event_is_refused(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        again = dataclasses.replace(booking, guest_token="other-token")
        with pytest.raises(DuplicateKey):
            store.add_booking(
                patron=patron,
                new_patron=False,
                booking=again,
                capacity=event.capacity,
                audit=f.audit_entry(),
            )
        assert store.list_bookings(event.id) == [booking]

    def test_over_capacity_is_waitlisted(self, store: Store) -> None:
        event, _p, first = _event_with_booking(store, party_size=3, capacity=4)
        patron = f.patron_record()
        second = store.add_booking(
            patron=patron,
            new_patron=True,
            booking=f.booking_record(event, patron, party_size=2),
            capacity=4,
            audit=f.audit_entry(),
        )
        assert first.status == BookingStatus.BOOKED
        assert second.status == BookingStatus.WAITLISTED
        third_patron = f.patron_record()
        third = store.add_booking(
            patron=third_patron,
            new_patron=True,
            booking=f.booking_record(event, third_patron, party_size=1),
            capacity=4,
            audit=f.audit_entry(),
        )
        assert third.status == BookingStatus.BOOKED

    def test_promote_waitlisted_only_when_it_fits(self, store: Store) -> None:
        event, _p, first = _event_with_booking(store, party_size=3, capacity=4)
        patron = f.patron_record()
        waiting = store.add_booking(
            patron=patron,
            new_patron=True,
            booking=f.booking_record(event, patron, party_size=2),
            capacity=4,
            audit=f.audit_entry(),
        )
        assert waiting.status == BookingStatus.WAITLISTED
        promoted = dataclasses.replace(waiting, status=BookingStatus.BOOKED)
        before = store.list_audit(limit=1000)
        with pytest.raises(Conflict):
            store.promote_booking(promoted, 1, 4, f.audit_entry("booking.promoted"))
        assert store.get_booking(event.id, patron.id) == waiting
        assert store.list_audit(limit=1000) == before
        # The first party cancels: now there is room.
        cancelled = dataclasses.replace(first, status=BookingStatus.CANCELLED, cancelled_at=T0)
        store.update_booking(cancelled, 1, f.audit_entry("booking.cancelled"))
        with pytest.raises(StaleWrite):
            store.promote_booking(promoted, 7, 4, f.audit_entry())
        store.promote_booking(promoted, 1, 4, f.audit_entry("booking.promoted"))
        assert store.get_booking(event.id, patron.id) == dataclasses.replace(promoted, version=2)
        # Its places count: a new party of 3 no longer fits.
        third = f.patron_record()
        late = store.add_booking(
            patron=third,
            new_patron=True,
            booking=f.booking_record(event, third, party_size=3),
            capacity=4,
            audit=f.audit_entry(),
        )
        assert late.status == BookingStatus.WAITLISTED

    def test_unknown_event_booking_is_not_found(self, store: Store) -> None:
        event = f.event_record()
        patron = f.patron_record()
        with pytest.raises(NotFound):
            store.add_booking(
                patron=patron,
                new_patron=True,
                booking=f.booking_record(event, patron),
                capacity=None,
                audit=f.audit_entry(),
            )
        assert store.get_patron(patron.id) is None

    def test_concurrent_bookings_never_exceed_capacity(self, store: Store) -> None:
        event = f.event_record(capacity=5)
        store.add_event(event, f.audit_entry())

        def book(_i: int) -> BookingStatus:
            patron = f.patron_record()
            return store.add_booking(
                patron=patron,
                new_patron=True,
                booking=f.booking_record(event, patron),
                capacity=5,
                audit=f.audit_entry(),
            ).status

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(book, range(12)))
        assert statuses.count(BookingStatus.BOOKED) == 5
        assert statuses.count(BookingStatus.WAITLISTED) == 7

    def test_update_booking_checks_version(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        checked = dataclasses.replace(
            booking,
            checked_in_at=T0,
            checked_in_by="crw_1",
            waiver_kind=WaiverKind.PAPER,
            waiver_at=T0,
        )
        store.update_booking(checked, 1, f.audit_entry("attendance.checked_in"))
        assert store.get_booking(event.id, patron.id) == dataclasses.replace(checked, version=2)
        audit = store.list_audit(limit=1000)
        with pytest.raises(StaleWrite):
            store.update_booking(dataclasses.replace(booking, party_size=9), 1, f.audit_entry())
        assert store.get_booking(event.id, patron.id).party_size == 1
        assert store.list_audit(limit=1000) == audit  # the stale write's entry is not kept

    # -- payments ----------------------------------------------------------------------
    def test_payment_booking_and_audit_land_together(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        payment = f.payment_record(booking, 4500, key="k-1")
        paid = dataclasses.replace(
            booking, amount_paid_cents=4500, payment_cleared=True, cleared_at=T0
        )
        entry = f.audit_entry("payment.logged", event.id, patron.id)
        message = f.receipt_message(payment, patron.email)
        [stored] = store.add_payments([PaymentWrite(payment, paid, 1)], [entry], [message])
        assert stored == dataclasses.replace(payment, receipt_no=1)
        assert store.get_payment(payment.id) == stored
        assert store.get_payment_by_key("k-1") == stored
        assert store.list_payments(event.id, patron.id) == [stored]
        assert store.list_payments(event.id) == [stored]
        assert store.get_booking(event.id, patron.id) == dataclasses.replace(paid, version=2)
        assert entry in store.list_audit(patron_id=patron.id)

    def test_receipt_numbers_are_sequential(self, store: Store) -> None:
        _e, _p, booking = _event_with_booking(store)
        numbers = []
        for i in range(3):
            current = store.get_booking(booking.event_id, booking.patron_id)
            [p] = store.add_payments(
                [PaymentWrite(f.payment_record(current, 100 + i), current, current.version)],
                [f.audit_entry()],
            )
            numbers.append(p.receipt_no)
        assert numbers == [1, 2, 3]

    def test_stale_booking_version_writes_nothing(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        first = f.payment_record(booking, 1000)
        store.add_payments([PaymentWrite(first, booking, 1)], [f.audit_entry()])
        lost = f.payment_record(booking, 2000)
        before = store.list_audit(limit=1000)
        with pytest.raises(StaleWrite):
            store.add_payments([PaymentWrite(lost, booking, 1)], [f.audit_entry("lost")])
        assert store.get_payment(lost.id) is None
        assert store.list_audit(limit=1000) == before
        current = store.get_booking(event.id, patron.id)
        [kept] = store.add_payments(
            [PaymentWrite(f.payment_record(current, 500), current, current.version)],
            [f.audit_entry()],
        )
        assert kept.receipt_no == 2  # the stale write took no receipt number

    def test_duplicate_idempotency_key_writes_nothing(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        store.add_payments(
            [PaymentWrite(f.payment_record(booking, 1000, key="same"), booking, 1)],
            [f.audit_entry()],
        )
        current = store.get_booking(event.id, patron.id)
        with pytest.raises(DuplicateKey):
            store.add_payments(
                [
                    PaymentWrite(
                        f.payment_record(current, 1000, key="same"), current, current.version
                    )
                ],
                [f.audit_entry()],
            )
        assert len(store.list_payments(event.id, patron.id)) == 1
        assert store.get_booking(event.id, patron.id).version == current.version

    def test_batch_is_all_or_nothing(self, store: Store) -> None:
        event, p1, b1 = _event_with_booking(store)
        p2 = f.patron_record()
        b2 = store.add_booking(
            patron=p2,
            new_patron=True,
            booking=f.booking_record(event, p2),
            capacity=10,
            audit=f.audit_entry(),
        )
        good = PaymentWrite(f.payment_record(b1, 4500), b1, 1)
        stale = PaymentWrite(f.payment_record(b2, 4500), b2, 7)
        with pytest.raises(StaleWrite):
            store.add_payments([good, stale], [f.audit_entry(), f.audit_entry()])
        assert store.list_payments(event.id) == []
        assert store.get_booking(event.id, p1.id) == b1
        stored = store.add_payments([good, PaymentWrite(stale.payment, b2, 1)], [f.audit_entry()])
        assert [p.receipt_no for p in stored] == [1, 2]

    def test_void_payment(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        payment = f.payment_record(booking, 4500)
        paid = dataclasses.replace(
            booking, amount_paid_cents=4500, payment_cleared=True, cleared_at=T0
        )
        [stored] = store.add_payments([PaymentWrite(payment, paid, 1)], [f.audit_entry()])
        voided = dataclasses.replace(
            stored, voided_at=T0, voided_by="crw_2", void_reason="wrong patron"
        )
        reopened = dataclasses.replace(
            paid, amount_paid_cents=0, payment_cleared=False, cleared_at=None
        )
        store.void_payment(
            stored, PaymentWrite(voided, reopened, 2), f.audit_entry("payment.voided")
        )
        assert store.get_payment(payment.id) == voided
        assert store.get_booking(event.id, patron.id) == dataclasses.replace(reopened, version=3)
        with pytest.raises(StaleWrite):
            store.void_payment(stored, PaymentWrite(voided, reopened, 3), f.audit_entry())

    # -- audit -------------------------------------------------------------------------
    def test_audit_filters_newest_first(self, store: Store) -> None:
        a = f.audit_entry("one", event_id="evt_a", patron_id="pat_a")
        b = f.audit_entry("two", event_id="evt_a", patron_id="pat_b")
        c = f.audit_entry("three", event_id="evt_c")
        for entry in (a, b, c):
            store.add_audit(entry)
        assert store.list_audit(event_id="evt_a") == [b, a]
        assert store.list_audit(patron_id="pat_a") == [a]
        assert store.list_audit(limit=2) == [c, b]

    # -- waivers -----------------------------------------------------------------------

    def test_template_versions(self, store: Store) -> None:
        v1 = w.template_record(name="Zeta", text="one")
        store.add_waiver_template(v1, f.audit_entry("waiver_template.created"))
        other = w.template_record(name="Alpha")
        store.add_waiver_template(other, f.audit_entry("waiver_template.created"))
        v2 = dataclasses.replace(w.template_record(v1.id, 2, "two"), name="Zeta")
        store.add_waiver_template(v2, f.audit_entry("waiver_template.edited"))
        assert store.get_waiver_template(v1.id) == v2
        assert store.get_waiver_template(v1.id, 1) == v1
        assert store.get_waiver_template(v1.id, 3) is None
        assert store.get_waiver_template("wvt_missing") is None
        assert store.list_waiver_templates() == [other, v2]
        assert store.list_waiver_template_versions(v1.id) == [v1, v2]
        assert store.list_waiver_template_versions("wvt_missing") == []
        with pytest.raises(DuplicateKey):
            store.add_waiver_template(
                w.template_record(v1.id, 2, "race"), f.audit_entry("waiver_template.edited")
            )
        assert store.get_waiver_template(v1.id, 2) == v2
        actions = [a.action for a in store.list_audit()]
        assert actions == ["waiver_template.edited"] + ["waiver_template.created"] * 2

    def test_signature_updates_booking_in_one_transaction(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        template = w.template_record()
        store.add_waiver_template(template, f.audit_entry())
        sig = w.signature_record(booking, template)
        signed = dataclasses.replace(
            booking,
            waiver_kind=WaiverKind.ELECTRONIC,
            waiver_signature_id=sig.id,
            waiver_at=T0,
            waiver_by=f"guest:{patron.id}",
        )
        store.add_waiver_signature(sig, signed, 1, f.audit_entry("waiver.signed", event.id))
        assert store.get_waiver_signature(sig.id) == sig
        assert store.get_booking(event.id, patron.id) == dataclasses.replace(signed, version=2)
        assert store.list_audit(event_id=event.id)[0].action == "waiver.signed"
        assert store.get_waiver_signature("wvs_missing") is None

    def test_stale_signature_writes_nothing(self, store: Store) -> None:
        event, patron, booking = _event_with_booking(store)
        template = w.template_record()
        store.add_waiver_template(template, f.audit_entry())
        sig = w.signature_record(booking, template)
        signed = dataclasses.replace(
            booking, waiver_kind=WaiverKind.ELECTRONIC, waiver_signature_id=sig.id
        )
        with pytest.raises(StaleWrite):
            store.add_waiver_signature(sig, signed, 7, f.audit_entry("waiver.signed", event.id))
        assert store.get_waiver_signature(sig.id) is None
        assert store.get_booking(event.id, patron.id) == booking
        assert [a.action for a in store.list_audit(event_id=event.id)] == ["event.created"]
        store.add_waiver_signature(sig, signed, 1, f.audit_entry("waiver.signed", event.id))
        again = dataclasses.replace(signed, version=2)
        with pytest.raises(DuplicateKey):
            store.add_waiver_signature(sig, again, 2, f.audit_entry("waiver.signed", event.id))
        assert store.get_booking(event.id, patron.id).version == 2
