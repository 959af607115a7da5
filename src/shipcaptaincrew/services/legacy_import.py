"""Bringing the previous system's events and rosters into this store (``scc import-legacy``).

Everything goes through the ordinary use cases (create_event, add_patron, set_checked_in,
confirm_paper_waiver) on behalf of the importer, a system actor with admin rights, so every
record gets the same rules and an audit entry by ``system:importer``. Records keep their
previous id (``legacy_id``): a second run finds them and only does what is still missing
(a participant added since, a check-in, a waiver, a payment), never anything twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..domain import payments as pay
from ..domain.errors import DomainError
from ..domain.legacy_events import LegacyEvent, LegacyParticipant
from ..domain.models import (
    IMPORTER,
    Booking,
    BookingStatus,
    Event,
    EventStatus,
    Payment,
    PaymentMethod,
    new_id,
)
from ..storage.base import PaymentWrite
from . import audit
from .attendance import confirm_paper_waiver, set_checked_in
from .auth import IMPORTER_CREW
from .bookings import get_booking
from .context import Context, retry_stale
from .events import create_event
from .roster import add_patron


@dataclass
class LegacyReport:
    """What an import did (or, in a dry run, would do), and what it could not read."""

    dry_run: bool
    booking_emails: bool = False  # each new booking with a real address gets its email
    events: int = 0
    bookings: int = 0
    check_ins: int = 0
    waivers: int = 0
    payments: int = 0
    payments_cents: int = 0
    already: int = 0  # events already imported by an earlier run
    lines: list[str] = field(default_factory=list)  # one per event: what happened
    problems: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    no_email: list[str] = field(default_factory=list)  # participants given a placeholder

    @property
    def changed(self) -> int:
        return self.events + self.bookings + self.check_ins + self.waivers + self.payments


def import_payment(
    ctx: Context, *, event_id: str, patron_id: str, legacy_ref: str
) -> Payment | None:
    """Record that a booking was paid before the move: one payment of the balance left, method
    ``imported``, by the importer, with an audit entry; no receipt email (the patron paid long
    ago). None, writing nothing, when the booking owes nothing or already has one."""

    def attempt() -> Payment | None:
        booking = get_booking(ctx, event_id=event_id, patron_id=patron_id)
        history = ctx.store.list_payments(event_id, patron_id)
        done = any(p.method == PaymentMethod.IMPORTED and not p.voided for p in history)
        if done or booking.payment_cleared or booking.balance_cents == 0:
            return None
        now = ctx.now()
        payment = Payment(
            id=new_id("pay"),
            event_id=event_id,
            patron_id=patron_id,
            amount_cents=booking.balance_cents,
            currency=booking.currency,
            method=PaymentMethod.IMPORTED,
            reference=legacy_ref[:500],
            note="Marked paid in the previous system.",
            logged_by=IMPORTER.id,
            logged_by_name=IMPORTER.name,
            logged_at=now,
        )
        pay.check_payment_request(
            booking, amount_cents=payment.amount_cents, method=payment.method, currency=None
        )
        settled = pay.settle(booking, [*history, payment], now=now)
        entry = audit.entry(
            ctx,
            actor=IMPORTER,
            action="payment.imported",
            subject=payment.id,
            event_id=event_id,
            patron_id=patron_id,
            data={
                "payment_id": payment.id,
                "amount_cents": payment.amount_cents,
                "currency": payment.currency,
                "method": payment.method.value,
                "reference": payment.reference,
                "amount_paid_cents": settled.amount_paid_cents,
                "payment_cleared": settled.payment_cleared,
            },
        )
        [stored] = ctx.store.add_payments(
            [PaymentWrite(payment, settled, booking.version)], [entry]
        )
        return stored

    return retry_stale(attempt)


def _steps(event: Event, p: LegacyParticipant, booking: Booking | None, paid: bool) -> list[str]:
    """What is still to do for a participant, given its booking (None: not imported yet)
    and whether it has an imported payment already."""
    steps = [] if booking is not None else ["book"]
    if p.checked_in and not (booking and booking.checked_in):
        steps.append("check in")
    if p.waiver and not (booking and booking.waiver_signed):
        steps.append("waiver")
    owes = booking.balance_cents > 0 if booking else event.price_cents > 0
    if p.paid and owes and not paid:
        steps.append("payment")
    return steps


def _participant(
    ctx: Context, event: Event, p: LegacyParticipant, booking: Booking | None, r: LegacyReport
) -> None:
    where = f"{event.legacy_id}/{p.legacy_id}"
    paid = booking is not None and any(
        x.method == PaymentMethod.IMPORTED and not x.voided
        for x in ctx.store.list_payments(event.id, booking.patron_id)
    )
    steps = _steps(event, p, booking, paid)
    if r.dry_run:
        r.payments_cents += event.price_cents * p.party_size if "payment" in steps else 0
    else:
        if booking is None:
            booking = add_patron(
                ctx,
                by=IMPORTER_CREW,
                event_id=event.id,
                name=p.name,
                email=p.email,
                phone=p.phone,
                party_size=p.party_size,
                legacy_id=p.legacy_id,
                email_patron=r.booking_emails and p.has_email,
            )
        patron = {"event_id": event.id, "patron_id": booking.patron_id}
        if "check in" in steps and booking.status != BookingStatus.BOOKED:
            steps.remove("check in")
            r.problems.append((where, f"not checked in: the booking is {booking.status.value}"))
        if "check in" in steps:
            set_checked_in(
                ctx,
                by=IMPORTER_CREW,
                checked_in=True,
                event_id=event.id,
                patron_id=booking.patron_id,
            )
        if "waiver" in steps:
            confirm_paper_waiver(
                ctx, by=IMPORTER_CREW, event_id=event.id, patron_id=booking.patron_id
            )
        if "payment" in steps:
            payment = import_payment(ctx, legacy_ref=where, **patron)
            if payment is None:
                steps.remove("payment")
            else:
                r.payments_cents += payment.amount_cents
    if "book" in steps and not p.has_email:
        r.no_email.append(f"{where} ({p.name}): {p.email}")
    r.bookings += "book" in steps
    r.check_ins += "check in" in steps
    r.waivers += "waiver" in steps
    r.payments += "payment" in steps


def _counts(r: LegacyReport) -> tuple[int, int, int, int]:
    return r.bookings, r.check_ins, r.waivers, r.payments


def _event(ctx: Context, le: LegacyEvent, known: dict[str, Event], r: LegacyReport) -> None:
    """Import one event; ``known`` maps legacy ids to the events imported so far."""
    event = known.get(le.legacy_id)
    new = event is None
    if event is None:
        event = known[le.legacy_id] = _new_event(ctx, le, r.dry_run)
        r.events += 1
    else:
        r.already += 1
    before = _counts(r)
    stored = ctx.store.list_bookings(event.id) if event.id else []
    bookings = {b.legacy_id: b for b in stored if b.legacy_id}
    emails = {b.patron_email for b in stored}
    for p in le.participants:
        where = f"{le.legacy_id}/{p.legacy_id}"
        booking = bookings.get(p.legacy_id)
        if booking is None and p.email in emails:
            r.problems.append((where, f"not imported: {p.email} is already on this event"))
            continue
        emails.add(p.email)
        try:
            _participant(ctx, event, p, booking, r)
        except DomainError as err:
            r.problems.append((where, f"not imported: {err.message}"))
    r.problems += [(f"{le.legacy_id} {label}", reason) for label, reason in le.skipped]
    diff = (a - b for a, b in zip(_counts(r), before, strict=True))
    done = dict(zip(("bookings", "check-ins", "waivers", "payments"), diff, strict=True))
    parts = ", ".join(f"{n} {what}" for what, n in done.items())
    create, add = ("would create", "would add") if r.dry_run else ("created", "added")
    if new:
        head = f"{le.legacy_id}: {create} event {le.title!r} ({le.starts_at:%Y-%m-%d})"
        r.lines.append(f"{head} with {parts}")
    elif any(done.values()):
        r.lines.append(f"{le.legacy_id}: already imported as {event.id}; {add} {parts}")
    else:
        r.lines.append(f"{le.legacy_id}: already imported as {event.id}; nothing new")


def _new_event(ctx: Context, le: LegacyEvent, dry_run: bool) -> Event:
    if dry_run:
        now = ctx.now()
        return Event(
            id="", title=le.title, starts_at=le.starts_at, ends_at=le.ends_at,
            location=le.location, capacity=le.capacity, price_cents=le.price_cents,
            currency=le.currency or ctx.settings.currency, status=EventStatus.SCHEDULED,
            created_at=now, updated_at=now, legacy_id=le.legacy_id,
        )  # fmt: skip
    return create_event(
        ctx,
        by=IMPORTER_CREW,
        title=le.title,
        starts_at=le.starts_at,
        ends_at=le.ends_at,
        location=le.location,
        capacity=le.capacity,
        price_cents=le.price_cents,
        currency=le.currency,
        legacy_id=le.legacy_id,
    ).event


def import_legacy(
    ctx: Context,
    *,
    events: Iterable[LegacyEvent],
    dry_run: bool,
    send_booking_emails: bool = False,
    progress: Callable[[int], object] = lambda _n: None,
) -> LegacyReport:
    """Create what is missing of each legacy event: the event, its bookings (patrons matched
    by email as add_patron does), check-ins, paper waivers carried over and one ``imported``
    payment for each booking marked paid. Each write has its audit entry by the importer.
    With ``dry_run`` nothing is written; the report says what would be. ``progress`` is
    called with 1 after each event. With ``send_booking_emails`` each new booking (of a
    participant with an email address) queues its booking email, as any booking does."""
    report = LegacyReport(dry_run=dry_run, booking_emails=send_booking_emails)
    known = {e.legacy_id: e for e in ctx.store.list_events() if e.legacy_id}
    for le in events:
        try:
            _event(ctx, le, known, report)
        except DomainError as err:
            report.problems.append((le.legacy_id, f"event not imported: {err.message}"))
        progress(1)
    return report
