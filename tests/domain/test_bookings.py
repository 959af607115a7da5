import dataclasses

import pytest

from shipcaptaincrew.domain import bookings as rules
from shipcaptaincrew.domain.errors import Conflict, Invalid
from shipcaptaincrew.domain.models import BookingStatus, WaiverKind
from tests import factories as f
from tests.factories import T0


def test_fits() -> None:
    assert rules.fits(None, 1000, 5)
    assert rules.fits(10, 8, 2)
    assert not rules.fits(10, 9, 2)


def test_count_and_ready() -> None:
    event = f.event_record(price_cents=1000)
    ready = dataclasses.replace(
        f.booking_record(event, f.patron_record(), 2),
        amount_paid_cents=2000,
        payment_cleared=True,
        checked_in_at=T0,
        waiver_kind=WaiverKind.PAPER,
    )
    unpaid = f.booking_record(event, f.patron_record())
    waiting = dataclasses.replace(
        f.booking_record(event, f.patron_record()), status=BookingStatus.WAITLISTED
    )
    gone = dataclasses.replace(
        f.booking_record(event, f.patron_record()),
        amount_paid_cents=500,
        status=BookingStatus.CANCELLED,
    )
    assert ready.ready and not unpaid.ready
    c = rules.count([ready, unpaid, waiting, gone])
    assert (c.booked, c.places, c.waitlisted, c.checked_in, c.waivers, c.paid, c.ready) == (
        2,
        3,
        1,
        1,
        1,
        1,
        1,
    )
    assert (c.amount_due_cents, c.amount_collected_cents) == (3000, 2500)


def test_recount_is_the_count_with_the_changed_bookings_replaced() -> None:
    event = f.event_record(price_cents=1000)
    unpaid = f.booking_record(event, f.patron_record(), 2)
    waiting = dataclasses.replace(
        f.booking_record(event, f.patron_record()), status=BookingStatus.WAITLISTED
    )
    other = f.booking_record(event, f.patron_record())
    paid = dataclasses.replace(
        unpaid,
        amount_paid_cents=2000,
        payment_cleared=True,
        checked_in_at=T0,
        waiver_kind=WaiverKind.PAPER,
    )
    admitted = dataclasses.replace(waiting, status=BookingStatus.BOOKED)
    before = rules.count([unpaid, waiting, other])
    after = rules.recount(before, [unpaid, waiting], [paid, admitted])
    assert after == rules.count([paid, admitted, other])
    assert (after.booked, after.places, after.waitlisted, after.ready) == (3, 4, 0, 1)
    assert (after.amount_due_cents, after.amount_collected_cents) == (4000, 2000)


def test_admit_books_a_party_that_fits_and_waitlists_one_that_does_not() -> None:
    event = f.event_record(capacity=4)
    booking = f.booking_record(event, f.patron_record(), party_size=3)
    entry = f.audit_entry("booking.added")
    stored, logged = rules.admit(booking, entry, capacity=4, places_booked=1)
    assert (stored.status, logged.data) == (
        BookingStatus.BOOKED,
        {**entry.data, "status": "booked"},
    )
    stored, logged = rules.admit(booking, entry, capacity=4, places_booked=2)
    assert stored.status == BookingStatus.WAITLISTED
    assert logged.data["status"] == "waitlisted"
    assert rules.admit(booking, entry, capacity=None, places_booked=999)[0].status == (
        BookingStatus.BOOKED
    )


def test_places_held_only_by_booked_parties_and_room_check() -> None:
    b = f.booking_record(f.event_record(), f.patron_record(), party_size=3)
    assert rules.places_held(b) == 3
    for status in (BookingStatus.WAITLISTED, BookingStatus.CANCELLED):
        assert rules.places_held(dataclasses.replace(b, status=status)) == 0
    rules.check_room(b, capacity=5, places_booked=2)
    with pytest.raises(Conflict) as err:
        rules.check_room(b, capacity=5, places_booked=3)
    assert err.value.details == {"places_booked": 3, "capacity": 5, "party_size": 3}


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-14:00", "1999-12-31T23:00:00+00:00"],
)
def test_event_times_far_from_today_are_refused_before_any_conversion(text) -> None:
    from datetime import datetime

    with pytest.raises(Invalid) as err:
        rules.check_event_times(datetime.fromisoformat(text), None)
    assert err.value.details == {"starts_at": text}
    rules.check_event_times(datetime.fromisoformat("2099-12-31T23:00:00-14:00"), None)
