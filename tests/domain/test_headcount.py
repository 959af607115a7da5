"""Headcount rules: the emergency notes each party carries on the captain's passenger list."""

from __future__ import annotations

from datetime import UTC, datetime

from shipcaptaincrew.domain.headcount import emergency_notes
from shipcaptaincrew.domain.models import Booking, BookingStatus, Seat, WaiverKind

T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def _booking(party_size: int, phone: str = "", **kw) -> Booking:
    return Booking(
        "evt_1",
        "pat_1",
        "Ann Lee",
        "ann@example.org",
        phone,
        party_size,
        0,
        "USD",
        BookingStatus.BOOKED,
        "t" * 32,
        T0,
        **kw,
    )


def test_a_party_with_its_waiver_and_a_phone_needs_no_note() -> None:
    assert emergency_notes(_booking(4, "+1 555 0100", waiver_kind=WaiverKind.PAPER)) == ()


def test_named_people_minors_unsigned_seats_and_no_phone_are_noted() -> None:
    seats = (
        Seat(1, name="Ann Lee", waiver_kind=WaiverKind.ELECTRONIC, signature_id="wvs_1"),
        Seat(2, name="Tom Lee", minor=True),
        Seat(3, minor=True),
    )
    assert emergency_notes(_booking(4, "  ", seats=seats)) == (
        "People: Ann Lee, Tom Lee (minor), Seat 3 (minor)",
        "No waiver for 3 of 4",
        "No phone on file",
    )


def test_seats_beyond_the_party_size_are_not_listed() -> None:
    seats = (Seat(1, name="Ann Lee"), Seat(3, name="Gone Away"))
    booking = _booking(2, "+1 555 0100", seats=seats, waiver_kind=WaiverKind.PAPER)
    assert emergency_notes(booking) == ("People: Ann Lee",)
