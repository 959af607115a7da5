"""Seat rules: naming, signing in turn, completing the booking's waiver, links, search."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from shipcaptaincrew.domain import kiosk
from shipcaptaincrew.domain import seats as s
from shipcaptaincrew.domain.errors import Conflict, Invalid, NotFound
from shipcaptaincrew.domain.models import Booking, BookingStatus, Seat, WaiverKind

T0 = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


def _booking(party_size: int = 3, **kw) -> Booking:
    return Booking(
        "evt_1",
        "pat_1",
        "Ann Seaworth",
        "ann@example.org",
        "",
        party_size,
        0,
        "USD",
        BookingStatus.BOOKED,
        "t" * 32,
        T0,
        **kw,
    )


def _sign(b: Booking, no: int, kind: WaiverKind = WaiverKind.ELECTRONIC) -> Booking:
    sig = f"wvs_{no}" if kind == WaiverKind.ELECTRONIC else None
    return s.signed(b, no=no, kind=kind, at=T0, by="guest:pat_1", signature_id=sig)


def test_seats_are_numbered_to_the_party_size() -> None:
    b = _booking(3, seats=(Seat(2, "Bea"),))
    assert s.seats_of(b) == [Seat(1), Seat(2, "Bea"), Seat(3)]
    assert s.next_to_sign(b) == Seat(1)
    with pytest.raises(NotFound):
        s.seat_of(b, 4)


def test_the_last_seat_completes_the_booking_waiver() -> None:
    b = _sign(_sign(_booking(3), 2), 1)
    assert (b.waiver_kind, b.waivers_signed, b.waiver_signed) == (None, 2, False)
    with pytest.raises(Conflict):
        _sign(b, 2)
    done = _sign(b, 3, WaiverKind.PAPER)
    assert (done.waiver_kind, done.waiver_signature_id, done.waivers_signed) == (
        WaiverKind.ELECTRONIC,
        "wvs_1",
        3,
    )
    assert s.signature_ids(done) == ["wvs_1", "wvs_2"]
    paper = _sign(_booking(1), 1, WaiverKind.PAPER)
    assert (paper.waiver_kind, paper.waiver_signature_id) == (WaiverKind.PAPER, None)


def test_a_whole_booking_waiver_covers_every_seat() -> None:
    old = _booking(4, waiver_kind=WaiverKind.ELECTRONIC, waiver_signature_id="wvs_old")
    assert (old.waivers_signed, s.next_to_sign(old), s.signature_ids(old)) == (4, None, ["wvs_old"])
    with pytest.raises(Conflict):
        _sign(old, 1)


def test_a_smaller_party_counts_only_its_seats() -> None:
    b = _sign(_sign(_booking(3), 3), 2)
    smaller = dataclasses.replace(b, party_size=2)
    assert (smaller.waivers_signed, [x.no for x in s.seats_of(smaller)]) == (1, [1, 2])


def test_naming_keeps_signed_seats_and_checks_input() -> None:
    b = _sign(_booking(2), 1)
    named = s.named(b, [s.Person("Changed"), s.Person(" Bea   Sea ", True, "BEA@Example.org")])
    assert s.seats_of(named)[0] == s.seats_of(b)[0]
    assert s.seats_of(named)[1] == Seat(2, "Bea Sea", True, "bea@example.org")
    with pytest.raises(Invalid):
        s.named(b, [s.Person()])
    with pytest.raises(Invalid):
        s.named(b, [s.Person(), s.Person("Bea", email="not-an-address")])


def test_a_seat_link_opens_its_seat_only_until_signed() -> None:
    b = s.with_link(_booking(2), 2, "secret-" * 4)
    assert s.with_link(b, 2, "other") is b
    assert s.seat_for_link(b, 2, "secret-" * 4) == s.seats_of(b)[1]
    assert s.seat_for_link(b, 1, "secret-" * 4) is None
    assert s.seat_for_link(b, 2, "wrong") is None
    assert s.seat_for_link(b, 9, "secret-" * 4) is None
    assert s.seat_for_link(_sign(b, 2), 2, "secret-" * 4) is None


@pytest.mark.parametrize(
    ("name", "query", "hit"),
    [
        ("Ann Seaworth", "sea", True),
        ("Ann Seaworth", "ann", False),
        ("Zoë Ölmez", "olm", True),
        ("José María García", "GARC", True),
        ("Madonna", "mad", True),
        ("Ann Seaworth", "ann sea", True),
    ],
)
def test_surname_search(name: str, query: str, hit: bool) -> None:
    assert s.surname_matches(name, s.check_search(query)) is hit


@pytest.mark.parametrize("query", ["", "se", " s e ", "12345", "x" * 101])
def test_search_needs_three_letters(query: str) -> None:
    with pytest.raises(Invalid):
        s.check_search(query)


def test_kiosk_expires_at_the_next_local_midnight() -> None:
    ny = ZoneInfo("America/New_York")
    # 23:30 UTC on 1 July is 19:30 in New York: the kiosk ends at 04:00 UTC on 2 July
    assert kiosk.expiry(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), ny) == datetime(
        2026, 7, 2, 4, 0, tzinfo=UTC
    )
    # the night the clocks go back (1 November 2026) still ends at local midnight
    assert kiosk.expiry(datetime(2026, 11, 1, 12, 0, tzinfo=UTC), ny) == datetime(
        2026, 11, 2, 5, 0, tzinfo=UTC
    )


def test_seats_codec_round_trip() -> None:
    seats = (Seat(1, "Ann", False, "a@b.org", "x", WaiverKind.PAPER, None, T0, "crw_1"),)
    assert s.seats_from_json(s.seats_to_json(seats)) == seats
    assert s.seats_from_json(None) == ()
