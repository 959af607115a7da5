"""A waiver per person: the seats of a party, who sits in them, and how signing them
completes the booking's waiver. Pure: no I/O.

A party of N has seats 1 to N. Only seats that were named or signed are stored on the
booking; the others are blank. The booking's own waiver (``Booking.waiver_kind``) is set
when its last seat is signed; a waiver recorded for the whole booking (crew's paper
waiver for the party, or an e-signature from before seats existed) covers every seat.
When the party size changes, seats above it are no longer counted (their signatures stay
on file) and new seats start blank; a booking whose waiver was complete stays complete.
"""

from __future__ import annotations

import dataclasses
import hmac
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .errors import Conflict, Invalid, NotFound
from .models import Booking, Seat, WaiverKind
from .waivers import check_person_name

MAX_EMAIL = 320
MIN_SEARCH_LETTERS = 3
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclasses.dataclass(frozen=True)
class Person:
    """What the booker enters for one seat."""

    name: str = ""
    minor: bool = False
    email: str = ""


def seats_of(booking: Booking) -> list[Seat]:
    """Seats 1 to the party size, stored or blank."""
    stored = {s.no: s for s in booking.seats}
    return [stored.get(n, Seat(n)) for n in range(1, booking.party_size + 1)]


def seat_of(booking: Booking, no: int) -> Seat:
    """Seat ``no`` of the booking, or NotFound."""
    if not 1 <= no <= booking.party_size:
        raise NotFound("This party has no such seat.", {"seat": no})
    return seats_of(booking)[no - 1]


def needs_signing(booking: Booking, seat: Seat) -> bool:
    """A seat still to sign: not signed itself and not covered by the booking's waiver."""
    return not seat.signed and booking.waiver_kind is None


def next_to_sign(booking: Booking) -> Seat | None:
    return next((s for s in seats_of(booking) if needs_signing(booking, s)), None)


def check_signable(booking: Booking, no: int) -> Seat:
    """The seat, if it can still be signed; NotFound for no such seat, Conflict when it
    already has a waiver."""
    seat = seat_of(booking, no)
    if not needs_signing(booking, seat):
        raise Conflict("A waiver is already on file for this person.", {"seat": no})
    return seat


def _with_seat(booking: Booking, seat: Seat) -> tuple[Seat, ...]:
    others = [s for s in booking.seats if s.no != seat.no]
    return tuple(sorted([*others, seat], key=lambda s: s.no))


def check_email(value: str) -> str:
    value = value.strip().lower()
    if value and (len(value) > MAX_EMAIL or not _EMAIL.fullmatch(value)):
        raise Invalid("Please type an email address such as name@example.org.", {"field": "email"})
    return value


def named(booking: Booking, people: Sequence[Person]) -> Booking:
    """The booking with its people's names, minor flags and emails: one Person per seat,
    in seat order. A signed seat keeps what it was signed with. Invalid for bad input."""
    if len(people) != booking.party_size:
        raise Invalid(
            f"Please give one entry per person ({booking.party_size}).", {"people": len(people)}
        )
    seats = booking.seats
    for seat, person in zip(seats_of(booking), people, strict=True):
        if seat.signed:
            continue
        name = check_person_name(person.name, "name") if person.name.strip() else ""
        email = check_email(person.email)
        changed = dataclasses.replace(seat, name=name, minor=person.minor, email=email)
        if changed != seat:
            seats = _with_seat(dataclasses.replace(booking, seats=seats), changed)
    return dataclasses.replace(booking, seats=seats)


def with_link(booking: Booking, no: int, secret: str) -> Booking:
    """The booking with seat ``no``'s signing-link secret set (kept when it has one)."""
    seat = check_signable(booking, no)
    if seat.link_secret:
        return booking
    return dataclasses.replace(
        booking, seats=_with_seat(booking, dataclasses.replace(seat, link_secret=secret))
    )


def seat_for_link(booking: Booking, no: int, secret: str) -> Seat | None:
    """Seat ``no`` when ``secret`` is its signing-link secret, else None."""
    if not 1 <= no <= booking.party_size:
        return None
    seat = seats_of(booking)[no - 1]
    if not seat.link_secret or not hmac.compare_digest(seat.link_secret, secret):
        return None
    return seat


def signed(
    booking: Booking,
    *,
    no: int,
    kind: WaiverKind,
    at: datetime,
    by: str,
    signature_id: str | None = None,
    name: str = "",
    minor: bool | None = None,
) -> Booking:
    """The booking with seat ``no`` signed (``name``/``minor`` from the signature when
    given). When that was the last seat, the booking's waiver is complete: electronic when
    any seat was signed online (its signature id: the first such seat's), else paper.
    Conflict when the seat already has a waiver."""
    seat = check_signable(booking, no)
    seat = dataclasses.replace(
        seat,
        name=name or seat.name,
        minor=seat.minor if minor is None else minor,
        waiver_kind=kind,
        signature_id=signature_id,
        waiver_at=at,
        waiver_by=by,
        link_secret="",
    )
    updated = dataclasses.replace(booking, seats=_with_seat(booking, seat))
    people = seats_of(updated)
    if not all(s.signed for s in people):
        return updated
    online = [s for s in people if s.waiver_kind == WaiverKind.ELECTRONIC]
    return dataclasses.replace(
        updated,
        waiver_kind=WaiverKind.ELECTRONIC if online else WaiverKind.PAPER,
        waiver_signature_id=online[0].signature_id if online else None,
        waiver_at=at,
        waiver_by=by,
    )


def signature_ids(booking: Booking) -> list[str]:
    """The e-signatures on file for the party, in seat order: one per seat signed online,
    or the whole booking's one signature from before seats."""
    ids = [s.signature_id for s in seats_of(booking) if s.signature_id]
    if not ids and booking.waiver_signature_id:
        ids = [booking.waiver_signature_id]
    return ids


# -- names for the kiosk's search ------------------------------------------------------------
def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def check_search(query: str) -> str:
    """The search as matched (case and accents folded), or Invalid when it has fewer than
    three letters."""
    folded = _fold(" ".join(query.split()))
    if sum(c.isalpha() for c in folded) < MIN_SEARCH_LETTERS or len(folded) > 100:
        raise Invalid(
            f"Please type at least {MIN_SEARCH_LETTERS} letters of the surname.",
            {"field": "q"},
        )
    return folded


def surname_matches(name: str, folded_query: str) -> bool:
    """Whether a surname of ``name`` (any word after the first, or a one-word name)
    starts with the folded query."""
    words = _fold(name).split()
    surnames = words[1:] or words
    return any(w.startswith(folded_query) for w in surnames) or (
        " " in folded_query and _fold(name).startswith(folded_query)
    )


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else ""


# -- codec shared by the stores ---------------------------------------------------------------
_SEAT_FIELDS = frozenset(f.name for f in dataclasses.fields(Seat))


def seats_to_json(seats: Sequence[Seat]) -> list[dict[str, Any]]:
    out = []
    for s in seats:
        doc = dataclasses.asdict(s)
        doc["waiver_kind"] = s.waiver_kind.value if s.waiver_kind else None
        doc["waiver_at"] = s.waiver_at.isoformat() if s.waiver_at else None
        out.append(doc)
    return out


def seats_from_json(docs: Sequence[dict[str, Any]] | None) -> tuple[Seat, ...]:
    if not docs:
        return ()
    seats = []
    for doc in docs:
        values = {k: v for k, v in doc.items() if k in _SEAT_FIELDS}
        if values.get("waiver_kind"):
            values["waiver_kind"] = WaiverKind(values["waiver_kind"])
        if values.get("waiver_at"):
            values["waiver_at"] = datetime.fromisoformat(values["waiver_at"])
        seats.append(Seat(**values))
    return tuple(seats)
