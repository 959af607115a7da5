"""A roster's bookings are written to JSON directly (``BookingOut.json_of``), not through
the model: the bytes are the model's, for bookings of every shape (names with quotes,
control characters and text beyond ASCII, times with and without microseconds, seats
named, signed and beyond the party, every status and waiver)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from shipcaptaincrew.domain.models import Booking, BookingStatus, Seat, WaiverKind
from shipcaptaincrew.web.schemas import BookingOut
from tests import factories as f

_BASE = f.booking_record(f.event_record(), f.patron_record())
text = st.text(st.characters(codec="utf-8"), max_size=12)
times = st.none() | st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
kinds = st.none() | st.sampled_from(WaiverKind)
seats = st.lists(
    st.builds(
        Seat,
        no=st.integers(1, 8),
        name=text,
        minor=st.booleans(),
        waiver_kind=kinds,
    ),
    max_size=4,
).map(tuple)
bookings = st.builds(
    lambda **kw: dataclasses.replace(_BASE, **kw),
    patron_id=text,
    event_id=text,
    patron_name=text,
    patron_email=text,
    patron_phone=text,
    party_size=st.integers(1, 20),
    status=st.sampled_from(BookingStatus),
    amount_due_cents=st.integers(0, 10**12),
    amount_paid_cents=st.integers(0, 10**12),
    currency=st.sampled_from(["USD", "EUR", "JPY"]),
    guest_token=text,
    payment_cleared=st.booleans(),
    cleared_at=times,
    checked_in_at=times,
    checked_in_by=st.none() | text,
    waiver_kind=kinds,
    waiver_at=times,
    seats=seats,
    aboard=st.integers(0, 20),
    returned=st.integers(0, 20),
    version=st.integers(1, 10**6),
)


@settings(max_examples=200, deadline=None)
@given(
    booking=bookings,
    url=st.sampled_from(["https://crew.example.org", "http://127.0.0.1:8000"]),
    receipt=st.sampled_from([None, "queued", "sent", "failed"]),
)
def test_a_booking_written_directly_is_the_model_s_json(
    booking: Booking, url: str, receipt: str | None
) -> None:
    model = BookingOut.model_validate(BookingOut.fields_of(booking, url, receipt))
    assert BookingOut.json_of(booking, url, receipt) == model.model_dump_json().encode()


def test_every_field_of_the_answer_is_written_in_its_order() -> None:
    import json

    written = json.loads(BookingOut.json_of(_BASE, "https://x", "sent"))
    assert list(written) == list(BookingOut.model_fields)
    assert written["receipt_email"] == "sent"
    assert written["guest_url"] == f"https://x/g/{_BASE.guest_token}"
