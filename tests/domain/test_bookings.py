import dataclasses

from shipcaptaincrew.domain import bookings as rules
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
