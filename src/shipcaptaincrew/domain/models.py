"""The records the rest of the system passes around. Plain dataclasses, no I/O."""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

R = TypeVar("R")


def new_id(prefix: str) -> str:
    """A short, unguessable identifier such as ``evt_4f0c9a1be27d5c30``."""
    return f"{prefix}_{secrets.token_hex(8)}"


def new_sorted_id(prefix: str) -> str:
    """An identifier that sorts after those made before it in this process (nanoseconds,
    then 32 random bits): the tie-break of records ordered by a time that may be equal."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(4)}"


def evolve(record: R, **changes: Any) -> R:
    """``dataclasses.replace(record, **changes)`` for the records of this module, which
    compute and check nothing when made (no ``__post_init__``, no ``InitVar``, every field
    set by ``__init__``): the record's values with ``changes`` over them, set directly,
    without the generated ``__init__`` (a booking's 27 fields cost ``replace`` about 15 µs,
    a check-in two of them). A name that is no field is refused, as ``replace`` refuses it."""
    cls: Any = type(record)
    unknown = changes.keys() - field_names(cls)
    if unknown:
        raise TypeError(f"{cls.__name__} has no field {sorted(unknown)[0]!r}")
    copy: R = object.__new__(cls)
    values = copy.__dict__
    values.update(record.__dict__)
    values.update(changes)
    return copy


@functools.cache
def field_order(cls: Any) -> tuple[str, ...]:
    """The names of a record class's fields, in their order."""
    return tuple(f.name for f in fields(cls))


@functools.cache
def field_names(cls: Any) -> frozenset[str]:
    """The names of a record class's fields."""
    return frozenset(field_order(cls))


def new_guest_token() -> str:
    """A guest link token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


class Role(StrEnum):
    ADMIN = "admin"
    CAPTAIN = "captain"
    CREW = "crew"

    @property
    def manages(self) -> bool:
        """Admins and captains run events, void payments and manage crew."""
        return self in (Role.ADMIN, Role.CAPTAIN)


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DONE = "done"


class BookingStatus(StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


# A member read through its class costs about 0.2 µs on Python 3.11 (an attribute of the
# enum's metaclass); the roster reads a booking's status several times for each booking.
_BOOKED = BookingStatus.BOOKED


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    CHECK = "check"
    TRANSFER = "transfer"
    APP = "app"
    STRIPE = "stripe"
    PAYPAL = "paypal"
    COMP = "comp"
    CREDIT = "credit"  # spent from the patron's credit (domain/credits.py)
    OTHER = "other"
    UNSPECIFIED = "unspecified"  # production's "confirm paid": the method was not recorded
    IMPORTED = "imported"  # carried over by `scc import-legacy`; never logged by crew


class WaiverKind(StrEnum):
    PAPER = "paper"
    ELECTRONIC = "electronic"


class ActorKind(StrEnum):
    CREW = "crew"
    GUEST = "guest"
    PROVIDER = "provider"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who made a change: a crew member, a guest (by booking), a provider or the system."""

    kind: ActorKind
    id: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM = Actor(ActorKind.SYSTEM, "system", "System")
IMPORTER = Actor(ActorKind.SYSTEM, "importer", "Legacy import")
STRIPE = Actor(ActorKind.PROVIDER, "stripe", "Stripe")
PAYPAL = Actor(ActorKind.PROVIDER, "paypal", "PayPal")


@dataclass(frozen=True)
class CrewMember:
    id: str
    name: str
    email: str
    role: Role
    password_hash: str
    created_at: datetime
    active: bool = True
    # Set by an admin's reset: the member must choose a new password before anything else.
    must_change_password: bool = False


@dataclass(frozen=True)
class Session:
    """A signed-in crew member. The token itself is never stored, only its hash."""

    token_hash: str
    crew_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    address: str = ""  # the client's address when the session was last used
    last_used_at: datetime | None = None  # refreshed at most once a minute


@dataclass(frozen=True)
class Event:
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    capacity: int | None
    price_cents: int
    currency: str
    status: EventStatus
    created_at: datetime
    updated_at: datetime
    waiver_template_id: str | None = None
    version: int = 1
    legacy_id: str | None = None  # the event's id in the system it was imported from
    timezone: str | None = None  # where it happens, when not SCC_TIMEZONE (an IANA name)


@dataclass(frozen=True)
class Patron:
    id: str
    name: str
    email: str
    phone: str
    created_at: datetime


@dataclass(frozen=True)
class Seat:
    """One person of a party (``no`` is 1 to the party size) and their own waiver.

    ``link_secret`` makes the seat's own signing link (192 random bits, "" until the booker
    asks for it); it lets its holder sign this seat and nothing else. Rules in
    ``domain/seats.py``."""

    no: int
    name: str = ""
    minor: bool = False
    email: str = ""
    link_secret: str = ""
    waiver_kind: WaiverKind | None = None
    signature_id: str | None = None
    waiver_at: datetime | None = None
    waiver_by: str | None = None

    @property
    def signed(self) -> bool:
        return self.waiver_kind is not None


@dataclass(frozen=True)
class Booking:
    """One patron's place on an event: the roster entry.

    ``patron_name``/``patron_email``/``patron_phone`` are copied from the
    patron so that a roster is one read. ``version`` guards concurrent writes:
    a store refuses an update whose expected version is not the current one.
    """

    event_id: str
    patron_id: str
    patron_name: str
    patron_email: str
    patron_phone: str
    party_size: int
    amount_due_cents: int
    currency: str
    status: BookingStatus
    guest_token: str
    created_at: datetime
    amount_paid_cents: int = 0
    payment_cleared: bool = False
    cleared_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None
    waiver_kind: WaiverKind | None = None
    waiver_at: datetime | None = None
    waiver_by: str | None = None
    waiver_signature_id: str | None = None
    cancelled_at: datetime | None = None
    version: int = 1
    legacy_id: str | None = None  # the participant's id in the system it was imported from
    # The party's people and their waivers (only the seats named or signed are stored).
    # ``waiver_kind`` above is the whole booking's waiver: set when the last seat is signed,
    # by crew's paper waiver for the whole party, or by a signature from before seats.
    seats: tuple[Seat, ...] = ()
    reminders_stopped_at: datetime | None = None  # the patron asked for no more reminders
    aboard: int = 0  # persons of the party who went aboard (a party can split)
    returned: int = 0  # of those, persons back ashore

    @property
    def checked_in(self) -> bool:
        return self.checked_in_at is not None

    @property
    def waiver_signed(self) -> bool:
        """Every seat has a waiver (see ``waivers_signed``)."""
        return self.waiver_kind is not None

    @property
    def waivers_signed(self) -> int:
        """How many of the party's seats have a waiver: all of them once the booking's
        waiver is complete (or covers the whole party), else the seats signed so far."""
        if self.waiver_kind is not None:
            return self.party_size
        return sum(1 for s in self.seats if s.signed and s.no <= self.party_size)

    @property
    def balance_cents(self) -> int:
        """What is still to pay: nothing once cleared (a comp waives the rest)."""
        if self.payment_cleared:
            return 0
        return max(self.amount_due_cents - self.amount_paid_cents, 0)

    @property
    def waived_cents(self) -> int:
        """What a comp waived: the part of the amount due that was cleared unpaid."""
        if not self.payment_cleared:
            return 0
        return max(self.amount_due_cents - self.amount_paid_cents, 0)

    @property
    def ready(self) -> bool:
        """Ready to board: paid, waiver in hand, checked in."""
        return (
            self.status == _BOOKED
            and self.payment_cleared
            and self.waiver_signed
            and self.checked_in
        )


@dataclass(frozen=True)
class Payment:
    id: str
    event_id: str
    patron_id: str
    amount_cents: int
    currency: str
    method: PaymentMethod
    reference: str
    note: str
    logged_by: str
    logged_by_name: str
    logged_at: datetime
    idempotency_key: str | None = None
    receipt_no: int | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    # A refund is an entry of its own: a negative amount, the method the money went back by,
    # and the id of the payment it returns money from.
    refund_of: str | None = None

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_refund(self) -> bool:
        return self.refund_of is not None


@dataclass(frozen=True)
class AuditEntry:
    """Append-only record of one change. Never updated or deleted."""

    id: str
    at: datetime
    actor: str
    actor_name: str
    action: str
    subject: str
    event_id: str | None = None
    patron_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    """An email to send, written in the same transaction as its cause."""

    id: str
    dedup_key: str
    kind: str
    to: str
    payload: dict[str, Any]
    created_at: datetime
    next_attempt_at: datetime
    status: str = "queued"
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    event_id: str | None = None
    patron_id: str | None = None


@dataclass(frozen=True)
class RosterCounts:
    booked: int = 0
    places: int = 0
    waitlisted: int = 0
    checked_in: int = 0
    waivers: int = 0
    paid: int = 0
    ready: int = 0
    amount_due_cents: int = 0
    amount_collected_cents: int = 0
