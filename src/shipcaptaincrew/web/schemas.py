"""Request and response models. Separate from the domain records on purpose."""

from __future__ import annotations

from datetime import datetime
from json.encoder import encode_basestring as _text  # type: ignore[attr-defined]
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
)

from ..domain.models import Booking, BookingStatus, EventStatus, PaymentMethod, Role, Seat
from ..domain.money import CURRENCIES, MAX_AMOUNT_CENTS


def _whole_number(value: object) -> object:
    """JSON numbers that are whole (4500 or 4500.0) but never strings, booleans or 45.5."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number of cents")
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Cents = Annotated[WholeNumber, Field(ge=0, le=MAX_AMOUNT_CENTS)]


def _known_currency(value: str) -> str:
    if value not in CURRENCIES:
        raise ValueError(f"must be one of {', '.join(sorted(CURRENCIES))}")
    return value


Currency = Annotated[
    str, AfterValidator(_known_currency), Field(json_schema_extra={"enum": sorted(CURRENCIES)})
]
Text = Annotated[str, Field(max_length=500)]

# When an action taken offline happened: not in the future, not older than
# SCC_OFFLINE_WINDOW_HOURS (default 24). Omitted: now.
OccurredAt = Annotated[AwareDatetime | None, Field(description="When it happened (offline).")]


NOT_LOGGED_BY_CREW = {
    PaymentMethod.IMPORTED: "imported payments are only made by scc import-legacy",
    PaymentMethod.UNSPECIFIED: "unspecified is what a confirmation without an amount logs",
}


def _crew_method(value: PaymentMethod) -> PaymentMethod:
    if value in NOT_LOGGED_BY_CREW:
        raise ValueError(NOT_LOGGED_BY_CREW[value])
    return value


# A method crew may name: every method but ``imported`` and ``unspecified``.
LoggedMethod = Annotated[
    PaymentMethod,
    AfterValidator(_crew_method),
    WithJsonSchema(
        {"type": "string", "enum": [m.value for m in PaymentMethod if m not in NOT_LOGGED_BY_CREW]}
    ),
]
ReceiptEmail = Literal["queued", "sent", "failed"]


# An answer's validator and serialiser are built when it is first used, not when its module
# is imported: a cold start (Lambda) imports every model and its first request uses a
# handful. (Request bodies are built at import: FastAPI wraps a body model in an alias that
# pydantic warns about when it has to build the model itself at that point.)
class Out(BaseModel):
    model_config = ConfigDict(defer_build=True)


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- auth and crew ---------------------------------------------------------------------------
class LoginIn(In):
    email: Annotated[str, Field(min_length=1, max_length=320)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class CrewOut(Out):
    id: str
    name: str
    email: str
    role: Role


class LoginOut(Out):
    token: str
    csrf_token: str
    csrf_header: str
    crew: CrewOut
    must_change_password: bool = False


class MeOut(Out):
    crew: CrewOut
    csrf_token: str
    csrf_header: str
    org_name: str
    must_change_password: bool = False


class CrewIn(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=320)]
    role: Role
    # length and strength are the password policy's (services/passwords.py), worded there
    password: Annotated[str, Field(min_length=1, max_length=1000)]


# -- events ---------------------------------------------------------------------------------
class EventIn(In):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    location: Annotated[str, Field(max_length=300)] = ""
    capacity: Annotated[WholeNumber, Field(ge=1, le=10_000)] | None = None
    price_cents: Cents
    currency: Currency | None = None
    waiver_template_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class EventPatch(In):
    title: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: Annotated[str, Field(max_length=300)] | None = None
    capacity: Annotated[WholeNumber, Field(ge=1, le=10_000)] | None = None
    price_cents: Cents | None = None
    currency: Currency | None = None
    status: EventStatus | None = None
    waiver_template_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    timezone: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class CountsOut(Out):
    booked: int
    places: int
    waitlisted: int
    checked_in: int
    waivers: int
    paid: int
    ready: int
    amount_due_cents: int
    amount_collected_cents: int


class EventOut(Out):
    id: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    location: str
    capacity: int | None
    price_cents: int
    currency: str
    status: EventStatus
    waiver_template_id: str | None = None
    timezone: str | None = None  # the event's own time zone (null: SCC_TIMEZONE)
    counts: CountsOut | None = None


class EventListOut(Out):
    events: list[EventOut]


# -- roster ---------------------------------------------------------------------------------
class RosterIn(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=320)]
    phone: Annotated[str, Field(max_length=40)] = ""
    party_size: Annotated[WholeNumber, Field(ge=1, le=50)] = 1


class SeatOut(Out):
    no: int
    name: str
    minor: bool
    signed: bool = Field(description="This person has a waiver (their own or the booking's).")
    waiver_kind: str | None = Field(description="electronic or paper when signed for this seat.")


def _shown_seats(b: Booking) -> list[tuple[Seat, bool]]:
    """The seats an answer lists, each with whether it has a waiver: the people named or
    signed so far within the party (seats not listed are blank and unsigned, unless the
    booking's waiver covers the whole party): a 500-patron roster stays light."""
    covered = b.waiver_kind is not None
    return [(s, s.signed or covered) for s in b.seats if s.no <= b.party_size]


def seats_out(b: Booking) -> list[SeatOut]:
    """``_shown_seats`` as the answer's seats."""
    return [
        SeatOut.model_construct(
            no=s.no,
            name=s.name,
            minor=s.minor,
            signed=signed,
            waiver_kind=s.waiver_kind.value if s.waiver_kind else None,
        )
        for s, signed in _shown_seats(b)
    ]


class BookingOut(Out):
    patron_id: str
    event_id: str
    name: str
    email: str
    phone: str
    party_size: int
    status: BookingStatus
    amount_due_cents: int
    amount_paid_cents: int
    balance_cents: int
    currency: str
    payment_cleared: bool
    cleared_at: datetime | None
    checked_in: bool
    checked_in_at: datetime | None
    checked_in_by: str | None
    waiver_signed: bool
    waiver_kind: str | None
    waiver_at: datetime | None
    waivers_signed: int = Field(description="People of the party with a waiver (of party_size).")
    seats: list[SeatOut] = Field(
        description="The people named or signed so far, by seat number; seats not listed "
        "are blank and unsigned unless the booking's waiver covers the whole party."
    )
    ready: bool
    guest_url: str
    receipt_email: ReceiptEmail | None = Field(
        None, description="Status of the latest receipt or correction email; null if none."
    )
    aboard: int = 0  # persons of the party who went aboard
    returned: int = 0  # of those, persons back
    version: int = Field(
        0,
        description="Goes up by one with every change to the booking: of two answers about "
        "it, the one with the higher version is the newer.",
    )

    @classmethod
    def of(cls, b: Booking, public_url: str, receipt_email: str | None = None) -> BookingOut:
        """Built from a stored booking without re-validating it."""
        return cls.model_construct(**cls.fields_of(b, public_url, receipt_email))

    @staticmethod
    def fields_of(b: Booking, public_url: str, receipt_email: str | None = None) -> dict[str, Any]:
        """The fields of a stored booking's answer, as a plain dict: a 500-patron roster
        validates these in one pass of pydantic's core, cheaper than 500 model_construct."""
        return dict(
            patron_id=b.patron_id,
            event_id=b.event_id,
            name=b.patron_name,
            email=b.patron_email,
            phone=b.patron_phone,
            party_size=b.party_size,
            status=b.status,
            amount_due_cents=b.amount_due_cents,
            amount_paid_cents=b.amount_paid_cents,
            balance_cents=b.balance_cents,
            currency=b.currency,
            payment_cleared=b.payment_cleared,
            cleared_at=b.cleared_at,
            checked_in=b.checked_in,
            checked_in_at=b.checked_in_at,
            checked_in_by=b.checked_in_by,
            waiver_signed=b.waiver_signed,
            waiver_kind=b.waiver_kind.value if b.waiver_kind else None,
            waiver_at=b.waiver_at,
            waivers_signed=b.waivers_signed,
            seats=seats_out(b),
            ready=b.ready,
            guest_url=f"{public_url}/g/{b.guest_token}",
            receipt_email=receipt_email,
            aboard=b.aboard,
            returned=b.returned,
            version=b.version,
        )

    @staticmethod
    def json_of(b: Booking, public_url: str, receipt_email: str | None = None) -> bytes:
        """The bytes ``BookingOut.of(b, public_url, receipt_email).model_dump_json()``
        makes, written out directly: a 500-patron roster's bookings in 2.6 ms of CPU
        instead of 6.5 through the model. Strings are escaped by the standard library's
        JSON encoder as pydantic escapes them, times written as pydantic writes them (a
        test compares the two on bookings of every shape)."""
        seats = (
            ""
            if not b.seats
            else ",".join(
                f'{{"no":{s.no},"name":{_text(s.name)},"minor":{_TF[s.minor]},'
                f'"signed":{_TF[signed]},'
                f'"waiver_kind":{_text(s.waiver_kind._value_) if s.waiver_kind else "null"}}}'
                for s, signed in _shown_seats(b)
            )
        )
        return (
            f'{{"patron_id":{_text(b.patron_id)},"event_id":{_text(b.event_id)},'
            f'"name":{_text(b.patron_name)},"email":{_text(b.patron_email)},'
            f'"phone":{_text(b.patron_phone)},"party_size":{b.party_size},'
            f'"status":{_text(b.status._value_)},"amount_due_cents":{b.amount_due_cents},'
            f'"amount_paid_cents":{b.amount_paid_cents},"balance_cents":{b.balance_cents},'
            f'"currency":{_text(b.currency)},"payment_cleared":{_TF[b.payment_cleared]},'
            f'"cleared_at":{_time(b.cleared_at)},"checked_in":{_TF[b.checked_in]},'
            f'"checked_in_at":{_time(b.checked_in_at)},'
            f'"checked_in_by":{_text_or_null(b.checked_in_by)},'
            f'"waiver_signed":{_TF[b.waiver_signed]},'
            f'"waiver_kind":{_text(b.waiver_kind._value_) if b.waiver_kind else "null"},'
            f'"waiver_at":{_time(b.waiver_at)},"waivers_signed":{b.waivers_signed},'
            f'"seats":[{seats}],"ready":{_TF[b.ready]},'
            f'"guest_url":{_text(f"{public_url}/g/{b.guest_token}")},'
            f'"receipt_email":{_text_or_null(receipt_email)},"aboard":{b.aboard},'
            f'"returned":{b.returned},"version":{b.version}}}'
        ).encode()


_TF = {True: "true", False: "false"}


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else str(_text(value))


def _time(value: datetime | None) -> str:
    """A time as pydantic writes it in JSON: ISO 8601, UTC as Z."""
    if value is None:
        return "null"
    text = value.isoformat()
    return f'"{text[:-6]}Z"' if text.endswith("+00:00") else f'"{text}"'


class EventRosterOut(EventOut):
    roster: list[BookingOut]


class EventRosterListOut(Out):
    """``GET /api/events?include=roster``: production's smoke test reads patrons from it."""

    events: list[EventRosterOut]


class RosterOut(Out):
    event: EventOut
    counts: CountsOut
    roster: list[BookingOut]
    cursor: str | None = None  # the roster's change marker (also its ETag), for live sync
    credit: dict[str, int] = Field(
        {}, description="Patron id -> credit they can spend now (cents, the event's currency)."
    )


class HeadcountIn(In):
    aboard: Annotated[WholeNumber, Field(ge=0, le=50)]
    returned: Annotated[WholeNumber, Field(ge=0, le=50)]
    occurred_at: OccurredAt = None


class PassengerOut(Out):
    patron_id: str
    name: str
    phone: str
    party_size: int
    aboard: int
    returned: int
    still_out: int
    notes: list[str]  # emergency-relevant: named people (minors marked), waivers, phone


class PassengersOut(Out):
    event_id: str
    title: str
    generated_at: datetime
    aboard: int
    returned: int
    still_out: int
    passengers: list[PassengerOut]


class CloseIn(In):
    reason: Annotated[str, Field(max_length=500)] = ""


class ChangesOut(Out):
    cursor: str
    reload: bool  # true: the event changed or the cursor is too old: get the whole roster
    roster: list[BookingOut]  # the bookings changed since the cursor
    credit: dict[str, int] = Field(
        {},
        description="Patron id -> credit they can spend now (cents, the event's currency), "
        "for the changed bookings' patrons who hold some.",
    )


class CancelIn(In):
    reason: Text = ""


class AttendanceIn(In):
    checked_in: StrictBool
    occurred_at: OccurredAt = None
    # The boarding gate: why someone unpaid or without a waiver boards anyway (not blank).
    board_anyway: Annotated[str, Field(max_length=500)] | None = None


class WaiverIn(In):
    kind: Literal["paper"] = "paper"
    occurred_at: OccurredAt = None


class WaiverOut(Out):
    waiver_signed: bool
    kind: str | None
    at: datetime | None
    by: str | None
    booking: BookingOut


# -- payments -------------------------------------------------------------------------------
class PaymentIn(In):
    """A payment (``amount_cents`` and ``method`` together), or production's confirmation
    that the patron paid: no amount and no method (``{}``, ``{"payment_cleared": true}`` or
    no body at all) logs the balance left with method ``unspecified``."""

    amount_cents: Cents | None = None
    method: LoggedMethod | None = None
    payment_cleared: Literal[True] | None = None
    reference: Text = ""
    note: Text = ""
    currency: Currency | None = None
    occurred_at: OccurredAt = None


class PaymentOut(Out):
    id: str
    event_id: str
    patron_id: str
    amount_cents: int
    currency: str
    method: PaymentMethod
    reference: str
    note: str
    logged_by: str
    logged_by_id: str
    logged_at: datetime
    receipt_no: int | None
    voided: bool
    voided_at: datetime | None
    voided_by: str | None
    void_reason: str | None
    refund_of: str | None = None  # a refund: the payment money went back from


class PaymentLoggedOut(Out):
    payment: PaymentOut
    booking: BookingOut


class PaymentStatusOut(Out):
    payment_cleared: bool
    cleared_at: datetime | None
    amount_due_cents: int
    amount_paid_cents: int
    balance_cents: int
    currency: str
    payments: list[PaymentOut]
    credit_cents: int = 0  # the patron's credit in this currency (spend it with method credit)


class BatchItem(In):
    patron_id: Annotated[str, Field(min_length=1, max_length=64)]
    amount_cents: Cents | None = None
    method: LoggedMethod
    reference: Text = ""
    note: Text = ""


class BatchIn(In):
    payments: Annotated[list[BatchItem], Field(min_length=1, max_length=100)]
    occurred_at: OccurredAt = None


class BatchOut(Out):
    payments: list[PaymentLoggedOut]


class VoidIn(In):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


# -- audit ----------------------------------------------------------------------------------
class AuditOut(Out):
    id: str
    at: datetime
    actor: str
    actor_name: str
    action: str
    subject: str
    event_id: str | None
    patron_id: str | None
    data: dict[str, object]


class AuditListOut(Out):
    entries: list[AuditOut]


# -- outbox ---------------------------------------------------------------------------------
class OutboxOut(Out):
    id: str
    kind: str
    to: str
    status: ReceiptEmail
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    event_id: str | None
    patron_id: str | None
    payment_id: str | None


class OutboxListOut(Out):
    messages: list[OutboxOut]


class HealthOut(Out):
    status: Literal["ok"]


# -- waiver templates ------------------------------------------------------------------------
class WaiverTemplateIn(In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    text: Annotated[str, Field(min_length=1, max_length=50_000)]


class WaiverTemplateEdit(In):
    text: Annotated[str, Field(min_length=1, max_length=50_000)]
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class WaiverTemplateOut(Out):
    id: str
    name: str
    version: int
    text: str
    sha256: str
    created_at: datetime
    created_by: str


class WaiverTemplateListOut(Out):
    templates: list[WaiverTemplateOut]


class WaiverTemplateVersionsOut(Out):
    versions: list[WaiverTemplateOut]
