"""Settlement plans: what happens to each party of a cancelled, shifted or rebooked departure.

A plan is stored before it runs. It holds one step per party (move, credit, refund, or keep
for a shifted departure), each ``pending`` until the transaction that makes its change also
marks it ``done`` (or ``failed`` with the reason, an open item for crew). Running a plan
again skips the steps already done, so a run stopped halfway is finished by running it
again and nothing happens twice. Pure: records, rules and the JSON form the stores keep.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import Conflict, Invalid
from .models import Booking, BookingStatus, Event, EventStatus, Payment, Seat, WaiverKind
from .refunds import refundable_cents

CANCEL = "cancel"  # the departure is cancelled; each party moved, credited or refunded
SHIFT = "shift"  # the departure moves in time; everyone keeps their booking
REBOOK = "rebook"  # one party moves to another departure
KINDS = (CANCEL, SHIFT, REBOOK)

MOVE = "move"
CREDIT = "credit"
REFUND = "refund"
KEEP = "keep"
ACTIONS = (MOVE, CREDIT, REFUND)

PENDING = "pending"
DONE = "done"
FAILED = "failed"

# What a patron may choose afterwards on the guest page.
ACCEPTED = "accepted"  # the proposed move suits them
REFUND_ASKED = "refund_requested"  # a refund instead of credit (when the plan allows it)
CANCELLED_BY_PATRON = "cancelled"  # a shifted departure no longer suits them
CHOSE_OTHER = "chose_other"  # the patron moved on to another departure of their choice
PATRON_CHOICES = (REFUND_ASKED, CANCELLED_BY_PATRON)
MAX_TEXT = 2000
MAX_STEPS = 500


@dataclass(frozen=True)
class Step:
    """One party's part of a plan, and (once run) what it did."""

    patron_id: str
    patron_name: str
    party_size: int
    was: str  # the booking's status when the plan was made
    action: str
    move_to: str | None = None  # MOVE: the departure
    reprice: bool = False  # MOVE: the target's price (True) or the amount booked at (False)
    state: str = PENDING
    done_at: datetime | None = None
    error: str = ""
    # What was done: money in cents (``credited``, ``refunded`` recorded at once,
    # ``requested`` of the provider by payment id, ``moved_paid`` carried as credit), the
    # target's amount due and whether waivers carried over.
    outcome: dict[str, Any] = field(default_factory=dict)
    choice: str = ""  # the patron's answer on the guest page (ACCEPTED, REFUND_ASKED)


@dataclass(frozen=True)
class Plan:
    id: str
    event_id: str
    kind: str
    reason: str
    message: str  # to the patrons, in their email
    created_at: datetime
    created_by: str  # actor label
    created_by_name: str
    steps: tuple[Step, ...]
    credit_expires_at: datetime | None = None
    allow_refund_request: bool = True  # a credited patron may ask for a refund instead
    new_starts_at: datetime | None = None  # SHIFT
    new_ends_at: datetime | None = None
    old_starts_at: datetime | None = None  # SHIFT: the time it had
    finished_at: datetime | None = None
    version: int = 1

    def step(self, patron_id: str) -> Step | None:
        return next((s for s in self.steps if s.patron_id == patron_id), None)

    @property
    def open_steps(self) -> list[Step]:
        return [s for s in self.steps if s.state != DONE]


def with_step(plan: Plan, step: Step, *, now: datetime) -> Plan:
    """The plan with ``step`` replacing the party's step (finished once none is pending)."""
    steps = tuple(step if s.patron_id == step.patron_id else s for s in plan.steps)
    finished = plan.finished_at or (now if all(s.state != PENDING for s in steps) else None)
    return dataclasses.replace(plan, steps=steps, finished_at=finished)


def clean_text(value: str, name: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise Invalid(f"A {name} is required.", {name: value})
    if len(value) > MAX_TEXT:
        raise Invalid(f"The {name} is longer than {MAX_TEXT} characters.", {name: len(value)})
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise Invalid(f"The {name} holds control characters.", {name: value[:40]})
    return value


def settled_parties(bookings: Iterable[Booking]) -> list[Booking]:
    """The parties a plan settles: booked and waitlisted ones."""
    return [b for b in bookings if b.status in (BookingStatus.BOOKED, BookingStatus.WAITLISTED)]


def check_target(event: Event, target: Event, booking: Booking, places_booked: int) -> None:
    """A party may move to ``target``: another scheduled departure in the same currency
    with room for the whole party."""
    if target.id == event.id:
        raise Invalid("A party cannot move to the departure it is on.", {"move_to": target.id})
    if target.status != EventStatus.SCHEDULED:
        raise Conflict("That departure is not open.", {"move_to": target.id})
    if target.currency != booking.currency:
        raise Invalid(
            f"That departure is priced in {target.currency}, not {booking.currency}.",
            {"move_to": target.id},
        )
    if target.capacity is not None and places_booked + booking.party_size > target.capacity:
        raise Conflict(
            "That departure has no room for this party.",
            {"move_to": target.id, "room": max(target.capacity - places_booked, 0)},
        )


def room(target: Event, places_booked: int) -> int | None:
    return None if target.capacity is None else max(target.capacity - places_booked, 0)


def moved_booking(
    booking: Booking,
    target: Event,
    *,
    token: str,
    now: datetime,
    reprice: bool,
    keep_waivers: bool,
) -> Booking:
    """The party's new booking on ``target``: the same seats (their waivers only when
    ``keep_waivers``), the amount due repriced or kept, nothing paid yet (the caller pays it
    with the party's credit), not checked in."""
    seats: tuple[Seat, ...] = booking.seats
    kind: WaiverKind | None = booking.waiver_kind
    if not keep_waivers:
        seats = tuple(
            dataclasses.replace(
                s, waiver_kind=None, signature_id=None, waiver_at=None, waiver_by=None
            )
            for s in booking.seats
        )
        kind = None
    due = target.price_cents * booking.party_size if reprice else booking.amount_due_cents
    return dataclasses.replace(
        booking,
        event_id=target.id,
        amount_due_cents=due,
        status=BookingStatus.BOOKED,
        guest_token=token,
        created_at=now,
        amount_paid_cents=0,
        payment_cleared=due == 0,
        cleared_at=now if due == 0 else None,
        checked_in_at=None,
        checked_in_by=None,
        waiver_kind=kind,
        waiver_at=booking.waiver_at if kind else None,
        waiver_by=booking.waiver_by if kind else None,
        waiver_signature_id=booking.waiver_signature_id if kind else None,
        cancelled_at=None,
        version=1,
        legacy_id=None,
        seats=seats,
        aboard=0,
        returned=0,
    )


def cancelled(booking: Booking, now: datetime) -> Booking:
    return dataclasses.replace(booking, status=BookingStatus.CANCELLED, cancelled_at=now)


def refundable(payments: Sequence[Payment]) -> list[tuple[Payment, int]]:
    """Each payment with money left to hand back (not voided, not a refund)."""
    out = []
    for p in payments:
        if p.voided or p.is_refund or p.amount_cents <= 0:
            continue
        left = refundable_cents(p, payments)
        if left > 0:
            out.append((p, left))
    return out


# -- the JSON form every store keeps -----------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def plan_to_json(plan: Plan) -> str:
    doc = {f.name: _plain(getattr(plan, f.name)) for f in dataclasses.fields(plan)}
    doc["steps"] = [
        {f.name: _plain(getattr(s, f.name)) for f in dataclasses.fields(s)} for s in plan.steps
    ]
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def plan_from_json(text: str) -> Plan:
    doc = json.loads(text)
    steps = tuple(Step(**{**s, "done_at": _time(s.get("done_at"))}) for s in doc.pop("steps"))
    times = (
        "created_at",
        "credit_expires_at",
        "new_starts_at",
        "new_ends_at",
        "old_starts_at",
        "finished_at",
    )
    for name in times:
        doc[name] = _time(doc.get(name))
    return Plan(**doc, steps=steps)


def waivers_carry(
    source_template: str | None,
    target_template: str | None,
    latest_version: int | None,
    signed_versions: Sequence[int],
) -> bool:
    """Whether a moved party's waivers still stand on the target: the same template, and
    every e-signature made under its current version (a paper waiver names no version and
    carries with its template)."""
    if source_template != target_template:
        return False
    return all(v == latest_version for v in signed_versions)
