"""Seats (a waiver per person) and waiver kiosks, on every backend. Mixed into
StoreContract (contract.py)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shipcaptaincrew.domain import seats as seat_rules
from shipcaptaincrew.domain.errors import DuplicateKey, NotFound, StaleWrite
from shipcaptaincrew.domain.kiosk import Kiosk
from shipcaptaincrew.domain.models import Seat, WaiverKind, new_id
from shipcaptaincrew.storage.base import Store
from tests import factories as f
from tests import waiver_factories as w
from tests.factories import T0
from tests.storage.contract_outbox import _message


def _party(store: Store, party_size: int):
    event = f.event_record()
    store.add_event(event, f.audit_entry("event.created", event.id))
    patron = f.patron_record(name="Ann Seaworth")
    booking = store.add_booking(
        patron=patron,
        new_patron=True,
        booking=f.booking_record(event, patron, party_size),
        capacity=None,
        audit=f.audit_entry("booking.added", event.id),
    )
    return event, booking


def _kiosk(event_id: str, n: int = 0, **kw) -> Kiosk:
    return Kiosk(
        id=kw.pop("id", new_id("ksk")),
        event_id=event_id,
        token_hash=kw.pop("token_hash", f"{n:064d}"),
        started_by="crw_a",
        started_at=T0 + timedelta(minutes=n),
        expires_at=T0 + timedelta(hours=12),
        **kw,
    )


class SeatsContract:
    def test_seats_round_trip_on_the_booking(self, store: Store) -> None:
        event, booking = _party(store, 3)
        assert booking.seats == ()
        people = [
            seat_rules.Person("Ann Seaworth", False, "ann@example.org"),
            seat_rules.Person("Bea Seaworth", True, ""),
            seat_rules.Person("", False, ""),
        ]
        named = seat_rules.with_link(seat_rules.named(booking, people), 2, "s" * 32)
        store.update_booking(named, 1, f.audit_entry("seats.named", event.id))
        stored = store.get_booking(event.id, booking.patron_id)
        assert stored == dataclasses.replace(named, version=2)
        assert stored.seats == (
            Seat(1, "Ann Seaworth", False, "ann@example.org"),
            Seat(2, "Bea Seaworth", True, "", "s" * 32),
        )
        assert store.list_bookings(event.id) == [stored]
        assert store.list_bookings_for_events([event.id]) == {event.id: [stored]}
        assert store.get_booking_by_token(booking.guest_token) == stored

    def test_seat_signature_and_seat_in_one_transaction(self, store: Store) -> None:
        event, booking = _party(store, 2)
        template = w.template_record()
        store.add_waiver_template(template, f.audit_entry())
        sig = dataclasses.replace(w.signature_record(booking, template), seat=2)
        after = seat_rules.signed(
            booking,
            no=2,
            kind=WaiverKind.ELECTRONIC,
            at=T0,
            by="guest:x",
            signature_id=sig.id,
            name="Bea Seaworth",
            minor=True,
        )
        with pytest.raises(StaleWrite):
            store.add_waiver_signature(sig, after, 5, f.audit_entry("waiver.signed", event.id))
        assert store.get_waiver_signature(sig.id) is None
        store.add_waiver_signature(sig, after, 1, f.audit_entry("waiver.signed", event.id))
        assert store.get_waiver_signature(sig.id) == sig
        stored = store.get_booking(event.id, booking.patron_id)
        assert stored.seats == (
            Seat(2, "Bea Seaworth", True, "", "", WaiverKind.ELECTRONIC, sig.id, T0, "guest:x"),
        )
        assert (stored.waivers_signed, stored.waiver_signed, stored.version) == (1, False, 2)

    def test_kiosks_by_token_listed_and_revoked_once(self, store: Store) -> None:
        event, _booking = _party(store, 1)
        later, first = _kiosk(event.id, 5), _kiosk(event.id, 1)
        store.add_kiosk(later, f.audit_entry("kiosk.started", event.id))
        store.add_kiosk(first, f.audit_entry("kiosk.started", event.id))
        assert store.get_kiosk_by_token(later.token_hash) == later
        assert store.get_kiosk_by_token("f" * 64) is None
        assert store.list_kiosks(event.id) == [first, later]
        assert store.list_kiosks("evt_missing") == []
        with pytest.raises(DuplicateKey):
            store.add_kiosk(dataclasses.replace(first, token_hash="e" * 64), f.audit_entry())
        with pytest.raises(NotFound):
            store.add_kiosk(_kiosk("evt_missing", 9), f.audit_entry())

        revoked = dataclasses.replace(first, revoked_at=T0 + timedelta(hours=1), revoked_by="x")
        assert store.revoke_kiosk(revoked, f.audit_entry("kiosk.revoked", event.id)) is True
        assert store.get_kiosk_by_token(first.token_hash) == revoked
        again = dataclasses.replace(revoked, revoked_at=T0 + timedelta(hours=2))
        assert store.revoke_kiosk(again, f.audit_entry("kiosk.revoked", event.id)) is False
        assert store.get_kiosk_by_token(first.token_hash) == revoked
        assert store.revoke_kiosk(_kiosk(event.id, 7), f.audit_entry()) is False
        actions = [a.action for a in store.list_audit(event_id=event.id)]
        assert actions.count("kiosk.revoked") == 1
        assert actions.count("kiosk.started") == 2

    def test_booking_update_with_its_outbox_message(self, store: Store) -> None:
        event, booking = _party(store, 2)
        named = seat_rules.named(booking, [seat_rules.Person(), seat_rules.Person("Bea")])
        msg = dataclasses.replace(_message(booking), kind="seat_link", payload={"seat": 2})
        with pytest.raises(StaleWrite):
            store.update_booking(named, 9, f.audit_entry("seat.link_emailed"), outbox=[msg])
        assert store.get_outbox(msg.id) is None
        store.update_booking(named, 1, f.audit_entry("seat.link_emailed"), outbox=[msg])
        assert store.get_outbox(msg.id) == msg
        assert store.get_booking(event.id, booking.patron_id).seats == named.seats
        again = dataclasses.replace(msg, id=new_id("msg"))
        audit = store.list_audit(limit=1000)
        with pytest.raises(DuplicateKey):
            store.update_booking(named, 2, f.audit_entry(), outbox=[again])
        assert store.get_booking(event.id, booking.patron_id).version == 2
        assert store.get_outbox(again.id) is None
        assert store.list_audit(limit=1000) == audit
