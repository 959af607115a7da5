"""Headcount: who of each party went aboard and who came back ashore."""

from __future__ import annotations

from collections.abc import Iterable

from .errors import Conflict, Invalid
from .models import Booking, BookingStatus
from .seats import seats_of


def check_headcount(booking: Booking, *, aboard: int, returned: int) -> None:
    """Refuse counts a booking cannot have: persons aboard go from 0 to the party size
    (after check-in), and no more can return than went aboard."""
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(f"This booking is {booking.status.value}.", {"status": booking.status.value})
    if not 0 <= aboard <= booking.party_size:
        raise Invalid(
            f"Aboard must be between 0 and the party of {booking.party_size}.",
            {"aboard": aboard, "party_size": booking.party_size},
        )
    if not 0 <= returned <= aboard:
        raise Invalid(
            "Returned must be between 0 and the number aboard.",
            {"returned": returned, "aboard": aboard},
        )
    if aboard and not booking.checked_in:
        raise Conflict("Check the patron in before they go aboard.", {"checked_in": False})


def still_out(booking: Booking) -> int:
    """Persons of this booking who went aboard and are not back."""
    return booking.aboard - booking.returned if booking.status == BookingStatus.BOOKED else 0


def totals(bookings: Iterable[Booking]) -> tuple[int, int, int]:
    """Persons aboard, returned and still out over the event's bookings."""
    booked = [b for b in bookings if b.status == BookingStatus.BOOKED]
    aboard = sum(b.aboard for b in booked)
    returned = sum(b.returned for b in booked)
    return aboard, returned, aboard - returned


def emergency_notes(booking: Booking) -> tuple[str, ...]:
    """What the captain needs about a party beyond its count: the people named for its
    seats (minors marked, for roll call), how many have no waiver on file (the waiver
    holds the consent to first aid), and a missing phone number."""
    notes = []
    people = [
        f"{seat.name or f'Seat {seat.no}'} (minor)" if seat.minor else seat.name
        for seat in seats_of(booking)
        if seat.name or seat.minor
    ]
    if people:
        notes.append("People: " + ", ".join(people))
    unsigned = booking.party_size - booking.waivers_signed
    if unsigned:
        notes.append(f"No waiver for {unsigned} of {booking.party_size}")
    if not booking.patron_phone.strip():
        notes.append("No phone on file")
    return tuple(notes)


def close_reason(still_out: int, reason: str) -> str:
    """The reason a captain gives to close an event while ``still_out`` persons are out."""
    text = reason.strip()
    if not text:
        raise Conflict(
            f"{still_out} {'person is' if still_out == 1 else 'persons are'} still out: "
            "a captain closes the event with a reason.",
            {"still_out": still_out},
        )
    return text[:500]
